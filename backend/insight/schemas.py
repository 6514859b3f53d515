"""API shapes of ``/api/v1/insight/…``: the views as JSON."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

Value = int | float | str | None


class ColumnOut(BaseModel):
    key: str
    label: str
    kind: str = Field(description="count | share (0–1) | hours | score | rating | text")


class RowOut(BaseModel):
    key: str
    label: str
    values: dict[str, Value] = Field(description="null: suppressed to protect small numbers, "
                                                 "or not available")


class TableOut(BaseModel):
    id: str
    title: str
    note: str
    columns: list[ColumnOut]
    rows: list[RowOut]


class FiltersOut(BaseModel):
    period: str
    province: str | None
    corop: str | None
    lmr: str | None
    theme: str | None
    sector: str | None
    size: str | None
    by: str


class ViewOut(BaseModel):
    view: str
    title: str
    filters: FiltersOut
    computed_at: datetime | None = Field(description="When the newest figures were computed")
    minimum_group: int = Field(description="Every figure covers whole groups of at least this "
                                           "many records; smaller counts are null")
    tables: list[TableOut]
