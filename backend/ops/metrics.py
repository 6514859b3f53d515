"""Prometheus metrics: requests by route template and status, outbox and worker gauges.

The metrics live in the process's default registry (so the process and platform collectors
come along). With ``loket serve --workers N`` each process counts its own requests; in the
compose setup every app replica is one process and is scraped on its own.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func
from sqlmodel import col, select

from backend.core.db import Database
from backend.core.outbox import FAILED, PENDING, OutboxMessage
from backend.core.worker import outbox_lag_seconds

REQUESTS = Counter("loket_http_requests", "HTTP requests handled",
                   ["method", "route", "status"])
LATENCY = Histogram("loket_http_request_duration_seconds", "Time to answer an HTTP request",
                    ["method", "route", "status"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
OUTBOX = Gauge("loket_outbox_messages", "Outbox messages by status (pending, failed)",
               ["status"])
WORKER_LAG = Gauge("loket_worker_lag_seconds",
                   "Age of the oldest outbox message that is due but not delivered")

CONTENT_TYPE = CONTENT_TYPE_LATEST


_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    # Route templates, methods and statuses are few: keep each label set's children
    # (``labels()`` costs more than the observation itself).
    key = (method, route, status)
    pair = _children.get(key)
    if pair is None:
        pair = _children[key] = (REQUESTS.labels(method, route, str(status)),
                                 LATENCY.labels(method, route, str(status)))
    pair[0].inc()
    pair[1].observe(seconds)


def update_gauges(db: Database) -> None:
    """Read the outbox state at scrape time: the numbers are the database's, not a process's."""
    with db.transaction(write=False) as s:
        rows = s.exec(select(OutboxMessage.status, func.count())
                      .where(col(OutboxMessage.status).in_((PENDING, FAILED)))
                      .group_by(col(OutboxMessage.status))).all()
    counts = {PENDING: 0, FAILED: 0} | {status: int(n) for status, n in rows}
    for status, n in counts.items():
        OUTBOX.labels(status).set(n)
    WORKER_LAG.set(outbox_lag_seconds(db))


def render(db: Database) -> bytes:
    update_gauges(db)
    return generate_latest()
