"""The migration that widens ``question_case.company_size`` to the taxonomy's 40 characters
(a size an editor adds may be longer than the five shipped ones) and narrows it again on
downgrade, on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, String, inspect, text

from backend.core.db import make_engine
from backend.core.migrate import upgrade
from tests.core.conftest import downgrade

BEFORE = "5e1d7a3c9b20"
REVISION = "9a4c2e6f1b37"


def _size_length(url: str) -> int:
    engine = make_engine(url)
    try:
        column = {c["name"]: c for c in inspect(engine).get_columns("question_case")}
        kind = column["company_size"]["type"]
        assert isinstance(kind, String)
        return int(kind.length or 0)
    finally:
        engine.dispose()


def _add_case(engine: Engine, reference: str, size: str) -> None:
    with engine.begin() as conn:
        if conn.execute(text("SELECT count(*) FROM desk")).scalar() == 0:
            conn.execute(text(
                "INSERT INTO desk (id, slug, name, summary, is_active, general_remit,"
                " is_fallback, capacity, first_response_hours, themes, sectors, company_sizes,"
                " languages, keywords, created_at, updated_at) VALUES (1, 'd', 'Desk', '',"
                " true, true, true, 10, 8, '[]', '[]', '[]', '[]', '[]', CURRENT_TIMESTAMP,"
                " CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO question_case (reference, status, source, language, text, themes,"
            " contact_email, consent_at, desk_id, routing, received_at, first_response_due_at,"
            " escalate_at, escalation_level, updated_at, company_size) VALUES (:ref, 'new',"
            " 'web', 'nl', 'Een vraag', '[]', 'a@example.nl', CURRENT_TIMESTAMP, 1, '{}',"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0, CURRENT_TIMESTAMP,"
            " :size)"), {"ref": reference, "size": size})


def _sizes(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        return {r: s for r, s in conn.execute(text(
            "SELECT reference, company_size FROM question_case"))}


def test_company_size_widens_to_40_and_narrows_back(empty_schema_url: str) -> None:
    upgrade(empty_schema_url, revision=BEFORE)
    assert _size_length(empty_schema_url) == 8
    upgrade(empty_schema_url, revision=REVISION)
    assert _size_length(empty_schema_url) == 40
    engine = make_engine(empty_schema_url)
    try:
        _add_case(engine, "L-1", "klein")
        _add_case(engine, "L-2", "scale-up-met-groeiambitie")  # 25 characters: refused before
        assert _sizes(engine) == {"L-1": "klein", "L-2": "scale-up-met-groeiambitie"}
    finally:
        engine.dispose()
    downgrade(empty_schema_url, BEFORE)
    assert _size_length(empty_schema_url) == 8
    engine = make_engine(empty_schema_url)
    try:  # a size too long for the old column is emptied, the others are kept
        assert _sizes(engine) == {"L-1": "klein", "L-2": None}
    finally:
        engine.dispose()
