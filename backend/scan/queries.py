"""Read functions for other domains (insight): the scan's dimensions and overall scores,
no answers, no accounts, no tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.scan.models import ScanResult


@dataclass(frozen=True, slots=True)
class ScanFacts:
    id: int
    created_at: datetime
    municipality_code: str | None
    sector: str | None
    company_size: str | None
    overall: float | None
    previous_overall: float | None  # the same firm's earlier scan (a re-scan), if any


def _overall(scores: object) -> float | None:
    if isinstance(scores, dict) and "overall" in scores:
        try:
            return float(scores["overall"])
        except (TypeError, ValueError):
            return None
    return None


def scan_facts(session: Session, start: datetime, end: datetime) -> list[ScanFacts]:
    """Every scan completed in ``[start, end)``."""
    rows = session.execute(
        sa.select(col(ScanResult.id), col(ScanResult.created_at), col(ScanResult.municipality_code),
               col(ScanResult.sector), col(ScanResult.company_size), col(ScanResult.scores),
               col(ScanResult.previous_id))
        .where(col(ScanResult.created_at) >= start, col(ScanResult.created_at) < end)
        .order_by(col(ScanResult.id))).all()
    prev_ids = sorted({r[6] for r in rows if r[6] is not None})
    previous: dict[int, float | None] = {}
    for i in range(0, len(prev_ids), 500):
        chunk = prev_ids[i:i + 500]
        for pid, scores in session.execute(
                sa.select(col(ScanResult.id), col(ScanResult.scores))
                .where(col(ScanResult.id).in_(chunk))):
            previous[pid] = _overall(scores)
    return [ScanFacts(id=r[0], created_at=r[1], municipality_code=r[2], sector=r[3],
                      company_size=r[4], overall=_overall(r[5]),
                      previous_overall=previous.get(r[6]) if r[6] is not None else None)
            for r in rows]


def first_scan_at(session: Session) -> datetime | None:
    value: datetime | None = session.execute(
        select(sa.func.min(ScanResult.created_at))).scalar()
    return value
