"""The outbox worker and periodic jobs.

Runs in-process (a thread with its own event loop, started by the app) or as a separate
``loket worker`` process; several workers may run at once. Messages are claimed with a lease
(``locked_until``) so a worker that dies mid-delivery loses nothing: the lease expires and
another worker picks the message up. Periodic jobs keep their next run time in the
database, so they survive restarts and run on one worker at a time.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import socket
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, col, select

from backend.core.db import Database, UtcDateTime, utcnow
from backend.core.outbox import (
    DONE,
    FAILED,
    PENDING,
    OutboxMessage,
    WorkerContext,
    backoff,
    get_handler,
)
from backend.core.settings import Settings

log = logging.getLogger("loket.worker")

LEASE = timedelta(minutes=2)
BATCH = 50

Job = Callable[[WorkerContext], Awaitable[None] | None]


@dataclass(frozen=True)
class PeriodicSpec:
    name: str
    every: timedelta
    fn: Job


_periodic: dict[str, PeriodicSpec] = {}


def periodic(name: str, every: timedelta) -> Callable[[Job], Job]:
    """Register a job that runs every ``every`` on exactly one worker."""

    def register(fn: Job) -> Job:
        _periodic[name] = PeriodicSpec(name, every, fn)
        return fn

    return register


class PeriodicJob(SQLModel, table=True):
    __tablename__ = "periodic_job"

    name: str = Field(primary_key=True, max_length=64)
    next_run_at: datetime = Field(sa_type=UtcDateTime)  # type: ignore[call-overload]
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)  # type: ignore[call-overload]
    last_run_at: datetime | None = Field(default=None, sa_type=UtcDateTime)  # type: ignore[call-overload]
    last_error: str | None = Field(default=None, sa_type=sa.Text)  # type: ignore[call-overload]


async def _call(fn: Callable[..., Any], *args: Any) -> None:
    result = fn(*args)
    if inspect.isawaitable(result):
        await result


class Worker:
    def __init__(self, db: Database, settings: Settings, *, worker_id: str | None = None) -> None:
        self.db = db
        self.settings = settings
        self.id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.ctx = WorkerContext(db=db, settings=settings)
        self.wake_event = threading.Event()
        self.stop_event = threading.Event()
        self.last_cycle_at: datetime | None = None

    # --- outbox -------------------------------------------------------------------------
    def claim(self, limit: int = BATCH) -> list[int]:
        now = utcnow()
        with self.db.transaction() as s:
            stmt = (
                select(OutboxMessage)
                .where(OutboxMessage.status == PENDING, OutboxMessage.available_at <= now)
                .where(sa.or_(col(OutboxMessage.locked_until).is_(None),
                              col(OutboxMessage.locked_until) < now))
                .order_by(col(OutboxMessage.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            rows = s.exec(stmt).all()
            for row in rows:
                row.locked_by = self.id
                row.locked_until = now + LEASE
                s.add(row)
            return [r.id for r in rows if r.id is not None]

    async def deliver(self, message_id: int) -> bool:
        with self.db.transaction(write=False) as s:
            msg = s.get(OutboxMessage, message_id)
            if msg is None or msg.locked_by != self.id or msg.status != PENDING:
                return False
            kind, payload, attempts = msg.kind, dict(msg.payload), msg.attempts
        fn = get_handler(kind)
        error: str | None = None
        if fn is None:
            error = f"no handler registered for {kind!r}"
        else:
            try:
                await _call(fn, payload, self.ctx)
            except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
                error = f"{type(exc).__name__}: {exc}"[:2000]
                log.warning("outbox delivery failed", extra={"outbox_id": message_id,
                                                             "kind": kind, "error": error})
        with self.db.transaction() as s:
            msg = s.get(OutboxMessage, message_id)
            if msg is None:
                return False
            msg.locked_by = None
            msg.locked_until = None
            if error is None:
                msg.status = DONE
                msg.processed_at = utcnow()
                msg.last_error = None
            else:
                msg.attempts = attempts + 1
                msg.last_error = error
                if msg.attempts >= self.settings.outbox_max_attempts:
                    msg.status = FAILED
                    log.error("outbox message parked as failed",
                              extra={"outbox_id": message_id, "kind": kind})
                else:
                    msg.available_at = utcnow() + backoff(msg.attempts)
            s.add(msg)
        return error is None

    async def run_outbox_once(self) -> int:
        ids = self.claim()
        for message_id in ids:
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
    def _claim_job(self, spec: PeriodicSpec) -> bool:
        now = utcnow()
        with self.db.transaction() as s:
            job = s.exec(select(PeriodicJob).where(PeriodicJob.name == spec.name)
                         .with_for_update(skip_locked=True)).first()
            if job is None:
                job = PeriodicJob(name=spec.name, next_run_at=now)
            if job.next_run_at > now or (job.locked_until and job.locked_until > now):
                return False
            job.locked_until = now + LEASE
            s.add(job)
            return True

    async def run_periodic_once(self) -> list[str]:
        ran = []
        for spec in list(_periodic.values()):
            try:
                claimed = self._claim_job(spec)
            except sa.exc.IntegrityError:  # another worker inserted the row first
                continue
            if not claimed:
                continue
            error = None
            try:
                await _call(spec.fn, self.ctx)
            except Exception as exc:  # noqa: BLE001
                error = f"{type(exc).__name__}: {exc}"[:2000]
                log.exception("periodic job failed", extra={"job": spec.name})
            with self.db.transaction() as s:
                job = s.get(PeriodicJob, spec.name)
                if job is not None:
                    job.last_run_at = utcnow()
                    job.next_run_at = utcnow() + (spec.every if error is None
                                                  else min(spec.every, timedelta(minutes=1)))
                    job.locked_until = None
                    job.last_error = error
                    s.add(job)
            ran.append(spec.name)
        return ran

    # --- loop ---------------------------------------------------------------------------
    async def run(self) -> None:
        log.info("worker started", extra={"worker_id": self.id})
        loop = asyncio.get_running_loop()
        while not self.stop_event.is_set():
            self.last_cycle_at = utcnow()
            try:
                await self.run_periodic_once()
                n = await self.run_outbox_once()
            except Exception:  # noqa: BLE001 - the database may be away; keep trying
                log.exception("worker cycle failed")
                n = 0
            if n == 0:
                await loop.run_in_executor(None, self.wake_event.wait,
                                           self.settings.worker_poll_seconds)
                self.wake_event.clear()
        log.info("worker stopped", extra={"worker_id": self.id})

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
    with db.transaction(write=False) as s:
        oldest = s.exec(select(OutboxMessage.available_at)
                        .where(OutboxMessage.status == PENDING)
                        .order_by(col(OutboxMessage.available_at)).limit(1)).first()
    if oldest is None:
        return 0.0
    return max(0.0, (utcnow() - oldest).total_seconds())


def failed_count(db: Database) -> int:
    with db.transaction(write=False) as s:
        return int(s.exec(select(sa.func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.status == FAILED)).one())


__all__ = ["DONE", "FAILED", "PENDING", "PeriodicJob", "Worker", "periodic"]
