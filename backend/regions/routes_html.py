"""The regions domain's page fragment: municipality suggestions for a datalist (HTMX)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from backend.core.db import SessionDep
from backend.core.routing import LazyRoute
from backend.core.templating import render
from backend.regions import service

router = APIRouter(route_class=LazyRoute)


@router.get("/gemeenten/opties", response_class=HTMLResponse, include_in_schema=False,
            name="municipality_options")
def municipality_options(request: Request, session: SessionDep,
                         q: Annotated[str, Query(max_length=100)] = "") -> HTMLResponse:
    """``<option>`` elements for a ``<datalist>``: HTMX swaps them in while someone types.
    ``hx-get`` sends the field under its own name, so any single parameter is the query."""
    query = q or next(iter(request.query_params.values()), "")[:100]
    index = service.region_index(session)
    hits = index.search(query, limit=12) if query.strip() else []
    return render(request, "regions/options.html", {"hits": hits})
