"""The coverage matrix: the page for admins and desk coordinators and its API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from backend.accounts.deps import CurrentUser
from backend.core.db import SessionDep
from backend.core.i18n import gettext_ as _
from backend.core.openapi import error_responses
from backend.core.routing import LazyRoute
from backend.core.templating import render
from backend.regions.schemas import LABOUR_MARKET_REGION, PROVINCE
from backend.routing import coverage, service
from backend.routing.deps import SignedIn
from backend.routing.schemas import (
    CoverageArea,
    CoverageCell,
    CoverageDesk,
    CoverageOut,
    CoverageSectorDesk,
    CoverageTheme,
)

router = APIRouter(route_class=LazyRoute)


def _out(matrix: coverage.CoverageMatrix, session: SessionDep) -> CoverageOut:
    tax = service.routing_context(session).taxonomy
    return CoverageOut(
        themes=[CoverageTheme(slug=t, label=tax.theme_label(t)) for t in matrix.themes],
        areas=[CoverageArea(
            kind=r.kind, code=r.code, name=r.name,
            municipalities=r.municipalities,
            cells=[CoverageCell(
                theme=c.theme, status=c.status,
                desks=[CoverageDesk(slug=d.slug, name=d.name, via=d.via,
                                    municipalities=d.municipalities) for d in c.desks],
                fallback_municipalities=c.fallback_municipalities,
                municipalities=c.municipalities,
                sector_desks=[CoverageSectorDesk(slug=d.slug, name=d.name,
                                                 sectors=list(d.sectors))
                              for d in c.sector_desks]) for c in r.cells])
            for r in matrix.rows],
        fallback={"slug": matrix.fallback_slug, "name": matrix.fallback_name},
        counts={s: matrix.counts().get(s, 0) for s in coverage.STATUSES},
        router_calls=matrix.router_calls, compute_ms=round(matrix.seconds * 1000, 1))


@router.get("/api/v1/routing/coverage", response_model=CoverageOut, tags=["routing"],
            summary="Coverage matrix: which desk takes each theme in each province and "
                    "labour-market region",
            responses=error_responses(403))
def api_coverage(session: SessionDep, principal: CurrentUser) -> CoverageOut:
    """For every province and labour-market region × every theme: the desks the router gives
    a question on that theme (asked without text, in each municipality of the area) and where
    only the national fallback would answer. Computed by the router itself and cached until a
    desk, region or theme changes. For administrators and desk coordinators."""
    return _out(coverage.coverage_for(session, principal), session)


STATUS_LABELS = {
    coverage.COVERED: ("✓", "covered"),
    coverage.GENERAL: ("○", "general desk"),
    coverage.PARTIAL: ("◐", "partly fallback"),
    coverage.GAP: ("✗", "only the fallback"),
}


@router.get("/beheer/dekking", response_class=HTMLResponse, include_in_schema=False,
            name="admin_coverage")
def coverage_page(request: Request, session: SessionDep, principal: SignedIn) -> HTMLResponse:
    matrix = coverage.coverage_for(session, principal)
    tax = service.routing_context(session).taxonomy
    labels = {
        coverage.COVERED: _("covered"), coverage.GENERAL: _("general desk only"),
        coverage.PARTIAL: _("partly only the fallback"), coverage.GAP: _("only the fallback"),
    }
    return render(request, "routing/coverage.html", {
        "matrix": matrix,
        "themes": [(t, tax.theme_label(t)) for t in matrix.themes],
        "provinces": [r for r in matrix.rows if r.kind == PROVINCE],
        "labour_market": [r for r in matrix.rows if r.kind == LABOUR_MARKET_REGION],
        "symbols": {k: v[0] for k, v in STATUS_LABELS.items()},
        "labels": labels,
        "counts": matrix.counts(),
        "gaps": matrix.gaps(),
        "compute_ms": round(matrix.seconds * 1000),
        "sector_names": lambda slugs: ", ".join(tax.sector_label(s) for s in slugs),
    })
