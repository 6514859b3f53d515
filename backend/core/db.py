"""Engine, metadata conventions and the one-session-per-request dependency.

SQLite runs in WAL mode. Write transactions start with ``BEGIN IMMEDIATE`` so that a
writer waits for the lock (``busy_timeout``) instead of failing with "database is locked"
when it upgrades a read transaction; read-only requests keep a deferred ``BEGIN`` so
readers never queue behind writers.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import Field
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine

from backend.core.errors import LoketError
from backend.core.settings import Settings, get_settings
from backend.core.text import install_text_hygiene

install_text_hygiene()  # NFC, no control or bidi characters in one-line fields (core/text.py)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_QUEUE_SECONDS = 30.0  # as long as SQLite's busy_timeout

# Row ids are 32-bit integers on PostgreSQL (and 64-bit on SQLite): an id that comes from
# outside (path, query, body) is bounded, so a huge number is a 422, never a database error.
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use backend.core.db.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


SQLITE_JOURNAL_SIZE_LIMIT = 16 * 1024 * 1024  # bytes the WAL keeps after a checkpoint
log = logging.getLogger("loket.db")


def truncate_wal(engine: Engine, *, attempts: int = 5) -> bool:
    """SQLite: copy the WAL into the database and cut it to zero bytes.

    Erasure rewrites rows, but their old versions stay in the ``-wal`` file until a checkpoint
    overwrites them (28 copies of an erased address were found there). ``TRUNCATE`` needs
    no writer and every reader at the WAL's end; it waits 100 ms at a time (not the usual
    busy timeout of 30 s), a few times. True when the WAL is empty afterwards; other
    databases: True.
    """
    if engine.dialect.name != "sqlite":
        return True
    for attempt in range(attempts):
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("PRAGMA busy_timeout=100")
            try:
                busy, _frames, _done = cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()
        except Exception:  # best effort: the commit has already happened
            log.warning("wal_checkpoint failed", exc_info=True)
            busy = 1
        finally:
            raw.close()
        if not busy:
            return True
        time.sleep(0.02 * (attempt + 1))
    log.warning("wal_checkpoint(TRUNCATE) stayed busy; the WAL is emptied at the next one")
    return False


def truncate_wal_after_commit(session: Session) -> None:
    """Run :func:`truncate_wal` once ``session`` has committed (erasure calls this)."""
    bind = session.get_bind()
    # A session bound to one connection is the tests' rolled-back outer transaction: nothing
    # of it reaches the file, and the checkpoint would only wait for that transaction.
    if not isinstance(bind, Engine) or bind.dialect.name != "sqlite":
        return
    session.info["truncate_wal"] = bind
    if not event.contains(OrmSession, "after_commit", _after_commit):
        event.listen(OrmSession, "after_commit", _after_commit)


def _after_commit(session: OrmSession) -> None:
    engine = session.info.pop("truncate_wal", None)
    if engine is not None and not session.in_nested_transaction():
        truncate_wal(engine)


class ProcessTurns:
    """Processes take turns at SQLite's write lock: a turnstile of two ``flock`` s.

    A writer passes the turnstile (``<db>-turnstile.lock``), takes the writer lock
    (``<db>-writer.lock``) and lets the turnstile go. A process whose writer waits for the
    writer lock holds the turnstile meanwhile, so the next writer of the process that now
    writes waits behind it: the lock alternates instead of staying with the busier process.
    The locks are the kernel's (released when a process dies). Waits poll every millisecond up
    to a deadline; a writer that gives up goes on to SQLite's busy handler, as without this.
    One thread per process at a time (the caller holds the process's write queue).
    """

    def __init__(self, path: Path) -> None:
        self._paths = (path.with_name(path.name + "-turnstile.lock"),
                       path.with_name(path.name + "-writer.lock"))
        self._fds: tuple[int, int] | None = None
        self._pid = 0

    @classmethod
    def for_url(cls, url: str) -> ProcessTurns | None:
        path = url.split("///", 1)[-1] if url.startswith("sqlite") else ""
        if not path or path == ":memory:" or "mode=memory" in url:
            return None
        return cls(Path(path.split("?", 1)[0]))

    def _open(self) -> tuple[int, int]:
        if self._fds is None or self._pid != os.getpid():  # a forked child opens its own
            self._fds = tuple(os.open(p, os.O_RDWR | os.O_CREAT, 0o600)  # type: ignore[assignment]
                              for p in self._paths)
            self._pid = os.getpid()
        assert self._fds is not None
        return self._fds

    @staticmethod
    def _lock(fd: int, deadline: float) -> bool:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.001)

    def acquire(self, timeout: float) -> bool:
        """True when this process holds the writer lock (False: gave up after ``timeout``)."""
        try:
            turnstile, writer = self._open()
        except OSError:  # a read-only folder: SQLite arbitrates alone
            return False
        deadline = time.monotonic() + timeout
        if not self._lock(turnstile, deadline):
            return False
        try:
            return self._lock(writer, deadline)
        finally:
            fcntl.flock(turnstile, fcntl.LOCK_UN)

    def release(self) -> None:
        if self._fds is not None and self._pid == os.getpid():
            fcntl.flock(self._fds[1], fcntl.LOCK_UN)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's implicit transactions break savepoints).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        # Erased data must not linger in the file (issue 12): deleted and overwritten content is
        # zeroed in the database pages, and the WAL shrinks back to this size once a checkpoint
        # has emptied it (see ``truncate_wal_after_commit``).
        cur.execute("PRAGMA secure_delete=ON")
        cur.execute(f"PRAGMA journal_size_limit={SQLITE_JOURNAL_SIZE_LIMIT}")
        cur.close()

    # Writers of one process queue on this lock before asking SQLite for its write lock. SQLite's
    # busy handler polls with sleeps of up to 100 ms and is not fair: with dozens of writers in a
    # process some waited out the whole busy_timeout ("database is locked") under load, while a
    # released threading.Lock wakes the next writer at once. SQLite still arbitrates between
    # processes. The lock is taken at BEGIN IMMEDIATE and given back when that transaction
    # commits or rolls back (or, as a safety net, when the connection returns to the pool);
    # after WRITE_QUEUE_SECONDS a writer stops queueing here and leaves it to SQLite as before.
    write_lock = threading.Lock()
    held = "loket_write_lock"
    # Between processes (the web workers, the outbox worker) the busy handler is just as unfair:
    # the process that commits hands its next writer the lock at once while the other process
    # sleeps, so under load a whole process starved for 30 s. Its queue heads take turns through
    # a turnstile of two file locks (``ProcessTurns``); only one thread per process is ever
    # there (it holds ``write_lock``).
    turns = ProcessTurns.for_url(str(engine.url))
    in_turn = "loket_process_turn"

    def _release(info: dict[str, Any]) -> None:
        if info.pop(in_turn, False) and turns is not None:
            turns.release()
        if info.pop(held, False):
            write_lock.release()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        if not immediate:
            conn.exec_driver_sql("BEGIN")
            return
        if not conn.info.get(held):
            conn.info[held] = write_lock.acquire(timeout=WRITE_QUEUE_SECONDS)
            if conn.info[held] and turns is not None:
                conn.info[in_turn] = turns.acquire(WRITE_QUEUE_SECONDS)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(conn.info)
            raise

    @event.listens_for(engine, "commit")
    def _on_commit(conn: Any) -> None:
        _release(conn.info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Any) -> None:
        _release(conn.info)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        _release(record.info)


def make_engine(url: str, **kwargs: Any) -> Engine:
    # Bound values (e-mail addresses, question texts) never appear in error messages or in
    # SQL logging, so they cannot reach the logs (docs/privacy.md).
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        connect_args = {"check_same_thread": False, "timeout": 30}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs.setdefault("poolclass", StaticPool)
        else:
            path = url.split("///", 1)[-1]
            if path:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            # Writers wait for the write lock holding their connection; with SQLAlchemy's
            # default 5 + 10 a busy process ran out of connections (QueuePool timeout) while
            # its 40 request threads queued. SQLite connections are cheap: one per thread.
            kwargs.setdefault("pool_size", 20)
            kwargs.setdefault("max_overflow", 100)  # core.server.REQUEST_THREADS and more
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _sqlite_setup(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


# (statement, dialect name) -> its SQL, for ``driver_rows``; the statement is kept with it.
_DRIVER_SQL: dict[tuple[int, str], tuple[ClauseElement, str]] = {}


def driver_rows(session: Session, statement: ClauseElement) -> list[tuple[Any, ...]]:
    """The rows of a statement without parameters, run in the session's transaction on the
    driver's cursor, as plain tuples: for the checks pages make on every request to see
    whether what they keep is still current (the taxonomy's rows, the content version, the
    region index's fingerprint). SQLAlchemy's execution (a context, a result, a ``Row`` per
    row) cost several times the query itself (docs/benchmarks.md, h10-pages). Values are the
    driver's, without SQLAlchemy's result processing: fine for integers and text, and for a
    cache key, not for dates to show. Compiled once per statement and dialect (the statement
    must live as long as the process: a module constant). Skips SQLAlchemy's execution
    events; a driver's error is raised as SQLAlchemy's."""
    conn = session.connection()
    dialect = conn.dialect
    key = (id(statement), dialect.name)
    kept = _DRIVER_SQL.get(key)
    if kept is None:
        kept = _DRIVER_SQL[key] = (statement, str(statement.compile(dialect=dialect)))
    sql = kept[1]
    error = dialect.loaded_dbapi.Error
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        try:
            cursor.execute(sql)
        except error as exc:
            raise DBAPIError.instance(sql, None, exc, error, dialect=dialect) from exc
        return [tuple(r) for r in cursor.fetchall()]
    finally:
        cursor.close()


class Database:
    """Holds the engine and its write-mode twin (same pool, ``BEGIN IMMEDIATE`` on SQLite)."""

    def __init__(self, engine: Engine, connection: Connection | None = None) -> None:
        self.engine = engine
        self.write_engine = engine.execution_options(sqlite_immediate=True)
        # Tests bind everything to one connection inside an outer transaction that is rolled
        # back after the test; each unit of work then runs in a savepoint.
        self.connection = connection

    def truncate_wal(self) -> bool:
        """:func:`truncate_wal` for this database (not inside the tests' outer transaction)."""
        return self.connection is not None or truncate_wal(self.engine)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(make_engine(settings.database_url))

    def session(self, *, write: bool = True) -> Session:
        if self.connection is not None:
            return Session(bind=self.connection, join_transaction_mode="create_savepoint",
                           expire_on_commit=False)
        return Session(self.write_engine if write else self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """A unit of work (a request's, or the CLI's, the worker's, a route's own): commit on
        success, else roll back — except that a refusal that keeps its writes (a rate limit,
        a challenge: ``LoketError.keeps_writes``) keeps its counted hits (``keep_refusal``)."""
        session = self.session(write=write)
        try:
            yield session
            session.commit()
        except LoketError as exc:
            if exc.keeps_writes:
                keep_refusal(session)
            else:
                session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: commit on success, roll back on any error.

    Side effects are outbox rows written in this same transaction; the worker is woken
    only after the commit succeeded.
    """
    with get_database(request).transaction(write=request.method not in SAFE_METHODS) as session:
        yield session  # a refusal keeps its counted hits: Database.transaction
    wake = getattr(request.app.state, "wake_worker", None)
    if wake is not None and session.info.get("outbox_written"):
        wake()


REPLAY = "loket_replay_after_rollback"  # session.info key, filled by backend.core.ratelimit


def keep_refusal(session: Session) -> None:
    """A refusal that must be remembered (a rate limit, a challenge): roll back everything the
    request wrote, then write again only what was registered for replay — the counted hits and
    alerts — and commit that. So a refused attempt stays counted and its alert stays raised,
    while no half-done act survives, whatever the caller wrote before."""
    replay = list(session.info.pop(REPLAY, []))
    session.rollback()
    for write in replay:
        write(session)
    session.commit()


# scope="function": the commit runs before the response is sent, so a failed commit is a 500,
# never a 200 for data that was not saved.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
