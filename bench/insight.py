"""Insight benchmark: /inzicht views, the quarterly report and search logging at scale.

    .venv/bin/python bench/insight.py
    .venv/bin/python bench/insight.py --cases 100000 --scans 50000 --searches 1000000 --runs 20
    .venv/bin/python bench/insight.py --postgres postgresql://postgres@127.0.0.1:5432/h16_insight

Builds a scratch database (SQLite file, or a schema of its own in the given PostgreSQL
database, dropped afterwards) with the shipped municipalities, 30 desks, ``--cases`` questions
over seven ended quarters (2025-Q1 … 2026-Q3; ratings, hand-offs, outcomes), ``--scans``
scans (a tenth re-scans) and search-log rows holding ``--searches`` searches. Times the
snapshot job (atoms of every quarter) once, then every /inzicht view with several filter sets
through the real app (no cache: every request recomputes from the atoms), the quarterly
report (page and PDF), and what recording a search adds to a request. Prints wall-clock and
process CPU time (the machine may be shared). Cleans up after itself. Asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from grow import case_row  # noqa: E402
from scratch import scratch_database, scratch_settings  # noqa: E402

from backend.accounts.models import User, UserRole, WebSession  # noqa: E402
from backend.cases.models import Case, CaseHandoff, CaseRating  # noqa: E402
from backend.core.db import Database, make_engine, utcnow  # noqa: E402
from backend.core.migrate import upgrade  # noqa: E402
from backend.core.security import sha256_hex  # noqa: E402
from backend.insight import searchlog, snapshot  # noqa: E402
from backend.insight.models import SearchLog, SearchMonth  # noqa: E402
from backend.regions.service import region_index, seed_regions  # noqa: E402
from backend.routing.models import Desk, DeskCoverage  # noqa: E402
from backend.scan import service as scan_service  # noqa: E402
from backend.scan.models import ScanResult  # noqa: E402

THEMES = ["financiering", "digitalisering", "export", "innovatie", "personeel", "duurzaamheid",
          "automatisering", "regeldruk", "starten-en-ondernemen", "opvolging", "marketing",
          "circulair"]
SECTORS = [f"sectie-{chr(97 + i)}" for i in range(21)]
SIZES = ["zzp", "micro", "klein", "middel", "groot"]
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN = (datetime(2026, 10, 1, tzinfo=UTC) - START).total_seconds()


def _postgres_database(url: str) -> tuple[str, Database, str]:
    schema = f"bench_insight_{secrets.token_hex(3)}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in url else "?"
    scoped = f"{url}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(scoped)
    with engine.begin() as conn:
        upgrade(connection=conn)
    return scoped, Database(engine), schema


def _drop_schema(url: str, schema: str) -> None:
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _when(rng: random.Random) -> datetime:
    return START + timedelta(seconds=rng.random() * SPAN)


def build(db: Database, settings: Any, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(16)
    seed_regions(db, settings)
    scan_service.load_seed(db, settings)
    with db.transaction() as s:
        munis = list(region_index(s).municipalities.values())
        provinces = sorted({m.province_code for m in munis})
        desks = [Desk(slug="kvk", name="KvK", is_fallback=True, general_remit=True)]
        for p in provinces:
            desks.append(Desk(slug=f"rom-{p.lower()}", name=f"ROM {p}",
                              themes=rng.sample(THEMES, 4)))
            desks.append(Desk(slug=f"alg-{p.lower()}", name=f"Algemeen {p}",
                              general_remit=True))
        while len(desks) < 30:
            desks.append(Desk(slug=f"landelijk-{len(desks)}", name=f"Landelijk {len(desks)}",
                              themes=rng.sample(THEMES, 3)))
        for d in desks:
            s.add(d)
        s.flush()
        for d in desks:
            assert d.id is not None
            if d.slug.startswith(("rom-", "alg-")):
                s.add(DeskCoverage(desk_id=d.id, kind="province", code=d.slug[-4:].upper()))
            else:
                s.add(DeskCoverage(desk_id=d.id, kind="national", code=""))
        desk_rows = [(d.id or 0, d.slug) for d in desks]
        user = User(email="analist@bench.invalid", name="Analist")
        s.add(user)
        s.flush()
        assert user.id is not None
        s.add(UserRole(user_id=user.id, role="analist"))
        cookie = secrets.token_urlsafe(32)
        now = utcnow()
        s.add(WebSession(id_hash=sha256_hex(cookie), user_id=user.id, data={}, created_at=now,
                         last_seen_at=now, expires_at=now + timedelta(hours=2)))
    t0 = time.perf_counter()
    # Municipalities weighted so that some regions are busy and others quiet.
    weights = [rng.paretovariate(1.2) for _ in munis]
    batch: list[dict[str, Any]] = []
    ratings: list[dict[str, Any]] = []
    handoffs: list[tuple[int, int]] = []
    case_id = 0
    with db.transaction() as s:
        for _i in range(args.cases):
            case_id += 1
            received = _when(rng)
            m = rng.choices(munis, weights)[0]
            desk_id, desk_slug = rng.choice(desk_rows)
            closed = rng.random() < 0.8
            batch.append(case_row(rng, case_id, received=received, municipality_code=m.code,
                                  desk=(desk_id, desk_slug), closed=closed,
                                  theme=rng.choice(THEMES), sector=rng.choice(SECTORS),
                                  size=rng.choice(SIZES)))
            if closed and rng.random() < 0.5:
                ratings.append({"case_id": case_id, "desk_id": desk_id,
                                "score": rng.choice([2, 3, 4, 4, 5, 5]), "rated_at": received})
            if rng.random() < 0.05:
                handoffs.append((case_id, desk_id))
            if len(batch) == 5000:
                s.execute(sa.insert(Case), batch)
                batch = []
        if batch:
            s.execute(sa.insert(Case), batch)
        for i in range(0, len(ratings), 5000):
            s.execute(sa.insert(CaseRating), ratings[i:i + 5000])
        s.execute(sa.insert(CaseHandoff), [
            {"case_id": cid, "from_desk_id": desk_rows[0][0], "to_desk_id": did, "note": "b",
             "consent": True, "status": "accepted", "offered_at": NOW}
            for cid, did in handoffs if did != desk_rows[0][0]])
    t1 = time.perf_counter()
    with db.transaction() as s:
        version = scan_service.definition(s).version
        rows = []
        for i in range(args.scans):
            m = rng.choices(munis, weights)[0]
            rows.append({"id": i + 1, "version": version, "answers": {},
                         "scores": {"overall": round(1 + 4 * rng.random(), 2)},
                         "company_size": rng.choice(SIZES), "sector": rng.choice(SECTORS),
                         "municipality_code": m.code, "created_at": _when(rng),
                         "previous_id": rng.randint(1, i) if i > 10 and rng.random() < 0.1
                         else None})
            if len(rows) == 5000:
                s.execute(sa.insert(ScanResult), rows)
                rows = []
        if rows:
            s.execute(sa.insert(ScanResult), rows)
    t2 = time.perf_counter()
    months = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]
    words = ["subsidie", "robot", "export", "personeel", "warmtepomp", "lening", "innovatie",
             "wbso", "mit", "cobot", "zonnepanelen", "opvolging", "kvk", "btw", "loonkosten"]
    queries = [" ".join(rng.sample(words, rng.randint(1, 3))) + f" {i}" for i in range(25000)]
    total = 0
    month_totals: dict[str, list[int]] = {}
    with db.transaction() as s:
        rows = []
        for month in months:
            for q in rng.sample(queries, 22000):
                if total >= args.searches:
                    break
                n = rng.randint(1, 3)
                total += n
                zero = n if rng.random() < 0.1 else 0
                month_totals.setdefault(month, [0, 0])
                month_totals[month][0] += n
                month_totals[month][1] += zero
                rows.append({"month": month, "query": q, "searches": n,
                             "zero_results": zero, "last_result_count": 0})
                if len(rows) == 10000:
                    s.execute(sa.insert(SearchLog), rows)
                    rows = []
        if rows:
            s.execute(sa.insert(SearchLog), rows)
        s.execute(sa.insert(SearchMonth), [{"month": m, "searches": n, "zero_results": z}
                                           for m, (n, z) in month_totals.items()])
    t3 = time.perf_counter()
    print(f"generated {args.cases:,} cases ({len(ratings):,} ratings, {len(handoffs):,} "
          f"hand-offs) in {t1 - t0:.1f} s, {args.scans:,} scans in {t2 - t1:.1f} s, "
          f"{total:,} logged searches in {t3 - t2:.1f} s")
    return {"cookie": cookie, "provinces": provinces}


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(q * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--scans", type=int, default=50_000)
    parser.add_argument("--searches", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL: bench there")
    args = parser.parse_args()

    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, load average "
          f"{os.getloadavg()[0]:.1f}")
    tmp = Path(tempfile.mkdtemp(prefix="loket-bench-insight-"))
    schema = None
    if args.postgres:
        url, db, schema = _postgres_database(args.postgres)
    else:
        url, db = scratch_database(tmp)
    settings = scratch_settings(tmp, url)
    try:
        world = build(db, settings, args)
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does to freshly loaded tables in a real database: statistics for
            # the planner and a visibility map for index-only scans.
            with db.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.execute(sa.text("VACUUM ANALYZE"))
        start, start_cpu = time.perf_counter(), time.process_time()
        with db.transaction() as s:
            done = snapshot.refresh(s, now=NOW)
        print(f"snapshot job: {len(done)} dataset-quarters in "
              f"{time.perf_counter() - start:.1f} s wall, "
              f"{time.process_time() - start_cpu:.1f} s CPU")
        with db.transaction(write=False) as s:
            atoms = s.execute(sa.text("SELECT COUNT(*), SUM(n) FROM insight_atom")).one()
        print(f"atoms: {atoms[0]:,} holding {atoms[1]:,} records")
        run_views(db, settings, world, args)
        measure_recording(args)
    finally:
        db.engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
        if schema is not None and args.postgres:
            _drop_schema(args.postgres, schema)


def run_views(db: Database, settings: Any, world: dict[str, Any],
              args: argparse.Namespace) -> None:
    gc.collect()
    from fastapi.testclient import TestClient

    from backend.main import create_app

    app = create_app(settings, db, start_worker=False)
    province = "PV23" if "PV23" in world["provinces"] else world["provinces"][0]
    filter_sets = [{}, {"period": "2026-Q3"}, {"period": "2026-08", "province": province},
                   {"period": "2025", "theme": "export", "by": "sector"},
                   {"period": "2026", "size": "klein", "by": "theme"}]
    paths = ["/inzicht/vraag", "/inzicht/onvervulde-vraag", "/inzicht/loketten",
             "/inzicht/uitkomsten", "/inzicht/scan", "/api/v1/insight/demand",
             "/api/v1/insight/desks"]
    worst = 0.0
    with TestClient(app, base_url="http://testserver") as client:
        client.cookies.set("loket_session", world["cookie"])
        for path in paths:
            wall: list[float] = []
            cpu: list[float] = []
            for _run in range(args.runs):
                for params in filter_sets:
                    t, c = time.perf_counter(), time.process_time()
                    r = client.get(path, params=params)
                    wall.append((time.perf_counter() - t) * 1000)
                    cpu.append((time.process_time() - c) * 1000)
                    assert r.status_code == 200, (path, params, r.status_code)
            worst = max(worst, _p(wall, 0.95))
            print(f"{path:28s} p50 {statistics.median(wall):6.1f} ms  p95 {_p(wall, 0.95):6.1f} "
                  f"ms  (CPU p50 {statistics.median(cpu):6.1f} ms, p95 {_p(cpu, 0.95):6.1f} ms)"
                  f"  n={len(wall)}")
        print(f"worst view p95: {worst:.1f} ms")
        for path in ("/inzicht/rapport", "/inzicht/rapport.pdf"):
            wall, cpu = [], []
            for _run in range(max(3, args.runs // 4)):
                t, c = time.perf_counter(), time.process_time()
                r = client.get(path, params={"province": province, "quarter": "2026-Q3"})
                wall.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
                assert r.status_code == 200, (path, r.status_code)
            print(f"quarterly report {path}: median {statistics.median(wall):.2f} s, max "
                  f"{max(wall):.2f} s (CPU median {statistics.median(cpu):.2f} s), "
                  f"{len(r.content):,} bytes")


def measure_recording(args: argparse.Namespace) -> None:
    buf = searchlog.Buffer()
    queries = [f"subsidie voor een robot nummer {i % 997}" for i in range(100_000)]
    t, c = time.perf_counter(), time.process_time()
    for q in queries:
        buf.record_search(q, 3)
    per = (time.perf_counter() - t) * 1e6 / len(queries)
    per_cpu = (time.process_time() - c) * 1e6 / len(queries)
    print(f"recording a search: {per:.1f} µs wall, {per_cpu:.1f} µs CPU per search "
          f"(buffer only; written by the flusher off the request)")


if __name__ == "__main__":
    main()
