"""Municipality search for the API (JSON); the datalist fragment is in ``routes_html``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.core.db import SessionDep
from backend.core.errors import NotFound
from backend.core.i18n import gettext_ as _
from backend.core.routing import LazyRoute
from backend.regions import service
from backend.regions.index import MunicipalityHit, MunicipalityInfo
from backend.regions.schemas import MunicipalityList, MunicipalityOut

router = APIRouter(route_class=LazyRoute)


def _out(m: MunicipalityInfo, matched: str | None = None) -> MunicipalityOut:
    return MunicipalityOut(
        code=m.code, name=m.name, province_code=m.province_code, province=m.province_name,
        corop_code=m.corop_code, corop=m.corop_name, labour_market_code=m.labour_market_code,
        labour_market_region=m.labour_market_name, valid_year=m.valid_year,
        former_names=list(m.former_names),
        matched=matched if matched and matched != m.name else None)


def _hit(h: MunicipalityHit) -> MunicipalityOut:
    return _out(h.municipality, h.matched)


@router.get("/api/v1/regions/municipalities", response_model=MunicipalityList,
            tags=["regions"], summary="Search municipalities (autocomplete)")
def api_municipalities(session: SessionDep,
                       q: Annotated[str, Query(max_length=100)] = "",
                       limit: Annotated[int, Query(ge=1, le=400)] = 10) -> MunicipalityList:
    """Municipalities whose name, or former name, starts with ``q`` (or has a word that does);
    without diacritics is fine ("sudwest" finds Súdwest-Fryslân) and a former municipality
    ("Veghel") gives the current one (Meierijstad) with ``matched`` set. Without ``q``: all,
    alphabetically."""
    index = service.region_index(session)
    if q.strip():
        items = [_hit(h) for h in index.search(q, limit=limit)]
    else:
        items = [_out(m) for m in sorted(index.municipalities.values(),
                                         key=lambda m: m.name)[:limit]]
    return MunicipalityList(year=index.year, items=items)


@router.get("/api/v1/regions/municipalities/{code}", response_model=MunicipalityOut,
            tags=["regions"], summary="One municipality by CBS code or name")
def api_municipality(code: str, session: SessionDep) -> MunicipalityOut:
    found = service.region_index(session).resolve(code)
    if found is None:
        raise NotFound(_("Unknown municipality."))
    return _out(found)


