"""The English-content migration adds its columns with empty defaults to existing rows and
removes them again on downgrade, on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, text

from backend.core.db import make_engine
from backend.core.migrate import upgrade
from tests.core.conftest import downgrade

BEFORE = "7c41e0b2a9f3"
REVISION = "5e1d7a3c9b20"


def _columns(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_english_columns_upgrade_with_empty_text_and_downgrade(empty_schema_url: str) -> None:
    upgrade(empty_schema_url, revision=BEFORE)
    engine = make_engine(empty_schema_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO content_item (type, slug, title, summary, body_md, lang, is_example,"
                " status, version, created_at, updated_at) VALUES ('practice', 'p', 'Titel',"
                " '', '', 'nl', false, 'draft', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    finally:
        engine.dispose()
    upgrade(empty_schema_url, revision=REVISION)
    assert {"title_en", "summary_en", "body_md_en"} <= _columns(empty_schema_url, "content_item")
    assert "terms_note_en" in _columns(empty_schema_url, "scheme_terms")
    engine = make_engine(empty_schema_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text(
                "SELECT title_en, summary_en, body_md_en FROM content_item")).one()
        assert tuple(row) == ("", "", "")
    finally:
        engine.dispose()
    downgrade(empty_schema_url, BEFORE)
    assert not {"title_en", "summary_en", "body_md_en"} & _columns(empty_schema_url, "content_item")
    assert "terms_note_en" not in _columns(empty_schema_url, "scheme_terms")
