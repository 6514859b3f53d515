"""The regions API's answers (municipality search and lookup)."""

from __future__ import annotations

from pydantic import BaseModel


class MunicipalityOut(BaseModel):
    code: str
    name: str
    province_code: str
    province: str
    corop_code: str | None = None
    corop: str | None = None
    labour_market_code: str | None = None
    labour_market_region: str | None = None
    valid_year: int
    former_names: list[str] = []
    matched: str | None = None  # the former name the query matched, if it was one


class MunicipalityList(BaseModel):
    year: int
    items: list[MunicipalityOut]
    source: str = "CBS, CC BY 4.0 (Bron: CBS)"
