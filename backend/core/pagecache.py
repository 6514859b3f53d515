"""Shared cache of public pages for anonymous visitors.

Most requests are anonymous reads of public pages (home, search as you type, knowledge-base
and scheme pages, the scheme finder) whose HTML is the same for every visitor in a language.
Rendering one costs 5–15 ms of CPU; serving it from memory costs well under 1 ms. A route
opts in by calling :func:`cache_this_page` in its handler; the middleware then keeps the 200
response and serves it to the next anonymous request with the same key.

**Who gets a cached page.** Only ``GET`` requests without ``Authorization`` and with no
cookies but the CSRF and language cookies: a logged-in user, an entrepreneur behind a private
link (both carry the session cookie) or an API token never see or fill the cache.

**The key.** Host, path, query string, language, and whether it is an HTMX request (fragment) or a
history restore (full page). Nothing else goes into these pages: the handlers that opt in
render from the path, the query and the language only.

**The CSRF token.** Public pages carry forms (search, the question form in the footer…) with
the visitor's CSRF token. The stored body is split at the token of the request that filled
the entry; serving joins the parts with the current visitor's token (tokens have one length,
so ``Content-Length`` stays right). The CSRF cookie itself is set outside, by
:class:`~backend.core.middleware.RequestContextMiddleware`, per visitor.

**Staying current.** Entries carry the *stamp* of the moment their request started; an entry
whose stamp differs from the current one is never served. The stamp is:

- a process-wide counter, raised by every flush and commit that wrote one of the public tables
  (:data:`PUBLIC_TABLES`; SQLAlchemy session events, so every service and the CLI are
  covered): in this process a change is visible at once;
- the ``site_generation`` row, raised in the same transaction: other processes (the second
  worker, other replicas, the CLI) read it at most every ``page_cache_check_seconds``
  (default 1 s), so they serve a changed page for at most that long;
- the search index's generation (the embedded index changes when a commit of the worker's
  lands; Meilisearch, which indexes asynchronously, gives a new generation every 5 s).

Every entry also expires after ``page_cache_seconds`` (60 s), which bounds what depends on
the clock (a scheme that closes today, an event that starts). ``LOKET_PAGE_CACHE_SECONDS=0``
turns the cache off. The cache is an LRU of ``page_cache_entries`` entries per process
and at most 64 MiB of bodies (a body above 512 KiB is not kept), so a crawler of endless query
strings cannot grow it without bound.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from prometheus_client import Counter
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.db import Database

# Tables whose rows public pages show. A commit that writes one of them starts a new
# generation. Prefixes: every content_* and taxonomy_* table, desks and their coverage.
PUBLIC_TABLES = ("content_", "taxonomy_", "scheme_terms", "scheme_cost_kind", "desk",
                 "municipality", "postcode_area", "community_group", "scan_version")
MAX_BODY = 512 * 1024
MAX_BYTES = 64 * 1024 * 1024  # all bodies of one process together
ALLOWED_COOKIES = frozenset({"loket_csrf", "__Host-loket_csrf", "loket_lang"})
STATE_FLAG = "page_cache"

_LOOKUPS = Counter("loket_page_cache_lookups", "Anonymous requests for pages the cache keeps, "
                   "by result: hit, miss (rendered and kept now) or stale (an entry of an "
                   "older generation or expired was dropped)", ["result"])
HIT, MISS, STALE = (_LOOKUPS.labels(r) for r in ("hit", "miss", "stale"))


class SiteGeneration(SQLModel, table=True):
    """One row: raised by every commit that changes what public pages show."""

    __tablename__ = "site_generation"

    id: int = Field(default=1, primary_key=True)
    value: int = Field(default=0, sa_type=sa.BigInteger)


# --- noticing changes ---------------------------------------------------------------------

_local_generation = itertools.count(1)
_local = {"generation": 0}
_BUMP = sa.text("UPDATE site_generation SET value = value + 1 WHERE id = 1")
_READ = sa.text("SELECT value FROM site_generation WHERE id = 1")


def _is_public(table: str | None) -> bool:
    return bool(table) and str(table).startswith(PUBLIC_TABLES)


def local_generation() -> int:
    return _local["generation"]


def public_generation(session: OrmSession) -> tuple[object, ...]:
    """What public rows look like to ``session``'s transaction, as a key for values derived from
    them (lists of desks or organisations that pages show): the database, this process's
    generation (moves at every public flush and again after its commit, never back, not even
    at a rollback) and the ``site_generation`` row as the transaction sees it (another
    process's commits). The same key means the same public rows."""
    conn = session.connection()
    return (str(conn.engine.url), local_generation(), conn.execute(_READ).scalar())


def content_changed() -> None:
    """Start a new generation in this process (also called after a public commit)."""
    _local["generation"] = next(_local_generation)


def _mark(session: OrmSession) -> None:
    if not session.info.get("public_changed"):
        session.info["public_changed"] = True
        session.execute(_BUMP)
    # Now (a reader of the same transaction sees the change at once) and again after the
    # commit (what another request rendered from the old rows in between is dropped too).
    content_changed()


@event.listens_for(OrmSession, "before_flush")
def _before_flush(session: OrmSession, _context: Any, _instances: Any) -> None:
    if session.info.get("public_changed"):
        return
    for obj in itertools.chain(session.new, session.dirty, session.deleted):
        if _is_public(getattr(type(obj), "__tablename__", None)):
            _mark(session)
            return


@event.listens_for(OrmSession, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    """Bulk ``update()``/``delete()``/``insert()`` statements on public tables."""
    if state.is_select or state.session.info.get("public_changed"):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and _is_public(getattr(table, "name", None)):
        _mark(state.session)


@event.listens_for(OrmSession, "after_commit")
def _after_commit(session: OrmSession) -> None:
    if session.info.pop("public_changed", False):
        content_changed()


@event.listens_for(OrmSession, "after_rollback")
def _after_rollback(session: OrmSession) -> None:
    session.info.pop("public_changed", None)


# --- opting in ----------------------------------------------------------------------------

def cache_this_page(request: Request) -> None:
    """Let the page cache keep this response (when the request is anonymous and it is a 200).

    Call it only from handlers whose output depends on nothing but the path, the query
    string, the language and whether it is an HTMX request.
    """
    request.scope.setdefault("state", {})[STATE_FLAG] = True


# --- the cache ------------------------------------------------------------------------------

@dataclass(slots=True)
class _Entry:
    stamp: Hashable
    expires: float
    status: int
    headers: list[tuple[bytes, bytes]]
    parts: list[bytes]  # the body, split at the CSRF token of the request that filled it
    route: Any
    size: int


class PageCacheMiddleware:
    """Pure ASGI; sits inside the request context (cookies, language, CSRF token, security
    headers)."""

    def __init__(self, app: ASGIApp, *, db: Database, seconds: float, entries: int,
                 check_seconds: float, search_generation: Callable[[], Hashable]) -> None:
        self.app = app
        self.db = db
        self.seconds = seconds
        self.max_entries = entries
        self.check_seconds = check_seconds
        self.search_generation = search_generation
        self.entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()
        self._db_generation: int | None = None
        self._db_checked = float("-inf")

    # the stamp ------------------------------------------------------------------------------
    def _read_db_generation(self) -> int | None:
        try:
            if self.db.connection is not None:  # tests: one connection, inside their transaction
                return self.db.connection.execute(_READ).scalar()
            with self.db.engine.connect() as conn:
                return conn.execute(_READ).scalar()
        except sa.exc.SQLAlchemyError:
            return None  # no table yet (before migrations): the other parts still count

    def stamp(self, now: float) -> Hashable:
        if now - self._db_checked >= self.check_seconds:
            self._db_generation = self._read_db_generation()
            self._db_checked = now
        try:
            search = self.search_generation()
        except Exception:  # an engine that cannot say: nothing depending on it is kept
            search = object()
        return (local_generation(), self._db_generation, search)

    # the middleware ---------------------------------------------------------------------------
    def _key(self, scope: Scope) -> tuple[Any, ...] | None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        state = scope.get("state", {})
        cookies = state.get("cookies")  # parsed by the request context; absent: never cache
        if cookies is None or not cookies.keys() <= ALLOWED_COOKIES:
            return None
        hx = restore = False
        host = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                return None
            if name == b"host":
                host = value
            elif name == b"hx-request":
                hx = value == b"true"
            elif name == b"hx-history-restore-request":
                restore = True
        # The host too: pages may hold absolute links built from it.
        return (host, scope["path"], scope.get("query_string", b""), state.get("lang"),
                hx and not restore)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope) if self.seconds > 0 else None
        if key is None:
            await self.app(scope, receive, send)
            return
        now = time.monotonic()
        stamp = self.stamp(now)
        token = scope["state"].get("csrf_token", "").encode()
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                if entry.stamp == stamp and entry.expires > now:
                    self.entries.move_to_end(key)
                else:
                    self._drop(key)
                    entry = None
                    STALE.inc()
        if entry is not None:
            HIT.inc()
            scope["route"] = entry.route  # for the access log and the metrics
            await send({"type": "http.response.start", "status": entry.status,
                        "headers": entry.headers})
            await send({"type": "http.response.body", "body": token.join(entry.parts)})
            return
        await self._fill(scope, receive, send, key, stamp, now, token)

    async def _fill(self, scope: Scope, receive: Receive, send: Send, key: tuple[Any, ...],
                    stamp: Hashable, now: float, token: bytes) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def send_wrapper(message: Message) -> None:
            nonlocal start, size, keep
            if message["type"] == "http.response.start":
                start = message
                if message["status"] != 200 or any(
                        k.lower() == b"set-cookie" for k, _ in message.get("headers", ())):
                    keep = False
            elif message["type"] == "http.response.body" and keep:
                body = message.get("body", b"")
                size += len(body)
                if size > MAX_BODY:
                    keep = False
                    chunks.clear()
                else:
                    chunks.append(body)
            await send(message)

        await self.app(scope, receive, send_wrapper)
        if not keep or start is None or not scope.get("state", {}).get(STATE_FLAG):
            return
        MISS.inc()
        body = b"".join(chunks)
        entry = _Entry(stamp=stamp, expires=now + self.seconds, status=start["status"],
                       headers=list(start.get("headers", [])),
                       parts=body.split(token) if token else [body], route=scope.get("route"),
                       size=len(body))
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = entry
            self.bytes += entry.size
            while len(self.entries) > self.max_entries or self.bytes > MAX_BYTES:
                self._drop(next(iter(self.entries)))

    def _drop(self, key: tuple[Any, ...]) -> None:
        """Remove an entry (the caller holds the lock)."""
        self.bytes -= self.entries.pop(key).size
