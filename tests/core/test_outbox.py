"""The outbox: written in the request's transaction, delivered after commit, retried with
backoff, parked as failed after the last attempt, retryable, leased to one worker."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from fastapi import APIRouter
from sqlalchemy import func, select, text
from sqlmodel import Session, col

from backend.core.db import Database, SessionDep, utcnow
from backend.core.outbox import (
    DONE,
    FAILED,
    PENDING,
    OutboxMessage,
    WorkerContext,
    backoff,
    enqueue,
    handler,
    retry_failed,
    status_counts,
)
from backend.core.settings import Settings
from backend.core.worker import Worker, failed_count, outbox_lag_seconds
from tests.client import LoketClient
from tests.freshdb import FreshDatabase

RECORD, FLAKY = "test.outbox.record", "test.outbox.flaky"
delivered: list[dict[str, Any]] = []
calls: Counter[str] = Counter()


@handler(RECORD)
def _record(payload: dict[str, Any], ctx: WorkerContext) -> dict[str, Any]:
    delivered.append(payload)
    return {"recorded": True}


@handler(FLAKY)
async def _flaky(payload: dict[str, Any], ctx: WorkerContext) -> None:
    """Fails ``fail_times`` times for its ``token``, then succeeds."""
    calls[payload["token"]] += 1
    if calls[payload["token"]] <= payload["fail_times"]:
        raise ConnectionError("peer is away")


def reload(session: Session, message_id: int | None) -> OutboxMessage:
    session.expire_all()
    msg = session.get(OutboxMessage, message_id)
    assert msg is not None
    return msg


def make_due(session: Session, message_id: int | None) -> None:
    """Let the backoff pass without waiting for it."""
    msg = reload(session, message_id)
    msg.available_at = utcnow() - timedelta(seconds=1)
    session.add(msg)
    session.commit()


def drain(worker: Worker) -> int:
    return asyncio.run(worker.drain())


# --- in the request's transaction ------------------------------------------------------

router = APIRouter()


@router.post("/_test/outbox")
def _write(session: SessionDep, fail: bool = False) -> dict[str, bool]:
    enqueue(session, RECORD, {"from": "request"})
    if fail:
        raise RuntimeError("boom after writing")
    return {"ok": True}


def _fresh_app(fresh: FreshDatabase) -> Any:
    from backend.main import create_app

    app = create_app(fresh.settings(), fresh.db, start_worker=False)
    app.include_router(router)
    return app


def _committed_rows(fresh: FreshDatabase) -> int:
    with fresh.engine.connect() as conn:  # another connection sees only committed rows
        return int(conn.execute(select(func.count()).select_from(OutboxMessage)).scalar_one())


def test_outbox_row_is_committed_with_the_request_and_the_worker_woken_after(
        fresh_db: FreshDatabase) -> None:
    seen_at_wake: list[int] = []
    app = _fresh_app(fresh_db)
    with LoketClient(app) as client:
        app.state.wake_worker = lambda: seen_at_wake.append(_committed_rows(fresh_db))
        r = client.post("/_test/outbox")
    assert r.status_code == 200
    assert seen_at_wake == [1]  # woken once, and only after the row was committed
    assert drain(Worker(fresh_db.db, fresh_db.settings())) == 1
    assert {"from": "request"} in delivered


def test_rolled_back_request_leaves_no_outbox_row(fresh_db: FreshDatabase) -> None:
    woken: list[bool] = []
    app = _fresh_app(fresh_db)
    with LoketClient(app, raise_server_exceptions=False) as client:
        app.state.wake_worker = lambda: woken.append(True)
        r = client.post("/_test/outbox?fail=true")
    assert r.status_code == 500
    assert "boom" not in r.text
    assert _committed_rows(fresh_db) == 0
    assert woken == []
    assert drain(Worker(fresh_db.db, fresh_db.settings())) == 0


# --- delivery, retries, parking ----------------------------------------------------------

def test_worker_delivers_and_records_the_result(db: Database, session: Session,
                                                settings: Settings) -> None:
    msg = enqueue(session, RECORD, {"n": 42})
    session.commit()
    assert msg is not None
    assert drain(Worker(db, settings)) == 1
    row = reload(session, msg.id)
    assert row.status == DONE and row.processed_at is not None and row.attempts == 0
    assert row.payload == {"n": 42, "recorded": True}
    assert row.locked_by is None and row.locked_until is None
    assert drain(Worker(db, settings)) == 0  # delivered once


def test_enqueue_with_a_delay_waits(db: Database, session: Session, settings: Settings) -> None:
    msg = enqueue(session, RECORD, {"later": True}, delay=timedelta(minutes=5))
    session.commit()
    assert msg is not None
    assert drain(Worker(db, settings)) == 0
    make_due(session, msg.id)
    assert drain(Worker(db, settings)) == 1


def test_dedupe_key_makes_a_second_enqueue_a_no_op(session: Session) -> None:
    first = enqueue(session, RECORD, {"a": 1}, dedupe_key="case-7-opened")
    second = enqueue(session, RECORD, {"a": 2}, dedupe_key="case-7-opened")
    assert first is not None and second is None
    assert session.exec(select(func.count()).select_from(OutboxMessage)  # type: ignore[call-overload]
                        .where(col(OutboxMessage.dedupe_key) == "case-7-opened")).one()[0] == 1


def test_failures_back_off_exponentially_then_succeed(db: Database, session: Session,
                                                      settings: Settings) -> None:
    msg = enqueue(session, FLAKY, {"token": "backoff", "fail_times": 3})
    session.commit()
    assert msg is not None
    worker = Worker(db, settings)
    for attempt in (1, 2, 3):
        before = utcnow()
        assert drain(worker) == 1
        row = reload(session, msg.id)
        assert row.status == PENDING and row.attempts == attempt
        assert row.last_error == "ConnectionError: peer is away"
        wait = (row.available_at - before).total_seconds()
        expected = 2 ** attempt
        assert expected - 1 <= wait <= expected + 1, (attempt, wait)
        assert drain(worker) == 0  # not due before the backoff has passed
        make_due(session, msg.id)
    assert drain(worker) == 1
    row = reload(session, msg.id)
    assert row.status == DONE and row.last_error is None and calls["backoff"] == 4


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert backoff(30) == timedelta(hours=1)


def test_exhausted_attempts_park_as_failed_and_can_be_retried(
        db: Database, session: Session, settings: Settings) -> None:
    settings = settings.model_copy(update={"outbox_max_attempts": 3})
    msg = enqueue(session, FLAKY, {"token": "park", "fail_times": 3})
    session.commit()
    assert msg is not None
    worker = Worker(db, settings)
    for _ in range(3):
        drain(worker)
        make_due(session, msg.id)
    row = reload(session, msg.id)
    assert row.status == FAILED and row.attempts == 3
    assert row.last_error == "ConnectionError: peer is away"
    assert drain(worker) == 0  # parked: never picked up again on its own
    assert failed_count(db) >= 1
    assert status_counts(session, kind=FLAKY)[FAILED] == 1

    assert retry_failed(session, row.id or 0) is not None
    session.commit()
    assert retry_failed(session, row.id or 0) is None  # only failed messages are retried
    row = reload(session, msg.id)
    assert row.status == PENDING and row.attempts == 0
    assert drain(worker) == 1
    assert reload(session, msg.id).status == DONE


def test_a_kind_without_handler_is_a_recorded_failure(db: Database, session: Session,
                                                      settings: Settings) -> None:
    msg = enqueue(session, "test.outbox.nobody", {})
    session.commit()
    drain(Worker(db, settings))
    row = reload(session, msg.id if msg else None)
    assert row.status == PENDING and row.attempts == 1
    assert "no handler registered" in (row.last_error or "")


# --- leases --------------------------------------------------------------------------------

def test_a_leased_message_is_not_delivered_by_another_worker(
        db: Database, session: Session, settings: Settings) -> None:
    msg = enqueue(session, RECORD, {"lease": "held"})
    session.commit()
    assert msg is not None and msg.id is not None
    a, b = Worker(db, settings, worker_id="a"), Worker(db, settings, worker_id="b")
    assert a.claim() == [msg.id]
    assert b.claim() == []  # leased to a
    assert asyncio.run(b.deliver(msg.id)) is False
    assert asyncio.run(a.deliver(msg.id)) is True
    assert [p for p in delivered if p.get("lease") == "held"] == [{"lease": "held"}]


def test_an_expired_lease_passes_the_message_to_another_worker(
        db: Database, session: Session, settings: Settings) -> None:
    """Worker a claims and dies; after the lease b delivers, and a late a cannot undo it."""
    msg = enqueue(session, RECORD, {"lease": "expired"})
    session.commit()
    assert msg is not None and msg.id is not None
    a, b = Worker(db, settings, worker_id="a"), Worker(db, settings, worker_id="b")
    assert a.claim() == [msg.id]
    row = reload(session, msg.id)
    assert row.locked_by == "a"
    row.locked_until = utcnow() - timedelta(seconds=1)  # time passes; a never came back
    session.add(row)
    session.commit()
    assert b.claim() == [msg.id]
    assert asyncio.run(a.deliver(msg.id)) is False  # a lost its lease: it must not deliver
    assert asyncio.run(b.deliver(msg.id)) is True
    a._finish(msg.id, RECORD, "late failure from a", None)  # a's late result is ignored
    row = reload(session, msg.id)
    assert row.status == DONE and row.last_error is None and row.attempts == 0
    assert [p for p in delivered if p.get("lease") == "expired"] == [{"lease": "expired"}]


def test_lag_counts_the_oldest_due_message(db: Database, session: Session) -> None:
    assert outbox_lag_seconds(db) < 5  # the shared database may hold other due rows
    msg = enqueue(session, RECORD, {"lag": True})
    assert msg is not None
    msg.available_at = utcnow() - timedelta(minutes=10)
    session.add(msg)
    session.commit()
    assert outbox_lag_seconds(db) >= 600
    session.exec(text("DELETE FROM outbox_message WHERE id = :id"),  # type: ignore[call-overload]
                 params={"id": msg.id})


@pytest.fixture(autouse=True)
def _reset() -> None:
    delivered.clear()
