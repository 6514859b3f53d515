"""The scheme finder page: a profile form (GET, so a result has an address) and the result.

Works without JavaScript; with HTMX only the results block is swapped in.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from sqlmodel import Session

from backend.accounts.deps import OptionalPrincipal, login_redirect
from backend.content import taxonomy as tx
from backend.content.views import status_label as content_status
from backend.core.db import SessionDep
from backend.core.errors import Invalid
from backend.core.i18n import get_language, translations
from backend.core.i18n import gettext_ as _
from backend.core.memo import Memos
from backend.core.pagecache import cache_this_page
from backend.core.routing import LazyRoute
from backend.core.templating import env, render
from backend.regions import service as regions
from backend.schemes import alerts, service
from backend.schemes.eligibility import SchemeFacts, SchemeMatch

router = APIRouter(include_in_schema=False, route_class=LazyRoute)

Short = Annotated[str, Query(max_length=100)]


# language -> (taxonomy, its options): the same lists for every visitor until a term changes.
_term_options: dict[str, tuple[tx.Taxonomy, dict[str, Any]]] = {}


def form_options(session: Session, taxonomy: tx.Taxonomy | None = None,
                 version: tuple[object, ...] | None = None) -> dict[str, Any]:
    taxonomy = taxonomy or tx.load(session)
    lang = get_language()
    hit = _term_options.get(lang)
    if hit is None or hit[0] is not taxonomy:
        hit = _term_options[lang] = (taxonomy, _term_form_options(taxonomy))
    return {**hit[1], "cost_kind_options": service.cost_kind_options(session, version),
            "municipality_options": regions.all_options(session)}


def _term_form_options(taxonomy: tx.Taxonomy) -> dict[str, Any]:
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
    cache_this_page(request)
    themes = [t for t in (theme or []) if t]
    values = {"size": size, "sector": sector, "municipality": municipality, "themes": themes,
              "cost_kind": cost_kind, "amount": amount, "include_closed": bool(include_closed)}
    submitted = "size" in request.query_params or bool(request.query_params)
    errors: dict[str, str] = {}
    result = None
    status = 200
    suggestions: list[Any] = []
    taxonomy = tx.load(session)
    version = service.content_version(session)  # the form's cost kinds and the facts follow it
    if submitted:
        amount_value, amount_error = parse_amount(amount)
        if amount_error:
            errors["amount"] = amount_error
        params = service.ProfileParams.build(
            size=size, sector=sector, municipality=municipality, themes=themes,
            cost_kind=cost_kind, amount=amount_value)
        try:  # also with a bad amount, so that every error shows at once
            result = service.find_schemes(session, params,
                                          include_closed=bool(include_closed),
                                          notify=not errors, taxonomy=taxonomy,
                                          version=version)
        except Invalid as exc:
            errors.update(dict(exc.fields) or {"size": exc.message})
        if errors:
            result = None
        if "municipality" in errors and municipality:
            suggestions = regions.suggest_municipalities(session, municipality, limit=5)
        if errors:
            status = 422
    return render(request, "schemes/finder.html", {
        **form_options(session, taxonomy, version), "values": values, "errors": errors,
        "result": result, "submitted": submitted, "suggestions": suggestions,
        "save_profiles": True, "match_items": match_items,
    }, block="results", status_code=status)


# A result's item (schemes/finder.html): its head (title, verdict and status, badges,
# summary) and its terms (provider, rate, source, the check) do not depend on the profile:
# schemes/_match_parts.html renders them once per scheme's facts (``service.published_schemes``
# keeps them per content version, day and taxonomy), language and, for the head, verdict and
# status (``core.memo``). Its reasons do, and are written here: with the template's loops,
# escapes and attribute lookups, ~170 reasons were half the cost of the page's results
# (docs/benchmarks.md, h10-pages).
_terms: Memos[tuple[str, str], SchemeFacts, Markup] = Memos(operator.is_)
_heads: Memos[tuple[str, str, str, str], SchemeFacts, Markup] = Memos(operator.is_)
# language -> the reasons' three headings, escaped, per catalog
_headings: Memos[str, object, tuple[str, str, str]] = Memos(operator.is_)


def _parts() -> Any:
    return env.get_template("schemes/_match_parts.html").module


def _head_and_terms(lang: str, match: SchemeMatch) -> tuple[Markup, Markup]:
    scheme, verdict, status = match.scheme, match.verdict, match.status
    head = _heads.get((lang, scheme.slug, verdict, status), scheme, lambda: _parts().head(
        scheme, lang, verdict, verdict_label(verdict), status, status_label(status)))
    return head, _terms.get((lang, scheme.slug), scheme, lambda: _parts().terms(scheme))


def match_items(matches: Iterable[SchemeMatch]) -> list[tuple[SchemeMatch, Markup]]:
    """Each match with its ``<li>`` up to its end (the template adds the save form and
    ``</li>``). A page's matches repeat many of the same reasons (the profile's size, "open
    to every sector"): each distinct one is escaped once per call."""
    lang = get_language()
    headings = _headings.get(lang, translations(lang), lambda: (
        escape(_("Why this fits")), escape(_("Why not")), escape(_("Good to know"))))
    written: dict[tuple[str, str], str] = {}
    out = []
    for match in matches:
        head, terms = _head_and_terms(lang, match)
        # the reasons as the template wrote them, whitespace and all, in one pass: why it
        # fits (``match.why``), why not (``why_not``), good to know (``unknown``, ``info``)
        items: dict[str, list[str]] = {"match": [], "miss": [], "unknown": [], "info": []}
        for r in match.reasons:
            li = written.get((r.outcome, r.text))
            if li is None:
                li = written[r.outcome, r.text] = (
                    f'<li class="explanation__item explanation__item--{r.outcome}">'
                    f'{escape(r.text)}</li>')
            items[r.outcome].append(li)
        parts: list[str] = [head]
        for heading, group in zip(headings, (items["match"], items["miss"],
                                             items["unknown"] + items["info"]), strict=True):
            if group:
                parts.append(f'      <p class="scheme-match__heading">{heading}</p>\n'
                             f'      <ul class="explanation">{"".join(group)}</ul>\n')
        parts.append(terms)
        out.append((match, Markup("".join(parts))))  # noqa: S704 - made here and by templates
    return out


def verdict_label(verdict: str) -> str:
    return {"fits": _("Fits"), "near_miss": _("Almost fits"),
            "no_fit": _("Does not fit")}.get(verdict, verdict)


def status_label(status: str) -> str:
    return content_status(status)


# --- saved profiles (account holders) -------------------------------------------------------

@router.post("/regelingen/zoeker/profielen", name="scheme_profile_save")
def save_profile(request: Request, session: SessionDep, principal: OptionalPrincipal,
                 size: Annotated[str, Form(max_length=100)] = "",
                 sector: Annotated[str, Form(max_length=100)] = "",
                 municipality: Annotated[str, Form(max_length=100)] = "",
                 theme: Annotated[list[str] | None, Form()] = None,
                 cost_kind: Annotated[str, Form(max_length=100)] = "",
                 amount: Annotated[str, Form(max_length=100)] = "",
                 name: Annotated[str, Form(max_length=200)] = "") -> Response:
    themes = [t for t in (theme or []) if t][:30]
    amount_value, _error = parse_amount(amount)
    params = service.ProfileParams.build(size=size, sector=sector, municipality=municipality,
                                         themes=themes, cost_kind=cost_kind,
                                         amount=amount_value)
    profile_stub = alerts.SchemeProfile(user_id=0, size=params.size, sector=params.sector,
                                        municipality=params.municipality,
                                        themes=list(params.themes), cost_kind=params.cost_kind,
                                        amount=params.amount)
    back = alerts.finder_url(profile_stub)
    if principal is None or principal.user_id is None:
        return RedirectResponse(f"/inloggen?next={quote(back, safe='')}", status_code=303)
    alerts.save_profile(session, principal.user_id, params, name=name)
    return RedirectResponse("/regelingen/mijn-profielen?bericht=opgeslagen", status_code=303)


@router.get("/regelingen/mijn-profielen", response_class=HTMLResponse, name="scheme_profiles")
def my_profiles(request: Request, session: SessionDep, principal: OptionalPrincipal,
                bericht: Short = "") -> HTMLResponse:

    if principal is None or principal.user_id is None:
        raise login_redirect(request)
    profiles = alerts.profiles_of(session, principal.user_id)
    saved = alerts.saved_schemes_of(session, principal.user_id)
    message = {
        "opgeslagen": _("Profile saved. We will e-mail you when a new scheme fits it or a "
                        "fitting scheme closes within 14 days."),
        "verwijderd": _("Profile deleted; you will no longer receive e-mails about it."),
        "bewaard": _("Scheme saved. We will e-mail you once when it closes within 14 days."),
        "niet-bewaard": _("The scheme is no longer saved."),
    }.get(bericht)
    return render(request, "schemes/profiles.html", {
        "profiles": [(p, alerts.finder_url(p)) for p in profiles], "message": message,
        "saved": saved, "status_label": status_label})


@router.post("/regelingen/mijn-profielen/{profile_id}/verwijderen",
             name="scheme_profile_delete")
def delete_profile(request: Request, session: SessionDep, principal: OptionalPrincipal,
                   profile_id: int) -> Response:
    if principal is None or principal.user_id is None:
        return RedirectResponse("/inloggen", status_code=303)
    alerts.delete_profile(session, principal.user_id, profile_id)
    return RedirectResponse("/regelingen/mijn-profielen?bericht=verwijderd", status_code=303)


# --- saved schemes (account holders) -------------------------------------------------------

@router.post("/regelingen/bewaard", name="scheme_save")
def save_scheme(request: Request, session: SessionDep, principal: OptionalPrincipal,
                slug: Annotated[str, Form(max_length=200)] = "") -> Response:
    """"Bewaar deze regeling": anonymous visitors log in first and come back to the finder."""

    if principal is None or principal.user_id is None:
        return RedirectResponse("/inloggen?next=%2Fregelingen%2Fzoeker", status_code=303)
    alerts.save_scheme(session, principal.user_id, slug)
    return RedirectResponse("/regelingen/mijn-profielen?bericht=bewaard", status_code=303)


@router.post("/regelingen/bewaard/{saved_id}/verwijderen", name="scheme_saved_delete")
def delete_saved_scheme(session: SessionDep, principal: OptionalPrincipal,
                        saved_id: int) -> Response:
    if principal is None or principal.user_id is None:
        return RedirectResponse("/inloggen", status_code=303)
    alerts.delete_saved_scheme(session, principal.user_id, saved_id)
    return RedirectResponse("/regelingen/mijn-profielen?bericht=niet-bewaard", status_code=303)
