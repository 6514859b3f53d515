"""The transactional outbox.

Anything that leaves the process (index update, e-mail, webhook, timers) is written as an
``OutboxMessage`` in the same transaction as the change that caused it. The worker
(``backend.core.worker``) delivers it after commit, retries with exponential backoff and,
after ``outbox_max_attempts``, parks it as ``failed`` where admins can see and retry it.

Delivery is *at least once*: a handler must be idempotent (a worker can die after the side
effect but before it records success). A handler may return a dict; its keys are merged into
the stored payload on success (mail records ``delivery: "kept"`` or ``"smtp"`` that way).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, Session, SQLModel, col, select

from backend.core.db import Database, UtcDateTime, utcnow
from backend.core.domain import registrations_complete
from backend.core.settings import Settings

PENDING, DONE, FAILED = "pending", "done", "failed"
STATUSES = (PENDING, DONE, FAILED)


@dataclass(frozen=True)
class WorkerContext:
    """What a handler gets besides its payload. Handlers open their own short transactions
    (``ctx.db.transaction()``) so that no database lock is held during network I/O, and they
    must be idempotent: delivery is at least once."""

    db: Database
    settings: Settings


HandlerResult = dict[str, Any] | None
Handler = Callable[[dict[str, Any], WorkerContext], Awaitable[HandlerResult] | HandlerResult]
_handlers: dict[str, Handler] = {}


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "available_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=PENDING, max_length=16)
    attempts: int = 0
    available_at: datetime = Field(default_factory=utcnow,
                                   sa_type=UtcDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    locked_by: str | None = Field(default=None, max_length=64)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    # Deduplication key: a second enqueue with the same key is a no-op (e.g. "once per event").
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    processed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the delivery function for an outbox kind (sync or async)."""

    def register(fn: Handler) -> Handler:
        if kind in _handlers and _handlers[kind] is not fn:
            raise RuntimeError(f"outbox handler for {kind!r} registered twice")
        _handlers[kind] = fn
        return fn

    return register


def get_handler(kind: str) -> Handler | None:
    registrations_complete()  # the domains' jobs modules register theirs
    return _handlers.get(kind)


def registered_kinds() -> list[str]:
    registrations_complete()
    return sorted(_handlers)


def enqueue(session: Session, kind: str, payload: dict[str, Any], *,
            delay: timedelta | None = None, dedupe_key: str | None = None) -> OutboxMessage | None:
    """Write an outbox row in the caller's transaction. Returns None for a duplicate key.

    Nothing is delivered until the caller's transaction commits; a rollback discards it.
    """
    msg = OutboxMessage(kind=kind, payload=payload, dedupe_key=dedupe_key,
                        available_at=utcnow() + (delay or timedelta(0)))
    if dedupe_key is None:
        session.add(msg)
        session.flush()
    else:
        existing = session.exec(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)).first()
        if existing is not None:
            return None
        # A concurrent transaction may insert the same key between the check and the insert;
        # the savepoint keeps the caller's transaction usable when the unique index says no.
        try:
            with session.begin_nested():
                session.add(msg)
                session.flush()
        except sa.exc.IntegrityError:
            return None
    session.info["outbox_written"] = True
    return msg


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 … seconds after the 1st, 2nd, 3rd … failed attempt, capped at one hour."""
    return timedelta(seconds=min(3600, 2 ** max(1, attempts)))


def retry_failed(session: Session, message_id: int) -> OutboxMessage | None:
    """Put a parked message back in the queue with a fresh set of attempts."""
    msg = session.get(OutboxMessage, message_id)
    if msg is None or msg.status != FAILED:
        return None
    msg.status = PENDING
    msg.attempts = 0
    msg.available_at = utcnow()
    msg.locked_until = None
    msg.locked_by = None
    session.add(msg)
    session.flush()
    session.info["outbox_written"] = True
    return msg


def status_counts(session: Session, kind: str | None = None) -> dict[str, int]:
    """Number of messages per status (every status present, zero when none)."""
    stmt = select(OutboxMessage.status, sa.func.count()).group_by(col(OutboxMessage.status))
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    counts = dict.fromkeys(STATUSES, 0)
    for status, n in session.exec(stmt).all():
        counts[status] = int(n)
    return counts


def purge_done(session: Session, older_than: timedelta) -> int:
    """Delete delivered messages processed longer than ``older_than`` ago."""
    cutoff = utcnow() - older_than
    result = session.exec(
        sa.delete(OutboxMessage).where(col(OutboxMessage.status) == DONE,
                                       col(OutboxMessage.processed_at) < cutoff))
    return int(result.rowcount or 0)
