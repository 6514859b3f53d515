"""JSON log lines carry the request id; the access log names the route template and never
the raw path, query string, cookies or body."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI

from backend.core.db import Database
from backend.core.logging import QUIET_LIBRARIES, JsonFormatter, configure_logging
from backend.core.settings import Settings
from tests.client import LoketClient

router = APIRouter()
test_log = logging.getLogger("loket.test")


@router.get("/_test/log/{token}")
def _sync_page(token: str) -> dict[str, bool]:
    test_log.info("inside a sync handler")
    return {"ok": True}


@router.post("/_test/log/{token}/async")
async def _async_page(token: str) -> dict[str, bool]:
    test_log.info("inside an async handler")
    return {"ok": True}


@router.get("/_test/log-crash/{token}")
def _crash(token: str) -> None:
    raise RuntimeError("kaboom")


class Lines:
    def __init__(self, buf: io.StringIO) -> None:
        self.buf = buf

    def all(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.buf.getvalue().splitlines() if line.strip()]

    def clear(self) -> None:
        self.buf.seek(0)
        self.buf.truncate()


@pytest.fixture
def log_lines() -> Iterator[Lines]:
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    httpx_log = logging.getLogger("httpx")  # the test client's own request log
    old_httpx = httpx_log.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    httpx_log.setLevel(logging.WARNING)  # as configure_logging does
    try:
        yield Lines(buf)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        httpx_log.setLevel(old_httpx)


@pytest.fixture
def app(settings: Settings, db: Database) -> FastAPI:
    from backend.main import create_app

    app = create_app(settings, db, start_worker=False)
    app.include_router(router)
    return app


def test_every_line_of_a_request_carries_its_request_id(client: LoketClient,
                                                        log_lines: Lines) -> None:
    client.cookies.set("loket_session", "cookie-secret-value")
    r = client.get("/_test/log/pr1vate-T0KEN?email=jan%40example.nl",
                   headers={"X-Request-ID": "req-abcdef123456"})
    assert r.status_code == 200
    assert r.headers["x-request-id"] == "req-abcdef123456"
    lines = [line for line in log_lines.all() if line["logger"].startswith("loket")]
    assert {line["logger"] for line in lines} >= {"loket.test", "loket.access"}
    assert all(line["request_id"] == "req-abcdef123456" for line in lines)
    access = next(line for line in lines if line["logger"] == "loket.access")
    assert access["method"] == "GET" and access["route"] == "/_test/log/{token}"
    assert access["status"] == 200 and access["duration_ms"] >= 0
    assert access["level"] == "info" and "ts" in access
    raw = log_lines.buf.getvalue()
    for secret in ("pr1vate-T0KEN", "jan", "example.nl", "cookie-secret-value", "email="):
        assert secret not in raw


def test_async_handlers_and_generated_ids(client: LoketClient, log_lines: Lines) -> None:
    r = client.post("/_test/log/t0ken-value/async", json={"password": "hunter2"})
    assert r.status_code == 200
    rid = r.headers["x-request-id"]
    lines = [line for line in log_lines.all() if line["logger"].startswith("loket")]
    assert lines and all(line["request_id"] == rid for line in lines)
    assert "hunter2" not in log_lines.buf.getvalue()
    assert "t0ken-value" not in log_lines.buf.getvalue()


def test_an_unhandled_error_is_logged_with_the_request_id_and_route(
        app: FastAPI, log_lines: Lines) -> None:
    with LoketClient(app, raise_server_exceptions=False) as c:
        r = c.get("/_test/log-crash/s3cret")
    assert r.status_code == 500 and "kaboom" not in r.text
    rid = r.headers["x-request-id"]
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    lines = log_lines.all()
    error = next(line for line in lines if line["msg"] == "unhandled error")
    assert error["route"] == "/_test/log-crash/{token}" and "RuntimeError: kaboom" in error["exc"]
    assert error["request_id"] == rid
    access = next(line for line in lines if line["logger"] == "loket.access")
    assert access["status"] == 500 and access["request_id"] == rid
    assert rid in r.text  # the reference the user can quote to the help desk
    assert "s3cret" not in log_lines.buf.getvalue()


def test_probes_are_logged_at_debug_only(client: LoketClient, log_lines: Lines) -> None:
    client.get("/healthz")
    client.get("/readyz")
    assert [line for line in log_lines.all() if line["logger"] == "loket.access"] == []


def test_configure_logging_writes_json_lines_to_stdout(capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO", json_lines=True)
        logging.getLogger("loket.test").info("hello", extra={"outbox_id": 7})
        assert logging.getLogger("httpx").level == logging.WARNING
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name in QUIET_LIBRARIES:
            logging.getLogger(name).setLevel(logging.NOTSET)
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["msg"] == "hello" and line["outbox_id"] == 7 and line["level"] == "info"


def test_in_the_background_a_line_keeps_its_request_id_and_message(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's lines are written by a listener thread (issue 19): each still carries
    the request id of the request that logged it and the message as it was logged."""
    from backend.core.logging import request_id_var, stop_background_logging

    buf = io.StringIO()
    monkeypatch.setattr(sys, "stdout", buf)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO", json_lines=True, background=True)
        args = ["robot"]
        token = request_id_var.set("req-background-1")
        try:
            logging.getLogger("loket.test").info("zocht %s", args, extra={"case_id": 3})
        finally:
            request_id_var.reset(token)
        args.append("later")  # changed after logging: the line keeps what was logged
        logging.getLogger("loket.test").warning("buiten een request, jan@example.nl")
        stop_background_logging()  # writes what is queued
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name in QUIET_LIBRARIES:
            logging.getLogger(name).setLevel(logging.NOTSET)
    first, second = (json.loads(line) for line in buf.getvalue().splitlines())
    assert first["msg"] == "zocht ['robot']" and first["request_id"] == "req-background-1"
    assert first["case_id"] == 3 and "_request_id" not in first
    assert "request_id" not in second and "jan@example.nl" not in second["msg"]


def test_generated_request_ids_are_unique_and_sane() -> None:
    from backend.core.middleware import _REQUEST_ID, new_request_id

    ids = [new_request_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 16 and _REQUEST_ID.match(i) for i in ids)
