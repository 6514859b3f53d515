"""The application factory."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy.orm import configure_mappers
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import Receive, Scope, Send

from backend import demo
from backend.accounts.service import token_is_valid
from backend.accounts.service import warm_up as warm_accounts
from backend.accounts.sessions import SessionMiddleware
from backend.content.indexing import (
    KnowledgeSearchMiddleware,
    backend_for_app,
    search_readiness,
)
from backend.core.accesslog import AccessLogMiddleware
from backend.core.db import Database
from backend.core.errors import install_error_handlers
from backend.core.i18n import warm_catalogs
from backend.core.logging import configure_logging
from backend.core.mail import MAIL_KIND  # noqa: F401 - registers the mail handler
from backend.core.middleware import (
    LineBreakMiddleware,
    RequestContextMiddleware,
    RequestGuardMiddleware,
)
from backend.core.openapi import document_api_errors_on_first_schema
from backend.core.pagecache import PageCacheMiddleware
from backend.core.routing import include
from backend.core.security import csrf_protect
from backend.core.server import REQUEST_THREADS
from backend.core.settings import ROOT, Settings, get_settings
from backend.core.templating import warm_templates
from backend.core.visitors import WARM_UP_SCOPE_KEY, Visitors
from backend.core.worker import Worker
from backend.domains import DOMAINS
from backend.insight.searchlog import start_flusher
from backend.ops import metrics
from backend.ops.readiness import add_readiness_check, install_readiness

log = logging.getLogger("loket")

STATIC_DIR = ROOT / "backend" / "static"


def _include_routers(app: FastAPI) -> None:
    """Every domain's routers, in the order of ``DOMAINS``; catch-all paths come last. The
    development demo's login page (``backend.demo``, app level: it seeds across domains)
    answers 404 outside development. Each route is built at its first use
    (``backend.core.routing``)."""
    include(app.router, demo.router)
    for domain in DOMAINS:
        for router in domain.routers:
            include(app.router, router)
    for domain in DOMAINS:
        for router in domain.routers_last:
            include(app.router, router)


def register_handlers() -> None:
    """Outbox handlers and periodic jobs are registered by the modules each domain names in
    ``jobs`` (imported with ``DOMAINS``) and by ``backend.core.mail``; then each domain's
    set-up runs (idempotent)."""
    for domain in DOMAINS:
        if domain.setup is not None:
            domain.setup()


def create_app(settings: Settings | None = None, db: Database | None = None, *,
               start_worker: bool | None = None, warm_up: bool | None = None) -> FastAPI:
    """The app. ``warm_up`` (default: outside tests; always for a served app) freezes what
    start-up loaded and warms templates, catalogs, read models and the first pages in a
    thread, so the first visitors do not pay for them."""
    settings = settings or get_settings()
    if warm_up is None:
        warm_up = settings.env != "test"  # tests build hundreds of apps in one process
    db = db or Database.from_settings(settings)
    if start_worker is None:
        start_worker = settings.worker_in_process
    register_handlers()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # More request threads than uvicorn takes requests at once (core.server).
        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        if warm_up:
            # What every page needs, before the server answers: the catalogs (read from the
            # compiled ones on disk: 3 ms) and SQLAlchemy's mapper configuration (35–40 ms; the
            # first ORM query's, the worker's included). The rest is the warm-up thread's.
            warm_catalogs()
            configure_mappers()
        worker = Worker(db, settings)
        app.state.worker = worker
        app.state.wake_worker = worker.wake
        thread = worker.start_thread() if start_worker else None
        stop_flusher = start_flusher(db) if settings.env != "test" else None
        if warm_up:
            # What start-up loaded lives as long as the process: keep it out of every full
            # collection, which otherwise walked it in the middle of a request (100–250 ms of
            # CPU on the benchmark page; docs/benchmarks.md). No collection first: it took
            # 0.1 s of a cold start to find a few dozen objects; the warm-up thread collects
            # what came after.
            gc.freeze()
            # Build the read models, load the templates, make the login's dummy hash and ask
            # for the first pages, each step when no visitor's request is in flight (they
            # would share the interpreter with it); then freeze again, so what they built
            # stays out of full collections too.
            threading.Thread(target=_warm_up, args=(app,),
                             kwargs={"wait": visitors.wait_quiet}, name="loket-warm-up",
                             daemon=True).start()
        try:
            yield
        finally:
            if stop_flusher is not None:
                stop_flusher()
            worker.stop()
            if thread is not None:  # let a delivery in progress finish and record its result
                await asyncio.to_thread(thread.join, 15)

    app = FastAPI(
        title="Loket API",
        version="1",
        description="Loket: one door to productivity knowledge, schemes and regional support "
                    "desks for Dutch SMEs.",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI needs a CDN and inline script; see backend/site/api_docs.py
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        dependencies=[Depends(csrf_protect)],
    )
    app.state.settings = settings
    app.state.db = db
    app.state.visitors = visitors = Visitors()
    app.state.wake_worker = None
    # csrf_protect exempts a request carrying a valid Bearer token and no session cookie.
    app.state.bearer_is_valid = lambda plain: token_is_valid(db, plain)
    install_error_handlers(app)
    install_readiness(app)  # domains add checks with backend.ops.readiness.add_readiness_check
    add_readiness_check(app, "search", search_readiness)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _include_routers(app)
    document_api_errors_on_first_schema(app)
    # Outermost first: request context wraps sessions so both see the same state.
    # The knowledge base's search for service functions of this request (routing's votes).
    app.add_middleware(KnowledgeSearchMiddleware, owner=app)
    app.add_middleware(LineBreakMiddleware)  # CRLF -> LF in forms, inside the body guard
    app.add_middleware(SessionMiddleware, db=db, settings=settings)
    app.add_middleware(PageCacheMiddleware, db=db, seconds=settings.page_cache_seconds,
                       entries=settings.page_cache_entries,
                       check_seconds=settings.page_cache_check_seconds,
                       search_generation=lambda: backend_for_app(app).generation())
    app.add_middleware(AccessLogMiddleware,
                       observers=[metrics.observe_request] if settings.metrics_enabled else [])
    app.add_middleware(RequestGuardMiddleware, settings=settings)  # body size and time
    if settings.trusted_hosts.strip() != "*":
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(settings))
    app.add_middleware(RequestContextMiddleware, settings=settings, visitors=visitors)
    return app


# The public pages most visitors start from, asked once by the warm-up thread as an anonymous
# visitor: each first request builds its route, compiles its SQL statements (SQLAlchemy keeps
# them per engine) and fills the caches a page reads (taxonomy, scheme facts, filters).
WARM_PAGES = ("/", "/regelingen", "/regelingen/zoeker", "/kennisbank", "/vraag", "/loketten")


def _warm_up(app: FastAPI, pages: Sequence[str] | None = None,
             read_models: bool | None = None, wait: Callable[[], None] | None = None) -> None:
    """What the first visitors would otherwise wait for: the domains' read models, every
    template (loaded from the compiled ones on disk, or compiled), the catalogs, SQLAlchemy's
    mapper configuration, the login's dummy hash, the pydantic models not built yet
    (``build_models``), and the ``WARM_PAGES`` through the whole
    stack (the first request of a page also pays SQLAlchemy's statement compilation and lazy
    imports: 0.1–0.2 s of CPU for the first ``/regelingen`` before this). Before each step it
    calls ``wait`` (the served app's: until no visitor's request is in flight,
    ``core/visitors.py``). No pages on a database bound to one connection (the tests'): it
    cannot serve the warm-up and a test's requests at the same time; the same for the
    domains' read models (``Domain.warm_up``)."""
    step = wait or (lambda: None)
    shared_connection = app.state.db.connection is not None
    if pages is None:
        pages = () if shared_connection else WARM_PAGES
    if read_models is None:
        read_models = not shared_connection
    step()
    warm_catalogs()  # read from the compiled ones on disk (or compiled: 50 ms a language)
    configure_mappers()  # done by the first ORM query otherwise: 0.04 s
    db: Database = app.state.db
    for domain in DOMAINS:  # read models (the router's context, ...): built off the request
        if read_models and domain.warm_up is not None:
            step()
            try:
                domain.warm_up(db)
            except Exception:  # a request builds it then; start-up goes on
                log.warning("warm-up of %s failed", domain.name, exc_info=True)
    step()
    warm_templates()
    step()
    warm_accounts()
    build_models(step)
    step()
    # After the first step, not when the thread starts: imported beside the first pages, it
    # cost them 10–40 ms of the process's CPU (docs/benchmarks.md, h10-cold).
    import httpx  # lazy: off the start-up path (cold start, docs/benchmarks.md)

    async def marked(scope: Scope, receive: Receive, send: Send) -> None:
        # not a visitor: the warm-up does not wait for its own requests
        await app({**scope, WARM_UP_SCOPE_KEY: True}, receive, send)

    async def home() -> None:
        transport = httpx.ASGITransport(app=marked)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            for path in pages:
                step()
                await c.get(path, headers={"X-Request-ID": "start-up-warm-up"})

    try:
        asyncio.run(home())
    except Exception:  # the page's own errors are logged by its handlers; start-up goes on
        log.warning("warm-up request failed", exc_info=True)
    gc.collect()
    gc.freeze()


def unbuilt_models() -> list[type[BaseModel]]:
    """Loket's pydantic models whose schema, validator and serializer are not built yet
    (``backend/__init__.py`` defers that to a model's first use)."""
    found: list[type[BaseModel]] = []
    todo = [BaseModel]
    seen: set[type[BaseModel]] = set()
    while todo:
        for cls in todo.pop().__subclasses__():
            if cls not in seen:
                seen.add(cls)
                todo.append(cls)
                if cls.__module__.startswith("backend.") and not cls.__pydantic_complete__:
                    found.append(cls)
    return found


def build_models(step: Callable[[], None] | None = None, per_step: int = 25) -> None:
    """Build the models still unbuilt, ``per_step`` at a time after each ``step()`` (the
    warm-up's: a visitor's request goes first). As at their first use: in their module's
    namespace; one that cannot be built yet (a name not defined) stays as it is."""
    models = unbuilt_models()
    for n, cls in enumerate(models):
        if step is not None and n % per_step == 0:
            step()
        cls.model_rebuild(raise_errors=False, _parent_namespace_depth=0)


def allowed_hosts(settings: Settings) -> list[str]:
    """LOKET_TRUSTED_HOSTS plus loopback (the container health check asks 127.0.0.1)."""
    hosts = [h.strip() for h in settings.trusted_hosts.split(",") if h.strip()]
    return [*hosts, "127.0.0.1", "localhost"]


def app_factory() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json, background=True)
    return create_app(settings, warm_up=True)  # served: warm also with test settings
