"""Issue 12 (low): the embedded server parsed a 50 MB body and kept slow connections open
forever. Now a body above ``LOKET_MAX_BODY_BYTES`` gets 413 before it is read, a body that
trickles in gets 408 after ``LOKET_BODY_TIMEOUT_SECONDS`` and the connection is closed, and a
request whose headers trickle in is cut off after ``LOKET_HEADER_TIMEOUT_SECONDS``.

These run the real server protocol (uvicorn with ``backend.core.server``'s protocol classes,
as ``loket serve`` does) on a loopback port and talk to it with raw sockets, the way the
outside test did.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import APIRouter, Request

from backend.accounts.deps import client_ip
from backend.core.db import Database
from backend.core.server import GuardedH11Protocol, GuardedHttpToolsProtocol, uvicorn_options
from backend.main import create_app
from tests.client import LoketClient
from tests.conftest import make_settings

HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
MAX_BODY = 64 * 1024


def _serve(app: Any, protocol: type) -> Iterator[int]:
    """``app`` on a loopback port, with ``loket serve``'s options (``uvicorn_options``)."""
    guarded = type("Guarded", (protocol,), {"header_timeout": HEADER_TIMEOUT})
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    options = {**uvicorn_options(app.state.settings), "http": guarded}
    config = uvicorn.Config(app, lifespan="off", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])),
                              daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


@pytest.fixture(params=[GuardedHttpToolsProtocol, GuardedH11Protocol],
                ids=["httptools", "h11"])
def port(request: pytest.FixtureRequest, tmp_path: Path, database_url: str,
         db: Database) -> Iterator[int]:
    settings = make_settings(tmp_path, database_url, max_body_bytes=MAX_BODY,
                             body_timeout_seconds=BODY_TIMEOUT)
    app = create_app(settings, db, start_worker=False)
    yield from _serve(app, request.param)


def _connect(port: int) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    conn.settimeout(10)
    return conn


def _read_until_closed(conn: socket.socket) -> bytes:
    data = b""
    while True:
        try:
            chunk = conn.recv(65536)
        except (ConnectionResetError, TimeoutError):
            return data
        if not chunk:
            return data
        data += chunk


def _post_head(length: int, path: str = "/api/v1/routing/dry-run") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n").encode()


def test_a_body_above_the_limit_gets_413_before_it_is_read(port: int) -> None:
    conn = _connect(port)
    started = time.monotonic()
    conn.sendall(_post_head(50 * 1024 * 1024) + b'{"text": "' + b"a" * 1000)
    answer = _read_until_closed(conn)
    took = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"code":"http_413"' in answer
    assert took < 2.0, took  # not after 50 MB, and the connection is closed


def test_a_chunked_body_is_counted_as_it_comes(port: int) -> None:
    conn = _connect(port)
    head = (b"POST /api/v1/routing/dry-run HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"a" * 16384
    conn.sendall(head)
    try:
        for _ in range(8):  # 128 KiB, twice the limit
            conn.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed while we were still sending
    assert _read_until_closed(conn).startswith(b"HTTP/1.1 413")


def test_a_slow_body_gets_408_and_the_connection_closes(port: int) -> None:
    conn = _connect(port)
    started = time.monotonic()
    conn.sendall(_post_head(1000) + b'{"text": ')
    answer = _read_until_closed(conn)  # we send nothing more
    took = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert BODY_TIMEOUT <= took < BODY_TIMEOUT + 3, took


def test_slow_headers_close_the_connection(port: int) -> None:
    """Slow loris: one header byte at a time, each well within any per-read timeout."""
    conn = _connect(port)
    started = time.monotonic()
    conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    closed_after = None
    for _ in range(40):
        time.sleep(0.1)
        try:
            conn.sendall(b"a")
        except (BrokenPipeError, ConnectionResetError):
            closed_after = time.monotonic() - started
            break
        conn.settimeout(0.01)
        try:
            if conn.recv(1024) == b"":
                closed_after = time.monotonic() - started
                break
        except TimeoutError:
            pass
        except ConnectionResetError:
            closed_after = time.monotonic() - started
            break
    assert closed_after is not None, "the server kept a 4-second slow-loris connection open"
    assert HEADER_TIMEOUT <= closed_after < HEADER_TIMEOUT + 1.5, closed_after


def test_a_quick_request_on_the_same_server_is_served(port: int) -> None:
    """The guards do not get in the way of an ordinary request or a kept-alive second one."""
    conn = _connect(port)
    for _ in range(2):
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while b'"status"' not in answer:
            answer += conn.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200")
        time.sleep(HEADER_TIMEOUT * 1.5)  # idle between requests is the keep-alive's business


def test_the_limit_applies_in_the_app_too(tmp_path: Path, database_url: str,
                                          db: Database) -> None:
    """Through the ASGI app alone (any server): a form post above the limit is a Dutch 413
    page, a JSON one a structured error."""
    settings = make_settings(tmp_path, database_url, max_body_bytes=MAX_BODY)
    app = create_app(settings, db, start_worker=False)
    with LoketClient(app) as client:
        page = client.post("/vraag", data={"text": "x" * (MAX_BODY + 1)})
        assert page.status_code == 413 and "Het verzoek is te groot." in page.text
        api = client.post("/api/v1/routing/dry-run", csrf=False,
                          content=b'{"text": "' + b"x" * MAX_BODY + b'"}',
                          headers={"Content-Type": "application/json", "Cookie": ""})
        assert api.status_code == 413 and api.json()["error"]["code"] == "http_413"
        small = client.post("/vraag", data={"text": "x" * 100})
        assert small.status_code != 413


@pytest.mark.parametrize(("allowed", "seen"), [
    ("127.0.0.1", "203.0.113.9"),   # the proxy is the peer: its X-Forwarded-For counts
    ("10.9.8.7", "127.0.0.1"),      # any other peer: the header is ignored
])
def test_x_forwarded_for_is_believed_only_from_the_configured_proxies(
        tmp_path: Path, database_url: str, db: Database, allowed: str, seen: str) -> None:
    """Issue 12 (low): the client address (rate limits, audit log) comes from
    ``X-Forwarded-For`` only when the connection comes from ``LOKET_FORWARDED_ALLOW_IPS``;
    otherwise anyone could pick the address their requests are counted under."""
    settings = make_settings(tmp_path, database_url, forwarded_allow_ips=allowed)
    app = create_app(settings, db, start_worker=False)
    probe = APIRouter()

    @probe.get("/_test/client-ip")
    def who(request: Request) -> dict[str, str]:
        return {"ip": client_ip(request), "scheme": request.url.scheme}

    app.include_router(probe)
    for port in _serve(app, GuardedHttpToolsProtocol):
        conn = _connect(port)
        conn.sendall(b"GET /_test/client-ip HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\n"
                     b"Connection: close\r\n\r\n")
        answer = _read_until_closed(conn)
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert f'"ip":"{seen}"'.encode() in answer
        scheme = "https" if seen != "127.0.0.1" else "http"
        assert f'"scheme":"{scheme}"'.encode() in answer


def test_the_body_timeout_ends_with_the_body(tmp_path: Path, database_url: str,
                                             db: Database) -> None:
    """A response that streams longer than the body timeout (and waits for the client's
    disconnect meanwhile, as Starlette's StreamingResponse does) is not cut off: the timeout
    covers receiving the body, nothing after it."""
    from fastapi.responses import StreamingResponse

    settings = make_settings(tmp_path, database_url, body_timeout_seconds=0.3)
    app = create_app(settings, db, start_worker=False)
    probe = APIRouter()

    async def slow_parts() -> Any:
        for part in (b"een ", b"twee ", b"drie"):
            await asyncio.sleep(0.25)
            yield part

    @probe.get("/_test/slow-stream")
    def stream() -> StreamingResponse:
        return StreamingResponse(slow_parts(), media_type="text/plain")

    app.include_router(probe)
    for port in _serve(app, GuardedHttpToolsProtocol):
        conn = _connect(port)
        conn.sendall(b"GET /_test/slow-stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Connection: close\r\n\r\n")
        answer = _read_until_closed(conn)
        assert answer.startswith(b"HTTP/1.1 200") and b"drie" in answer, answer[-200:]
