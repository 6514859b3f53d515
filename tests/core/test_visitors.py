"""The warm-up steps aside for visitors (issue 19 item 3): requests in flight are counted by
the outermost middleware, the warm-up's own are not, and the warm-up waits before each step."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from backend import main
from backend.core.db import Database
from backend.core.routing import LazyRoute
from backend.core.settings import Settings
from backend.core.visitors import WARM_UP_SCOPE_KEY, Visitors
from backend.main import WARM_PAGES, _warm_up
from tests.client import LoketClient


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_quiet_only_with_nothing_in_flight_and_a_pause_after_the_last_request() -> None:
    clock = Clock()
    v = Visitors(quiet_seconds=0.2, start_seconds=2.0, clock=clock, sleep=clock.sleep)
    assert not v.quiet()  # just made: the server is starting
    clock.now += 1.5
    assert not v.quiet()  # no probe yet (a busy machine: the server may not listen yet)
    clock.now += 0.5
    assert v.quiet()  # nobody came in two seconds
    v.enter()
    v.enter()
    assert not v.quiet()
    v.leave()
    assert not v.quiet()  # one still in flight
    v.leave()
    assert not v.quiet()  # just ended
    clock.now += 0.125
    assert not v.quiet()
    clock.now += 0.125
    assert v.quiet()


def test_the_first_requests_end_the_start_sooner() -> None:
    clock = Clock()
    v = Visitors(quiet_seconds=0.2, start_seconds=2.0, clock=clock, sleep=clock.sleep)
    clock.now += 0.25
    v.enter()  # the first health probe
    v.leave()
    v.enter()  # a visitor right after it
    clock.now += 0.125
    v.leave()
    start = clock.now
    v.wait_quiet()
    assert 0.2 <= clock.now - start < 0.25  # not the rest of the two seconds


def test_wait_quiet_returns_after_the_pause() -> None:
    clock = Clock()
    v = Visitors(quiet_seconds=0.2, clock=clock, sleep=clock.sleep)
    v.enter()
    v.leave()
    start = clock.now
    v.wait_quiet()
    assert 0.2 <= clock.now - start < 0.25


def test_the_middleware_counts_visitors_but_not_the_warm_up(app: FastAPI,
                                                            client: LoketClient) -> None:
    visitors: Visitors = app.state.visitors
    seen: list[int] = []
    enter, leave = visitors.enter, visitors.leave
    before = time.monotonic()

    def counted_enter() -> None:
        enter()
        seen.append(visitors.in_flight)

    def counted_leave() -> None:
        leave()
        seen.append(visitors.in_flight)

    visitors.enter = counted_enter  # type: ignore[method-assign]
    visitors.leave = counted_leave  # type: ignore[method-assign]
    assert client.get("/healthz").status_code == 200
    assert seen == [1, 0]
    assert visitors.last_end is not None and visitors.last_end >= before

    async def marked_request() -> int:
        async def marked(scope: Scope, receive: Receive, send: Send) -> None:
            await app({**scope, WARM_UP_SCOPE_KEY: True}, receive, send)

        transport = httpx.ASGITransport(app=marked)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            return (await c.get("/healthz")).status_code

    assert asyncio.run(marked_request()) == 200
    assert seen == [1, 0]  # the warm-up's request is not a visitor's


def test_the_warm_up_waits_before_each_page(app: FastAPI) -> None:
    routes = {r.path: r for r in app.router.routes
              if isinstance(r, LazyRoute) and "GET" in (r.methods or ())}
    built_at_each_wait: list[int] = []

    def wait() -> None:
        built_at_each_wait.append(sum(routes[p].built for p in WARM_PAGES))

    _warm_up(app, WARM_PAGES, wait=wait)
    # a wait before the catalogs, the templates and the dummy hash, then one before each page
    pages = built_at_each_wait[-len(WARM_PAGES):]
    assert pages == list(range(len(WARM_PAGES)))
    assert len(built_at_each_wait) >= len(WARM_PAGES) + 3
    assert all(routes[p].built for p in WARM_PAGES)


@pytest.mark.parametrize("database_fails", [False, True])
def test_a_served_start_configures_what_every_page_needs_before_it_answers(
        settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch,
        database_fails: bool) -> None:
    """Before ``/healthz`` answers: the catalogs and SQLAlchemy's mappers (every page needs
    them) and the taxonomy (most pages read it first; a database that fails leaves it to the
    first page and the start goes on); the rest is left to the warm-up thread, which waits for
    quiet moments."""
    done: list[str] = []

    def taxonomy(given: Database) -> None:
        assert given is db
        done.append("taxonomy")
        if database_fails:
            raise OSError("no database yet")

    threads: list[dict[str, Any]] = []

    class NoThread:
        def __init__(self, **kwargs: Any) -> None:
            threads.append(kwargs)

        def start(self) -> None:
            done.append("warm-up started")

    monkeypatch.setattr(main, "warm_catalogs", lambda: done.append("catalogs"))
    monkeypatch.setattr(main, "configure_mappers", lambda: done.append("mappers"))
    monkeypatch.setattr(main, "warm_taxonomy", taxonomy)
    monkeypatch.setattr(main.threading, "Thread", NoThread)
    monkeypatch.setattr(main.gc, "freeze", lambda: None)
    served = main.create_app(settings, db, start_worker=False, warm_up=True)
    with LoketClient(served) as c:
        assert done == ["catalogs", "mappers", "taxonomy", "warm-up started"]
        assert c.get("/healthz").status_code == 200
    assert threads[0]["kwargs"] == {"wait": served.state.visitors.wait_quiet}
