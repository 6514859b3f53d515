"""Readiness checks: ``/readyz`` runs every check in ``app.state.readiness_checks``.

A check is a function of the app that returns a dict with at least ``ok`` (bool); raising
counts as not ok. Domains add theirs with :func:`add_readiness_check`, for example the search
engine in ``create_app``::

    add_readiness_check(app, "search", lambda app: {"ok": backend.health().ok})
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from backend.core.db import Database
from backend.core.worker import failed_count, outbox_lag_seconds

log = logging.getLogger("loket.ready")

ReadinessCheck = Callable[[FastAPI], dict[str, Any]]


def check_database(app: FastAPI) -> dict[str, Any]:
    db: Database = app.state.db
    with db.transaction(write=False) as s:
        s.exec(text("SELECT 1"))  # type: ignore[call-overload]
    return {"ok": True}


def check_worker(app: FastAPI) -> dict[str, Any]:
    """Lag is the age of the oldest due message; failed messages are reported, not fatal
    (they wait for an admin at /beheer/uitgaand)."""
    db: Database = app.state.db
    max_lag = app.state.settings.ready_max_lag_seconds
    lag = outbox_lag_seconds(db)
    return {"ok": not max_lag or lag <= max_lag, "lag_seconds": round(lag, 3),
            "max_lag_seconds": max_lag, "failed": failed_count(db)}


def install_readiness(app: FastAPI) -> None:
    app.state.readiness_checks = {"database": check_database, "worker": check_worker}


def add_readiness_check(app: FastAPI, name: str, check: ReadinessCheck) -> None:
    app.state.readiness_checks[name] = check


def run_checks(app: FastAPI) -> tuple[bool, dict[str, dict[str, Any]]]:
    results: dict[str, dict[str, Any]] = {}
    for name, check in dict(app.state.readiness_checks).items():
        start = time.perf_counter()
        try:
            result = dict(check(app))
        except Exception as exc:  # readiness reports, it does not raise
            log.warning("readiness check failed", extra={"check": name,
                                                         "error": type(exc).__name__})
            result = {"ok": False, "error": type(exc).__name__}
        result["ok"] = bool(result.get("ok"))
        result["ms"] = round((time.perf_counter() - start) * 1000, 1)
        results[name] = result
        if name == "database" and not result["ok"]:
            # Everything else reads the database too: report it as the one cause.
            for rest in app.state.readiness_checks:
                results.setdefault(rest, {"ok": False, "error": "database unavailable"})
            break
    return all(r["ok"] for r in results.values()), results
