"""Backup and restore, tried for real: SQLite with ``loket db backup``/``restore`` (the online
backup API) while a write is in progress, PostgreSQL with pg_dump and pg_restore into a new
database. Afterwards every table has the same rows, a known question is there, and the search
index is rebuilt from the restored database."""

from __future__ import annotations

import secrets
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select
from typer.testing import CliRunner

from backend.cases.models import Case
from backend.cli import app as cli
from backend.content import indexing
from backend.core.db import Database, make_engine
from backend.core.migrate import upgrade
from backend.core.settings import get_settings
from tests.conftest import make_settings
from tests.factories.cases import create_case, regional_setup
from tests.factories.content import create_item
from tests.freshdb import FreshDatabase

Invoke = Callable[..., tuple[int, str]]
KNOWN = "Hoe vind ik personeel voor mijn werkplaats in Deventer?"


def populate(db: Database) -> str:
    """Desks, questions and published content; returns a known question's reference."""
    with db.transaction() as s:
        desks = regional_setup(s)
        known = create_case(s, desks["oost-nl"], text=KNOWN, email="known@example.nl")
        for n in range(5):
            create_case(s, desks["rvo"], email=f"vraag-{n}@example.nl")
        for n in range(3):
            create_item(s, "practice", title=f"Goed voorbeeld {n}")
        return known.reference


def row_counts(engine: Engine, schema: str | None = None) -> dict[str, int]:
    names = sa.inspect(engine).get_table_names(schema=schema)
    with engine.connect() as conn:
        return {name: int(conn.execute(sa.select(sa.func.count()).select_from(
            sa.table(name, schema=schema))).scalar_one()) for name in names}


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
    """``run(url, *args)``: the ``loket`` command with LOKET_DATABASE_URL=url."""
    runner = CliRunner()

    def invoke(url: str, *args: str) -> tuple[int, str]:
        monkeypatch.setenv("LOKET_DATABASE_URL", url)
        get_settings.cache_clear()
        result = runner.invoke(cli, list(args))
        return result.exit_code, result.output

    yield invoke
    get_settings.cache_clear()


def test_sqlite_backup_while_writing_and_restore(tmp_path: Path, run: Invoke) -> None:
    invoke = run
    url = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade(url)
    engine = make_engine(url)
    db = Database(engine)
    reference = populate(db)
    backup = tmp_path / "backups" / "loket.db"

    # The backup runs while another transaction holds uncommitted writes: it does not wait
    # for it and does not see them.
    with db.transaction() as s:
        desk = regional_setup(s)["kvk"]
        create_case(s, desk, email="half-way@example.nl")
        s.flush()
        code, out = invoke(url, "db", "backup", str(backup))
        assert code == 0, out
    assert "backup written" in out and backup.is_file()
    assert not backup.with_name("loket.db.partial").exists()
    before = row_counts(engine)

    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    code, out = invoke(restored_url, "db", "restore", str(backup), "--yes")
    assert code == 0, out
    restored = make_engine(restored_url)
    after = row_counts(restored)
    assert set(after) == set(before)
    assert after == {**before, "question_case": before["question_case"] - 1,
                     "case_event": before["case_event"] - 2}
    rdb = Database(restored)
    with rdb.transaction(write=False) as s:
        known = s.exec(select(Case).where(Case.reference == reference)).one()
        assert known.text == KNOWN and known.contact_email == "known@example.nl"
        assert not s.exec(select(Case).where(Case.contact_email == "half-way@example.nl")).all()

    # The index is not part of the backup: it is rebuilt from the restored database.
    settings = make_settings(tmp_path, restored_url, search_path=tmp_path / "search")
    assert indexing.reindex(rdb, settings) == indexing.count_published(rdb) == 3

    # A broken file never replaces a good database.
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    code, out = invoke(restored_url, "db", "restore", str(junk), "--yes")
    assert code != 0
    assert row_counts(restored) == after
    code, out = invoke("postgresql://nobody@127.0.0.1:1/none", "db", "backup", str(backup))
    assert code != 0 and "pg_dump" in out
    restored.dispose()
    engine.dispose()


def _libpq(url: str) -> str:
    return url.split("?")[0].replace("postgresql+psycopg://", "postgresql://")


@pytest.mark.skipif(shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
                    reason="pg_dump/pg_restore not installed")
def test_pg_dump_and_pg_restore_into_a_new_database(fresh_db: FreshDatabase,
                                                    tmp_path: Path) -> None:
    if not fresh_db.is_postgres:
        pytest.skip("PostgreSQL only (LOKET_TEST_DATABASE_URL)")
    reference = populate(fresh_db.db)
    schema = fresh_db.url.split("search_path%3D")[1]
    base = _libpq(fresh_db.url)
    dump = tmp_path / "loket.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--schema={schema}",
                    f"--file={dump}", base], check=True, capture_output=True)
    target_db = f"loket_restore_{secrets.token_hex(4)}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{target_db}"'))
    target_url = base.rsplit("/", 1)[0] + "/" + target_db
    target = make_engine(target_url)
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target_url}",
                        str(dump)], check=True, capture_output=True)
        before = row_counts(fresh_db.engine, schema)
        after = row_counts(target, schema)
        assert after == before and before["question_case"] == 6 and before["alembic_version"] == 1
        restored = Database(make_engine(f"{target_url}?options=-csearch_path%3D{schema}"))
        with restored.transaction(write=False) as s:
            known = s.exec(select(Case).where(Case.reference == reference)).one()
            assert known.text == KNOWN
        settings = make_settings(tmp_path, target_url, search_path=tmp_path / "search")
        assert indexing.reindex(restored, settings) == 3
        restored.engine.dispose()
    finally:
        target.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target_db}" WITH (FORCE)'))
        admin.dispose()
