"""/inzicht: the five views as pages (filters, a chart and a table each) and CSV exports."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from backend.accounts.deps import OptionalPrincipal, login_redirect
from backend.accounts.principal import Principal
from backend.core.db import SessionDep
from backend.core.errors import Forbidden, Invalid
from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _
from backend.core.routing import LazyRoute
from backend.core.templating import render
from backend.insight import report, service
from backend.insight.chart import bar_chart
from backend.insight.csvexport import to_csv
from backend.insight.disclosure import K

router = APIRouter(include_in_schema=False, route_class=LazyRoute)
PRIVATE = {"Cache-Control": "private, no-store"}
FILTER_NAMES = ("period", "province", "corop", "lmr", "theme", "sector", "size", "by")


def _principal(request: Request, principal: Principal | None) -> Principal:
    if principal is None:
        raise login_redirect(request)
    return principal


def _raw(request: Request) -> dict[str, str | None]:
    return {n: request.query_params.get(n) for n in FILTER_NAMES}


@router.get("/inzicht", response_class=HTMLResponse, name="insight")
def insight_index(request: Request, session: SessionDep,
                  principal: OptionalPrincipal) -> HTMLResponse:
    access = service.access_of(session, _principal(request, principal))
    views = [(service.VIEW_SLUGS[v], _(service.VIEW_TITLES[v])) for v in service.VIEWS
             if v in access.views]
    return render(request, "insight/index.html", {"views": views, "access": access},
                  headers=PRIVATE)


def _page(view: str) -> Any:
    def page(request: Request, session: SessionDep,
             principal: OptionalPrincipal) -> HTMLResponse:
        access = service.access_of(session, _principal(request, principal))
        errors: dict[str, str] = {}
        try:
            filters = service.parse_filters(_raw(request), session)
        except Invalid as exc:
            errors = dict(exc.fields)
            filters = service.Filters()
        result = service.view(session, view, filters, access)
        query = urlencode(result.filters.as_query())
        tables = [{"table": t, "chart": bar_chart(t),
                   "csv": f"/inzicht/{service.VIEW_SLUGS[view]}.csv?"
                          + urlencode({**result.filters.as_query(), "table": t.id})}
                  for t in result.tables]
        return render(request, "insight/view.html", {
            "result": result, "tables": tables, "errors": errors, "query": query,
            "options": service.filter_options(session, access), "access": access,
            "slug": service.VIEW_SLUGS[view], "k": K,
            "views": [(service.VIEW_SLUGS[v], _(service.VIEW_TITLES[v]))
                      for v in service.VIEWS if v in access.views],
            "by_options": _by_options(view),
        }, status_code=422 if errors else 200, headers=PRIVATE)
    page.__name__ = f"insight_{view}"
    return page


def _by_options(view: str) -> list[tuple[str, str]]:
    keys = {"demand": service.BY_OPTIONS, "unmet": (), "desks": (),
            "outcomes": ("desk", "theme", "province"),
            "scan": ("province", "corop", "lmr", "sector", "size", "month")}[view]
    return [(k, _(service.BY_LABELS[k])) for k in keys]


def _csv(view: str) -> Any:
    def export(request: Request, session: SessionDep,
               principal: OptionalPrincipal) -> Response:
        access = service.access_of(session, _principal(request, principal))
        filters = service.parse_filters(_raw(request), session)
        result = service.view(session, view, filters, access)
        table = service.table_of(result, request.query_params.get("table") or
                                 result.tables[0].id)
        name = f"inzicht-{service.VIEW_SLUGS[view]}-{table.id}-{result.filters.period}.csv"
        return Response(to_csv(service.rows_for_csv(table)), media_type="text/csv; charset=utf-8",
                        headers={**PRIVATE,
                                 "Content-Disposition": f'attachment; filename="{name}"'})
    export.__name__ = f"insight_{view}_csv"
    return export


for _view in service.VIEWS:
    _slug = service.VIEW_SLUGS[_view]
    router.add_api_route(f"/inzicht/{_slug}", _page(_view), methods=["GET"],
                         response_class=HTMLResponse, name=f"insight_{_view}")
    router.add_api_route(f"/inzicht/{_slug}.csv", _csv(_view), methods=["GET"],
                         name=f"insight_{_view}_csv")


# --- the quarterly report -------------------------------------------------------------------------

def _report(request: Request, session: SessionDep, principal: Principal | None) -> Any:
    access = service.access_of(session, _principal(request, principal))
    if "demand" not in access.views:  # analysts only
        raise Forbidden()
    province = (request.query_params.get("province") or access.province or "").upper()
    if access.province is not None and province != access.province:
        raise Forbidden(N_("You may only see figures of your own province."),
                        code="province_scope")
    quarter = request.query_params.get("quarter") or ""
    return report.build(session, province, quarter, access)


@router.get("/inzicht/rapport", response_class=HTMLResponse, name="insight_report")
def report_page(request: Request, session: SessionDep,
                principal: OptionalPrincipal) -> HTMLResponse:
    rep = _report(request, session, principal)
    sections = [{"title": s.title, "tables": [{"table": t, "chart": bar_chart(t)}
                                              for t in s.tables]} for s in rep.sections]
    pdf = "/inzicht/rapport.pdf?" + urlencode({"province": rep.province,
                                               "quarter": rep.quarter})
    return render(request, "insight/report.html", {"report": rep, "sections": sections,
                                                   "pdf": pdf, "k": K}, headers=PRIVATE)


@router.get("/inzicht/rapport.pdf", name="insight_report_pdf")
def report_pdf(request: Request, session: SessionDep, principal: OptionalPrincipal) -> Response:
    rep = _report(request, session, principal)
    name = f"loket-kwartaalrapport-{rep.province}-{rep.quarter}.pdf"
    return Response(report.pdf_bytes(rep), media_type="application/pdf",
                    headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{name}"'})
