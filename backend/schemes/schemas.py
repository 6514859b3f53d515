"""API shapes of the scheme finder's endpoint (``/api/v1/schemes/match``)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class ReasonOut(BaseModel):
    criterion: str
    outcome: str
    text: str


class SchemeMatchOut(BaseModel):
    slug: str
    title: str
    url: str
    kind: str
    verdict: str  # fits | near_miss | no_fit
    status: str  # open | continuous | upcoming | closed | exhausted
    opens_on: date | None
    closes_on: date | None
    days_left: int | None
    budget_status: str
    first_come_first_served: bool
    funding_rate: float | None
    min_amount: int | None
    max_amount: int | None
    provider: str | None
    source_url: str | None
    terms_checked_on: date | None
    terms_stale: bool
    why: list[ReasonOut]
    why_not: list[ReasonOut]
    unknown: list[ReasonOut]
    info: list[ReasonOut]


class ProfileOut(BaseModel):
    size: str | None
    sector: str | None
    municipality: str | None
    province: str | None
    themes: list[str]
    cost_kind: str | None
    amount: int | None


class MatchResponse(BaseModel):
    profile: ProfileOut
    on: date
    fits: int
    near_misses: int
    hidden_closed: int
    items: list[SchemeMatchOut]
