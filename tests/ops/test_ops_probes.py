"""/healthz, /readyz with its extensible checks, and /metrics behind its settings."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from backend.core.db import Database, make_engine, utcnow
from backend.core.outbox import FAILED, enqueue
from backend.core.settings import Settings
from backend.ops.readiness import add_readiness_check
from tests.client import LoketClient

router = APIRouter()


@router.get("/_test/ops/items/{item_id}")
def _item(item_id: int) -> dict[str, int]:
    return {"item": item_id}


def _app(settings: Settings, db: Database, **overrides: Any) -> FastAPI:
    from backend.main import create_app

    app = create_app(settings.model_copy(update=overrides), db, start_worker=False)
    app.include_router(router)
    return app


def test_healthz_answers_without_touching_anything(client: LoketClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    # The same bytes and type as FastAPI's JSON response of the dict it returned before.
    assert r.content == b'{"status":"ok"}'
    assert r.headers["content-type"] == "application/json"


def test_readyz_reports_database_and_worker(client: LoketClient) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    worker = body["checks"]["worker"]
    assert worker["ok"] is True and worker["lag_seconds"] == 0 and worker["failed"] == 0
    assert r.headers["cache-control"] == "no-store"


def test_readyz_fails_when_the_worker_lags(settings: Settings, db: Database,
                                           session: Session) -> None:
    msg = enqueue(session, "test.ops.lagging", {})
    assert msg is not None
    msg.available_at = utcnow() - timedelta(minutes=20)
    failed = enqueue(session, "test.ops.failed", {})
    assert failed is not None
    failed.status = FAILED
    session.add_all([msg, failed])
    session.commit()
    with LoketClient(_app(settings, db, ready_max_lag_seconds=600)) as c:
        r = c.get("/readyz")
    assert r.status_code == 503
    worker = r.json()["checks"]["worker"]
    assert worker["ok"] is False and worker["lag_seconds"] >= 1200 and worker["failed"] == 1
    with LoketClient(_app(settings, db, ready_max_lag_seconds=0)) as c:  # 0: lag not checked
        assert c.get("/readyz").status_code == 200


def test_readyz_fails_without_a_database(settings: Settings) -> None:
    from backend.main import create_app

    unreachable = Database(make_engine("postgresql://nobody@127.0.0.1:9/none",
                                       connect_args={"connect_timeout": 2}))
    with LoketClient(create_app(settings, unreachable, start_worker=False)) as c:
        r = c.get("/readyz")
        assert c.get("/healthz").status_code == 200  # alive, but not ready
    assert r.status_code == 503
    checks = r.json()["checks"]
    assert checks["database"]["ok"] is False and checks["worker"]["ok"] is False
    assert "127.0.0.1" not in r.text  # no connection details leak


def test_domains_can_add_readiness_checks(settings: Settings, db: Database) -> None:
    app = _app(settings, db)
    add_readiness_check(app, "search", lambda app: {"ok": True, "backend": "embedded"})
    with LoketClient(app) as c:
        r = c.get("/readyz")
        assert r.status_code == 200 and r.json()["checks"]["search"]["backend"] == "embedded"

        def broken(app: FastAPI) -> dict[str, Any]:
            raise ConnectionError("meilisearch down")

        add_readiness_check(app, "search", broken)
        r = c.get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["search"] == {"ok": False, "error": "ConnectionError",
                                            "ms": r.json()["checks"]["search"]["ms"]}


# --- metrics ---------------------------------------------------------------------------------

def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def _value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
           **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_count_requests_by_route_template_and_status(settings: Settings, db: Database
                                                             ) -> None:
    route = "/_test/ops/items/{item_id}"
    with LoketClient(_app(settings, db, metrics_public=True)) as c:
        before = _samples(c.get("/metrics").text)
        assert c.get("/_test/ops/items/8723461").status_code == 200
        assert c.get("/_test/ops/items/8723462").status_code == 200
        assert c.get("/_test/ops/items/not-a-number").status_code == 422
        c.get("/no/such/page/4711")
        r = c.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    after = _samples(r.text)
    labels = {"method": "GET", "route": route}
    assert (_value(after, "loket_http_requests_total", **labels, status="200")
            - _value(before, "loket_http_requests_total", **labels, status="200")) == 2
    assert (_value(after, "loket_http_requests_total", **labels, status="422")
            - _value(before, "loket_http_requests_total", **labels, status="422")) == 1
    assert (_value(after, "loket_http_request_duration_seconds_count", **labels, status="200")
            - _value(before, "loket_http_request_duration_seconds_count", **labels,
                     status="200")) == 2
    assert _value(after, "loket_http_requests_total", method="GET", route="<unmatched>",
                  status="404") >= 1
    # Routes are labelled by template, never by the raw path. Only label values are checked:
    # sample values (e.g. *_created timestamps) may contain any digits by chance.
    routes = set(re.findall(r'route="([^"]*)"', r.text))
    assert routes and not any("8723461" in x or "4711" in x for x in routes)


def test_metrics_expose_outbox_gauges(settings: Settings, db: Database,
                                      session: Session) -> None:
    for _ in range(3):
        enqueue(session, "test.ops.gauge", {})
    failed = enqueue(session, "test.ops.gauge", {})
    assert failed is not None
    failed.status = FAILED
    session.add(failed)
    session.commit()
    with LoketClient(_app(settings, db, metrics_token="scraper")) as client:
        samples = _samples(client.get("/metrics",
                                      headers={"Authorization": "Bearer scraper"}).text)
    assert _value(samples, "loket_outbox_messages", status="pending") == 3
    assert _value(samples, "loket_outbox_messages", status="failed") == 1
    assert ("loket_worker_lag_seconds", frozenset()) in samples


def test_metrics_can_be_switched_off(settings: Settings, db: Database) -> None:
    with LoketClient(_app(settings, db, metrics_enabled=False)) as c:
        assert c.get("/metrics").status_code == 404


@pytest.mark.parametrize("env", ["production", "test"])
def test_metrics_need_a_token_by_default_outside_development(
        settings: Settings, db: Database, env: str) -> None:
    """Issue 12 (low): /metrics answered anyone in production unless a token was set."""
    with LoketClient(_app(settings, db, env=env)) as c:
        r = c.get("/metrics")
        assert r.status_code == 401 and "LOKET_METRICS_TOKEN" in r.text
        assert "loket_http_requests_total" not in r.text
    with LoketClient(_app(settings, db, env=env, metrics_public=True)) as c:
        assert c.get("/metrics").status_code == 200
    with LoketClient(_app(settings, db, env="development")) as c:
        assert c.get("/metrics").status_code == 200


def test_metrics_token_is_required_when_set(settings: Settings, db: Database) -> None:
    with LoketClient(_app(settings, db, metrics_token="s3cret-scraper-token")) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        r = c.get("/metrics", headers={"Authorization": "Bearer s3cret-scraper-token"})
        assert r.status_code == 200 and "loket_http_requests_total" in r.text


def test_trusted_hosts_refuse_other_host_headers(settings: Settings, db: Database) -> None:
    with LoketClient(_app(settings, db, trusted_hosts="loket.example.nl, *.loket.example.nl"),
                     base_url="http://loket.example.nl") as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/healthz", headers={"Host": "www.loket.example.nl"}).status_code == 200
        assert c.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 200
        r = c.get("/healthz", headers={"Host": "evil.example"})
        assert r.status_code == 400
        assert r.headers["x-request-id"]  # refused inside the request context
    with LoketClient(_app(settings, db)) as c:  # "*" (the default): any host
        assert c.get("/healthz", headers={"Host": "anything.example"}).status_code == 200
