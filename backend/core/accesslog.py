"""Access log and request metrics as pure ASGI middleware (no per-request objects beyond a
closure; cheaper than ``BaseHTTPMiddleware``).

One line per request with method, route *template*, status and duration. Never the raw path
(private links carry tokens in the path), the query string, cookies, headers or bodies, and
no client address: none of those belong in logs. Probe and metrics requests are logged at
DEBUG so that they do not drown the rest.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("loket.access")

UNMATCHED = "<unmatched>"
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})

Observer = Callable[[str, str, int, float], None]  # method, route, status, seconds


def route_template(scope: Scope) -> str:
    """The matched route's path template, e.g. ``/vraag/{token}``; never the raw path."""
    route = scope.get("route")
    if route is None:
        return UNMATCHED
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    if isinstance(route, Mount):
        return path.rstrip("/") + "/{path}"
    return path or "/"


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp, observers: Sequence[Observer] = ()) -> None:
        self.app = app
        self.observers = tuple(observers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # if the app raises before it answers, the error handler sends a 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            method = scope.get("method", "")
            route = route_template(scope)
            level = logging.DEBUG if route in QUIET_ROUTES else logging.INFO
            if log.isEnabledFor(level):
                log.log(level, "%s %s %s", method, route, status,
                        extra={"method": method, "route": route, "status": status,
                               "duration_ms": round(elapsed * 1000, 2)})
            for observe in self.observers:
                observe(method, route, status, elapsed)
