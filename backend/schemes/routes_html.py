"""The scheme finder page: a profile form (GET, so a result has an address) and the result.

Works without JavaScript; with HTMX only the results block is swapped in.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from backend.content import taxonomy as tx
from backend.core.db import SessionDep
from backend.core.errors import Invalid
from backend.core.i18n import gettext_ as _
from backend.core.templating import render
from backend.regions import routes as regions_routes
from backend.schemes import service

router = APIRouter(include_in_schema=False)

Short = Annotated[str, Query(max_length=100)]


def form_options(session: Session) -> dict[str, Any]:
    taxonomy = tx.load(session)
    pillars = []
    for pillar in taxonomy.pillars:
        themes = [(t.slug, tx.name_of(t)) for t in taxonomy.themes if t.pillar_id == pillar.id]
        if themes:
            pillars.append((tx.name_of(pillar), themes))
    sectors = []
    for s in taxonomy.sectors:
        label = tx.name_of(s)
        parent = taxonomy.sector_by_id.get(s.parent_id) if s.parent_id else None
        if parent is not None:
            label = f"{tx.name_of(parent)} — {label}"
        sectors.append((s.slug, label))
    return {
        "size_options": [(s.slug, tx.name_of(s)) for s in taxonomy.sizes],
        "sector_options": sorted(sectors, key=lambda t: t[1].lower()),
        "theme_groups": pillars,
        "cost_kind_options": service.cost_kind_options(session),
        "municipality_options": regions_routes.all_options(session),
    }


def parse_amount(value: str) -> tuple[int | None, str | None]:
    text = value.strip().replace("€", "").replace(".", "").replace(" ", "")
    if not text:
        return None, None
    if not text.isdigit() or int(text) > service.MAX_AMOUNT:
        return None, _("Enter an amount in whole euros.")
    return int(text), None


@router.get("/regelingen/zoeker", response_class=HTMLResponse, name="scheme_finder")
def scheme_finder(request: Request, session: SessionDep, size: Short = "", sector: Short = "",
                  municipality: Short = "",
                  theme: Annotated[list[str] | None, Query(max_length=30)] = None,
                  cost_kind: Short = "", amount: Short = "",
                  include_closed: Short = "") -> HTMLResponse:
    themes = [t for t in (theme or []) if t]
    values = {"size": size, "sector": sector, "municipality": municipality, "themes": themes,
              "cost_kind": cost_kind, "amount": amount, "include_closed": bool(include_closed)}
    submitted = "size" in request.query_params or bool(request.query_params)
    errors: dict[str, str] = {}
    result = None
    status = 200
    suggestions: list[Any] = []
    if submitted:
        amount_value, amount_error = parse_amount(amount)
        if amount_error:
            errors["amount"] = amount_error
        else:
            params = service.ProfileParams.build(
                size=size, sector=sector, municipality=municipality, themes=themes,
                cost_kind=cost_kind, amount=amount_value)
            try:
                result = service.find_schemes(session, params,
                                              include_closed=bool(include_closed))
            except Invalid as exc:
                errors = dict(exc.fields) or {"size": exc.message}
                if "municipality" in errors and municipality:
                    from backend.regions import service as regions

                    suggestions = regions.search_municipalities(session, municipality, limit=5)
        if errors:
            status = 422
    return render(request, "schemes/finder.html", {
        **form_options(session), "values": values, "errors": errors, "result": result,
        "submitted": submitted, "suggestions": suggestions,
        "verdict_label": verdict_label, "status_label": status_label,
    }, block="results", status_code=status)


def verdict_label(verdict: str) -> str:
    return {"fits": _("Fits"), "near_miss": _("Almost fits"),
            "no_fit": _("Does not fit")}.get(verdict, verdict)


def status_label(status: str) -> str:
    from backend.content.views import status_label as content_status

    return content_status(status)
