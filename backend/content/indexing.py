"""Keeping the search index in step with the knowledge base, through the outbox.

Services write ``search.index`` ({"ids": [...]}) and ``search.delete`` ({"doc_ids": [...]})
messages in the same transaction as the change. The handlers below look at the *current* state
of each item rather than trusting the message, so deliveries are idempotent and their order
does not matter: a published item is (re)indexed, anything else is removed.

The backend is built once per process per configuration (``backend_for``): the outbox worker is
the only writer, web requests only read.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.content.markdown import plain_text
from backend.content.models import ContentItem, ContentTheme, Theme
from backend.content.service import DELETE, INDEX
from backend.content.views import AMSTERDAM, ItemView, load_views
from backend.core.db import Database
from backend.core.outbox import (
    FAILED,
    PENDING,
    OutboxMessage,
    WorkerContext,
    enqueue,
    handler,
    retry_failed,
)
from backend.core.settings import Settings
from backend.core.worker import periodic
from backend.search import SearchBackend, SearchDoc, SearchUnavailable, get_backend

log = logging.getLogger("loket.content.indexing")

BATCH = 200
# Example items (made-up events) rank below real content that matches as well.
EXAMPLE_BOOST = 0.6
# What a Dutch searcher may type for a kind (the index is Dutch whatever the UI language).
KIND_WORDS = {
    "subsidy": "subsidie", "loan": "lening krediet", "guarantee": "garantie borgstelling",
    "tax": "fiscale regeling belastingvoordeel", "voucher": "voucher",
    "workshop": "workshop", "webinar": "webinar online", "network": "netwerkbijeenkomst",
    "knowledge_institution": "kennisinstelling", "fieldlab": "fieldlab",
    "desk": "loket servicepunt", "ecosystem": "ecosysteem netwerk", "government": "overheid",
    "branch_organisation": "branchevereniging", "financier": "financier",
    "company": "bedrijf",
}
_backends: dict[tuple[Any, ...], SearchBackend] = {}
_backends_lock = threading.Lock()


def _key(settings: Settings) -> tuple[Any, ...]:
    return (settings.search_backend, str(settings.search_path), settings.meili_url,
            settings.meili_key, settings.meili_index)


def backend_for(settings: Settings) -> SearchBackend:
    """The process-wide backend for these settings (raises SearchUnavailable if it cannot
    be opened; the next call tries again)."""
    key = _key(settings)
    with _backends_lock:
        backend = _backends.get(key)
        if backend is None:
            try:
                backend = get_backend(settings.search_backend, path=settings.search_path,
                                      meili_url=settings.meili_url, meili_key=settings.meili_key,
                                      index_name=settings.meili_index)
            except SearchUnavailable:
                raise
            except Exception as exc:
                raise SearchUnavailable(f"{type(exc).__name__}: {exc}") from exc
            if len(_backends) >= 8:  # tests make one per temporary directory
                _backends.pop(next(iter(_backends)))
            _backends[key] = backend
        return backend


def backend_for_app(app: Any) -> SearchBackend:
    """The app's backend: ``app.state.search_backend`` when set (tests), else the process-wide
    one for its settings."""
    override: SearchBackend | None = getattr(app.state, "search_backend", None)
    return override if override is not None else backend_for(app.state.settings)


# --- the knowledge base's search port for other domains ------------------------------------
#
# Routing lets the knowledge base vote on a question's themes in every door (the form, the API,
# an advisor's intake, the scan's hand-off, ...), and those doors reach routing through service
# functions that take a session, not a request. The app therefore says, per request, which
# backend is its knowledge base (``KnowledgeSearchMiddleware``); ``knowledge_search`` gives it
# to any service function running inside that request. Outside a request (CLI, worker, a test
# without an app) there is none unless a caller names one (``searching_knowledge``).

_knowledge_search: ContextVar[Callable[[], SearchBackend] | None] = ContextVar(
    "loket_knowledge_search", default=None)


def knowledge_search() -> SearchBackend | None:
    """The search backend of the knowledge base the current request's app serves, or None
    (no app in scope, or the engine cannot be opened: callers go on without it)."""
    provider = _knowledge_search.get()
    if provider is None:
        return None
    try:
        return provider()
    except Exception:
        log.warning("the knowledge base's search backend cannot be opened", exc_info=True)
        return None


@contextmanager
def searching_knowledge(provider: Callable[[], SearchBackend]) -> Iterator[None]:
    """``with searching_knowledge(lambda: backend): ...``: the knowledge base for service
    calls in the block (a script's, such as ``bench/routing.py``, or a test's)."""
    token = _knowledge_search.set(provider)
    try:
        yield
    finally:
        _knowledge_search.reset(token)


def published_themes(session: Session, doc_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The theme slugs of the published items behind search document ids (``"type:slug"``,
    ``ItemView.doc_id``), sorted; ids of items no longer published are left out (the index
    may lag a moment behind the database)."""
    wanted = {tuple(d.split(":", 1)) for d in doc_ids if ":" in d}
    if not wanted:
        return {}
    rows = session.exec(
        select(ContentItem.type, ContentItem.slug, Theme.slug)
        .join(ContentTheme, col(ContentTheme.item_id) == ContentItem.id)
        .join(Theme, col(Theme.id) == ContentTheme.theme_id)
        .where(col(ContentItem.slug).in_(sorted({slug for _type, slug in wanted})),
               col(ContentItem.type).in_(sorted({type_ for type_, _slug in wanted})),
               ContentItem.status == "published", col(ContentItem.deleted_at).is_(None)))
    out: dict[str, list[str]] = {}
    for type_, slug, theme in rows:
        if (type_, slug) in wanted:
            out.setdefault(f"{type_}:{slug}", []).append(theme)
    return {doc: tuple(sorted(themes)) for doc, themes in out.items()}


class KnowledgeSearchMiddleware:
    """Puts the app's knowledge base (``backend_for_app``, looked up when a caller asks) in
    scope for each request; a pure ASGI middleware, so the endpoint's thread sees it (as it
    sees the request's language)."""

    def __init__(self, app: Any, owner: Any) -> None:
        self.app = app
        self.provider: Callable[[], SearchBackend] = lambda: backend_for_app(owner)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _knowledge_search.set(self.provider)
        try:
            await self.app(scope, receive, send)
        finally:
            _knowledge_search.reset(token)


def is_public(item: ContentItem) -> bool:
    return item.status == "published" and item.deleted_at is None


def to_search_doc(view: ItemView) -> SearchDoc:
    """The engine's view of one published item. Keywords carry what a searcher may type that
    is not in the text: organisation names, the kind of scheme or event, costs covered."""
    it = view.item
    sectors: list[str] = []
    for sector in view.sectors:
        for s in view.tax.sector_lineage(sector):  # a sub-sector is found under its parent
            if s.slug not in sectors:
                sectors.append(s.slug)
    # Theme names are left out on purpose: themes are facets, and their broad names made
    # unrelated items outrank the right one in the judged relevance set.
    keywords: list[str] = []
    # Published organisations only: a draft's name must not be findable through its referrers.
    for org in (*view.public_organisations(), view.public_ref(view.org),
                view.public_ref(view.provider)):
        if org is not None and org.title not in keywords:
            keywords.append(org.title)
    if it.kind in KIND_WORDS:
        keywords.append(KIND_WORDS[it.kind])
    keywords += [k.replace("-", " ") for k in view.cost_kinds]
    for extra in (it.role, it.place, it.organisation_name):
        if extra:
            keywords.append(extra)
    closes_on = None
    if view.terms is not None:
        closes_on = view.terms.closes_on
    elif it.starts_at is not None:
        closes_on = it.starts_at.astimezone(AMSTERDAM).date()
    return SearchDoc(
        id=view.doc_id, type=it.type, title=it.title, summary=it.summary or "",
        body=plain_text(it.body_md), url=view.url,
        published_at=it.published_at or it.updated_at,
        themes=tuple(t.slug for t in view.themes),
        pillars=tuple(p.slug for p in view.pillars),
        sectors=tuple(sectors),
        regions=tuple(r.slug for r in view.regions),
        sizes=tuple(s.slug for s in view.sizes),
        status=view.scheme_status,
        keywords=tuple(keywords),
        closes_on=closes_on,
        boost=EXAMPLE_BOOST if it.is_example else 1.0,
        title_en=it.title_en or "", summary_en=it.summary_en or "",
        body_en=plain_text(it.body_md_en) if it.body_md_en else "",
    )


def _chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def sync_items(db: Database, backend: SearchBackend, ids: Sequence[int]) -> tuple[int, int]:
    """Index the published ones among ``ids``, remove the others. Returns (indexed, removed)."""
    indexed = removed = 0
    for chunk in _chunks(sorted(set(ids)), BATCH):
        with db.transaction(write=False) as s:
            items = list(s.exec(select(ContentItem).where(col(ContentItem.id).in_(chunk))))
            views = load_views(s, items)
            docs = [to_search_doc(v) for v in views if is_public(v.item)]
            gone = [v.doc_id for v in views if not is_public(v.item)]
        if docs:
            backend.index(docs)
        if gone:
            backend.delete(gone)
        indexed += len(docs)
        removed += len(gone)
    return indexed, removed


@handler(INDEX)
def handle_index(payload: dict[str, Any], ctx: WorkerContext) -> None:
    sync_items(ctx.db, backend_for(ctx.settings), [int(i) for i in payload.get("ids", [])])


@handler(DELETE)
def handle_delete(payload: dict[str, Any], ctx: WorkerContext) -> None:
    """Remove documents, unless the item they name is published again by now."""
    doc_ids = [str(d) for d in payload.get("doc_ids", [])]
    keep: dict[str, int] = {}
    with ctx.db.transaction(write=False) as s:
        for doc_id in doc_ids:
            type_, _, slug = doc_id.partition(":")
            item = s.exec(select(ContentItem).where(ContentItem.type == type_,
                                                    ContentItem.slug == slug)).first()
            if item is not None and item.id is not None and is_public(item):
                keep[doc_id] = item.id
    backend = backend_for(ctx.settings)
    remove = [d for d in doc_ids if d not in keep]
    if remove:
        backend.delete(remove)
    if keep:
        sync_items(ctx.db, backend, list(keep.values()))


@periodic("search.scheme_status", every=timedelta(hours=6))
def refresh_scheme_status(ctx: WorkerContext) -> None:
    """A scheme's status (open, upcoming, closed) moves with the calendar; refresh them."""
    with ctx.db.transaction() as s:
        enqueue_published(s, types=("scheme",))


@periodic("search.retry_parked", every=timedelta(minutes=10))
def retry_parked(ctx: WorkerContext) -> None:
    """Index updates parked as failed during a long engine outage go back in the queue once
    the engine answers again. The handlers look at the items' current state, so a retry is
    always safe, and without it the index would stay behind until an admin noticed."""
    with ctx.db.transaction(write=False) as s:
        parked = [i for i in s.exec(select(OutboxMessage.id).where(
            OutboxMessage.status == FAILED, col(OutboxMessage.kind).in_([INDEX, DELETE])))
            if i is not None]
    if not parked:
        return
    try:
        if not backend_for(ctx.settings).health().ok:
            return
    except SearchUnavailable:
        return
    with ctx.db.transaction() as s:
        for message_id in parked:
            retry_failed(s, message_id)
    log.info("parked search updates queued again", extra={"messages": len(parked)})


@periodic("search.refill_empty", every=timedelta(minutes=10))
def refill_empty_index(ctx: WorkerContext) -> None:
    """An empty index while items are published (the embedded engine recreates its index empty
    when its schema changed, as with the English fields; a new engine; a lost volume) is filled
    again through the outbox, so search does not stay empty until someone runs `loket search
    reindex`. Nothing happens while index updates are pending (a fill under way)."""
    try:
        health = backend_for(ctx.settings).health()
    except SearchUnavailable:
        return
    if not health.ok or health.documents > 0 or pending_messages(ctx.db) > 0:
        return
    with ctx.db.transaction() as s:
        queued = enqueue_published(s)
    if queued:
        log.warning("search index empty; queued every published item",
                    extra={"items": queued})


def published_ids(session: Session, types: Iterable[str] | None = None) -> list[int]:
    stmt = select(ContentItem.id).where(ContentItem.status == "published",
                                        col(ContentItem.deleted_at).is_(None))
    if types:
        stmt = stmt.where(col(ContentItem.type).in_(list(types)))
    return [i for i in session.exec(stmt.order_by(col(ContentItem.id))) if i is not None]


def enqueue_published(session: Session, types: Iterable[str] | None = None) -> int:
    """Queue every published item (of ``types``) for indexing, in batches."""
    ids = published_ids(session, types)
    for chunk in _chunks(ids, BATCH):
        enqueue(session, INDEX, {"ids": list(chunk)})
    return len(ids)


def iter_docs(db: Database) -> Iterator[SearchDoc]:
    with db.transaction(write=False) as s:
        ids = published_ids(s)
    for chunk in _chunks(ids, BATCH):
        with db.transaction(write=False) as s:
            items = list(s.exec(select(ContentItem).where(col(ContentItem.id).in_(chunk))))
            views = load_views(s, items)
        for view in views:
            if is_public(view.item):
                yield to_search_doc(view)


def reindex(db: Database, settings: Settings,
            progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database (``loket search reindex``)."""
    backend = backend_for(settings)
    return backend.reindex_all(iter_docs(db), progress=progress)


def count_published(db: Database) -> int:
    with db.transaction(write=False) as s:
        return len(published_ids(s))


def pending_messages(db: Database) -> int:
    with db.transaction(write=False) as s:
        return int(s.exec(select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == PENDING,
            col(OutboxMessage.kind).in_([INDEX, DELETE]))).one())


def search_readiness(app: Any) -> dict[str, Any]:
    """/readyz check: engine health and index lag (search messages not yet delivered)."""
    settings: Settings = app.state.settings
    out: dict[str, Any] = {"ok": False, "backend": settings.search_backend}
    try:
        out["pending"] = pending_messages(app.state.db)
    except Exception as exc:  # readiness reports, it does not raise
        out["pending_error"] = type(exc).__name__
    try:
        health = backend_for_app(app).health()
        out.update(ok=health.ok, documents=health.documents)
        if health.detail:
            out["detail"] = health.detail
    except Exception as exc:
        out["error"] = type(exc).__name__
    return out
