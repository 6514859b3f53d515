"""Privacy benchmark: the retention job and an erasure on a database of realistic size.

    .venv/bin/python bench/privacy.py                              # 5,000 cases, 20,000 mails
    .venv/bin/python bench/privacy.py --cases 20000 --outbox 60000

Builds a scratch SQLite database (migrated) with --cases closed questions past their
retention period (each with its timeline of three events) and --outbox delivered mails (about
30 days of mail at a busy desk), then times

- ``apply_retention``: anonymising every case, in batches of its own transactions;
- a second ``apply_retention`` the same day (idempotent: finds nothing);
- ``erase_subject`` of one entrepreneur: her cases plus one pass over the whole outbox;
- ``export_subject`` of another entrepreneur.

A benchmark, not a test: it asserts only that the work was done.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from scratch import scratch_database  # noqa: E402
from sqlmodel import select  # noqa: E402

from backend.core.db import Database, utcnow  # noqa: E402
from backend.core.settings import Settings  # noqa: E402


def build(tmp: Path, n_cases: int, n_outbox: int) -> tuple[Database, Settings]:
    import backend.models  # noqa: F401 - every table
    from backend.cases.models import Case, CaseEvent
    from backend.core.outbox import OutboxMessage
    from backend.routing.models import Desk

    url, db = scratch_database(tmp)
    settings = Settings(env="development", database_url=url, var_dir=tmp,
                        search_path=tmp / "search")
    now = utcnow()
    closed = now - timedelta(days=settings.retention_case_days + 30)
    with db.transaction() as s:
        desk = Desk(slug="bench", name="Bench-loket", themes=["financiering"])
        s.add(desk)
        s.flush()
        cases = [{"reference": f"LK-2024-{i:06d}", "status": "closed", "outcome": "answered",
                  "text": f"Vraag {i} over financiering van een nieuwe machine voor ons bedrijf.",
                  "themes": ["financiering"], "contact_email": f"ondernemer{i}@voorbeeld.nl",
                  "contact_name": f"Ondernemer {i}", "contact_phone": "+31 6 1234 5678",
                  "consent_at": closed, "desk_id": desk.id, "routing": {"score": 1},
                  "received_at": closed, "first_response_due_at": closed,
                  "escalate_at": closed, "closed_at": closed, "updated_at": closed}
                 for i in range(n_cases)]
        s.execute(sa.insert(Case), cases)
        ids = list(s.exec(select(Case.id)).all())
        timeline = (("received", "entrepreneur", None),
                    ("reply", "advisor", "Beste ondernemer, zie hier."),
                    ("closed", "advisor", None))
        events: list[dict[str, object]] = [
            {"case_id": cid, "kind": kind, "actor": actor, "at": closed, "body": body,
             "data": {}, "desk_id": desk.id, "internal": False}
            for cid in ids for kind, actor, body in timeline]
        s.execute(sa.insert(CaseEvent), events)
        mails = [{"kind": "mail.send", "status": "done", "attempts": 1,
                  "payload": {"to": f"ondernemer{i % max(1, n_cases)}@voorbeeld.nl",
                              "subject": f"Uw vraag LK-2024-{i % max(1, n_cases):06d}",
                              "text": "Beste ondernemer,\n\nDank voor uw vraag. " * 8,
                              "delivery": "kept"},
                  "available_at": now, "created_at": now, "processed_at": now}
                 for i in range(n_outbox)]
        s.execute(sa.insert(OutboxMessage), mails)
    return db, settings


T = TypeVar("T")


def _timed(label: str, fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = fn()
    print(f"{label:<48} {time.perf_counter() - start:8.2f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--outbox", type=int, default=20000)
    args = parser.parse_args()

    from backend.privacy.erasure import Subject, erase_subject
    from backend.privacy.export import export_subject
    from backend.privacy.retention import apply_retention

    with tempfile.TemporaryDirectory() as tmp:
        db, settings = _timed(f"build: {args.cases} cases, {args.outbox} mails",
                              lambda: build(Path(tmp), args.cases, args.outbox))
        # The erasure first, while every case still has its contact data.
        with db.transaction() as s:
            report = _timed("erase one entrepreneur (outbox scanned once)",
                            lambda: erase_subject(s, Subject(email="ondernemer7@voorbeeld.nl")))
        assert report.cases == 1 and report.outbox >= 1, report
        with db.transaction() as s:
            data = _timed("export another entrepreneur",
                          lambda: export_subject(s, Subject(email="ondernemer8@voorbeeld.nl"),
                                                 include_internal=True))
        assert len(data["questions"]) == 1
        start = time.perf_counter()
        counts = _timed("retention: anonymise every closed case",
                        lambda: apply_retention(db, settings))
        per_case = (time.perf_counter() - start) / max(1, counts["closed_cases"]) * 1000
        assert counts["closed_cases"] == args.cases - 1, counts
        again = _timed("retention again the same day (idempotent)",
                       lambda: apply_retention(db, settings))
        assert not any(again.values()), again
        print(f"{'retention per case':<48} {per_case:8.2f} ms")


if __name__ == "__main__":
    main()
