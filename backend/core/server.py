"""The embedded HTTP server's protocol: a time limit for request headers.

uvicorn (``loket serve``) waits for a request's headers as long as the client keeps the
connection open: its keep-alive timer stops at the first byte, and a new connection has no
timer at all, so a client that sends one header byte every few seconds holds a connection
(and its memory) forever ("slow loris", issue 12). ``GuardedH11Protocol`` closes a
connection whose request line and headers are not complete within
``LOKET_HEADER_TIMEOUT_SECONDS`` of its first byte after the previous response (or of the
connection's start), for both of uvicorn's HTTP parsers (httptools, which ``uvicorn[standard]``
brings and ``loket serve`` uses, and h11). The body is the app's business:
``core.middleware.RequestGuardMiddleware`` limits its size and the time it takes to arrive.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from backend.core.settings import Settings, get_settings

# Request threads and concurrent requests per web process. A sync endpoint holds one of anyio's
# threads for its whole run, also while it waits in SQLite's write queue; the writer that holds
# the lock then needs a thread once more (its session's commit runs in one) before it can give
# the lock back. With anyio's default of 40 threads, 40 waiting writers in one process left the
# holder without a thread: nothing committed until the queue timed out (a 60 s stall, then 500s,
# at a cold start under load in tests/cases/test_concurrency.py). uvicorn takes at most
# ``MAX_CONCURRENT_REQUESTS`` at once (more: 503 at once, not a stall), fewer than the threads,
# so a holder always finds one; the SQLite pool has a connection for every thread.
REQUEST_THREADS = 100
MAX_CONCURRENT_REQUESTS = 80


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How ``loket serve`` runs uvicorn (the tests start the server with the same options).

    ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed only from the peers in
    ``LOKET_FORWARDED_ALLOW_IPS`` (the reverse proxy); from any other peer they are ignored and
    the connection's own address is the client (rate limits, audit log).
    """
    return {
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "http": "backend.core.server:GuardedHttpToolsProtocol",
        # Loket serves no WebSocket: an upgrade request is a plain HTTP request (uvicorn loads
        # no WebSocket implementation, 0.03 s of a cold start).
        "ws": "none",
        "timeout_keep_alive": 5,
        "limit_concurrency": MAX_CONCURRENT_REQUESTS,
        "h11_max_incomplete_event_size": 16 * 1024,  # request line and headers
        "server_header": False,
        "access_log": False,
        "log_config": None,
        "log_level": settings.log_level.lower(),
    }


class _HeaderDeadline:
    """Mixin for uvicorn's protocol classes (both have ``loop``, ``transport``, ``cycle``)."""

    header_timeout: float | None = None  # None: LOKET_HEADER_TIMEOUT_SECONDS
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    cycle: Any
    logger: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_limit = (self.header_timeout if self.header_timeout is not None
                              else get_settings().header_timeout_seconds)
        self._header_timer: asyncio.TimerHandle | None = None

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self._header_limit, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _waiting_for_headers(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self._waiting_for_headers() and not self.transport.is_closing():
            self.logger.info("closed a connection whose request headers took over %ss",
                             self._header_limit)
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        if self._header_timer is None and self._waiting_for_headers():
            self._arm_header_timer()  # the first byte of a request on a kept-alive connection
        super().data_received(data)  # type: ignore[misc]
        if not self._waiting_for_headers():
            self._cancel_header_timer()  # headers complete: the app takes over

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)  # type: ignore[misc]


class GuardedHttpToolsProtocol(_HeaderDeadline, HttpToolsProtocol):  # type: ignore[misc]
    pass


class GuardedH11Protocol(_HeaderDeadline, H11Protocol):  # type: ignore[misc]
    pass
