"""Tables of the insight domain.

- ``insight_atom``: the frozen, disclosure-safe building blocks of every figure on ``/inzicht``
  (docs/disclosure.md, "Insight"): per dataset and quarter, groups of at least ``K`` records
  that share every dimension a filter can name. Only counts and already-aggregated values are
  stored: no ids, no texts.
- ``insight_snapshot``: when a quarter of a dataset was computed, and whether it is frozen.
- ``search_log``: searches per month and normalised query, counted (no IP, no session).
- ``finder_miss_log``: scheme-finder profiles that fitted no scheme, per month, counted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from backend.core.db import UtcDateTime, utcnow


class InsightSnapshot(SQLModel, table=True):
    __tablename__ = "insight_snapshot"

    dataset: str = Field(primary_key=True, max_length=16)  # question | scan
    quarter: str = Field(primary_key=True, max_length=7)  # 2026-Q4
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    frozen: bool = False
    records: int = 0  # records in the quarter
    shown: int = 0  # records that ended in an atom (the rest is in no figure at all)


class InsightAtom(SQLModel, table=True):
    __tablename__ = "insight_atom"
    __table_args__ = (sa.Index("ix_insight_atom_dataset_quarter", "dataset", "quarter"),)

    id: int | None = Field(default=None, primary_key=True)
    dataset: str = Field(max_length=16)
    quarter: str = Field(max_length=7)
    month: str | None = Field(default=None, max_length=7)  # None: hidden within the quarter
    province: str = Field(max_length=8)  # PV23; "?" not given; "*" hidden
    corop: str | None = Field(default=None, max_length=8)  # None: hidden (or not given)
    lmr: str | None = Field(default=None, max_length=8)
    theme: str = Field(max_length=80)
    sector: str = Field(max_length=80)
    size: str = Field(max_length=40)
    desk_id: int | None = None  # None: hidden
    n: int
    # Small attribute counts (every view reads them) apart from the value lists (``data``:
    # response times, ratings, outcomes, hand-offs, scores), which only some views parse.
    counts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SearchLog(SQLModel, table=True):
    __tablename__ = "search_log"
    __table_args__ = (sa.UniqueConstraint("month", "query"),
                      # "searches that found nothing": only the rows with zero_results > 0,
                      # in query order (grouped without a sort)
                      sa.Index("ix_search_log_zero_query", "query", "month", "zero_results",
                               sqlite_where=sa.text("zero_results > 0"),
                               postgresql_where=sa.text("zero_results > 0")))

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7, index=True)  # 2026-12
    query: str = Field(max_length=200)  # lower-case, whitespace folded, NFC
    searches: int = 0
    zero_results: int = 0  # of those, how many found nothing
    last_result_count: int = 0


class SearchMonth(SQLModel, table=True):
    """Totals per month, kept beside ``search_log`` by the same flush (the trend reads one row
    a month instead of adding up every query)."""

    __tablename__ = "search_month"

    month: str = Field(primary_key=True, max_length=7)
    searches: int = 0
    zero_results: int = 0


class FinderMissLog(SQLModel, table=True):
    __tablename__ = "finder_miss_log"
    __table_args__ = (sa.UniqueConstraint("month", "size", "sector", "province", "theme",
                                          "cost_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7, index=True)
    size: str = Field(default="", max_length=40)
    sector: str = Field(default="", max_length=80)
    province: str = Field(default="", max_length=80)
    theme: str = Field(default="", max_length=80)
    cost_kind: str = Field(default="", max_length=80)
    count: int = 0
