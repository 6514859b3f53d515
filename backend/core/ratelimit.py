"""Rate limits: sliding-window counters in the database, or in Redis when configured.

One call does it: ``check_rate(request, "login:ip:203.0.113.7", "10/300")`` counts one attempt
and raises :class:`~backend.core.errors.TooManyRequests` (429 with ``Retry-After``) when the
key has had more than 10 attempts in the last 300 seconds. Every attempt counts, refused ones
included, so a client that keeps hammering stays refused.

The window slides by weighting the previous fixed window (the "sliding window counter" of
Cloudflare and Redis' docs): ``estimate = previous * (1 - elapsed / window) + current``. It
needs two counters per key, never a log of hits, and avoids the double burst that plain fixed
windows allow at the window edge.

Stores, both atomic under concurrency:

- database (default): one upsert ``INSERT … ON CONFLICT DO UPDATE SET count = count + 1
  RETURNING count`` on SQLite (≥ 3.35) and PostgreSQL; the row lock (PostgreSQL) or the
  ``BEGIN IMMEDIATE`` write lock (SQLite) serialises concurrent hits on one key;
- Redis (``LOKET_REDIS_URL``): ``INCR`` + ``EXPIRE`` in one ``MULTI`` transaction.

``check_rate`` accepts the request (the app's configured store; database counters are written
in a short transaction of their own, so they survive a request that is rolled back), a
:class:`Database` (same, without Redis) or a :class:`Session` (counted in the caller's
transaction). On SQLite, call it with the request *before* the handler writes through its
request session: a second write transaction would wait for the first.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, delete

from backend.core.db import Database, UtcDateTime, utcnow
from backend.core.errors import TooManyRequests

KEY_MAX = 200


class RateCounter(SQLModel, table=True):
    """Hits of one key in one fixed window (``window_start``: seconds since the epoch)."""

    __tablename__ = "rate_counter"

    key: str = Field(primary_key=True, max_length=KEY_MAX)
    window_start: int = Field(primary_key=True, sa_type=sa.BigInteger)
    count: int = 0
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)


@dataclass(frozen=True, slots=True)
class Limit:
    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}"


@lru_cache(maxsize=64)
def parse_limit(limit: str) -> Limit:
    """``"10/300"`` → at most 10 hits per 300 seconds."""
    count, sep, seconds = limit.strip().partition("/")
    try:
        parsed = Limit(int(count), int(seconds))
    except ValueError:
        parsed = Limit(0, 0)
    if not sep or parsed.count < 1 or parsed.seconds < 1:
        raise ValueError(f"rate limit must look like 'N/seconds' with N, seconds ≥ 1: {limit!r}")
    return parsed


def decide(limit: Limit, elapsed: float, previous: int, current: int) -> tuple[bool, int]:
    """Sliding-window decision for a hit already counted in ``current``.

    ``elapsed`` is the time since the current fixed window began. Returns (allowed,
    retry_after_seconds); retry_after is when one more hit would be allowed again.
    """
    w = float(limit.seconds)
    weight = max(0.0, (w - elapsed) / w)
    if previous * weight + current <= limit.count:
        return True, 0
    # The next hit would make current + 1. Within this window it is allowed once the
    # previous window's weight has decayed enough ...
    room = limit.count - current - 1
    if room >= 0 and previous > 0:
        wait = (w - elapsed) - room * w / previous
        return False, max(1, math.ceil(wait))
    # ... otherwise only in the next window, once this window's weight has decayed.
    until_next = w - elapsed
    if current <= 0:
        return False, max(1, math.ceil(until_next))
    into_next = w * max(0.0, 1.0 - (limit.count - 1) / current)
    return False, max(1, math.ceil(until_next + into_next))


class Store(Protocol):
    def hit(self, key: str, limit: Limit, now: float) -> tuple[int, int]:
        """Count one hit; return (previous window count, current window count)."""
        ...

    def peek(self, key: str, limit: Limit, now: float) -> tuple[int, int]:
        """The same two counts, without counting a hit."""
        ...


def _window_start(limit: Limit, now: float) -> int:
    return int(now // limit.seconds) * limit.seconds


def _upsert(session: Session, key: str, window: int, expires_at: datetime) -> int:
    dialect = session.get_bind().dialect.name
    table = RateCounter.__table__  # type: ignore[attr-defined]
    insert: Any
    if dialect == "postgresql":
        insert = postgresql.insert(table)
    elif dialect == "sqlite":
        insert = sqlite.insert(table)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise RuntimeError(f"rate limits need SQLite or PostgreSQL, not {dialect}")
    stmt = insert.values(key=key, window_start=window, count=1, expires_at=expires_at)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key", "window_start"],
        set_={"count": table.c.count + 1},
    ).returning(table.c.count)
    return int(session.execute(stmt).scalar_one())


def db_hit(session: Session, key: str, limit: Limit, now: float) -> tuple[int, int]:
    window = _window_start(limit, now)
    # Kept for two windows: the current one and, later, as the "previous" one.
    expires_at = utcnow() + timedelta(seconds=2 * limit.seconds + 1)
    current = _upsert(session, key, window, expires_at)
    previous = session.execute(
        sa.select(col(RateCounter.count)).where(
            col(RateCounter.key) == key, col(RateCounter.window_start) == window - limit.seconds)
    ).scalar_one_or_none()
    return int(previous or 0), current


def db_peek(session: Session, key: str, limit: Limit, now: float) -> tuple[int, int]:
    window = _window_start(limit, now)
    rows = dict(session.execute(
        sa.select(col(RateCounter.window_start), col(RateCounter.count)).where(
            col(RateCounter.key) == key,
            col(RateCounter.window_start).in_([window, window - limit.seconds]))).all())
    return int(rows.get(window - limit.seconds, 0)), int(rows.get(window, 0))


class DatabaseStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def hit(self, key: str, limit: Limit, now: float) -> tuple[int, int]:
        with self.db.transaction() as session:
            return db_hit(session, key, limit, now)

    def peek(self, key: str, limit: Limit, now: float) -> tuple[int, int]:
        with self.db.transaction(write=False) as session:
            return db_peek(session, key, limit, now)


REPLAY = "loket_replay_after_rollback"


def replay_after_rollback(session: Session, write: Any) -> None:
    """Remember a write that must survive when ``session`` is rolled back because of a refusal
    (a counted hit, an alert): ``get_session`` rolls back and replays these (see
    ``LoketError.keeps_writes``)."""
    session.info.setdefault(REPLAY, []).append(write)


class SessionStore:
    """Counts in the caller's transaction. A refusal rolls that transaction back, so every hit
    is also registered for replay: a refused attempt stays counted, nothing else is kept."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def hit(self, key: str, limit: Limit, now: float) -> tuple[int, int]:
        replay_after_rollback(self.session, lambda s: db_hit(s, key, limit, now))
        return db_hit(self.session, key, limit, now)

    def peek(self, key: str, limit: Limit, now: float) -> tuple[int, int]:
        return db_peek(self.session, key, limit, now)


class RedisStore:
    def __init__(self, url: str, *, prefix: str = "loket:rl:") -> None:
        # lazy: redis-py is 0.05 s of a cold start and only a scaled-out server uses it
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix

    def hit(self, key: str, limit: Limit, now: float) -> tuple[int, int]:
        window = _window_start(limit, now)
        base = f"{self.prefix}{key}:"
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(base + str(window))
        pipe.expire(base + str(window), 2 * limit.seconds + 1)
        pipe.get(base + str(window - limit.seconds))
        current, _, previous = pipe.execute()
        return int(previous or 0), int(current)

    def peek(self, key: str, limit: Limit, now: float) -> tuple[int, int]:
        window = _window_start(limit, now)
        base = f"{self.prefix}{key}:"
        current, previous = self.client.mget([base + str(window),
                                              base + str(window - limit.seconds)])
        return int(previous or 0), int(current or 0)



def check(store: Store, key: str, limit: str | Limit, *, now: float | None = None) -> None:
    parsed = parse_limit(limit) if isinstance(limit, str) else limit
    # The window length is part of the key: two limits on one key never share counters.
    full_key = f"{parsed.seconds}:{key}"
    if len(full_key) > KEY_MAX:
        raise ValueError("rate limit key too long; hash the variable part")
    now = time.time() if now is None else now
    previous, current = store.hit(full_key, parsed, now)
    allowed, retry_after = decide(parsed, now - _window_start(parsed, now), previous, current)
    if not allowed:
        raise TooManyRequests(retry_after)


def store_for_app(app: Any) -> Store:
    """The app's store, built once per app (settings may differ per app, e.g. in tests)."""
    store: Store | None = getattr(app.state, "rate_limit_store", None)
    if store is None:
        settings = app.state.settings
        store = RedisStore(settings.redis_url) if settings.redis_url else DatabaseStore(
            app.state.db)
        app.state.rate_limit_store = store
    return store


def check_rate(request_or_db: Any, key: str, limit: str) -> None:
    """Count one hit for ``key``; raise ``TooManyRequests`` when over ``limit`` ("N/seconds").

    ``request_or_db``: a Starlette request (the app's store), a ``Database`` or a ``Session``.
    """
    store: Store
    if isinstance(request_or_db, Session):
        store = SessionStore(request_or_db)
    elif isinstance(request_or_db, Database):
        store = DatabaseStore(request_or_db)
    else:
        store = store_for_app(request_or_db.app)
    check(store, key, limit)


def purge_expired(session: Session) -> int:
    result = session.exec(delete(RateCounter).where(
        col(RateCounter.expires_at) < utcnow()))
    return int(result.rowcount or 0)
