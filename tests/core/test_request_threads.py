"""A writer that holds SQLite's write lock always finds a request thread to commit in.

Adversary: a burst of writers on a cold process (``tests/cases/test_concurrency.py``). Each
sync request holds an anyio thread while it waits in the write queue; the holder needs one more
thread to commit. With 40 threads and 40 waiting writers, nothing committed until the queue
timed out (a 60 s stall at load 8, then 500s). The invariants that prevent it: uvicorn takes
fewer requests at once than there are threads, and the SQLite pool has a connection for each.
"""

from __future__ import annotations

from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.core.db import make_engine
from backend.core.server import MAX_CONCURRENT_REQUESTS, REQUEST_THREADS, uvicorn_options
from backend.core.settings import get_settings


def test_fewer_concurrent_requests_than_threads_and_a_connection_per_thread(
        tmp_path: Path) -> None:
    assert uvicorn_options(get_settings())["limit_concurrency"] == MAX_CONCURRENT_REQUESTS
    assert MAX_CONCURRENT_REQUESTS < REQUEST_THREADS
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    pool = engine.pool
    assert pool.size() + pool._max_overflow >= REQUEST_THREADS  # type: ignore[attr-defined]
    engine.dispose()


def test_the_app_raises_the_request_thread_limit_at_start(app: FastAPI) -> None:
    seen: list[float] = []

    @app.get("/_test/threads")
    async def threads() -> dict[str, float]:
        seen.append(anyio.to_thread.current_default_thread_limiter().total_tokens)
        return {}

    with TestClient(app) as client:
        assert client.get("/_test/threads").status_code == 200
    assert seen == [REQUEST_THREADS]
