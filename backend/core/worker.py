"""The outbox worker and periodic jobs.

Runs in-process (a thread with its own event loop, started by the app) or as a separate
``loket worker`` process; several workers may run at once.

- Messages are claimed with a lease (``locked_by``/``locked_until``): ``FOR UPDATE SKIP
  LOCKED`` on PostgreSQL, the single-writer lock (``BEGIN IMMEDIATE``) on SQLite. The lease is
  renewed right before each delivery and the result is only written while the lease is still
  ours, so two workers never deliver the same message at the same time, and a worker that
  dies mid-delivery loses nothing: its lease expires and another worker delivers.
- A handler must finish well within the lease (``Worker.lease``, 5 minutes by default);
  give network calls a timeout.
- Periodic jobs keep their schedule and lease in ``periodic_job``, so they run once per
  period across all workers and survive restarts.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, col, select

from backend.core.db import Database, UtcDateTime, utcnow
from backend.core.domain import registrations_complete, wait_for_registrations
from backend.core.outbox import (
    DONE,
    FAILED,
    PENDING,
    OutboxMessage,
    WorkerContext,
    backoff,
    get_handler,
    purge_done,
)
from backend.core.settings import Settings

log = logging.getLogger("loket.worker")

LEASE = timedelta(minutes=5)
JOB_LEASE = timedelta(minutes=10)
BATCH = 20
MAX_ERROR_SLEEP = 30.0
# A served app imports some domains after it answers (backend.main); their jobs and handlers
# are registered then. The worker waits for that, at most this long, then imports them itself.
REGISTRATIONS_WAIT = 10.0

Job = Callable[[WorkerContext], Awaitable[None] | None]


@dataclass(frozen=True)
class PeriodicSpec:
    name: str
    every: timedelta
    fn: Job
    lease: timedelta = JOB_LEASE


_periodic: dict[str, PeriodicSpec] = {}


def periodic(name: str, every: timedelta, *, lease: timedelta = JOB_LEASE
             ) -> Callable[[Job], Job]:
    """Register a job that runs once every ``every`` across all workers.

    ``lease`` bounds how long one run may take before another worker may start it again
    (a worker that dies mid-run holds the job no longer than that).
    """

    def register(fn: Job) -> Job:
        known = _periodic.get(name)
        if known is not None and known.fn is not fn:
            raise RuntimeError(f"periodic job {name!r} registered twice")
        _periodic[name] = PeriodicSpec(name, every, fn, lease)
        return fn

    return register


def periodic_jobs() -> list[PeriodicSpec]:
    registrations_complete()  # the domains' jobs modules register theirs
    return [_periodic[name] for name in sorted(_periodic)]


class PeriodicJob(SQLModel, table=True):
    __tablename__ = "periodic_job"

    name: str = Field(primary_key=True, max_length=64)
    next_run_at: datetime = Field(sa_type=UtcDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    locked_by: str | None = Field(default=None, max_length=64)
    last_run_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str | None = Field(default=None, sa_type=sa.Text)


async def _call(fn: Callable[..., Any], *args: Any) -> Any:
    result = fn(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _lease_free(now: datetime) -> Any:
    return sa.or_(col(OutboxMessage.locked_until).is_(None),
                  col(OutboxMessage.locked_until) < now)


class Worker:
    def __init__(self, db: Database, settings: Settings, *, worker_id: str | None = None,
                 lease: timedelta = LEASE, batch: int = BATCH) -> None:
        self.db = db
        self.settings = settings
        self.id = (worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}")[:64]
        self.lease = lease
        self.batch = batch
        self.ctx = WorkerContext(db=db, settings=settings)
        self.wake_event = threading.Event()
        self.stop_event = threading.Event()
        self.last_cycle_at: datetime | None = None

    # --- outbox -------------------------------------------------------------------------
    def _due(self, s: Session, now: datetime) -> Any:
        return (select(OutboxMessage)
                .where(OutboxMessage.status == PENDING, OutboxMessage.available_at <= now)
                .where(_lease_free(now)))

    def claim(self, limit: int | None = None) -> list[int]:
        """Lease up to ``limit`` due messages to this worker; returns their ids."""
        now = utcnow()
        # A cheap read first: on SQLite an idle poll then never takes the write lock.
        with self.db.transaction(write=False) as s:
            if s.exec(self._due(s, now).limit(1)).first() is None:
                return []
        with self.db.transaction() as s:
            stmt = (self._due(s, now)
                    .order_by(col(OutboxMessage.available_at), col(OutboxMessage.id))
                    .limit(limit or self.batch)
                    .with_for_update(skip_locked=True))
            rows = s.exec(stmt).all()
            for row in rows:
                row.locked_by = self.id
                row.locked_until = now + self.lease
                s.add(row)
            return [r.id for r in rows if r.id is not None]

    def _start(self, message_id: int) -> tuple[str, dict[str, Any], int] | None:
        """Renew the lease right before delivery; None when the message is no longer ours."""
        with self.db.transaction() as s:
            result = s.exec(
                sa.update(OutboxMessage)
                .where(col(OutboxMessage.id) == message_id,
                       col(OutboxMessage.locked_by) == self.id,
                       col(OutboxMessage.status) == PENDING)
                .values(locked_until=utcnow() + self.lease))
            if result.rowcount != 1:
                return None
            msg = s.get(OutboxMessage, message_id)
            assert msg is not None
            return msg.kind, dict(msg.payload), msg.attempts

    def _finish(self, message_id: int, kind: str, error: str | None,
                result: dict[str, Any] | None) -> None:
        with self.db.transaction() as s:
            msg = s.exec(select(OutboxMessage)
                         .where(OutboxMessage.id == message_id,
                                OutboxMessage.locked_by == self.id)
                         .with_for_update()).first()
            if msg is None:
                # Our lease ran out and another worker took over: its result counts.
                log.warning("outbox lease lost before the result was saved",
                            extra={"outbox_id": message_id, "kind": kind})
                return
            msg.locked_by = None
            msg.locked_until = None
            if error is None:
                msg.status = DONE
                msg.processed_at = utcnow()
                msg.last_error = None
                if result:
                    msg.payload = {**msg.payload, **result}
            else:
                msg.attempts += 1
                msg.last_error = error
                if msg.attempts >= self.settings.outbox_max_attempts:
                    msg.status = FAILED
                    msg.processed_at = utcnow()
                    log.error("outbox message parked as failed",
                              extra={"outbox_id": message_id, "kind": kind,
                                     "attempts": msg.attempts})
                else:
                    msg.available_at = utcnow() + backoff(msg.attempts)
            s.add(msg)

    async def deliver(self, message_id: int) -> bool:
        """Deliver one claimed message; True when its handler succeeded."""
        started = self._start(message_id)
        if started is None:
            return False
        kind, payload, attempts = started
        fn = get_handler(kind)
        error: str | None = None
        result: Any = None
        if fn is None:
            error = f"no handler registered for {kind!r}"
        else:
            try:
                result = await _call(fn, payload, self.ctx)
            except Exception as exc:  # every failure is recorded and retried
                error = _error_text(exc)
                # The type only: a mail server's refusal names the recipient, and whatever
                # else a remote says is not ours to log. The full text is in ``last_error``,
                # for admins at /beheer/uitgaand.
                log.warning("outbox delivery failed", extra={
                    "outbox_id": message_id, "kind": kind, "attempt": attempts + 1,
                    "error_type": type(exc).__name__})
        self._finish(message_id, kind, error, result if isinstance(result, dict) else None)
        return error is None

    async def run_outbox_once(self) -> int:
        ids = self.claim()
        for message_id in ids:
            if self.stop_event.is_set():
                break  # the rest of the batch is picked up when the lease expires
            await self.deliver(message_id)
        return len(ids)

    async def drain(self, max_rounds: int = 100) -> int:
        """Deliver everything that is due now (tests, CLI)."""
        total = 0
        for _ in range(max_rounds):
            n = await self.run_outbox_once()
            total += n
            if n == 0:
                break
        return total

    # --- periodic jobs ------------------------------------------------------------------
    def _due_jobs(self, specs: list[PeriodicSpec], now: datetime) -> list[PeriodicSpec]:
        with self.db.transaction(write=False) as s:
            rows = {j.name: j for j in s.exec(select(PeriodicJob)).all()}
        due = []
        for spec in specs:
            row = rows.get(spec.name)
            if row is None or (row.next_run_at <= now
                               and (row.locked_until is None or row.locked_until < now)):
                due.append(spec)
        return due

    def _claim_job(self, spec: PeriodicSpec) -> bool:
        now = utcnow()
        with self.db.transaction() as s:
            result = s.exec(
                sa.update(PeriodicJob)
                .where(col(PeriodicJob.name) == spec.name,
                       col(PeriodicJob.next_run_at) <= now,
                       sa.or_(col(PeriodicJob.locked_until).is_(None),
                              col(PeriodicJob.locked_until) < now))
                .values(locked_until=now + spec.lease, locked_by=self.id))
            if result.rowcount == 1:
                return True
            if s.get(PeriodicJob, spec.name) is not None:
                return False
            try:  # first run ever: whoever inserts the row runs it
                with s.begin_nested():
                    s.add(PeriodicJob(name=spec.name, next_run_at=now,
                                      locked_until=now + spec.lease, locked_by=self.id))
                    s.flush()
            except sa.exc.IntegrityError:
                return False
            return True

    def _finish_job(self, spec: PeriodicSpec, started: datetime, error: str | None) -> None:
        with self.db.transaction() as s:
            job = s.exec(select(PeriodicJob)
                         .where(PeriodicJob.name == spec.name,
                                PeriodicJob.locked_by == self.id)
                         .with_for_update()).first()
            if job is None:
                log.warning("periodic job lease lost", extra={"job": spec.name})
                return
            now = utcnow()
            job.last_run_at = now
            if error is None:
                job.next_run_at = max(started + spec.every, now)
            else:
                job.next_run_at = now + min(spec.every, timedelta(minutes=1))
            job.locked_until = None
            job.locked_by = None
            job.last_error = error
            s.add(job)

    async def run_periodic_once(self, only: Iterable[str] | None = None) -> list[str]:
        """Run the due periodic jobs this worker can claim; returns their names."""
        specs = periodic_jobs()
        if only is not None:
            wanted = set(only)
            specs = [s for s in specs if s.name in wanted]
        ran = []
        for spec in self._due_jobs(specs, utcnow()):
            if not self._claim_job(spec):
                continue
            started = utcnow()
            error = None
            try:
                await _call(spec.fn, self.ctx)
            except Exception as exc:  # recorded; retried within a minute
                error = _error_text(exc)
                log.exception("periodic job failed", extra={"job": spec.name})
            self._finish_job(spec, started, error)
            ran.append(spec.name)
        return ran

    # --- loop ---------------------------------------------------------------------------
    async def run(self) -> None:
        log.info("worker started", extra={"worker_id": self.id})
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._await_registrations)
        errors = 0
        while not self.stop_event.is_set():
            # Clear before working: a wake() during this cycle makes the wait return at once.
            self.wake_event.clear()
            self.last_cycle_at = utcnow()
            try:
                await self.run_periodic_once()
                n = await self.run_outbox_once()
                errors = 0
            except Exception:  # the database may be away; keep trying
                errors += 1
                if errors == 1 or errors % 20 == 0:
                    log.exception("worker cycle failed", extra={"consecutive": errors})
                n = 0
            if n == 0 and not self.stop_event.is_set():
                poll = self.settings.worker_poll_seconds
                timeout = min(MAX_ERROR_SLEEP, poll * 2 ** errors) if errors else poll
                await loop.run_in_executor(None, self.wake_event.wait, timeout)
        log.info("worker stopped", extra={"worker_id": self.id})

    def _await_registrations(self) -> None:
        """Until every domain has registered its jobs and handlers: a served app's warm-up
        imports the domains left for later once the first visitors are served, not beside
        them (``backend.main``); after ``REGISTRATIONS_WAIT`` the worker imports them."""
        deadline = time.monotonic() + REGISTRATIONS_WAIT
        while not self.stop_event.is_set() and not wait_for_registrations(0.05):
            if time.monotonic() >= deadline:
                registrations_complete()
                return

    def wake(self) -> None:
        self.wake_event.set()

    def stop(self) -> None:
        self.stop_event.set()
        self.wake_event.set()

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=asyncio.run, args=(self.run(),), name="loket-worker",
                                  daemon=True)
        thread.start()
        return thread


def outbox_lag_seconds(db: Database) -> float:
    """Age of the oldest due message: the readiness probe's measure of worker lag."""
    now = utcnow()
    with db.transaction(write=False) as s:
        oldest = s.exec(select(OutboxMessage.available_at)
                        .where(OutboxMessage.status == PENDING,
                               OutboxMessage.available_at <= now)
                        .order_by(col(OutboxMessage.available_at)).limit(1)).first()
    if oldest is None:
        return 0.0
    return max(0.0, (now - oldest).total_seconds())


def failed_count(db: Database) -> int:
    with db.transaction(write=False) as s:
        return int(s.exec(select(sa.func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.status == FAILED)).one())


@periodic("outbox.purge", every=timedelta(hours=1))
def _purge_outbox(ctx: WorkerContext) -> None:
    """Delivered messages (and kept mail) are deleted after ``outbox_keep_days``."""
    with ctx.db.transaction() as s:
        n = purge_done(s, timedelta(days=ctx.settings.outbox_keep_days))
    if n:
        log.info("outbox purged", extra={"deleted": n})


__all__ = ["DONE", "FAILED", "PENDING", "PeriodicJob", "Worker", "periodic"]
