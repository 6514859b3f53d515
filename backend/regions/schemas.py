"""What regions offers other domains besides its service functions: the region kinds (desk
coverage in routing uses the same words; other domains import them from here, never from
``backend.regions.models``), and the regions API's answers (municipality search and lookup).
"""

from __future__ import annotations

from pydantic import BaseModel

# Region kinds, from most to least specific.
MUNICIPALITY = "municipality"
LABOUR_MARKET_REGION = "labour_market_region"
COROP = "corop"
PROVINCE = "province"
NATIONAL = "national"
REGION_KINDS = (MUNICIPALITY, LABOUR_MARKET_REGION, COROP, PROVINCE, NATIONAL)


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
