"""Backup and restore of the embedded (SQLite) database: ``loket db backup`` / ``restore``.

Both use SQLite's online backup API (``sqlite3.Connection.backup``): a consistent copy page by
page while the application keeps running, committed WAL content included, never a file copy
that could catch a write half-way. A backup is checked (``PRAGMA integrity_check`` and an
Alembic version present) before it is put in place, so a broken file never replaces a good
one.

PostgreSQL is backed up with its own tools (``pg_dump --format=custom`` and ``pg_restore``;
docs/operations.md). The search index is not backed up: ``loket search reindex`` rebuilds it
from the database.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

PAGES_PER_STEP = 4096  # pages copied per step; writers get the lock between steps


class BackupError(Exception):
    """The database or the backup file cannot be used; the message says why."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    bytes: int
    tables: int
    revision: str


def sqlite_file(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "loket db backup/restore handle SQLite; back up PostgreSQL with pg_dump and "
            "restore it with pg_restore (docs/operations.md)")
    if not url.database or url.database == ":memory:":
        raise BackupError("the database URL names no SQLite file")
    return Path(url.database)


def _check(conn: sqlite3.Connection, what: str) -> tuple[int, str]:
    result = conn.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(f"{what} fails SQLite's integrity check: {result}")
    tables = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if not row:
        raise BackupError(f"{what} is not a Loket database (no migration version)")
    return int(tables), str(row[0])


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """Online copy of ``source`` into ``target`` (a new file next to the final place)."""
    dest = sqlite3.connect(target)
    try:
        source.backup(dest, pages=PAGES_PER_STEP)
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        dest.close()


def backup_sqlite(database_url: str, dest: Path) -> BackupInfo:
    """Copy the live database to ``dest`` (written to a temporary name, checked, renamed)."""
    src_path = sqlite_file(database_url)
    if not src_path.is_file():
        raise BackupError(f"no database at {src_path}")
    dest = Path(dest)
    if dest.resolve() == src_path.resolve():
        raise BackupError("the backup cannot be the database itself")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True)
    try:
        _copy(source, partial)
    finally:
        source.close()
    check = sqlite3.connect(partial)
    try:
        tables, revision = _check(check, "the backup")
    finally:
        check.close()
    os.replace(partial, dest)
    return BackupInfo(dest, dest.stat().st_size, tables, revision)


def restore_sqlite(backup: Path, database_url: str) -> BackupInfo:
    """Replace the database's content with the backup's. Stop the app and the worker first:
    the restore takes the database's write lock, and processes that keep running would go on
    with caches of the old content."""
    backup = Path(backup)
    if not backup.is_file():
        raise BackupError(f"no backup at {backup}")
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        tables, revision = _check(source, "the backup")
        target = sqlite_file(database_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(target, timeout=30)
        try:
            # Through the database's own connection (not a file copy), so its WAL and any
            # reader see one consistent switch.
            source.backup(dest, pages=PAGES_PER_STEP)
        finally:
            dest.close()
    finally:
        source.close()
    return BackupInfo(target, target.stat().st_size, tables, revision)
