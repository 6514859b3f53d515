"""Public pages: the search page, browse pages per type and detail pages.

Every page works as plain GET links and forms; HTMX swaps only the ``results`` block (search as
you type, filters) and keeps the URL in step. If the search engine is down the search page
still renders and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlmodel import Session, col, select
from starlette.convertors import Convertor, register_url_convertor

from backend.accounts.deps import OptionalPrincipal, door
from backend.content import agenda, experts, readmodel, service
from backend.content import taxonomy as tx
from backend.content.indexing import backend_for_app
from backend.content.markdown import highlight_html
from backend.content.models import (
    CONTENT_TYPES,
    CompanySize,
    ContentCompanySize,
    ContentItem,
    ContentRegion,
    ContentSector,
    ContentTheme,
    Region,
    Sector,
    Theme,
)
from backend.content.pages import paging, render_detail
from backend.content.searching import SearchParams, run_search
from backend.content.views import (
    RESERVED_SLUGS,
    TYPE_PATHS,
    ItemView,
    english_texts,
    figure_labels,
    item_url,
    kind_label,
    shown,
    status_label,
    today,
    type_label,
)
from backend.core import i18n
from backend.core.db import SessionDep
from backend.core.errors import Invalid
from backend.core.i18n import N_, get_language
from backend.core.i18n import gettext_ as _
from backend.core.memo import Memos, values_then_objects
from backend.core.pagecache import cache_this_page
from backend.core.routing import LazyRoute
from backend.core.templating import env, markup, render
from backend.core.text import checked
from backend.search import FACET_FIELDS, SearchBackend, SearchUnavailable
from backend.site.doors import available_doors

router = APIRouter(include_in_schema=False, route_class=LazyRoute)


class SlugConvertor(Convertor[str]):
    """Slugs only, and never a reserved word: ``/regelingen/{slug}`` must not swallow fixed
    pages such as ``/regelingen/zoeker`` (nor make them look present to the doors check)."""

    regex = (r"(?!(?:" + "|".join(sorted(RESERVED_SLUGS)) + r")$)"
             r"[a-z0-9]+(?:-[a-z0-9]+)*")

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("kbslug", SlugConvertor())

PER_PAGE = 10
BROWSE_PER_PAGE = 20

env.globals.update(kb_type_label=type_label, kb_kind_label=kind_label,
                   kb_figure_labels=figure_labels,
                   kb_status_label=status_label, kb_item_url=item_url,
                   kb_type_paths=TYPE_PATHS, kb_shown=shown)
env.filters["kb_name"] = tx.name_of

# (item id, language) -> its card on a list page (content/_macros.html ``item_card``), kept per
# view and day: ``readmodel`` keeps the views per content version and taxonomy and hands out the
# same object until one of them changes, and a scheme's status badge follows the date. The
# same twenty cards on every visit to a list page; made once (``core.memo``).
_cards: Memos[tuple[int, str], tuple[tuple[date], tuple[ItemView]], Markup] = Memos(
    values_then_objects)


def item_card(view: ItemView) -> Markup:
    lang = get_language()

    def build() -> Markup:
        macros = env.get_template("content/_macros.html").module
        return Markup(macros.item_card(view))  # type: ignore[attr-defined]  # noqa: S704

    return _cards.get((view.id, lang), ((today(),), (view,)), build)


env.globals["kb_item_card"] = item_card


def search_backend(request: Request) -> SearchBackend:
    """The process-wide backend; tests may put another one on ``app.state.search_backend``."""
    return backend_for_app(request.app)


def ask_door(request: Request) -> str | None:
    """The "ask a question" door, once that page exists."""
    doors = [d for d in available_doors(request) if d.path == "/vraag"]
    return doors[0].href if doors else None


_FACET_TITLES = {
    "type": N_("Type"), "theme": N_("Theme"), "pillar": N_("TOP pillar"),
    "sector": N_("Sector"), "region": N_("Region"), "size": N_("Company size"),
    "status": N_("Scheme status"), "kind": N_("Kind"),
}


def facet_title(name: str) -> str:
    title = _FACET_TITLES.get(name)
    return _(title) if title is not None else name


def _label(tax: tx.Taxonomy, facet: str, value: str) -> str:
    if facet == "type":
        return type_label(value, plural=True)
    if facet == "status":
        return status_label(value)
    return tax.label({"size": "size"}.get(facet, facet), value)


# --- search --------------------------------------------------------------------------------

@router.get("/zoeken", response_class=HTMLResponse, name="search")
def search_page(
    request: Request, session: SessionDep,
    q: str = "",
    type: list[str] = Query(default=[]),
    theme: list[str] = Query(default=[]),
    pillar: list[str] = Query(default=[]),
    sector: list[str] = Query(default=[]),
    region: list[str] = Query(default=[]),
    size: list[str] = Query(default=[]),
    status: list[str] = Query(default=[]),
    sort: str = "relevance",
    page: str = "1",
) -> HTMLResponse:
    params = SearchParams.build(
        q, {"type": type, "theme": theme, "pillar": pillar, "sector": sector, "region": region,
            "size": size, "status": status}, sort, _int(page), PER_PAGE)
    tax = tx.load(session)
    results = None
    unavailable = False
    try:
        results = run_search(search_backend(request), params)
    except SearchUnavailable:
        unavailable = True
    else:
        cache_this_page(request)
    facets: list[dict[str, Any]] = []
    hits: list[dict[str, Any]] = []
    pager = None
    if results is not None:
        for name in FACET_FIELDS:
            counts = dict(results.facets.get(name, {}))
            for active in params.filters.get(name, ()):
                counts.setdefault(active, 0)
            if not counts:
                continue
            values: list[dict[str, Any]] = [
                {"value": v, "label": _label(tax, name, v), "count": n,
                 "active": params.is_active(name, v), "url": params.toggle(name, v)}
                for v, n in counts.items()]
            values.sort(key=lambda x: (not x["active"], -x["count"], x["label"].lower()))
            facets.append({"name": name, "title": facet_title(name), "values": values})
        hits = [{"id": h.id, "type": h.type, "type_label": type_label(h.type), "title": h.title,
                 "url": h.url, "snippet": markup(highlight_html(h.snippet)), "lang": None}
                for h in results.hits]
        if get_language() == "en":
            # The index shows the Dutch text; a hit with an English title or summary shows it.
            english = english_texts(session, [h["id"] for h in hits])
            for hit in hits:
                title_en, summary_en = english.get(hit["id"], ("", ""))
                if title_en:
                    hit["title"] = title_en
                if summary_en:
                    hit["snippet"] = summary_en
                hit["lang"] = "en" if title_en or summary_en else "nl"
        pager = paging(params.page, params.per_page, results.total,
                       lambda n: params.url(page=n))
    broader = [{"label": _("Without the filter “%(name)s”", name=facet_title(name)),
                "url": params.without(name)} for name in params.filters]
    if len(params.filters) > 1:
        broader.append({"label": _("Without any filters"), "url": params.without()})
    ctx = {
        "params": params, "results": results, "hits": hits, "facets": facets, "pager": pager,
        "unavailable": unavailable, "broader": broader, "search_q": params.q,
        "suggestion_url": (params.url(q=results.suggestion, page=1)
                           if results is not None and results.suggestion else None),
        "ask_url": ask_door(request),
        "sorts": [("relevance", _("Relevance")), ("newest", _("Newest first")),
                  ("closing", _("Closing date"))],
        "filter_names": [n for n in FACET_FIELDS],
    }
    return render(request, "content/search.html", ctx, block="results")


def _int(value: str | None, default: int = 1) -> int:
    try:
        return max(1, min(10_000, int(value or default)))
    except ValueError:
        return default


# --- browse --------------------------------------------------------------------------------

def _used_terms(session: Session, type_: str, link: Any, term_col: Any, model: Any
                ) -> list[tuple[str, str, int]]:
    """(slug, name, count) of terms used by published items of a type."""
    rows = session.exec(
        select(model, sa.func.count(link.item_id))
        .join(link, term_col == model.id)
        .join(ContentItem, col(ContentItem.id) == link.item_id)
        .where(ContentItem.type == type_, ContentItem.status == "published",
               col(ContentItem.deleted_at).is_(None))
        .group_by(col(model.id))
        .order_by(col(model.position), col(model.id))).all()
    return [(t.slug, tx.name_of(t), n) for t, n in rows]


def _used_kinds(session: Session, type_: str) -> list[tuple[str, str, int]]:
    rows = session.exec(
        select(ContentItem.kind, sa.func.count())
        .where(ContentItem.type == type_, ContentItem.status == "published",
               col(ContentItem.deleted_at).is_(None), col(ContentItem.kind).is_not(None))
        .group_by(col(ContentItem.kind))).all()
    return sorted(((k, kind_label(k), n) for k, n in rows if k), key=lambda r: r[1].lower())


# (type, language) -> facet values, kept per content version and taxonomy (``core.memo``):
# five grouped counts over the links, the same for every visitor until an item or term changes.
_facets: Memos[tuple[str, str], tuple[tuple[object, ...], tuple[tx.Taxonomy]],
               dict[str, list[tuple[str, str, int]]]] = Memos(values_then_objects)


def _used_facets(session: Session, type_: str, key: tuple[tuple[object, ...], tuple[tx.Taxonomy]]
                 ) -> dict[str, list[tuple[str, str, int]]]:
    """The terms and kinds published items of a type use, with counts, for a list page's
    filters; kept while ``key`` (``queries.content_version`` and the taxonomy, as
    ``readmodel.Published.key``) is the same."""
    return _facets.get((type_, i18n.get_language()), key, lambda: {
        "theme": _used_terms(session, type_, ContentTheme, ContentTheme.theme_id, Theme),
        "sector": _used_terms(session, type_, ContentSector, ContentSector.sector_id, Sector),
        "region": _used_terms(session, type_, ContentRegion, ContentRegion.region_id, Region),
        "size": _used_terms(session, type_, ContentCompanySize, ContentCompanySize.size_id,
                            CompanySize),
        "kind": _used_kinds(session, type_),
    })


def browse(type_: str) -> Callable[..., HTMLResponse]:
    def page_handler(
        request: Request, session: SessionDep,
        theme: str = "", sector: str = "", region: str = "", size: str = "", kind: str = "",
        status: str = "", pagina: str = "1", q: str = "",
    ) -> HTMLResponse:
        cache_this_page(request)
        page = _int(pagina)
        chosen = {"theme": theme, "sector": sector, "region": region, "size": size,
                  "kind": kind, "status": status}
        filters = service.ListFilters(
            types=(type_,), themes=[theme] if theme else (), sectors=[sector] if sector else (),
            regions=[region] if region else (), sizes=[size] if size else (),
            kinds=[kind] if kind else (),
            scheme_statuses=[status] if status and type_ == "scheme" else (),
            upcoming_only=type_ == "event" and not request.query_params.get("alle"))
        order = {"event": "starts", "scheme": "title"}.get(type_, "title")
        tax = tx.load(session)
        kept = readmodel.published(session, type_, tax)
        ids, total = readmodel.page_ids(session, kept, filters, page=page,
                                        per_page=BROWSE_PER_PAGE, order=order,
                                        find=service.list_item_ids)
        views = readmodel.views_of(session, kept, ids)
        used = _used_facets(session, type_, kept.key)
        options: list[dict[str, Any]] = [
            {"name": name, "title": facet_title(name), "values": used[name]}
            for name in ("theme", "sector", "region", "size")]
        if type_ in ("scheme", "event", "organisation", "expert"):
            options.insert(0, {"name": "kind", "title": facet_title("kind"),
                               "values": used["kind"]})
        if type_ == "scheme":
            options.insert(1, {"name": "status", "title": facet_title("status"), "values": [
                (s, status_label(s), None) for s in ("open", "continuous", "upcoming", "closed",
                                                 "exhausted")]})
        options = [o for o in options if o["values"]]
        base = TYPE_PATHS[type_]
        keep = {k: v for k, v in chosen.items() if v}

        def url(n: int) -> str:
            query = urlencode({**keep, **({"pagina": n} if n > 1 else {})})
            return base + (f"?{query}" if query else "")

        ctx = {"type": type_, "title": type_label(type_, plural=True), "views": views,
               "total": total, "options": options, "chosen": chosen, "base": base,
               "pager": paging(page, BROWSE_PER_PAGE, total, url), "search_q": q,
               "all_events": bool(request.query_params.get("alle"))}
        return render(request, "content/browse.html", ctx, block="results")

    page_handler.__name__ = f"browse_{type_}"
    return page_handler


def detail(type_: str) -> Callable[..., HTMLResponse]:
    def page_handler(request: Request, session: SessionDep, slug: str,
                     principal: OptionalPrincipal) -> HTMLResponse:
        kept = readmodel.published(session, type_)
        view = kept.by_slug.get(slug)
        if view is None:  # not published (NotFound), or published after the views were read
            item = service.get_item(session, type_, slug, public=True)
        cache_this_page(request)
        if view is None:
            return render_detail(request, session, item, principal=principal)
        return render_detail(request, session, view.item, principal=principal,
                             kept=(kept, view))

    page_handler.__name__ = f"detail_{type_}"
    return page_handler


@router.get("/kennisbank", response_class=HTMLResponse, name="knowledge_base")
def knowledge_base(request: Request, session: SessionDep) -> HTMLResponse:
    cache_this_page(request)
    counts = dict(session.exec(
        select(ContentItem.type, sa.func.count()).where(
            ContentItem.status == "published", col(ContentItem.deleted_at).is_(None))
        .group_by(col(ContentItem.type))).all())
    tax = tx.load(session)
    sections = [{"type": t, "title": type_label(t, plural=True), "url": TYPE_PATHS[t],
                 "count": counts.get(t, 0)} for t in CONTENT_TYPES if counts.get(t)]
    pillars = [{"pillar": p, "themes": [t for t in tax.themes if t.pillar_id == p.id]}
               for p in tax.pillars]
    return render(request, "content/index.html", {"sections": sections, "pillars": pillars})


@router.get("/agenda.ics", name="agenda_ics")
def agenda_ics(request: Request, session: SessionDep) -> Any:
    """The agenda as an iCalendar feed (subscribe in any calendar)."""


    body = agenda.export_ics(session, base_url=request.app.state.settings.base_url)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": 'inline; filename="loket-agenda.ics"'})


# --- the opt-in expert directory ----------------------------------------------------------

def _translated(fields: dict[str, str] | None) -> dict[str, str]:
    return {k: _(v) for k, v in (fields or {}).items()}


def _register_page(request: Request, session: Session, values: dict[str, Any],
                   errors: dict[str, str] | None = None, status_code: int = 200,
                   done: bool = False) -> HTMLResponse:
    tax = tx.load(session)
    return render(request, "content/expert_register.html", {
        "values": values, "errors": errors or {}, "done": done,
        "theme_options": tax.options("theme"), "region_options": tax.options("region")},
        status_code=status_code)


@router.get("/experts/aanmelden", response_class=HTMLResponse, name="expert_register")
def expert_register_form(request: Request, session: SessionDep) -> HTMLResponse:
    return _register_page(request, session, {"themes": [], "regions": []})


@router.post("/experts/aanmelden", response_class=HTMLResponse, name="expert_register_post")
async def expert_register(request: Request, session: SessionDep) -> HTMLResponse:
    form = await request.form()
    values: dict[str, Any] = {k: str(form.get(k) or "") for k in (
        "name", "email", "role", "summary", "availability", "website")}
    values["themes"] = [str(v) for v in form.getlist("themes")]
    values["regions"] = [str(v) for v in form.getlist("regions")]
    values["consent"] = "consent" in form
    try:
        experts.register_expert(session, {**values, "website": values["website"] or None})
    except Invalid as exc:
        return _register_page(request, session, values, _translated(exc.fields),
                              status_code=422)
    session.commit()
    return _register_page(request, session, {"themes": [], "regions": []}, done=True)


@router.post("/experts/{slug:kbslug}/introductie", response_class=HTMLResponse,
             name="expert_introduction")
async def expert_introduction(request: Request, session: SessionDep, slug: str,
                              principal: OptionalPrincipal) -> Any:
    item = service.get_item(session, "expert", slug, public=True)
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in ("text", "email", "municipality", "name")}
    try:
        case = experts.request_introduction(
            session, item, text=values["text"], email=values["email"],
            municipality=values["municipality"] or None, name=values["name"] or None,
            consent=checked(str(form.get("consent") or "")),
            door=door(request, honeypot=str(form.get("website") or ""),
                      consent=checked(str(form.get("consent") or ""))),
            base_url=request.app.state.settings.base_url)
    except Invalid as exc:
        return render_detail(request, session, item, principal=principal, status_code=422,
                             extra={"intro_values": values,
                                    "intro_errors": _translated(exc.fields)})
    session.commit()
    experts.introduction_desk().grant(request, case.id)
    return RedirectResponse(f"/mijn-vraag/{case.reference}?ontvangen=1", status_code=303)


for _type in CONTENT_TYPES:
    router.add_api_route(TYPE_PATHS[_type], browse(_type), methods=["GET"],
                         response_class=HTMLResponse, name=f"content_browse_{_type}")
    router.add_api_route(TYPE_PATHS[_type] + "/{slug:kbslug}", detail(_type), methods=["GET"],
                         response_class=HTMLResponse, name=f"content_detail_{_type}")
