"""The application factory.

A served app (``app_factory``) answers before it has imported every domain: it imports those of
``backend.domains.AT_START`` (the probes, sessions, the knowledge base and the site's pages)
and adds the other domains' routes from the route table (``ROUTE_TABLE``: each router's paths,
methods and names, written by ``make install`` and the Docker build, or by the first start
after the code changed), so a request is matched as before; the first use of one of those
routes, the first read of a registry they fill (``backend.core.domain``), the warm-up once the
first visitors are served, or the worker after ``REGISTRATIONS_WAIT``, whichever comes first,
imports them (``load_later``: 0.2–0.3 s of CPU not spent before the first answer; issue 19
item 3, docs/benchmarks.md h10-cold). Tests, the CLI and a start whose route table is missing
or stale import every domain at once.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import hashlib
import json
import logging
import os
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy.orm import configure_mappers
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import Receive, Scope, Send

from backend.accounts.service import token_is_valid
from backend.accounts.service import warm_up as warm_accounts
from backend.accounts.sessions import SessionMiddleware
from backend.content.indexing import (
    KnowledgeSearchMiddleware,
    backend_for_app,
    search_readiness,
)
from backend.content.taxonomy import warm as warm_taxonomy
from backend.core.accesslog import AccessLogMiddleware
from backend.core.db import Database
from backend.core.domain import defer_registrations, registrations_done
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
from backend.core.routing import (
    LazyRoute,
    StaleRouteTable,
    fill,
    include,
    include_table,
    route_table,
)
from backend.core.security import csrf_protect
from backend.core.server import REQUEST_THREADS
from backend.core.settings import ROOT, Settings, get_settings
from backend.core.templating import warm_templates
from backend.core.visitors import WARM_UP_SCOPE_KEY, Visitors
from backend.core.worker import Worker
from backend.domains import AT_START, LATER, NAMES, demo, domains, imported
from backend.ops import metrics
from backend.ops.readiness import add_readiness_check, install_readiness

log = logging.getLogger("loket")

STATIC_DIR = ROOT / "backend" / "static"


# The routes of the domains a served app imports after it answers: path, methods and name of
# each, by router (``write_route_table``), with a digest of the code they were read from.
ROUTE_TABLE = ROOT / "backend" / "__pycache__" / "loket-routes.json"


def _include_routers(parent: APIRouter) -> None:
    """Every domain's routers, in the order of ``DOMAINS``; catch-all paths come last. The
    development demo's login page (``backend.demo``, app level: it seeds across domains)
    answers 404 outside development. Each route is built at its first use
    (``backend.core.routing``)."""
    include(parent, demo().router)
    every = domains()
    for domain in every:
        for router in domain.routers:
            include(parent, router)
    for domain in every:
        for router in domain.routers_last:
            include(parent, router)


def _include_routers_later(app: FastAPI, later: _Later) -> None:
    """As ``_include_routers``, the routers of ``LATER``'s domains and the demo's pending."""
    later.include("demo")
    for name in NAMES:
        if name in AT_START:
            for router in domains([name])[0].routers:
                include(app.router, router)
        else:
            later.include(name)
    for name in NAMES:
        if name in AT_START:
            for router in domains([name])[0].routers_last:
                include(app.router, router)
        else:
            later.include(f"{name}:last")


def register_handlers(names: Sequence[str] = NAMES) -> None:
    """Outbox handlers and periodic jobs are registered by the modules each domain names in
    ``jobs`` (imported with the domain) and by ``backend.core.mail``; then each domain's
    set-up runs (idempotent)."""
    for domain in domains(names):
        if domain.setup is not None:
            domain.setup()


def _later_routers() -> dict[str, list[APIRouter]]:
    """The routers of the domains a served app imports after it answers, by key: ``demo``,
    ``<domain>`` (its ``routers``) and ``<domain>:last`` (its ``routers_last``). Imports
    them."""
    found: dict[str, list[APIRouter]] = {"demo": [demo().router]}
    for domain in domains(LATER):
        found[domain.name] = list(domain.routers)
        found[f"{domain.name}:last"] = list(domain.routers_last)
    return found


def source_digest(base: Path = ROOT / "backend") -> str:
    """Of the names, sizes and modification times of ``backend``'s Python files (what Python
    compares to trust a module's bytecode): the route table is read from the code it digests."""
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(base):
        subfolders[:] = sorted(d for d in subfolders if d not in ("__pycache__", "static"))
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                st = os.stat(path)
                digest.update(f"{os.path.relpath(path, base)}\0{st.st_size}\0"
                              f"{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def write_route_table(path: Path | None = None) -> bool:
    """Write the route table of ``LATER``'s domains and the demo (imports them): ``make
    install`` and the Docker build call it, and a served app whose table was missing or stale.
    Whether it was written (an unwritable folder only means importing everything at the next
    start too)."""
    path = path or ROUTE_TABLE
    table = {"digest": source_digest(),
             "routers": {key: [route_table(r) for r in routers]
                         for key, routers in _later_routers().items()}}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(table, separators=(",", ":")), encoding="utf-8")
        tmp.replace(path)  # whole, for a process reading it at the same time
    except OSError:
        log.debug("route table %s not writable", path)
        return False
    return True


def read_route_table(path: Path | None = None) -> dict[str, list[list[list[Any]]]] | None:
    """The route table, or None when it is missing or was written from other code."""
    try:
        table = json.loads((path or ROUTE_TABLE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if table.get("digest") != source_digest():
        return None
    routers: dict[str, list[list[list[Any]]]] = table["routers"]
    return routers


class _Later:
    """An app's routes of the domains it imports after it answers, and what it starts then."""

    def __init__(self, app: FastAPI, table: dict[str, list[list[list[Any]]]]) -> None:
        self.app = app
        self.table = table
        self.pending: dict[str, list[list[LazyRoute]]] = {}
        self.on_loaded: list[Callable[[], None]] = []

    def include(self, key: str) -> None:
        self.pending[key] = [include_table(self.app.router, rows, load_later)
                             for rows in self.table[key]]

    def fill(self, routers: dict[str, list[APIRouter]]) -> None:
        try:
            for key, tables in self.pending.items():
                if len(routers[key]) != len(tables):
                    raise StaleRouteTable(f"{key}: {len(routers[key])} routers")
                for pending, router in zip(tables, routers[key], strict=True):
                    fill(self.app.router, pending, router)
        except StaleRouteTable:  # the routes depend on more than the code: include them anew
            log.error("route table %s does not fit the routes; included them anew",
                      ROUTE_TABLE, exc_info=True)
            parent = self.app.router
            scratch = copy.copy(parent)
            scratch.routes = []
            _include_routers(scratch)
            # The app's own routes (OpenAPI, static files) came before the domains'.
            parent.routes[:] = [r for r in parent.routes if not isinstance(r, LazyRoute)] + [
                *scratch.routes]
            for tables in self.pending.values():
                for routes in tables:
                    for route in routes:
                        if route.is_pending:
                            route.drop()  # a request that matched it is routed anew
            write_route_table()
        self.pending.clear()
        for start in self.on_loaded:
            start()


_later_lock = threading.RLock()
_later_apps: weakref.WeakSet[FastAPI] = weakref.WeakSet()
_later_loaded = False


@contextmanager
def _collector_off() -> Iterator[None]:
    """As ``backend/cli.py`` does for the first imports: the collector off while they make
    objects that live as long as the process (it walked them again and again)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def load_later(step: Callable[[], None] | None = None) -> None:
    """Import the domains served apps left for later (``LATER`` and the demo), run their
    set-up, configure their tables' mappers, fill the pending routes of every app waiting for
    them and start their background work; once (another caller waits for the first).
    ``step``: the warm-up's wait, before each domain's import (a visitor's request first)."""
    global _later_loaded
    if step is not None and not _later_loaded:
        for name in LATER:
            step()
            with _collector_off():
                domains([name])
        step()
    with _later_lock:
        if _later_loaded:
            return
        with _collector_off():
            routers = _later_routers()
            register_handlers(LATER)
            configure_mappers()
        for app in list(_later_apps):
            app.state.later.fill(routers)
            app.state.later = None
        _later_apps.clear()
        _later_loaded = True
        registrations_done()


def create_app(settings: Settings | None = None, db: Database | None = None, *,
               start_worker: bool | None = None, warm_up: bool | None = None) -> FastAPI:
    """The app. ``warm_up`` (default: outside tests; always for a served app) freezes what
    start-up loaded and warms templates, catalogs, read models and the first pages in a
    thread, so the first visitors do not pay for them; and, when the domains of ``LATER`` are
    not imported yet and the route table fits the code, leaves them for after the start
    (module docstring)."""
    settings = settings or get_settings()
    if warm_up is None:
        warm_up = settings.env != "test"  # tests build hundreds of apps in one process
    db = db or Database.from_settings(settings)
    if start_worker is None:
        start_worker = settings.worker_in_process
    may_wait = warm_up and not imported(LATER)
    table = read_route_table() if may_wait else None
    register_handlers(NAMES if table is None else AT_START)

    def start_domains(names: Sequence[str], stops: list[Callable[[], None]]) -> None:
        if settings.env != "test":  # tests flush the search log themselves
            stops.extend(d.start(db) for d in domains(names) if d.start is not None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # More request threads than uvicorn takes requests at once (core.server).
        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        if warm_up:
            # What every page needs, before the server answers: the catalogs (read from the
            # compiled ones on disk: 3 ms) and SQLAlchemy's mapper configuration (20–40 ms; the
            # first ORM query's, the worker's included), and what most pages read first, the
            # taxonomy (8–12 ms of the first such page; a database not there yet leaves it to
            # that page). The rest is the warm-up thread's.
            warm_catalogs()
            configure_mappers()
            try:
                warm_taxonomy(db)
            except Exception:  # /readyz reports the database; start-up goes on
                log.warning("reading the taxonomy at start failed", exc_info=True)
        worker = Worker(db, settings)
        app.state.worker = worker
        app.state.wake_worker = worker.wake
        thread = worker.start_thread() if start_worker else None
        stops: list[Callable[[], None]] = []  # the domains' background work (search log)
        with _later_lock:
            later: _Later | None = app.state.later
            if later is None:
                start_domains(NAMES, stops)
            else:
                start_domains(AT_START, stops)
                later.on_loaded.append(lambda: start_domains(LATER, stops))
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
            with _later_lock:
                if later is not None:
                    later.on_loaded.clear()
                for stop in stops:
                    stop()
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
    app.state.later = None
    if table is not None:
        later = _Later(app, table)
        _include_routers_later(app, later)
        with _later_lock:
            app.state.later = later
            _later_apps.add(app)
        defer_registrations(load_later)
    else:
        _include_routers(app.router)
        if may_wait:  # the table was missing or stale: the next start waits for LATER
            write_route_table()
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
    # The domains a served app imports after it answers (module docstring), one at a time.
    load_later(step)
    step()
    warm_catalogs()  # read from the compiled ones on disk (or compiled: 50 ms a language)
    configure_mappers()  # done by the first ORM query otherwise: 0.04 s
    db: Database = app.state.db
    for domain in domains():  # read models (the router's context, ...): built off the request
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
