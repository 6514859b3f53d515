"""Municipalities and postcode areas (PC4), with the year the division is valid for.

Municipal mergers change the map every 1 January, so each row carries ``valid_year`` and the
names of the municipalities that merged into it (``former_names``), which search uses to send
an old name to the current municipality.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import JSON, Column, Field, SQLModel

from backend.core.db import UtcDateTime, utcnow
from backend.regions.schemas import (  # noqa: F401 - re-exported for this domain's modules
    COROP,
    LABOUR_MARKET_REGION,
    MUNICIPALITY,
    NATIONAL,
    PROVINCE,
    REGION_KINDS,
)


class MunicipalityBase(SQLModel):
    code: str = Field(primary_key=True, max_length=6)  # CBS code, "GM0150"
    name: str = Field(max_length=100)
    province_code: str = Field(max_length=4, index=True)  # "PV23"
    province_name: str = Field(max_length=60)
    corop_code: str | None = Field(default=None, max_length=4, index=True)  # "CR12"
    corop_name: str | None = Field(default=None, max_length=100)
    labour_market_code: str | None = Field(default=None, max_length=4, index=True)  # "AM23"
    labour_market_name: str | None = Field(default=None, max_length=100)
    valid_year: int


class Municipality(MunicipalityBase, table=True):
    __tablename__ = "municipality"

    # Folded name (lowercase, no diacritics) for prefix search in SQL.
    search_name: str = Field(max_length=100, index=True)
    former_names: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Indexed, as ``valid_year`` of postcodes: the region index's fingerprint (on every page
    # with a municipality field) reads both maxima, a table scan each without (regions/service).
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)


class MunicipalityPublic(MunicipalityBase):
    former_names: list[str] = []


class PostcodeArea(SQLModel, table=True):
    """A four-digit postcode and the municipality most of its addresses belong to."""

    __tablename__ = "postcode_area"

    postcode: str = Field(primary_key=True, max_length=4)
    municipality_code: str = Field(max_length=6, index=True)
    valid_year: int = Field(index=True)  # the fingerprint's maximum (see imported_at above)
    # The woonplaats (place) most of its addresses belong to, as CBS names it ("Hengelo (Gld)").
    place: str | None = Field(default=None, max_length=100)
