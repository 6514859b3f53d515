"""Uncached public pages: every public page template, rendered through the real app.

    .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --runs 50 --profile '/regelingen/zoeker (profile)'
    .venv/bin/python bench/pages.py --runs 300 --only '/regelingen/zoeker (profile)' --only /

Builds a scratch SQLite database with the seed (content, schemes, regions, desks), creates the
app with the page cache off (``page_cache_seconds=0``: every request renders), and times each
public page — the public GET routes without a path parameter, one page of each kind with one
(a knowledge item of every type, a scheme, a desk), the scheme finder with and without a
profile, search, and the question form — ``--runs`` times each, as an anonymous visitor.
Prints p50/p95 per page in wall and process CPU time, and a bare FastAPI route rendering a
small Jinja template through the same test client as the reference of the same run (what any
page costs before Loket's work). Prints the targets of issue 19 item 4 (the finder with a
profile p95 ≤ 8 ms, every public page p95 ≤ 10 ms) and which pages miss them, in CPU time (what
the page costs; on a busy machine wall time mostly measures the neighbours) and in wall time.
Asserts nothing. ``--profile LABEL`` prints a cProfile of one page (its label as the table
prints it), the app's work included (driven in this thread, the thread pool inline), and the
SQL statements one request runs; ``--only LABEL`` times only the pages named. Timing starts
after the app's warm-up thread has finished: its steps run whenever the app is quiet, and
process CPU time counted them in the requests of the first pages timed.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import platform
import pstats
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from scratch import scratch_database, scratch_settings  # noqa: E402

if TYPE_CHECKING:
    from fastapi import FastAPI

FINDER_PROFILE = {"size": "klein", "amount": "50000"}
TARGET_FINDER = 8.0  # ms, p95, the scheme finder with a profile (issue 19 item 4)
TARGET_PAGE = 10.0  # ms, p95, every public page


def bare_app() -> FastAPI:
    """The reference: a bare FastAPI app rendering a small Jinja page."""
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse
    from jinja2 import Environment

    bare = FastAPI()
    page = Environment(autoescape=True).from_string(
        "<!doctype html><title>{{ t }}</title><ul>{% for i in items %}<li>{{ i }}</li>"
        "{% endfor %}</ul>")

    @bare.get("/", response_class=HTMLResponse)
    def bare_page() -> str:
        return page.render(t="Loket", items=range(20))

    return bare


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(q * len(ordered)) - 1)]


def label_of(path: str, params: dict[str, str]) -> str:
    """A page as the table names it."""
    return path + (" (profile)" if path == "/regelingen/zoeker" and params else
                   " (query)" if params else "")


def public_pages(app: object, db: object) -> list[tuple[str, dict[str, str]]]:
    """Every public GET page without a path parameter, and one page of every kind with one."""
    from fastapi.routing import APIRoute

    pages: list[tuple[str, dict[str, str]]] = []
    routes: list[tuple[str, APIRoute]] = []

    def walk(items: object, prefix: str) -> None:  # included routers are walked lazily
        for r in items:  # type: ignore[attr-defined]
            inner = getattr(r, "original_router", None)
            if inner is not None:
                walk(inner.routes, prefix + r.include_context.prefix)
            elif isinstance(r, APIRoute):
                routes.append((prefix + r.path, r))

    walk(app.routes, "")  # type: ignore[attr-defined]
    skip = ("/api/", "/static", "/healthz", "/readyz", "/metrics", "/werkplek", "/beheer",
            "/inzicht", "/account", "/login", "/logout", "/redactie", "/auth", "/groepen",
            "/mijn", "/uitnodiging", "/admin")
    for path, route in routes:
        kind = getattr(route.response_class, "value", route.response_class)  # a default
        if "GET" not in (route.methods or ()) or getattr(kind, "media_type", "") != "text/html":
            continue
        if "{" in path or path.startswith(skip) or path.endswith((".csv", ".xml", ".txt",
                                                                   ".json", ".pdf", ".svg")):
            continue
        pages.append((path, {}))
    pages.append(("/regelingen/zoeker", FINDER_PROFILE))
    pages.append(("/zoeken", {"q": "subsidie voor een robot"}))
    with db.engine.connect() as conn:  # type: ignore[attr-defined]
        for (kind,) in conn.execute(sa.text(
                "SELECT DISTINCT type FROM content_item WHERE status = 'published' "
                "AND deleted_at IS NULL ORDER BY type")):
            slug = conn.execute(sa.text(
                "SELECT slug FROM content_item WHERE type = :t AND status = 'published' AND "
                "deleted_at IS NULL ORDER BY slug LIMIT 1"), {"t": kind}).scalar()
            pages.append((f"@{kind}/{slug}", {}))
        desk = conn.execute(sa.text("SELECT slug FROM desk WHERE is_active ORDER BY slug "
                                    "LIMIT 1")).scalar()
        if desk:
            pages.append((f"/loketten/{desk}", {}))
    return pages


def profile_page(app: object, path: str, params: dict[str, str], runs: int,
                 dump: str | None = None) -> None:
    """A cProfile of ``runs`` requests for ``path``, with the app's work in it: the test
    client runs the app in another thread and sync endpoints in a third, where a profiler of
    this thread sees nothing, so the app is driven here through ASGI with anyio's thread pool
    run inline, and the SQL statements of one request are counted."""
    import asyncio
    from collections import Counter

    import anyio.to_thread
    import httpx

    async def inline(func: object, *args: object, **_kw: object) -> object:
        return func(*args)  # type: ignore[operator]

    statements: Counter[str] = Counter()

    def count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements[" ".join(statement.split())[:100]] += 1

    engine = app.state.db.engine  # type: ignore[attr-defined]

    async def go() -> None:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            await c.get(path, params=params)
            sa.event.listen(engine, "before_cursor_execute", count)
            await c.get(path, params=params)
            sa.event.remove(engine, "before_cursor_execute", count)
            print(f"{sum(statements.values())} SQL statements per request:")
            for text, n in statements.most_common():
                print(f"  {n} × {text}")
            prof = cProfile.Profile()
            for _ in range(runs):
                prof.enable()
                await c.get(path, params=params)
                prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(60)
            pstats.Stats(prof).sort_stats("tottime").print_stats(40)
            if dump:
                prof.dump_stats(dump)

    real = anyio.to_thread.run_sync
    anyio.to_thread.run_sync = inline  # type: ignore[assignment]
    try:
        asyncio.run(go())
    finally:
        anyio.to_thread.run_sync = real


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", default=None,
                        help="a page's label as printed: print its cProfile, e.g. "
                             "'/regelingen/zoeker (profile)'")
    parser.add_argument("--only", action="append", default=None, metavar="LABEL",
                        help="time only the pages whose label (as printed) is this; "
                             "repeatable, e.g. --only '/regelingen/zoeker (profile)'")
    parser.add_argument("--profile-dump", default=None,
                        help="with --profile: also write the profile here (pstats format)")
    args = parser.parse_args()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, load average "
          f"{os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="loket-bench-pages-") as name:
        tmp = Path(name)
        url, db = scratch_database(tmp)
        settings = scratch_settings(tmp, url).model_copy(update={"page_cache_seconds": 0})
        from backend.seeding import run_seed

        t0 = time.perf_counter()
        run_seed(db, settings)
        print(f"seed loaded in {time.perf_counter() - t0:.1f} s")
        try:
            run(db, settings, args)
        finally:
            db.engine.dispose()


def run(db: object, settings: object, args: argparse.Namespace) -> None:
    from fastapi.testclient import TestClient

    from backend.content.views import item_url
    from backend.main import create_app

    app = create_app(settings, db, start_worker=False)  # type: ignore[arg-type]
    bare = bare_app()
    pages = public_pages(app, db)
    gc.collect()
    gc.freeze()
    rows = []
    with TestClient(app, base_url="http://testserver") as client, \
            TestClient(bare, base_url="http://testserver") as ref:
        def timed(c: TestClient, path: str, params: dict[str, str]) -> tuple[float, float, int]:
            t, cpu = time.perf_counter(), time.process_time()
            r = c.get(path, params=params)
            return ((time.perf_counter() - t) * 1000, (time.process_time() - cpu) * 1000,
                    r.status_code)

        resolved = []
        for path, params in pages:
            if path.startswith("@"):
                kind, slug = path[1:].split("/", 1)
                path = item_url(kind, slug)
            status = timed(client, path, params)[2]  # warm: the templates are compiled
            if status == 200:
                resolved.append((path, params))
            else:
                print(f"left out: {path} {params or ''} answered {status}")
        # The app's warm-up thread (``backend.main._warm_up``: templates, read models, the
        # login's dummy hash, the first pages) works whenever the app has been quiet for
        # 0.2 s, which the reference's run below gave it: process CPU time counted its steps
        # in the reference's requests and the first page's (``/inloggen``'s CPU p95 15.7 ms
        # against 7.9 ms wall, docs/benchmarks.md "h10-pages"). Time the warmed app, as a
        # served one is after its first seconds.
        waited = time.perf_counter()
        for thread in threading.enumerate():
            if thread.name == "loket-warm-up":
                thread.join(120)
        print(f"waited {time.perf_counter() - waited:.2f} s for the app's warm-up thread")
        if args.profile:
            # by label: the finder's path alone is the empty form (until h10 the profile of
            # "/regelingen/zoeker" was that of the empty form, the first page with that path)
            path, params = next(((q, p) for q, p in resolved if label_of(q, p) == args.profile),
                                (args.profile, {}))
            profile_page(app, path, params, args.runs, args.profile_dump)
            return
        for _ in range(3):
            timed(ref, "/", {})
        ref_wall, ref_cpu = zip(*(timed(ref, "/", {})[:2] for _ in range(args.runs)),
                                strict=True)
        for path, params in resolved:
            label = label_of(path, params)
            if args.only and label not in args.only:
                continue
            wall, cpu = [], []
            for _ in range(args.runs):
                w, c, _s = timed(client, path, params)
                wall.append(w)
                cpu.append(c)
            rows.append((label, wall, cpu))
    print(f"{'page':44s} {'p50':>7s} {'p95':>7s}   {'CPU p50':>7s} {'CPU p95':>7s}  (ms)")
    for label, wall, cpu in rows:
        print(f"{label[:44]:44s} {statistics.median(wall):7.1f} {_p(wall, .95):7.1f}   "
              f"{statistics.median(cpu):7.1f} {_p(cpu, .95):7.1f}")
    print(f"{'reference: bare FastAPI + Jinja page':44s} {statistics.median(ref_wall):7.1f} "
          f"{_p(list(ref_wall), .95):7.1f}   {statistics.median(ref_cpu):7.1f} "
          f"{_p(list(ref_cpu), .95):7.1f}")
    worst = max(rows, key=lambda r: _p(r[1], .95))
    worst_cpu = max(rows, key=lambda r: _p(r[2], .95))
    print(f"worst page p95: {worst[0]} {_p(worst[1], .95):.1f} ms wall; worst CPU p95: "
          f"{worst_cpu[0]} {_p(worst_cpu[2], .95):.1f} ms")
    for what, cpu_time in (("CPU", True), ("wall", False)):
        p95 = {label: _p(cpu if cpu_time else wall, .95) for label, wall, cpu in rows}
        value = next((v for label, v in p95.items() if label.endswith("(profile)")), None)
        if value is not None:
            print(f"target finder with a profile p95 <= {TARGET_FINDER:.0f} ms ({what}): "
                  f"{value:.1f} ms, {'met' if value <= TARGET_FINDER else 'NOT met'}")
        over = [(label, v) for label, v in p95.items() if v > TARGET_PAGE]
        print(f"target every page p95 <= {TARGET_PAGE:.0f} ms ({what}): "
              f"{len(rows) - len(over)} of {len(rows)} pages met"
              + ("; over: " + ", ".join(f"{n} {v:.1f}" for n, v in over) if over else ""))


if __name__ == "__main__":
    main()
