"""Search as you type, in-process: CPU per request of ``GET /zoeken?q=…`` (HTMX fragment).

    .venv/bin/python bench/as_you_type.py                     # scratch database with the seed
    .venv/bin/python bench/as_you_type.py --dir /tmp/loadrun  # a ``bench/load.py --reuse`` folder

The requests are the ones ``bench/load.py`` sends for search as you type: the growing prefixes
of its real queries (three letters and more), each with ``HX-Request`` and a CSRF cookie, as
an anonymous visitor. The app is driven through ASGI in this thread with anyio's thread pool
run inline, so ``time.process_time`` holds all of a request's work (the facet thread of the
embedded engine included: process time counts every thread). Three passes over the prefixes:

- **first keystroke**: the page cache off and the engine's cache of this index generation
  empty, as for a prefix nobody typed since the last commit of the index;
- **again, page cache off**: the engine's cache holds the results (paging, the second
  visitor in another process, or the page cache's entry expired);
- **page cache hit**: what most requests of the load mix are (97–98 %, ``bench/load.py``).

Prints p50 / p95 / mean CPU ms of each pass and the load average. Stops if a pass answers a
prefix with another fragment than the first pass did (the CSRF token aside).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import QUERIES  # noqa: E402
from scratch import scratch_database, scratch_settings  # noqa: E402

from backend.core.db import Database, make_engine  # noqa: E402
from backend.core.settings import Settings  # noqa: E402


def prefixes() -> list[str]:
    """The URLs ``bench/load.py`` types, in its order."""
    out = []
    for q in QUERIES:
        for end in range(3, len(q) + 1):
            if q[end - 1] != " ":
                out.append("/zoeken?q=" + quote_plus(q[:end]))
    return out


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@contextmanager
def inline_threads() -> Iterator[None]:
    """anyio's thread pool run in the calling thread (its CPU time is then this thread's)."""
    import anyio.to_thread

    async def inline(func: object, *args: object, **_kw: object) -> object:
        return func(*args)  # type: ignore[operator]

    real = anyio.to_thread.run_sync
    anyio.to_thread.run_sync = inline  # type: ignore[assignment]
    try:
        yield
    finally:
        anyio.to_thread.run_sync = real


def measure(settings: Settings, db: Database, urls: list[str], rounds: int
            ) -> dict[str, list[float]]:
    import httpx

    from backend.content import indexing
    from backend.main import create_app

    cpu: dict[str, list[float]] = {"first keystroke": [], "again, page cache off": [],
                                   "page cache hit": []}
    bodies: dict[str, bytes] = {}

    async def go() -> None:
        for _ in range(rounds):
            for name, seconds in (("off", 0.0), ("on", 60.0)):
                # A new engine object: its cache of the index generation starts empty.
                indexing._backends.clear()
                app = create_app(settings.model_copy(update={"page_cache_seconds": seconds}),
                                 db, start_worker=False, warm_up=False)
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport,
                                             base_url="http://testserver") as c:
                    first = await c.get("/vraag")
                    cookie = {"Cookie": f"loket_csrf={first.cookies['loket_csrf']}",
                              "HX-Request": "true"}
                    await c.get("/zoeken?q=warm", headers=cookie)
                    passes = (("first keystroke", "again, page cache off") if name == "off"
                              else (None, "page cache hit"))
                    for label in passes:
                        for url in urls:
                            gc.collect(0)
                            t = time.process_time()
                            r = await c.get(url, headers=cookie)
                            used = (time.process_time() - t) * 1000
                            assert r.status_code == 200, (url, r.status_code)
                            if label is not None:
                                cpu[label].append(used)
                            token = first.cookies["loket_csrf"]
                            body = r.content.replace(token.encode(), b"")
                            # Every pass answers a prefix with the same fragment.
                            assert bodies.setdefault(url, body) == body, url
    with inline_threads():
        asyncio.run(go())
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=None,
                        help="a bench/load.py --reuse folder (loket.db and search/)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    urls = prefixes()
    with tempfile.TemporaryDirectory(prefix="loket-bench-typing-") as name:
        tmp = Path(name)
        if args.dir is not None:
            url = f"sqlite:///{args.dir.resolve() / 'loket.db'}"
            db = Database(make_engine(url))
            settings = scratch_settings(tmp, url).model_copy(
                update={"search_path": args.dir.resolve() / "search"})
        else:
            from backend.content.indexing import reindex
            from backend.seeding import run_seed

            url, db = scratch_database(tmp)
            settings = scratch_settings(tmp, url)
            run_seed(db, settings)
            reindex(db, settings)
        try:
            cpu = measure(settings, db, urls, args.rounds)
        finally:
            db.engine.dispose()
    print(f"{len(urls)} prefixes × {args.rounds} rounds; CPU ms per request")
    print(f"{'pass':28s} {'p50':>7s} {'p95':>7s} {'mean':>7s}")
    for label, values in cpu.items():
        print(f"{label:28s} {statistics.median(values):7.2f} {_p(values, .95):7.2f} "
              f"{statistics.fmean(values):7.2f}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
