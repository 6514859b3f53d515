"""Public pages: "Welk loket helpt mij?" (the dry run with a form) and the desk pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlmodel import Session

from backend.core.db import SessionDep
from backend.core.errors import Invalid
from backend.core.i18n import get_language
from backend.core.i18n import gettext_ as _
from backend.core.memo import Memos, values_then_objects
from backend.core.routing import LazyRoute
from backend.core.templating import env, render
from backend.regions import service as regions
from backend.regions.index import RegionIndex
from backend.routing import labels, service

router = APIRouter(include_in_schema=False, route_class=LazyRoute)

# The limits are checked by the page (``which_desk``), which shows the form again with the
# field marked, as for any other error, instead of the general error page.
MAX_TEXT = 5000  # as the API's DryRunRequest.text
MAX_SHORT = 100
Text = Annotated[str, Query()]
Short = Annotated[str, Query()]


def form_context(session: Session, ctx: service.RoutingContext | None = None
                 ) -> dict[str, Any]:
    """``ctx``: the caller's ``service.routing_context``, when it has one."""
    ctx = ctx or service.routing_context(session)
    return {
        "municipality_options": regions.all_options(session),
        "theme_options": labels.theme_options(ctx.taxonomy),
        "sector_options": labels.sector_options(ctx.taxonomy),
        "size_options": labels.size_options(ctx.taxonomy),
        "region_year": ctx.regions.year,
    }


@router.get("/welk-loket", response_class=HTMLResponse, name="which_desk")
def which_desk(request: Request, session: SessionDep, vraag: Text = "", gemeente: Short = "",
               postcode: Short = "", sector: Short = "", omvang: Short = "",
               onderwerp: Short = "") -> HTMLResponse:
    """The form posts to itself with GET: a dry run stores nothing, and the result has an
    address that a coordinator can bookmark or share."""
    values = {"vraag": vraag, "gemeente": gemeente, "postcode": postcode, "sector": sector,
              "omvang": omvang, "onderwerp": onderwerp}
    errors: dict[str, str] = {}
    decision = None
    location = None
    status = 200
    submitted = bool(vraag.strip() or gemeente or postcode)
    suggestions: list[Any] = []
    names = {"municipality": "gemeente", "company_size": "omvang", "theme": "onderwerp"}
    too_long = {name: _("This text is too long (at most %(max)s characters).",
                        max=MAX_TEXT if name == "vraag" else MAX_SHORT)
                for name, value in values.items()
                if len(value) > (MAX_TEXT if name == "vraag" else MAX_SHORT)}
    if too_long:
        submitted = True
        errors.update(too_long)
        values = {k: v[:MAX_TEXT if k == "vraag" else MAX_SHORT] for k, v in values.items()}
    elif submitted:
        if not vraag.strip():
            errors["vraag"] = _("Describe your question.")
            try:  # all errors at once: the place is checked even without a question
                regions.locate(session, municipality=gemeente or None,
                               postcode=postcode or None)
            except Invalid as exc:
                errors.update({names.get(k, k): v for k, v in exc.fields.items()})
        else:
            try:
                decision, location = service.dry_run_located(
                    session, text=vraag, municipality=gemeente or None,
                    postcode=postcode or None, sector=sector or None,
                    company_size=omvang if omvang in service.company_sizes(session) else None,
                    theme=onderwerp or None)
            except Invalid as exc:
                errors = {names.get(k, k): v for k, v in exc.fields.items()} or {
                    "vraag": exc.message}
        if "gemeente" in errors:
            suggestions = regions.suggest_municipalities(session, gemeente, limit=5)
    if errors:
        status = 422
    ctx = service.routing_context(session)
    context = {
        **form_context(session, ctx), "values": values, "errors": errors, "decision": decision,
        "ambiguous": location.ambiguous if location is not None else None,
        "suggestions": suggestions,
        "area": lambda area: labels.area_label(area[0], area[1], ctx.regions) if area else "",
        "theme_label": ctx.taxonomy.theme_label,
        "via_label": via_label,
    }
    return render(request, "routing/which_desk.html", context, block="results",
                  status_code=status)


def via_label(via: str) -> str:
    return {
        "specialism": _("names its specialism"),
        "theme": _("handles the theme"),
        "general_remit": _("general desk for the area"),
        "fallback": _("national fallback"),
    }.get(via, via)


@router.get("/loketten", response_class=HTMLResponse, name="desks")
def desks(request: Request, session: SessionDep) -> HTMLResponse:
    region_index = regions.region_index(session)

    def build() -> Markup:
        rows = []
        cov = service.coverage_of(session)
        for d in service.list_desks(session, active_only=True):
            rows.append({"desk": {"slug": d.slug, "name": d.name, "summary": d.summary},
                         "areas": [labels.area_label(c.kind, c.code, region_index)
                                   for c in cov.get(d.id or 0, [])]})
        cards: Markup = env.get_template(
            "routing/_desk_cards.html").module.cards(rows)  # type: ignore[attr-defined]
        return cards

    cards = _directory.get(get_language(), (service.desks_version(session), (region_index,)),
                           build)
    return render(request, "routing/desks.html", {"cards": cards})


# language -> the desk directory's cards (names, summaries, the areas each desk works in),
# kept while the desks and the region index are the same (``core.memo``): ~100 desks and
# ~150 area names, the same for every visitor.
_directory: Memos[str, tuple[tuple[object, ...], tuple[RegionIndex]], Markup] = (
    Memos(values_then_objects))
