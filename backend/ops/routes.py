"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy import text

from backend.core.worker import failed_count, outbox_lag_seconds

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    db = request.app.state.db
    checks: dict[str, dict[str, object]] = {}
    ok = True
    try:
        with db.transaction(write=False) as s:
            s.exec(text("SELECT 1"))  # type: ignore[call-overload]
        checks["database"] = {"ok": True}
        checks["worker"] = {"ok": True, "lag_seconds": round(outbox_lag_seconds(db), 3),
                            "failed": failed_count(db)}
    except Exception as exc:  # noqa: BLE001 - readiness reports, it does not raise
        ok = False
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks},
                        status_code=200 if ok else 503)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    settings = request.app.state.settings
    if not settings.metrics_enabled:
        return PlainTextResponse("not found", status_code=404)
    if settings.metrics_token:
        if request.headers.get("authorization") != f"Bearer {settings.metrics_token}":
            return PlainTextResponse("forbidden", status_code=403)
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
