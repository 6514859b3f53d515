"""API shapes of the group members' endpoints (``/api/v1/groups``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class OwnFigure(BaseModel):
    period: str
    period_closed: bool
    kpi: str
    unit: str
    value: float


class GroupCellOut(BaseModel):
    """Statistics are classes (docs/disclosure.md, rule 0): ``q1 <= Q1 < q1_to`` and so on
    (mirrored for negative classes); never a single firm's value."""

    n: int
    suppressed_reason: str | None
    q1: float | None
    q1_to: float | None = None
    median: float | None
    median_to: float | None = None
    q3: float | None
    q3_to: float | None = None


class ComparisonPoint(BaseModel):
    period: str
    own_value: float | None
    percentile_rank: float | None
    group: GroupCellOut | None
    all_groups: GroupCellOut | None = Field(
        None, description="All firms of your sector and size class in the groups that allow "
        "the comparison across groups (same KPI template and period label); null when your "
        "group did not take part for this period or the KPI has no template.")


class KpiComparisonOut(BaseModel):
    kpi: str
    name: str
    unit: str
    higher_is_better: bool
    points: list[ComparisonPoint]


class KpiOut(BaseModel):
    key: str
    name: str
    unit: str
    description: str
    higher_is_better: bool
    formula: str | None = Field(None, description="Computed from other KPIs; not submitted.")
    template: str | None = Field(None, description="Ready-made template: compares across "
                                 "groups.")
    min_value: float | None
    max_value: float | None


class PeriodOut(BaseModel):
    id: int
    label: str
    closed: bool


class FiguresIn(BaseModel):
    figures: dict[str, float | None] = Field(
        description="KPI key → your firm's value; null removes the value. KPIs not named stay "
        "as they are. All or nothing: one bad value and nothing is saved.",
        examples=[{"oee": 71.5, "absenteeism": 4.2}])
