"""Browser tests: the real app under uvicorn on loopback, driven by the system Chromium.

``live_server`` runs the whole application (middleware, sessions, the in-process worker) in a
thread against its own freshly migrated SQLite file. It does not use the rollback connection
of the unit tests: a browser makes parallel requests, and every one must see committed data.
It stays on SQLite even when ``LOKET_TEST_DATABASE_URL`` points at PostgreSQL.

Playwright drives Debian's Chromium (``/usr/bin/chromium``; ``make test`` installs it), so
nothing is downloaded. Browser and server live for the whole session; every test gets a fresh
context (cookies, storage) and page.

Mark browser test modules with ``pytestmark = pytest.mark.browser``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlmodel import col, select

from backend.core.db import Database
from backend.core.mail import MAIL_KIND
from backend.core.outbox import OutboxMessage
from backend.core.settings import Settings
from tests.conftest import TEST_SECRET

CHROMIUM = os.environ.get("LOKET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@dataclass
class LiveServer:
    url: str
    app: FastAPI
    db: Database
    settings: Settings

    def __call__(self, path: str = "/") -> str:
        return self.url + path

    def log_in(self, context: BrowserContext, user_id: int | None) -> None:
        """Give the browser context a logged-in session for ``user_id``."""
        from tests.factories.accounts import session_cookie_for

        context.add_cookies([{"name": "loket_session", "url": self.url,
                              "value": session_cookie_for(self.db, user_id)}])


def mailed(live_server: LiveServer, to: str, pattern: str, *, subject: str = "",
           wait: float = 10.0) -> str:
    """The first match of ``pattern`` in the newest kept mail to ``to`` (whose subject holds
    ``subject``) that has one, waiting up to ``wait`` seconds for the worker to write it."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        with live_server.db.transaction(write=False) as s:
            for row in s.exec(select(OutboxMessage).where(OutboxMessage.kind == MAIL_KIND)
                              .order_by(col(OutboxMessage.id).desc())).all():
                if row.payload["to"] == to and subject in row.payload["subject"]:
                    match = re.search(pattern, row.payload["text"])
                    if match:
                        return match.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to} matching {pattern!r} (subject with {subject!r})")


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    import uvicorn

    import backend.models  # noqa: F401 - full metadata for the migration environment
    from backend.core.migrate import upgrade
    from backend.main import create_app

    root = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{root / 'live.db'}"
    upgrade(url)
    sock = _free_socket()
    port = sock.getsockname()[1]
    settings = Settings(
        env="test", secret_key=TEST_SECRET, base_url=f"http://127.0.0.1:{port}",
        database_url=url, var_dir=root / "var", search_path=root / "search",
        worker_in_process=True, worker_poll_seconds=0.2, log_json=False, log_level="WARNING",
    )
    db = Database.from_settings(settings)
    app = create_app(settings, db, start_worker=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                          lifespan="on", timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="live-server")
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", app=app, db=db, settings=settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        db.engine.dispose()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: run 'make browsers' (apt-get install chromium)")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                         headless=True)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def new_context(browser: Browser, live_server: LiveServer
                ) -> Iterator[Callable[..., BrowserContext]]:
    """``new_context(java_script_enabled=False, viewport=...)``: closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**kwargs: Any) -> BrowserContext:
        kwargs.setdefault("base_url", live_server.url)
        kwargs.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page in a fresh context (no cookies: Dutch, logged out) with JavaScript on."""
    return new_context().new_page()


@pytest.fixture
def page_without_js(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context(java_script_enabled=False).new_page()
