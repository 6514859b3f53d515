"""Shared fixtures: a real database migrated once by Alembic, a rollback per test.

The suite runs on SQLite by default and on PostgreSQL when ``LOKET_TEST_DATABASE_URL`` points
at one (``make test`` does both). Every unit of work in a test — the request's session, the
session middleware, the worker — runs in a savepoint of one outer transaction that is rolled
back afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import secrets
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from backend.core.db import Database, make_engine
from backend.core.settings import Settings
from tests.client import LoketClient

TEST_SECRET = "test-secret-" + "x" * 40


def _database_url(tmp_root: Path) -> str:
    base = os.environ.get("LOKET_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_root / 'loket-test.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return base
    # Parallel test processes (pytest-xdist) share the PostgreSQL database: each migrates and
    # uses a schema of its own instead of ``public``.
    return schema_url(base, _worker_schema(worker))


def schema_url(base: str, schema: str) -> str:
    """A PostgreSQL URL whose connections work in ``schema`` (``search_path``), so that a
    subprocess given it sees the same tables."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def _worker_schema(worker: str) -> str:
    return f"loket_{''.join(ch for ch in worker if ch.isalnum())}"


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("LOKET_TEST_DATABASE_URL") or "sqlite (temporary file)"
    return f"loket test database: {url.split('@')[-1]}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    from backend.core.migrate import upgrade

    eng = make_engine(database_url)
    if eng.dialect.name == "postgresql":
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        schema = _worker_schema(worker) if worker else "public"
        with eng.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    with eng.begin() as conn:
        upgrade(connection=conn)
    yield eng
    eng.dispose()


@pytest.fixture(autouse=True)
def _fresh_routing_cache() -> None:
    """The router keeps its context (desks, regions, the taxonomy's theme matcher) per database
    URL. Every test rolls its rows back on the same URL, so a test must not inherit the context
    a test before it built."""
    from backend.routing.service import invalidate

    invalidate()


@pytest.fixture(autouse=True)
def _limits_clock_at_window_start(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Limits count in fixed windows with a sliding estimate, so a test that straddles a
    window boundary sees a count of 5 as 4.99 and flakes (CI, 2026-12-07, a 900 s window).
    The limits' clock runs from 1 s into the next UTC day: every window in RATE_LIMITS
    divides 86400, so a test stays inside one window of each. Tests of the sliding estimate
    itself pass ``now`` explicitly."""
    start = time.time()
    offset = (start // 86400 + 1) * 86400 + 1 - start
    clock = types.SimpleNamespace(time=lambda: time.time() + offset)
    monkeypatch.setattr("backend.core.ratelimit.time", clock)
    monkeypatch.setattr("backend.core.limits.time", clock)
    yield


@pytest.fixture
def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    try:
        yield conn
    finally:
        if outer.is_active:
            outer.rollback()
        conn.close()


@contextmanager
def undone(connection: Connection) -> Iterator[None]:
    """Run the block in a savepoint that is rolled back afterwards, and released.

    SQLAlchemy's ``rollback()`` of a nested transaction rolls back *to* the savepoint and
    leaves it in place, so the next savepoint nests inside it. Thousands of them (one per
    matrix cell or fuzz example) in one outer transaction each keep a transaction-id lock on
    PostgreSQL until the outer transaction ends: ≈ 5,000 locks in the permission matrix,
    enough to exhaust the server's shared lock table (``max_locks_per_transaction`` × max
    connections) when another test process runs beside it."""
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            name = savepoint._savepoint
            savepoint.rollback()
            connection.exec_driver_sql(f"RELEASE SAVEPOINT {name}")


@pytest.fixture
def db(engine: Engine, connection: Connection) -> Database:
    return Database(engine, connection=connection)


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    """A session for arranging and checking data; it shares the test's outer transaction."""
    s = db.session()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url)


def make_settings(tmp_path: Path, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "secret_key": TEST_SECRET,
        "base_url": "http://testserver",
        "database_url": database_url,
        "var_dir": tmp_path / "var",
        "search_path": tmp_path / "search",
        "worker_in_process": False,
        "log_json": False,
    }
    values.update(overrides)
    return Settings(**values)


# FastAPI includes routers lazily: the first request an app routes builds, for every route of
# every router it passes, the route's dependency tree and pydantic adapters (the menu asks
# every route whether a door's page exists, so every route). That costs ≈ 0.3 s of CPU per
# app, and the suite builds an app per test. The routes are the same module-level objects in
# every app, so this cache builds each route's state once per test process and gives it to
# the next apps. Its one link back to an app is ``dependency_overrides_provider`` (the first
# app): the ``app`` fixture checks that no test relies on ``app.dependency_overrides``.
_route_states: dict[tuple[Any, ...], Any] = {}


def _shared_route_state() -> None:
    from fastapi import routing as fr

    build = fr._EffectiveRouteContext.from_api_route.__func__  # type: ignore[attr-defined]
    if getattr(fr._EffectiveRouteContext, "_loket_shared", False):
        return

    def from_api_route(cls: Any, *, original_route: Any, include_context: Any) -> Any:
        ctx = include_context
        key = (id(original_route), id(ctx.included_router), ctx.prefix, tuple(ctx.tags),
               tuple((d.dependency, d.use_cache, d.scope) for d in ctx.dependencies),
               repr(ctx.responses), ctx.include_in_schema, ctx.deprecated,
               repr(ctx.default_response_class), len(ctx.callbacks))
        hit = _route_states.get(key)
        if hit is None or hit[0] is not original_route:
            hit = (original_route, build(cls, original_route=original_route,
                                         include_context=include_context))
            _route_states[key] = hit
        return hit[1]

    fr._EffectiveRouteContext.from_api_route = classmethod(from_api_route)  # type: ignore
    fr._EffectiveRouteContext._loket_shared = True  # type: ignore[attr-defined]


@pytest.fixture
def app(settings: Settings, db: Database) -> Iterator[FastAPI]:
    from backend.main import create_app

    _shared_route_state()
    app = create_app(settings, db, start_worker=False)
    yield app
    assert not app.dependency_overrides, "the shared route state ignores dependency overrides"


@pytest.fixture
def client(app: FastAPI) -> Iterator[LoketClient]:
    with LoketClient(app) as c:
        yield c


@pytest.fixture
def client_for() -> Iterator[Callable[..., LoketClient]]:
    """More clients of an app (another address, other options), closed after the test."""
    opened: list[LoketClient] = []

    def open_client(app: FastAPI, **kwargs: Any) -> LoketClient:
        c = LoketClient(app, **kwargs)
        c.__enter__()
        opened.append(c)
        return c

    yield open_client
    for c in opened:
        c.__exit__(None, None, None)


@pytest.fixture
def login(db: Database, client: LoketClient) -> Callable[..., LoketClient]:
    """``login(user)`` gives the test client a logged-in session for ``user``."""
    from tests.factories.accounts import session_cookie_for

    def _login(user: Any, c: LoketClient | None = None) -> LoketClient:
        target = c or client
        target.cookies.delete("loket_session")  # also one the server set (domain-bound)
        target.cookies.set("loket_session", session_cookie_for(db, user.id))
        return target

    return _login


@pytest.fixture
def random_email() -> str:
    return f"user-{secrets.token_hex(4)}@example.nl"


# Fixtures through which a test reaches the database under test. A test that uses none of them
# (pure functions, templates, the browser tests' own SQLite server) gives the same result on
# every database, so the PostgreSQL run leaves it to the SQLite run.
DATABASE_FIXTURES = frozenset({"engine", "database_url", "fresh_db", "empty_schema_url"})


def _is_browser_test(item: pytest.Item) -> bool:
    return (item.get_closest_marker("browser") is not None
            or item.nodeid.startswith("tests/browser/"))


def _uses_database(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return not _is_browser_test(item) and not DATABASE_FIXTURES.isdisjoint(names)


# `make test-fast`, the inner loop, leaves out the tests marked ``slow`` (`-m "not slow"`);
# `make test` (CI) runs everything. Marked slow: every Hypothesis property test (fuzzing, found
# wherever it is) and the files and tests below, which fuzz, start processes or servers, or
# build a whole world per test. Aim: `make test-fast` under two minutes on 2 idle cores
# (README, "The inner loop").
SLOW_FILES = frozenset({
    "tests/security/test_api_fuzz.py",  # schemathesis over the whole API
    "tests/security/test_permission_matrix.py",  # every route x every actor
    "tests/security/test_search_matrix.py",
    "tests/security/test_get_no_writes.py",
    "tests/security/test_xss.py",
    "tests/core/test_worker_process.py",  # worker processes
    "tests/core/test_worker_concurrency.py",
    "tests/core/test_migrate.py",  # migrations from empty, up and down
    "tests/core/test_backup.py",
    "tests/cases/test_concurrency.py",  # threads racing on one database
    "tests/ops/test_scale_out.py",  # several app processes
    "tests/faults/test_mail_faults.py",  # SMTP servers that fail
    "tests/faults/test_search_faults.py",
    "tests/faults/test_worker_faults.py",
    # single tests: the whole real seed, every route or every seeded page, a killed process
    "tests/content/test_seed.py::test_the_real_seed_loads_twice_without_changes",
    "tests/content/test_provenance.py::"
    "test_no_seeded_scheme_page_shows_a_check_date_without_a_source_for_each_term",
    "tests/security/test_csrf.py::"
    "test_every_unsafe_route_refuses_forged_requests_and_accepts_real_ones",
    "tests/insight/test_pages.py::test_no_person_firm_or_question_text_in_any_insight_output",
    "tests/core/test_mail.py::test_killed_worker_process_loses_no_mail",
    "tests/core/test_request_limits.py::test_the_body_timeout_ends_with_the_body",
})


def pytest_itemcollected(item: pytest.Item) -> None:
    """Mark the slow tests (see ``SLOW_FILES``) before `-m` selects."""
    if (item.nodeid.split("::")[0] in SLOW_FILES or item.nodeid.split("[")[0] in SLOW_FILES
            or getattr(getattr(item, "obj", None), "is_hypothesis_test", False)):
        item.add_marker(pytest.mark.slow)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, run only the tests that touch the database (see ``DATABASE_FIXTURES``).

    Browser tests run last: Playwright's sync API keeps an event loop running in the main
    thread for the rest of the session, which would break ``asyncio.run`` in later tests (and
    the fast tests give feedback first)."""
    if os.environ.get("LOKET_TEST_DATABASE_URL") and not os.environ.get("LOKET_TEST_ALL"):
        independent = [item for item in items if not _uses_database(item)]
        if independent:
            config.hook.pytest_deselected(items=independent)
            items[:] = [item for item in items if _uses_database(item)]
    items.sort(key=_is_browser_test)

