"""The English-content migration adds its columns with empty defaults to existing rows and
removes them again on downgrade, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from backend.core.db import make_engine
from backend.core.migrate import alembic_config, upgrade
from tests.conftest import schema_url

BEFORE = "7c41e0b2a9f3"
REVISION = "5e1d7a3c9b20"


@pytest.fixture
def empty_schema_url(tmp_path: Path) -> Iterator[str]:
    base = os.environ.get("LOKET_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    schema = f"loket_m_{secrets.token_hex(6)}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema_url(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


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
    with make_engine(empty_schema_url).connect() as conn:
        cfg = alembic_config(empty_schema_url, conn)
        command.downgrade(cfg, BEFORE)
        conn.commit()
    assert not {"title_en", "summary_en", "body_md_en"} & _columns(empty_schema_url, "content_item")
    assert "terms_note_en" not in _columns(empty_schema_url, "scheme_terms")
