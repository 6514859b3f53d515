"""Benchmark pages: a member's figures and comparison, CSV upload and export; KPI and period
management for coordinators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.community import benchmarks as bm
from backend.community.chart import build_chart
from backend.community.deps import GroupCoordinator, GroupMember, MemberAccess
from backend.community.numbers import number_formatter
from backend.community.page import table_rows
from backend.core import csvsafe
from backend.core.db import SessionDep
from backend.core.errors import Conflict, Invalid
from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _
from backend.core.routing import LazyRoute
from backend.core.templating import render

router = APIRouter(include_in_schema=False, route_class=LazyRoute)

FormStr = Annotated[str, Form()]
PRIVATE = {"Cache-Control": "private, no-store"}


def _back(access: MemberAccess, ok: str) -> RedirectResponse:
    return RedirectResponse(f"/groepen/{access.group.slug}/kengetallen?ok={ok}",
                            status_code=303)


def _page(request: Request, session: SessionDep, access: MemberAccess, *,
          errors: dict[str, str] | None = None, problems: list[bm.CsvProblem] | None = None,
          values: dict[str, str] | None = None, typed_period: int | None = None,
          status_code: int = 200) -> HTMLResponse:
    """``values``: what was typed in a refused form, shown again (nothing lost);
    ``typed_period``: the period whose figures form was refused (its fields show ``values``)."""
    comparisons = bm.comparison(session, access)
    cross_shown = access.group.allow_cross_group or any(
        p.cross is not None for c in comparisons for p in c.points)
    return render(request, "community/benchmarks.html", {
        "access": access, "group": access.group, "comparisons": comparisons,
        "charts": {c.kpi.id: build_chart(c, number_formatter()) for c in comparisons},
        "rows": {c.kpi.id: table_rows(c, cross_shown=cross_shown) for c in comparisons},
        "cross_shown": cross_shown,
        "own": {(p.period.id, c.kpi.id): p.own for c in comparisons for p in c.points},
        "kpis": bm.kpis(session, access.group), "periods": bm.periods(session, access.group),
        "template_options": [(t.key, t.name) for t in bm.TEMPLATES],
        "reason_label": bm.reason_label,
        "errors": {k: _(v) for k, v in (errors or {}).items()}, "problems": problems or [],
        "values": values or {}, "typed_period": typed_period,
        "ok": request.query_params.get("ok")},
        status_code=status_code, headers=PRIVATE)


@router.get("/groepen/{slug}/kengetallen", response_class=HTMLResponse)
def benchmarks_page(request: Request, session: SessionDep, access: GroupMember) -> HTMLResponse:
    return _page(request, session, access)


@router.post("/groepen/{slug}/kengetallen/perioden/{period_id}", response_model=None)
async def submit_form(request: Request, session: SessionDep, access: GroupMember,
                      period_id: int) -> RedirectResponse | HTMLResponse:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        bm.submit_form(session, access, period_id, fields)
    except Invalid as exc:
        return _page(request, session, access, errors=exc.fields, values=fields,
                     typed_period=period_id, status_code=422)
    return _back(access, "saved")


@router.post("/groepen/{slug}/kengetallen/perioden/{period_id}/csv", response_model=None)
async def submit_csv(request: Request, session: SessionDep, access: GroupMember,
                     period_id: int, file: Annotated[UploadFile, File()]
                     ) -> RedirectResponse | HTMLResponse:
    data = await file.read(bm.MAX_CSV_BYTES + 1)
    result = bm.submit_csv(session, access, period_id, data)
    if result.problems:
        return _page(request, session, access, problems=result.problems, status_code=422)
    return _back(access, "uploaded")


@router.post("/groepen/{slug}/kengetallen/perioden/{period_id}/afsluiten", response_model=None)
def close_period(request: Request, session: SessionDep, access: GroupCoordinator,
                 period_id: int, confirm: FormStr = "") -> RedirectResponse | HTMLResponse:
    """Closing cannot be undone: the first POST shows a confirmation page (no JavaScript
    needed), whose button posts again with ``confirm=1``."""
    if confirm != "1":
        period = bm.get_period(session, access.group, period_id)
        if period.closed_at is not None:
            raise Conflict(N_("This period is closed; its figures can no longer change."))
        return render(request, "community/close_period.html",
                      {"group": access.group, "period": period}, headers=PRIVATE)
    bm.close_period(session, access, period_id)
    return _back(access, "closed")


@router.post("/groepen/{slug}/kengetallen/perioden", response_model=None)
def add_period(request: Request, session: SessionDep, access: GroupCoordinator,
               label: FormStr = "") -> RedirectResponse | HTMLResponse:
    try:
        bm.add_period(session, access.group, label)
    except Invalid as exc:
        return _page(request, session, access, errors=exc.fields, values={"label": label},
                     status_code=422)
    return _back(access, "period")


def _number(raw: str) -> float | None:
    raw = raw.strip().replace(",", ".")
    try:
        return float(raw) if raw else None
    except ValueError as exc:
        raise Invalid(fields={"min_value": N_("Enter a number.")}) from exc


@router.post("/groepen/{slug}/kengetallen/kpis", response_model=None)
def define_kpi(request: Request, session: SessionDep, access: GroupCoordinator,
               key: FormStr = "", name: FormStr = "", unit: FormStr = "",
               description: FormStr = "", higher_is_better: FormStr = "",
               formula: FormStr = "", min_value: FormStr = "", max_value: FormStr = ""
               ) -> RedirectResponse | HTMLResponse:
    try:
        bm.define_kpi(session, access.group, key=key, name=name, unit=unit,
                      description=description, higher_is_better=higher_is_better == "1",
                      formula=formula, min_value=_number(min_value),
                      max_value=_number(max_value))
    except Invalid as exc:
        typed = {"key": key, "name": name, "unit": unit, "description": description,
                 "higher_is_better": higher_is_better, "formula": formula,
                 "min_value": min_value, "max_value": max_value}
        return _page(request, session, access, errors=exc.fields, values=typed,
                     status_code=422)
    return _back(access, "kpi")


@router.post("/groepen/{slug}/kengetallen/sjablonen")
def add_template(session: SessionDep, access: GroupCoordinator,
                 template: FormStr = "") -> RedirectResponse:
    bm.add_template(session, access.group, template)
    return _back(access, "kpi")


@router.get("/groepen/{slug}/kengetallen/kengetallen.csv")
def export_dutch(session: SessionDep, access: GroupMember) -> Response:
    """For Dutch Excel: Dutch headings and KPI names, semicolons, decimal commas, and a byte
    order mark so Excel reads the text as UTF-8."""
    body = csvsafe.write(bm.export_rows(bm.comparison(session, access), dutch=True),
                         dutch=True)
    name = f"kengetallen-{access.group.slug}.csv"
    return Response(body.encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/groepen/{slug}/kengetallen/export.csv")
def export(session: SessionDep, access: GroupMember) -> Response:
    """The international format: commas, decimal points, KPI keys and English headings."""
    body = csvsafe.write(bm.export_rows(bm.comparison(session, access)))
    name = f"benchmarks-{access.group.slug}.csv"
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={**PRIVATE, "Content-Disposition": f'attachment; filename="{name}"'})


