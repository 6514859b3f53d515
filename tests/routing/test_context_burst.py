"""A cold process under a burst builds the router's inputs once.

Adversary: fifty entrepreneurs asking at the same moment right after a deploy. Each request
holds a database connection while it waits for the CPU; when every request built the region
index, the taxonomy and the theme matcher itself, the builds competed for the CPU, the
connection pool ran dry and requests failed with a pool timeout (CI, PostgreSQL,
``test_concurrency``). Here sixteen threads with sessions of their own ask for the routing
context at once on a committed database with cold caches.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from backend.content import taxonomy as tx
from backend.regions import service as regions
from backend.regions.index import RegionIndex
from backend.routing import service
from backend.routing.themes import ThemeMatcher
from tests.factories.cases import regional_setup
from tests.freshdb import FreshDatabase, fresh_db
from tests.threads import together

__all__ = ["fresh_db"]

THREADS = 16


def test_a_burst_on_cold_caches_builds_each_part_once(
        fresh_db: FreshDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    with fresh_db.db.transaction() as s:
        regional_setup(s)
    service.invalidate()
    regions.invalidate()
    tx._cached.clear()
    tx._shipped.clear()

    counts = {"matcher": 0, "regions": 0}
    count_lock = threading.Lock()

    def counted(name: str, real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with count_lock:
                counts[name] += 1
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(ThemeMatcher, "build",
                        staticmethod(counted("matcher", ThemeMatcher.build)))
    monkeypatch.setattr(RegionIndex, "from_rows",
                        staticmethod(counted("regions", RegionIndex.from_rows)))

    def ask(start: threading.Barrier) -> service.RoutingContext:
        with fresh_db.db.transaction(write=False) as s:
            s.connection()  # holds its connection while it waits, as a request does
            start.wait()
            return service.routing_context(s)

    results = together(THREADS, ask)
    errors = [r for r in results if isinstance(r, BaseException)]
    contexts = [r for r in results if not isinstance(r, BaseException)]
    assert errors == []
    assert len(contexts) == THREADS
    assert counts == {"matcher": 1, "regions": 1}
    assert len({id(c) for c in contexts}) == 1
