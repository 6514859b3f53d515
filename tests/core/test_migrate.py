"""Migrations run from code; on PostgreSQL concurrent upgrades (several replicas starting at
once) take turns instead of failing."""

from __future__ import annotations

import threading

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from backend.core.db import make_engine
from backend.core.migrate import alembic_config, upgrade


@pytest.fixture
def empty_schema_url(empty_schema_url: str) -> str:
    """The core tests' empty database, on PostgreSQL only."""
    if empty_schema_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: SQLite has one process per file")
    return empty_schema_url


def test_concurrent_upgrades_take_turns(empty_schema_url: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def migrate() -> None:
        try:
            start.wait()
            upgrade(empty_schema_url)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    engine = make_engine(empty_schema_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version"))
            applied = {row[0] for row in rows}
            assert conn.execute(text("SELECT count(*) FROM outbox_message")).scalar() == 0
    finally:
        engine.dispose()
    assert applied == heads
