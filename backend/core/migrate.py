"""Run Alembic migrations from code (CLI, app start in containers, tests).

On PostgreSQL the upgrade holds an advisory lock, so that several app replicas starting at
the same time (``docker compose up --scale app=3``) migrate one after the other instead of
racing each other into "relation already exists".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection

from backend.core.db import make_engine
from backend.core.settings import ROOT

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATION_LOCK_KEY = 0x6C6F6B6574  # "loket": one key for every Loket database


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    # Alembic (with Mako and Pygments, 118 modules) was 60–70 ms of every `loket serve`, which
    # imports this module through the CLI but never migrates (docs/benchmarks.md, cold start).
    # lazy: only a migration needs Alembic
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str | None = None, connection: Connection | None = None,
            revision: str = "heads") -> None:
    if connection is None and url and url.startswith("postgresql"):
        _upgrade_postgres_locked(url, revision)
        return
    from alembic import command  # lazy: see alembic_config

    command.upgrade(alembic_config(url, connection), revision)


def _upgrade_postgres_locked(url: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            # A session-level lock: it outlives the transactions Alembic commits.
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                from alembic import command  # lazy: see alembic_config

                command.upgrade(alembic_config(url, conn), revision)
                conn.commit()
            finally:
                conn.rollback()
                conn.execute(text("SELECT pg_advisory_unlock(:key)"),
                             {"key": MIGRATION_LOCK_KEY})
                conn.commit()
    finally:
        engine.dispose()
