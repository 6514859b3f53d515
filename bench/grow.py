"""Grown databases for the benchmarks: cases inserted in bulk, as years of use would leave them.

``bench/insight.py`` (quarters of history for the insight views) and ``bench/load.py``
(``--grow-cases``: the mixed load on a database with 50,000 cases, 10,000 of them open) build
their cases with ``case_row``, one row shape for both. Rows go straight into the ``Case``
table with ``sqlalchemy.insert`` in batches: going through ``ask_question`` would route each
one and take hours; these rows are what that would leave, minus events and mail.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

import backend.models  # noqa: F401  (every table is known, so the foreign keys resolve)
from backend.cases.models import Case

OUTCOMES = ["answered", "referred", "scheme_applied", "no_follow_up"]
OPEN_STATUSES = ["new", "assigned", "answered"]


def case_row(rng: random.Random, case_id: int, *, received: datetime, municipality_code: str,
             desk: tuple[int, str], closed: bool, theme: str, sector: str, size: str
             ) -> dict[str, Any]:
    """One question as routing and answering leave it (90 % with a first response)."""
    desk_id, desk_slug = desk
    secs = int(rng.expovariate(1 / 30000)) if rng.random() < 0.9 else None
    due = received + timedelta(hours=16)
    return {
        "id": case_id, "reference": f"B{case_id:09d}",
        "status": "closed" if closed else rng.choice(OPEN_STATUSES),
        "outcome": rng.choice(OUTCOMES) if closed else None, "source": "web",
        "language": "nl", "text": "bench", "theme": theme, "themes": [],
        "municipality_code": municipality_code, "sector": sector, "company_size": size,
        "contact_email": "x@bench.invalid", "consent_at": received, "desk_id": desk_id,
        "routing": {"desk": desk_slug}, "received_at": received,
        "first_response_due_at": due, "escalate_at": due,
        "first_responded_at": received + timedelta(seconds=secs * 2) if secs is not None
        else None,
        "first_response_desk_id": desk_id if secs is not None else None,
        "first_response_seconds": secs, "escalation_level": 0,
        "closed_at": received + timedelta(days=5) if closed else None, "updated_at": received}


def grow_cases(session: Session, rng: random.Random, *, cases: int, open_cases: int,
               municipalities: Sequence[str], desks: Sequence[tuple[int, str]],
               themes: Sequence[str], sectors: Sequence[str], sizes: Sequence[str],
               start: datetime, span: timedelta, first_id: int) -> None:
    """``cases`` rows received over ``span`` from ``start``; the newest ``open_cases`` are open."""
    batch: list[dict[str, Any]] = []
    step = span / max(cases, 1)
    for n in range(cases):
        batch.append(case_row(
            rng, first_id + n, received=start + step * n,
            municipality_code=rng.choice(municipalities), desk=rng.choice(desks),
            closed=n < cases - open_cases, theme=rng.choice(themes),
            sector=rng.choice(sectors), size=rng.choice(sizes)))
        if len(batch) == 5000:
            session.execute(sa.insert(Case), batch)
            batch = []
    if batch:
        session.execute(sa.insert(Case), batch)
