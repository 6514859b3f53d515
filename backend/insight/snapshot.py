"""Computing and storing the atoms (``disclosure.py``) per dataset and ended quarter.

The periodic job ``insight.snapshot`` (every 6 hours) recomputes every ended quarter that is
not frozen yet and freezes a quarter ``FREEZE_AFTER`` after its end: from then on its figures
never change (outcomes and ratings that arrive later do not count). A quarter that has not
ended is never shown. Other domains' data is read through their read functions
(``cases.queries``, ``scan.queries``, ``routing.service``, ``regions.service``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from backend.cases.queries import accepted_handoffs, case_facts, first_received_at
from backend.core.db import utcnow
from backend.core.worker import WorkerContext, periodic
from backend.insight.disclosure import NOT_GIVEN, AtomKey, build_atoms
from backend.insight.models import InsightAtom, InsightSnapshot
from backend.regions.service import region_index
from backend.routing.service import list_desks
from backend.scan.aggregates import Quarter
from backend.scan.queries import first_scan_at, scan_facts

log = logging.getLogger("loket.insight")

DATASETS = ("question", "scan")
COUNT_KEYS = ("unmet", "closed", "helped", "judged", "on_time")
FREEZE_AFTER = timedelta(days=90)
HELPED_OUTCOMES = ("answered", "referred", "scheme_applied")


def _month(when: datetime) -> str:
    return f"{when.year:04d}-{when.month:02d}"


def _region(regions: Any, code: str | None) -> tuple[str, str | None, str | None]:
    info = regions.municipalities.get(code) if code else None
    if info is None:
        return NOT_GIVEN, None, None
    return info.province_code, info.corop_code, info.labour_market_code


def question_records(session: Session, quarter: Quarter, now: datetime
                     ) -> list[tuple[AtomKey, dict[str, Any]]]:
    regions = region_index(session)
    desks = list_desks(session)
    generalist = {d.slug for d in desks if d.is_fallback or d.general_remit}
    facts = case_facts(session, quarter.starts_at, quarter.ends_at, now=now)
    handoffs = accepted_handoffs(session, [f.id for f in facts])
    out: list[tuple[AtomKey, dict[str, Any]]] = []
    for f in facts:
        province, corop, lmr = _region(regions, f.municipality_code)
        key = AtomKey(quarter=quarter.code, month=_month(f.received_at), province=province,
                      corop=corop, lmr=lmr, theme=f.theme or NOT_GIVEN,
                      sector=f.sector or NOT_GIVEN, size=f.company_size or NOT_GIVEN,
                      desk_id=f.desk_id)
        closed = f.status == "closed"
        data: dict[str, Any] = {
            "n": 1,
            "unmet": int(f.first_desk_slug in generalist),
            "closed": int(closed),
            "helped": int(closed and f.outcome in HELPED_OUTCOMES),
            "outcomes": {f.outcome: 1} if closed and f.outcome else {},
            "resp": [f.first_response_seconds] if f.first_response_seconds is not None else [],
            "judged": int(f.responded_on_time is not None or f.overdue_now),
            "on_time": int(bool(f.responded_on_time)),
            "ratings": {str(f.rating): 1} if f.rating is not None else {},
            "hand": [[a, b] for a, b in handoffs.get(f.id, [])],
        }
        out.append((key, data))
    return out


def scan_records(session: Session, quarter: Quarter) -> list[tuple[AtomKey, dict[str, Any]]]:
    regions = region_index(session)
    out: list[tuple[AtomKey, dict[str, Any]]] = []
    for f in scan_facts(session, quarter.starts_at, quarter.ends_at):
        province, corop, lmr = _region(regions, f.municipality_code)
        key = AtomKey(quarter=quarter.code, month=_month(f.created_at), province=province,
                      corop=corop, lmr=lmr, theme=NOT_GIVEN, sector=f.sector or NOT_GIVEN,
                      size=f.company_size or NOT_GIVEN, desk_id=None)
        data: dict[str, Any] = {"n": 1, "overall": [f.overall] if f.overall is not None else []}
        if f.previous_overall is not None and f.overall is not None:
            data["before"] = [f.previous_overall]
            data["after"] = [f.overall]
            data["change"] = [round(f.overall - f.previous_overall, 4)]
        out.append((key, data))
    return out


def _combine(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One atom's payload: counts summed, value lists sorted (no order of arrival kept),
    hand-offs counted per (from, to)."""
    out: dict[str, Any] = {}
    hand: Counter[tuple[int, int]] = Counter()
    for d in records:
        for key, value in d.items():
            if key == "hand":
                hand.update((a, b) for a, b in value)
            elif isinstance(value, list):
                out.setdefault(key, []).extend(value)
            elif isinstance(value, dict):
                t = out.setdefault(key, {})
                for kk, vv in value.items():
                    t[kk] = t.get(kk, 0) + vv
            else:
                out[key] = out.get(key, 0) + value
    for value in out.values():
        if isinstance(value, list):
            value.sort()
    if hand:
        out["hand"] = [[a, b, n] for (a, b), n in sorted(hand.items())]
    return out


def compute_quarter(session: Session, dataset: str, quarter: Quarter, *,
                    now: datetime | None = None) -> InsightSnapshot:
    """(Re)compute the atoms of one ended quarter; a frozen quarter is left as it is."""
    now = now or utcnow()
    snap = session.get(InsightSnapshot, (dataset, quarter.code))
    if snap is not None and snap.frozen:
        return snap
    records = (question_records(session, quarter, now) if dataset == "question"
               else scan_records(session, quarter))
    atoms, left_out = build_atoms(records)
    session.execute(delete(InsightAtom).where(col(InsightAtom.dataset) == dataset,
                                              col(InsightAtom.quarter) == quarter.code))
    rows = []
    for key, datas in atoms.items():
        data = _combine(datas)
        rows.append({"dataset": dataset, "quarter": key.quarter, "month": key.month,
                     "province": key.province, "corop": key.corop, "lmr": key.lmr,
                     "theme": key.theme, "sector": key.sector, "size": key.size,
                     "desk_id": key.desk_id, "n": int(data.pop("n")),
                     "counts": {k: data.pop(k) for k in COUNT_KEYS if k in data},
                     "data": data})
    if rows:
        session.execute(sa.insert(InsightAtom), rows)
    if snap is None:
        snap = InsightSnapshot(dataset=dataset, quarter=quarter.code)
    snap.computed_at = now
    snap.records = len(records)
    snap.shown = len(records) - len(left_out)
    snap.frozen = now >= quarter.ends_at + FREEZE_AFTER
    session.add(snap)
    session.flush()
    return snap


def _first_record(session: Session, dataset: str) -> datetime | None:
    if dataset == "question":
        return first_received_at(session)
    return first_scan_at(session)


def refresh(session: Session, *, now: datetime | None = None,
            datasets: Iterable[str] = DATASETS) -> list[str]:
    """Compute every ended, unfrozen quarter since the first record; returns what was done."""
    now = now or utcnow()
    done: list[str] = []
    for dataset in datasets:
        first = _first_record(session, dataset)
        if first is None:
            continue
        frozen = set(session.exec(select(InsightSnapshot.quarter).where(
            InsightSnapshot.dataset == dataset, col(InsightSnapshot.frozen).is_(True))))
        quarter = Quarter.of(first)
        while quarter.ends_at <= now:
            if quarter.code not in frozen:
                compute_quarter(session, dataset, quarter, now=now)
                done.append(f"{dataset}:{quarter.code}")
            quarter = quarter.next()
    return done


@periodic("insight.snapshot", every=timedelta(hours=6), lease=timedelta(hours=1))
def _snapshot_job(ctx: WorkerContext) -> None:
    with ctx.db.transaction() as session:
        done = refresh(session)
    log.info("insight snapshot", extra={"quarters": len(done)})
