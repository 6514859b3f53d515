"""Productivity scan benchmark: freezing one quarter of scans, and a result page with the
comparison to other firms.

    .venv/bin/python bench/scan.py
    .venv/bin/python bench/scan.py --scans 10000 --runs 30

Builds a scratch SQLite database (migrated) with the seeded scan definition, a taxonomy of
21 sections × 5 size classes, and ``--scans`` completed scans in one past quarter (a fifth of
them repeat scans of the same firm). Times ``freeze_quarter`` (every cell of every measure,
through the disclosure rules, computed once) and then ``GET /scan/resultaat/<token>`` through
the real app. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scratch import scratch_database, scratch_settings  # noqa: E402

from backend.content.models import CompanySize, Sector  # noqa: E402
from backend.core.security import sha256_hex  # noqa: E402
from backend.scan import aggregates as ag  # noqa: E402
from backend.scan import service  # noqa: E402
from backend.scan.models import ScanResult  # noqa: E402
from backend.scan.scoring import score  # noqa: E402

SIZES = ("zzp", "micro", "klein", "middel", "groot")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="loket-bench-scan-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)  # the scratch database goes too
    url, db = scratch_database(tmp)
    settings = scratch_settings(tmp, url)
    service.load_seed(db, settings)
    rng = random.Random(6)
    quarter = ag.Quarter(2026, 2)
    t0 = time.perf_counter()
    with db.transaction() as s:
        sectors = [f"sectie-{chr(65 + i).lower()}" for i in range(21)]
        for i, slug in enumerate(sectors):
            s.add(Sector(slug=slug, name_nl=f"Sectie {chr(65 + i)}", position=i))
        for i, slug in enumerate(SIZES):
            s.add(CompanySize(slug=slug, name_nl=slug.title(), position=i))
        d = service.definition(s)
        token = "bench-token-" + "x" * 20
        previous: list[int] = []
        for n in range(args.scans):
            base = rng.randint(1, 5)
            answers = {q["id"]: min(5, max(1, base + rng.randint(-1, 1))) for q in d.questions}
            again = previous and rng.random() < 0.2
            r = ScanResult(version=d.version, answers=answers,
                           scores=score(d, answers).as_dict(),
                           sector=rng.choice(sectors), company_size=rng.choice(SIZES),
                           previous_id=rng.choice(previous) if again else None,
                           created_at=quarter.starts_at + timedelta(minutes=n),
                           token_hash=sha256_hex(token) if n == 0 else None)
            s.add(r)
            s.flush()
            assert r.id is not None
            previous.append(r.id)
    t1 = time.perf_counter()
    with db.transaction() as s:
        bench = ag.freeze_quarter(s, quarter, now=datetime(2026, 8, 1, tzinfo=UTC))
        firms, measures = bench.firms, len(bench.cells)
        shown = sum(1 for m in bench.cells.values() for c in m.values() if "reason" not in c)
        cells = sum(len(m) for m in bench.cells.values())
    t2 = time.perf_counter()

    os.environ.setdefault("LOKET_ENV", "development")
    from fastapi.testclient import TestClient

    from backend.main import create_app

    app = create_app(settings, db, start_worker=False)
    timings: list[float] = []
    with TestClient(app, base_url="http://testserver") as client:
        for _ in range(args.runs + 3):
            start = time.perf_counter()
            response = client.get(f"/scan/resultaat/{token}")
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
    timings = sorted(timings[3:])
    p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))]
    print(f"scans: {args.scans} ({firms} firms), setup {t1 - t0:.1f} s")
    print(f"freeze_quarter: {(t2 - t1) * 1000:.0f} ms for {measures} measures, {cells} cells "
          f"({shown} shown)")
    print(f"result page with comparison: p50 {statistics.median(timings):.1f} ms, "
          f"p95 {p95:.1f} ms ({args.runs} runs)")


if __name__ == "__main__":
    main()
