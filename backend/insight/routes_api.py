"""``/api/v1/insight/…``: the five views as JSON (the same tables as the pages)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from backend.accounts.deps import CurrentUser
from backend.core.db import SessionDep
from backend.core.openapi import error_responses
from backend.core.routing import LazyRoute
from backend.insight import service
from backend.insight.schemas import FiltersOut, TableOut, ViewOut

router = APIRouter(prefix="/api/v1/insight", tags=["insight"], route_class=LazyRoute)

Period = Annotated[str | None, Query(max_length=7, description="2026, 2026-Q4 or 2026-10; "
                                     "default: the latest year with figures")]
Code = Annotated[str | None, Query(max_length=4)]
Slug = Annotated[str | None, Query(max_length=80)]


def _out(result: service.ViewResult) -> ViewOut:
    f = result.filters
    return ViewOut(
        view=result.view, title=result.title, computed_at=result.computed_at,
        minimum_group=service.K,
        filters=FiltersOut(period=f.period, province=f.province, corop=f.corop, lmr=f.lmr,
                           theme=f.theme, sector=f.sector, size=f.size, by=f.by),
        tables=[TableOut.model_validate(service.table_json(t)) for t in result.tables])


def _endpoint(view: str) -> Any:
    def get_view(session: SessionDep, principal: CurrentUser, period: Period = None,
                 province: Code = None, corop: Code = None, lmr: Code = None,
                 theme: Slug = None, sector: Slug = None,
                 size: Annotated[str | None, Query(max_length=40)] = None,
                 by: Annotated[str | None, Query(max_length=16)] = None) -> ViewOut:
        access = service.access_of(session, principal)
        filters = service.parse_filters({"period": period, "province": province,
                                         "corop": corop, "lmr": lmr, "theme": theme,
                                         "sector": sector, "size": size, "by": by},
                                        session)
        return _out(service.view(session, view, filters, access))
    get_view.__name__ = f"insight_api_{view}"
    return get_view


_SUMMARIES = {"demand": "Demand and reach", "unmet": "Unmet needs",
              "desks": "Desks side by side", "outcomes": "Closing outcomes and ratings",
              "scan": "Productivity scan results"}

for _view in service.VIEWS:
    router.add_api_route(
        f"/{_view}", _endpoint(_view), methods=["GET"], response_model=ViewOut,
        summary=_SUMMARIES[_view], responses=error_responses(401, 403),
        description="Aggregates only (analyst role; a desk coordinator gets `desks` for their "
                    "own desks). Filters: period, province, corop, lmr (labour-market region), "
                    "theme, sector, size; `by` picks the breakdown where a view has one.")
