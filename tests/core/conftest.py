"""Fixtures for the platform core tests, and the migration tests' database."""

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from backend.core.db import make_engine
from backend.core.migrate import alembic_config
from tests.conftest import schema_url
from tests.freshdb import fresh_db

__all__ = ["downgrade", "fresh_db"]


@pytest.fixture
def empty_schema_url(tmp_path: Path) -> Iterator[str]:
    """A database with no tables for a migration test: a SQLite file, or on PostgreSQL a schema
    of its own in the test database (dropped afterwards)."""
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


def downgrade(url: str, revision: str) -> None:
    """Alembic's downgrade to ``revision`` on ``url``, committed."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            command.downgrade(alembic_config(url, conn), revision)
            conn.commit()
    finally:
        engine.dispose()
