"""Peer benchmark benchmark: one group of 500 firms × 20 KPIs × 12 periods.

    .venv/bin/python bench/benchmarks.py
    .venv/bin/python bench/benchmarks.py --firms 500 --kpis 20 --periods 12 --runs 30

Builds a scratch SQLite database (migrated), one group with generated firms and figures, closes
every period (the frozen snapshot of docs/disclosure.md: every cell and rank computed once) and
then times a member's comparison page (``GET /groepen/{slug}/kengetallen``, with its SVG charts
and tables) through the real app. Target: under 200 ms. A benchmark, not a test: it asserts
nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scratch import scratch_database, scratch_settings  # noqa: E402

from backend.accounts.models import User, WebSession  # noqa: E402
from backend.community import benchmarks as bm  # noqa: E402
from backend.community import service  # noqa: E402
from backend.community.models import KpiFigure  # noqa: E402
from backend.core.db import Database, utcnow  # noqa: E402
from backend.core.security import sha256_hex  # noqa: E402

SECTORS = ["installatie", "maakindustrie", "metaal", "bouw"]
SIZES = ["micro", "klein", "middel", "groot"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--firms", type=int, default=500)
    parser.add_argument("--kpis", type=int, default=20)
    parser.add_argument("--periods", type=int, default=12)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true",
                        help="profile the timed requests (cProfile) and print the top 25")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    url, db = scratch_database(tmp)
    rng = random.Random(42)

    t0 = time.perf_counter()
    with db.transaction() as s:
        group = service.create_group(s, slug="bench", name="Bench")
        # A firm is one KvK number (issue 12); generated ones, in a scratch database.
        firms = [service.create_firm(s, name=f"Firma {i}", sector=rng.choice(SECTORS),
                                     size_class=rng.choice(SIZES), kvk=f"{90_000_000 + i}")
                 for i in range(args.firms)]
        for i, firm in enumerate(firms):
            service.add_member(s, group, firm, role="coordinator" if i == 0 else "member")
        kpis = [bm.define_kpi(s, group, key=f"kpi_{k}", name=f"Kengetal {k}", unit="EUR")
                for k in range(args.kpis)]
        periods = [bm.add_period(s, group, f"P{p + 1}") for p in range(args.periods)]
        rows = [{"period_id": p.id, "firm_id": f.id, "kpi_id": k.id,
                 "value": rng.lognormvariate(4, 0.5), "updated_at": utcnow()}
                for p in periods for f in firms for k in kpis]
        s.execute(KpiFigure.__table__.insert(), rows)  # type: ignore[attr-defined]
        n_figures = len(rows)
        del rows  # 120,000 dicts would otherwise sit in every full garbage collection
        user = User(email="bench@example.nl", name="Bench")
        s.add(user)
        s.flush()
        assert user.id is not None
        service.add_person(s, firms[1], user.id)
    t1 = time.perf_counter()
    with db.transaction() as s:
        group = service.get_group(s, "bench")
        for p in bm.periods(s, group):
            bm.freeze_period(s, group, p)
    t2 = time.perf_counter()
    cookie = secrets.token_urlsafe(32)
    with db.transaction() as s:
        now = utcnow()
        s.add(WebSession(id_hash=sha256_hex(cookie), user_id=user.id, data={}, created_at=now,
                         last_seen_at=now, expires_at=now + timedelta(hours=1)))

    gc.collect()
    os.environ.setdefault("LOKET_ENV", "development")
    from fastapi.testclient import TestClient

    from backend.main import create_app

    settings = scratch_settings(tmp, url)
    app = create_app(settings, db, start_worker=False)
    timings: list[float] = []
    cpu: list[float] = []  # process CPU time: what the page costs, without waiting for a core
    with TestClient(app, base_url="http://testserver") as client:
        client.cookies.set("loket_session", cookie)
        for _ in range(args.runs + 3):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get("/groepen/bench/kengetallen")
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, response.status_code
    if args.profile:
        _profile(app, db, user.id, args.runs)
    db.engine.dispose()
    if args.profile:
        print(f"scratch database kept for inspection: {tmp / 'bench.db'}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    timings, cpu = sorted(timings[3:]), sorted(cpu[3:])
    print(f"group: {args.firms} firms × {args.kpis} KPIs × {args.periods} periods "
          f"= {n_figures:,} figures")
    print(f"setup {t1 - t0:.1f} s; closing all periods (every cell and rank) {t2 - t1:.1f} s")
    print(f"comparison page: p50 {statistics.median(timings):.1f} ms, "
          f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms, max {timings[-1]:.1f} ms "
          f"(target < 200 ms)")
    print(f"same requests, process CPU time: p50 {statistics.median(cpu):.1f} ms, "
          f"p95 {cpu[int(len(cpu) * 0.95) - 1]:.1f} ms, max {cpu[-1]:.1f} ms")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def _profile(app: Any, db: Database, user_id: int, runs: int) -> None:
    """The page handler in this thread (the test client runs the app in another one)."""
    from starlette.requests import Request

    from backend.accounts.principal import Principal
    from backend.community import routes_bench
    from backend.community.deps import MemberAccess

    profiler = cProfile.Profile()
    with db.transaction() as s:
        group = service.get_group(s, "bench")
        firm = service.firm_of_user(s, user_id)
        assert firm is not None
        access = MemberAccess(group=group, principal=Principal(user_id, "b@example.nl", "B"),
                              firm=firm, membership=service.membership(s, group.id, firm.id))
        request = Request({"type": "http", "method": "GET", "path": "/groepen/bench/kengetallen",
                           "headers": [], "query_string": b"", "app": app, "state": {}})
        routes_bench._page(request, s, access)
        profiler.enable()
        for _ in range(runs):
            routes_bench._page(request, s, access)
        profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
