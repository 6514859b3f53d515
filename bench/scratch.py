"""A scratch SQLite database for the benchmarks: a migrated file in a folder of the caller's,
and settings that point every path there (``make bench`` runs each script on its own)."""

from __future__ import annotations

from pathlib import Path

from backend.core.db import Database, make_engine
from backend.core.migrate import upgrade
from backend.core.settings import Settings


def scratch_database(tmp: Path) -> tuple[str, Database]:
    """``tmp/bench.db``, migrated to the latest revision; returns its URL and a Database."""
    url = f"sqlite:///{tmp / 'bench.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        upgrade(connection=conn)
    return url, Database(engine)


def scratch_settings(tmp: Path, url: str) -> Settings:
    """Production-like settings on the scratch database (no in-process worker, quiet logs)."""
    return Settings(env="production", secret_key="bench-" + "x" * 40, database_url=url,
                    base_url="http://testserver", var_dir=tmp / "var", search_path=tmp / "search",
                    worker_in_process=False, log_json=False, log_level="WARNING")
