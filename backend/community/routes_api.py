"""API for group members with a token: their own submissions and their own comparisons."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from backend.community import benchmarks as bm
from backend.community.deps import GroupMember
from backend.core.db import SessionDep

router = APIRouter(prefix="/api/v1/groups", tags=["groups"])


class OwnFigure(BaseModel):
    period: str
    period_closed: bool
    kpi: str
    unit: str
    value: float


class GroupCellOut(BaseModel):
    n: int
    suppressed_reason: str | None
    q1: float | None
    median: float | None
    q3: float | None


class ComparisonPoint(BaseModel):
    period: str
    own_value: float | None
    percentile_rank: float | None
    group: GroupCellOut | None


class KpiComparisonOut(BaseModel):
    kpi: str
    name: str
    unit: str
    higher_is_better: bool
    points: list[ComparisonPoint]


@router.get("/{slug}/figures", response_model=list[OwnFigure])
def own_figures(session: SessionDep, access: GroupMember) -> list[OwnFigure]:
    """Your firm's own figures in this group, per period and KPI (computed KPIs included)."""
    out: list[OwnFigure] = []
    for comp in bm.comparison(session, access):
        for p in comp.points:
            if p.own is not None:
                out.append(OwnFigure(period=p.period.label,
                                     period_closed=p.period.closed_at is not None,
                                     kpi=comp.kpi.key, unit=comp.kpi.unit, value=p.own))
    return out


@router.get("/{slug}/comparisons", response_model=list[KpiComparisonOut])
def own_comparisons(session: SessionDep, access: GroupMember) -> list[KpiComparisonOut]:
    """Your firm's values against the group's published statistics (docs/disclosure.md)."""
    return [KpiComparisonOut(
        kpi=c.kpi.key, name=c.kpi.name, unit=c.kpi.unit, higher_is_better=c.kpi.higher_is_better,
        points=[ComparisonPoint(
            period=p.period.label, own_value=p.own, percentile_rank=p.rank,
            group=GroupCellOut(n=p.group.n, suppressed_reason=p.group.reason, q1=p.group.q1,
                               median=p.group.median, q3=p.group.q3) if p.group else None)
            for p in c.points]) for c in bm.comparison(session, access)]
