"""Liveness, readiness and metrics."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from backend.core.errors import NotFound
from backend.core.routing import LazyRoute
from backend.ops import metrics
from backend.ops.readiness import run_checks

router = APIRouter(include_in_schema=False, route_class=LazyRoute)


_ALIVE = b'{"status":"ok"}'


@router.get("/healthz")
async def healthz() -> Response:
    """The process is alive (no dependencies checked: a restart would not fix them). On the
    event loop: it must answer even when every request thread is busy. The body is made here,
    not by a response model: building one made the first probe after a start cost 23–25 ms of
    CPU instead of 6–9 (FastAPI imports ``pydantic.v1`` to check the model; docs/benchmarks.md,
    cold start)."""
    return Response(_ALIVE, media_type="application/json")


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """Ready for traffic: the database answers, the worker keeps up, and whatever else the
    domains registered in ``app.state.readiness_checks``."""
    ok, checks = run_checks(request.app)
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks},
                        status_code=200 if ok else 503,
                        headers={"Cache-Control": "no-store"})


@router.get("/metrics")
def prometheus_metrics(request: Request) -> Response:
    settings = request.app.state.settings
    if not settings.metrics_enabled:
        raise NotFound()
    if settings.metrics_token:
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {settings.metrics_token}".encode()):
            return Response("unauthorized\n", status_code=401, media_type="text/plain",
                            headers={"WWW-Authenticate": "Bearer"})
    elif settings.env != "development" and not settings.metrics_public:
        # Issue 12: figures about traffic, queues and errors are not for everyone. Outside
        # development they need LOKET_METRICS_TOKEN (or LOKET_METRICS_PUBLIC=1 where only
        # the scraper reaches the app).
        return Response("unauthorized: set LOKET_METRICS_TOKEN\n", status_code=401,
                        media_type="text/plain", headers={"WWW-Authenticate": "Bearer"})
    return Response(metrics.render(request.app.state.db), media_type=metrics.CONTENT_TYPE,
                    headers={"Cache-Control": "no-store"})
