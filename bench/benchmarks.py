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
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from backend.accounts.models import User, WebSession  # noqa: E402
from backend.community import benchmarks as bm  # noqa: E402
from backend.community import service  # noqa: E402
from backend.community.models import KpiFigure  # noqa: E402
from backend.core.db import Database, make_engine, utcnow  # noqa: E402
from backend.core.migrate import upgrade  # noqa: E402
from backend.core.security import sha256_hex  # noqa: E402
from backend.core.settings import Settings  # noqa: E402

SECTORS = ["installatie", "maakindustrie", "metaal", "bouw"]
SIZES = ["micro", "klein", "middel", "groot"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--firms", type=int, default=500)
    parser.add_argument("--kpis", type=int, default=20)
    parser.add_argument("--periods", type=int, default=12)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        upgrade(connection=conn)
    db = Database(engine)
    rng = random.Random(42)

    t0 = time.perf_counter()
    with db.transaction() as s:
        group = service.create_group(s, slug="bench", name="Bench")
        firms = [service.create_firm(s, name=f"Firma {i}", sector=rng.choice(SECTORS),
                                     size_class=rng.choice(SIZES)) for i in range(args.firms)]
        for i, firm in enumerate(firms):
            service.add_member(s, group, firm, role="coordinator" if i == 0 else "member")
        kpis = [bm.define_kpi(s, group, key=f"kpi_{k}", name=f"Kengetal {k}", unit="EUR")
                for k in range(args.kpis)]
        periods = [bm.add_period(s, group, f"P{p + 1}") for p in range(args.periods)]
        rows = [{"period_id": p.id, "firm_id": f.id, "kpi_id": k.id,
                 "value": rng.lognormvariate(4, 0.5), "updated_at": utcnow()}
                for p in periods for f in firms for k in kpis]
        s.execute(KpiFigure.__table__.insert(), rows)  # type: ignore[attr-defined]
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

    os.environ.setdefault("LOKET_ENV", "development")
    from fastapi.testclient import TestClient

    from backend.main import create_app

    settings = Settings(env="test", secret_key="bench-" + "x" * 40, database_url=url,
                        base_url="http://testserver", var_dir=tmp / "var",
                        search_path=tmp / "search", worker_in_process=False, log_json=False,
                        log_level="WARNING")
    app = create_app(settings, db, start_worker=False)
    timings: list[float] = []
    with TestClient(app, base_url="http://testserver") as client:
        client.cookies.set("loket_session", cookie)
        for _ in range(args.runs + 3):
            start = time.perf_counter()
            response = client.get("/groepen/bench/kengetallen")
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
    timings = sorted(timings[3:])
    print(f"group: {args.firms} firms × {args.kpis} KPIs × {args.periods} periods "
          f"= {len(rows):,} figures")
    print(f"setup {t1 - t0:.1f} s; closing all periods (every cell and rank) {t2 - t1:.1f} s")
    print(f"comparison page: p50 {statistics.median(timings):.1f} ms, "
          f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms, max {timings[-1]:.1f} ms "
          f"(target < 200 ms)")


if __name__ == "__main__":
    main()
