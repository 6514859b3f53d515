"""The database layer: models and migrations agree, SQLite runs in WAL mode and never says
"database is locked" under concurrent writers, one transaction per request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import APIRouter
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

import backend.models  # noqa: F401 - the full metadata
from backend.core.db import SessionDep, metadata
from backend.core.outbox import OutboxMessage, enqueue
from backend.core.security import CSRF_COOKIE, csrf_token_for
from tests.client import LoketClient
from tests.conftest import TEST_SECRET
from tests.freshdb import FreshDatabase
from tests.smtp import free_port

KIND = "test.database.noop"


def test_models_and_migrations_agree(engine: Engine) -> None:
    """Autogenerate against the migrated database finds nothing to do."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "compare_type": True, "render_as_batch": conn.dialect.name == "sqlite"})
        diff = compare_metadata(ctx, metadata)
    assert diff == [], "models and migrations differ; add a migration:\n" + "\n".join(
        map(str, diff))


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(fresh_db: FreshDatabase) -> None:
    if fresh_db.is_postgres:
        pytest.skip("SQLite only")
    with fresh_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert (conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


# --- concurrency ---------------------------------------------------------------------------

def _count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(OutboxMessage)).one()[0])  # type: ignore[call-overload]


def test_many_threads_writing_through_transactions_never_hit_a_locked_database(
        fresh_db: FreshDatabase) -> None:
    """Read-then-write units of work from 12 threads: the pattern that fails with
    "database is locked" when a deferred read transaction is upgraded to a write."""
    errors: list[BaseException] = []
    per_thread, threads_n = 25, 12

    def work(i: int) -> None:
        try:
            for j in range(per_thread):
                with fresh_db.db.transaction() as s:
                    _count(s)
                    enqueue(s, KIND, {"thread": i, "n": j})
                with fresh_db.db.transaction(write=False) as s:
                    _count(s)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    with fresh_db.db.transaction(write=False) as s:
        assert _count(s) == per_thread * threads_n


router = APIRouter()


@router.post("/_test/db/write")
def _write(session: SessionDep) -> dict[str, int]:
    n = _count(session)  # read first, then write: the lock upgrade that used to fail
    enqueue(session, KIND, {"seen": n})
    return {"seen": n}


@router.get("/_test/db/read")
def _read(session: SessionDep) -> dict[str, int]:
    return {"count": _count(session)}


@router.post("/_test/db/raise")
def _raise(session: SessionDep) -> dict[str, bool]:
    enqueue(session, KIND, {"doomed": True})
    raise RuntimeError("failure after writing")


@router.post("/_test/db/commit-fails")
def _commit_fails(session: SessionDep) -> dict[str, bool]:
    enqueue(session, KIND, {"doomed": True})
    # A deferred foreign key is only checked at COMMIT: the handler returns normally and
    # the database refuses the commit afterwards.
    session.exec(text("INSERT INTO commit_guard (ref) VALUES (-1)"))  # type: ignore[call-overload]
    return {"ok": True}


@router.post("/_test/db/commit-hook-fails")
def _commit_hook_fails(session: SessionDep) -> dict[str, bool]:
    enqueue(session, KIND, {"doomed": True})

    @event.listens_for(session, "before_commit")
    def _boom(_s: Any) -> None:
        raise RuntimeError("commit refused")

    return {"ok": True}


def _app(fresh: FreshDatabase) -> Any:
    from backend.main import create_app

    app = create_app(fresh.settings(), fresh.db, start_worker=False)
    app.include_router(router)
    return app


@pytest.fixture
def live_server(fresh_db: FreshDatabase) -> Iterator[str]:
    """The app served by uvicorn on a loopback port, as in production."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(_app(fresh_db), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.05)
    assert server.started
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_concurrent_http_requests_never_fail_with_database_is_locked(
        live_server: str, fresh_db: FreshDatabase) -> None:
    statuses: list[int] = []
    bodies: list[str] = []
    lock = threading.Lock()

    def client_thread(writes: int) -> None:
        with httpx.Client(base_url=live_server, timeout=60) as c:
            c.get("/healthz")
            token = csrf_token_for(TEST_SECRET, c.cookies[CSRF_COOKIE])
            for _ in range(writes):
                w = c.post("/_test/db/write", headers={"X-CSRF-Token": token})
                r = c.get("/_test/db/read")
                with lock:
                    statuses.extend((w.status_code, r.status_code))
                    if w.status_code != 200:
                        bodies.append(w.text)

    threads = [threading.Thread(target=client_thread, args=(15,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert bodies == []
    assert statuses == [200] * (8 * 15 * 2)
    with fresh_db.db.transaction(write=False) as s:
        assert _count(s) == 8 * 15


# --- one transaction per request ---------------------------------------------------------

def test_a_request_that_raises_after_writing_leaves_nothing_behind(
        fresh_db: FreshDatabase) -> None:
    with LoketClient(_app(fresh_db), raise_server_exceptions=False) as client:
        r = client.post("/_test/db/raise")
    assert r.status_code == 500
    with fresh_db.db.transaction(write=False) as s:
        assert _count(s) == 0


def test_a_failed_commit_is_a_500_not_a_200(fresh_db: FreshDatabase) -> None:
    with fresh_db.engine.begin() as conn:
        conn.execute(text(
            "CREATE TABLE commit_guard (id INTEGER PRIMARY KEY, ref INTEGER NOT NULL "
            "REFERENCES outbox_message (id) DEFERRABLE INITIALLY DEFERRED)"))
    with LoketClient(_app(fresh_db), raise_server_exceptions=False) as client:
        r = client.post("/_test/db/commit-fails")
        assert r.status_code == 500, r.text
        r = client.post("/_test/db/commit-hook-fails")
        assert r.status_code == 500, r.text
        r = client.post("/_test/db/write")
        assert r.status_code == 200  # the next request is fine
    with fresh_db.db.transaction(write=False) as s:
        assert _count(s) == 1
