"""A fresh, migrated database per test, for tests that need real commits and several
connections (workers in threads or processes, concurrency, commit failures).

Most tests use the shared database with a rollback per test (``tests/conftest.py``); use
``fresh_db`` only where that cannot work: it costs a migration run.

- SQLite: a temporary file.
- PostgreSQL (``LOKET_TEST_DATABASE_URL``): a schema of its own in the test database,
  selected with ``search_path`` in the URL, so that ``public`` (the main suite's) is never
  touched; it is dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from backend.core.db import Database, make_engine
from backend.core.settings import Settings
from tests.conftest import make_settings, schema_url


@dataclass
class FreshDatabase:
    url: str  # complete: a subprocess given this URL sees the same database
    engine: Engine
    db: Database
    tmp_path: Path

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def settings(self, **overrides: Any) -> Settings:
        return make_settings(self.tmp_path, self.url, **overrides)


def _migrate(url: str) -> None:
    import backend.models  # noqa: F401 - full metadata for the migration environment
    from backend.core.migrate import upgrade

    upgrade(url)


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[FreshDatabase]:
    base = os.environ.get("LOKET_TEST_DATABASE_URL")
    if not base:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        _migrate(url)
        sqlite_engine = make_engine(url)
        try:
            yield FreshDatabase(url, sqlite_engine, Database(sqlite_engine), tmp_path)
        finally:
            sqlite_engine.dispose()
        return
    schema = f"loket_t_{secrets.token_hex(6)}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = schema_url(base, schema)
    engine: Engine | None = None
    try:
        _migrate(url)
        engine = make_engine(url)
        yield FreshDatabase(url, engine, Database(engine), tmp_path)
    finally:
        if engine is not None:
            engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
