"""API for group members with a token: their own submissions and their own comparisons."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from backend.community import benchmarks as bm
from backend.community import disclosure as dc
from backend.community.deps import GroupMember
from backend.community.schemas import (
    ComparisonPoint,
    FiguresIn,
    GroupCellOut,
    KpiComparisonOut,
    KpiOut,
    OwnFigure,
    PeriodOut,
)
from backend.core.db import RowId, SessionDep
from backend.core.routing import LazyRoute

router = APIRouter(prefix="/api/v1/groups", tags=["groups"], route_class=LazyRoute)


_errors: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or an invalid token."},
    403: {"description": "Your firm is not a member of this group."},
    404: {"description": "No such group or period."},
}


@router.get("/{slug}/kpis", response_model=list[KpiOut], responses=_errors)
def group_kpis(session: SessionDep, access: GroupMember) -> list[KpiOut]:
    """The group's KPIs: the keys to submit figures with."""
    return [KpiOut(key=k.key, name=k.name, unit=k.unit, description=k.description,
                   higher_is_better=k.higher_is_better, formula=k.formula, template=k.template,
                   min_value=k.min_value, max_value=k.max_value)
            for k in bm.kpis(session, access.group)]


@router.get("/{slug}/periods", response_model=list[PeriodOut], responses=_errors)
def group_periods(session: SessionDep, access: GroupMember) -> list[PeriodOut]:
    """The group's periods; figures can be submitted and corrected while a period is open."""
    return [PeriodOut(id=p.id or 0, label=p.label, closed=p.closed_at is not None)
            for p in bm.periods(session, access.group)]


@router.patch("/{slug}/periods/{period_id}/figures", response_model=list[OwnFigure],
              responses={**_errors, 409: {"description": "The period is closed."},
                         422: {"description": "A value is not valid; nothing was saved."}})
def submit_figures(session: SessionDep, access: GroupMember, period_id: RowId,
                   body: FiguresIn) -> list[OwnFigure]:
    """Submit or correct your firm's figures for an open period. Returns your figures for it."""
    bm.submit_values(session, access, period_id, body.figures)
    period = bm.get_period(session, access.group, period_id)
    return [f for f in own_figures(session, access) if f.period == period.label]


@router.get("/{slug}/figures", response_model=list[OwnFigure], responses=_errors)
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


@router.get("/{slug}/comparisons", response_model=list[KpiComparisonOut], responses=_errors)
def own_comparisons(session: SessionDep, access: GroupMember) -> list[KpiComparisonOut]:
    """Your firm's values against the group's published statistics (docs/disclosure.md)."""
    return [KpiComparisonOut(
        kpi=c.kpi.key, name=c.kpi.name, unit=c.kpi.unit, higher_is_better=c.kpi.higher_is_better,
        points=[ComparisonPoint(
            period=p.period.label, own_value=p.own, percentile_rank=p.rank,
            group=_cell(p.group), all_groups=_cell(p.cross))
            for p in c.points]) for c in bm.comparison(session, access)]


def _cell(c: bm.Cell | None) -> GroupCellOut | None:
    if c is None:
        return None
    def lo(b: dc.Band | None) -> float | None:
        return None if b is None else b.low

    def hi(b: dc.Band | None) -> float | None:
        return None if b is None else b.high

    return GroupCellOut(n=c.n, suppressed_reason=c.reason, q1=lo(c.q1), q1_to=hi(c.q1),
                        median=lo(c.median), median_to=hi(c.median), q3=lo(c.q3),
                        q3_to=hi(c.q3))
