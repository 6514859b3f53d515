"""Several workers on one database: each message is delivered by one worker at a time,
periodic jobs run once per period across workers and restarts. These tests need real
commits and several connections, so they run on a fresh database of their own."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlmodel import col, select

from backend.core.db import utcnow
from backend.core.outbox import DONE, OutboxMessage, WorkerContext, enqueue, handler
from backend.core.worker import PeriodicJob, Worker, periodic
from tests.freshdb import FreshDatabase

SLOW = "test.concurrency.slow"
deliveries: list[tuple[int, str]] = []
in_flight: Counter[int] = Counter()
overlaps: list[int] = []
_lock = threading.Lock()


@handler(SLOW)
async def _slow(payload: dict[str, Any], ctx: WorkerContext) -> None:
    n = payload["n"]
    with _lock:
        in_flight[n] += 1
        if in_flight[n] > 1:
            overlaps.append(n)
    await asyncio.sleep(0.002)
    with _lock:
        in_flight[n] -= 1
        deliveries.append((n, payload["worker_hint"]))


ticks: list[str] = []


@periodic("test.concurrency.tick", every=timedelta(hours=1))
async def _tick(ctx: WorkerContext) -> None:
    ticks.append(threading.current_thread().name)
    await asyncio.sleep(0.05)  # long enough for the other workers to try meanwhile


@pytest.fixture(autouse=True)
def _reset() -> None:
    deliveries.clear()
    in_flight.clear()
    overlaps.clear()
    ticks.clear()


def _run_workers(fresh: FreshDatabase, n_workers: int, body: Any) -> list[BaseException]:
    settings = fresh.settings()
    errors: list[BaseException] = []
    start = threading.Barrier(n_workers)

    def target(i: int) -> None:
        worker = Worker(fresh.db, settings, worker_id=f"w{i}", batch=5)
        try:
            start.wait()
            asyncio.run(body(worker))
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=target, args=(i,), name=f"w{i}")
               for i in range(n_workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_four_workers_deliver_every_message_exactly_once(fresh_db: FreshDatabase) -> None:
    total = 120
    with fresh_db.db.transaction() as s:
        for n in range(total):
            enqueue(s, SLOW, {"n": n, "worker_hint": "any"})

    async def body(worker: Worker) -> None:
        await worker.drain(max_rounds=1000)

    assert _run_workers(fresh_db, 4, body) == []
    assert overlaps == []
    assert sorted(n for n, _ in deliveries) == list(range(total))
    with fresh_db.db.transaction(write=False) as s:
        rows = s.exec(select(OutboxMessage)).all()
        assert {r.status for r in rows} == {DONE}
        assert {r.attempts for r in rows} == {0}


@pytest.mark.postgres_only
def test_claim_skips_rows_locked_by_another_transaction(fresh_db: FreshDatabase) -> None:
    if not fresh_db.is_postgres:
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite has one writer")
    with fresh_db.db.transaction() as s:
        ids = [m.id for m in (enqueue(s, SLOW, {"n": n, "worker_hint": "x"})
                              for n in range(3)) if m is not None]
    worker = Worker(fresh_db.db, fresh_db.settings(), worker_id="skipper")
    with fresh_db.engine.connect() as other:
        tx = other.begin()
        other.execute(text("SET LOCAL lock_timeout = '5s'"))
        other.execute(select(OutboxMessage.id).where(col(OutboxMessage.id) == ids[0])
                      .with_for_update())  # another worker is busy claiming this row
        t0 = time.monotonic()
        claimed = worker.claim()
        assert time.monotonic() - t0 < 2  # did not wait for the lock
        tx.rollback()
    assert claimed == ids[1:]


def test_claims_from_many_threads_never_overlap_or_fail(fresh_db: FreshDatabase) -> None:
    """Claims from many threads at once neither fail with "database is locked" nor overlap."""
    with fresh_db.db.transaction() as s:
        for n in range(60):
            enqueue(s, SLOW, {"n": n, "worker_hint": "x"})
    claimed: list[int] = []

    async def body(worker: Worker) -> None:
        for _ in range(10):
            ids = worker.claim(limit=1)
            with _lock:
                claimed.extend(ids)

    assert _run_workers(fresh_db, 6, body) == []
    assert len(claimed) == 60 and len(set(claimed)) == 60


def test_periodic_job_runs_once_per_period_across_workers_and_restarts(
        fresh_db: FreshDatabase) -> None:
    name = "test.concurrency.tick"

    async def body(worker: Worker) -> None:
        for _ in range(5):
            await worker.run_periodic_once(only=[name])

    assert _run_workers(fresh_db, 4, body) == []
    assert len(ticks) == 1

    # A restart: new workers read the schedule from the database and do not run it again.
    assert _run_workers(fresh_db, 2, body) == []
    assert len(ticks) == 1
    with fresh_db.db.transaction(write=False) as s:
        job = s.get(PeriodicJob, name)
        assert job is not None and job.locked_by is None and job.last_error is None
        assert job.next_run_at > utcnow() + timedelta(minutes=59)

    # The period passes: exactly one worker runs it again.
    with fresh_db.db.transaction() as s:
        s.exec(update(PeriodicJob).where(col(PeriodicJob.name) == name)
               .values(next_run_at=utcnow() - timedelta(seconds=1)))
    assert _run_workers(fresh_db, 4, body) == []
    assert len(ticks) == 2


def test_a_periodic_job_held_by_a_dead_worker_waits_for_its_lease(
        fresh_db: FreshDatabase) -> None:
    name = "test.concurrency.tick"
    now = utcnow()
    with fresh_db.db.transaction() as s:
        s.add(PeriodicJob(name=name, next_run_at=now - timedelta(minutes=1),
                          locked_by="dead-worker", locked_until=now + timedelta(minutes=5)))
    worker = Worker(fresh_db.db, fresh_db.settings())
    assert asyncio.run(worker.run_periodic_once(only=[name])) == []
    with fresh_db.db.transaction() as s:
        s.exec(update(PeriodicJob).where(col(PeriodicJob.name) == name)
               .values(locked_until=utcnow() - timedelta(seconds=1)))
    assert asyncio.run(worker.run_periodic_once(only=[name])) == [name]
    assert len(ticks) == 1


def test_a_failing_periodic_job_records_the_error_and_retries_soon(
        fresh_db: FreshDatabase) -> None:
    name = "test.concurrency.broken"

    @periodic(name, every=timedelta(days=1))
    def _broken(ctx: WorkerContext) -> None:
        raise RuntimeError("index unreachable")

    worker = Worker(fresh_db.db, fresh_db.settings())
    assert asyncio.run(worker.run_periodic_once(only=[name])) == [name]
    with fresh_db.db.transaction(write=False) as s:
        job = s.get(PeriodicJob, name)
        assert job is not None
        assert job.last_error == "RuntimeError: index unreachable"
        assert job.next_run_at <= utcnow() + timedelta(minutes=1)
