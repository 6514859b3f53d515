"""The scan pages: one statement per screen, progress shown, answers kept when going back.

No account and no JavaScript needed: the answers so far live in the server-side session
(``request.session["scan"]``), every step is a form that posts and redirects (303).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from backend.accounts.deps import OptionalPrincipal, checked, door, login_redirect
from backend.cases.deps import grant_case
from backend.community.numbers import number_formatter
from backend.content import taxonomy as tx
from backend.core.db import SessionDep
from backend.core.errors import Invalid, TooManyRequests
from backend.core.i18n import gettext_ as _
from backend.core.limits import ChallengeRequired
from backend.core.routing import LazyRoute
from backend.core.templating import render
from backend.regions import service as regions
from backend.regions.service import region_index
from backend.scan import aggregates, downloads, service
from backend.scan.chart import dimension_chart
from backend.scan.definition import Definition
from backend.scan.models import ScanResult
from backend.scan.scoring import compare
from backend.schemes.service import province_slug

router = APIRouter(include_in_schema=False, route_class=LazyRoute)

STATE = "scan"  # request.session[STATE]: {"version", "answers", "firm"}
RESULTS = "scan_results"  # ids of the results this browser has seen (before/after)
NO_STORE = {"Cache-Control": "no-store"}
Text = Annotated[str, Form(max_length=100)]


def _state(request: Request) -> dict[str, Any] | None:
    state = request.session.get(STATE)
    return state if isinstance(state, dict) else None


def _save_state(request: Request, state: dict[str, Any]) -> None:
    request.session[STATE] = state  # assigning marks the session as changed


def _remember(request: Request, result_id: int) -> None:
    seen = [i for i in request.session.get(RESULTS, []) if i != result_id]
    request.session[RESULTS] = [*seen[-9:], result_id]


def _options(session: Session) -> dict[str, Any]:
    taxonomy = tx.load(session)
    sectors = []
    for s in taxonomy.sectors:
        parent = taxonomy.sector_by_id.get(s.parent_id) if s.parent_id else None
        label = f"{tx.name_of(parent)} — {tx.name_of(s)}" if parent else tx.name_of(s)
        sectors.append((s.slug, label))
    return {"size_options": [(s.slug, tx.name_of(s)) for s in taxonomy.sizes],
            "sector_options": sorted(sectors, key=lambda t: t[1].lower()),
            "municipality_options": regions.all_options(session)}


@router.get("/scan", response_class=HTMLResponse, name="scan_start")
def scan_intro(request: Request, session: SessionDep) -> HTMLResponse:
    d = service.definition(session)
    state = _state(request)
    return render(request, "scan/start.html", {
        **_options(session), "definition": d, "values": (state or {}).get("firm_input", {}),
        "errors": {}, "in_progress": bool(state and state.get("answers"))})


@router.post("/scan", name="scan_begin")
def scan_begin(request: Request, session: SessionDep, size: Text = "", sector: Text = "",
               municipality: Text = "") -> Response:
    d = service.definition(session)
    taxonomy = tx.load(session)
    values = {"size": size, "sector": sector, "municipality": municipality}
    errors: dict[str, str] = {}
    if size and size not in taxonomy.by_slug["size"]:
        errors["size"] = _("Choose a company size from the list.")
    if sector and sector not in taxonomy.by_slug["sector"]:
        errors["sector"] = _("Choose a sector from the list.")
    firm: dict[str, Any] = {"company_size": size or None, "sector": sector or None}
    if municipality.strip():
        try:
            place = regions.resolve_location(session, municipality, None)
        except Invalid as exc:
            errors.update(exc.fields)
        else:
            if place is not None:
                firm["municipality_code"] = place.code
                firm["province"] = province_slug(taxonomy, place.province_code,
                                                 place.province_name)
    if errors:
        return render(request, "scan/start.html", {
            **_options(session), "definition": d, "values": values, "errors": errors,
            "in_progress": False}, status_code=422)
    _save_state(request, {"version": d.version, "answers": {}, "firm": firm,
                          "firm_input": values})
    return RedirectResponse("/scan/vraag/1", status_code=303)


def _question_page(request: Request, d: Definition, n: int, state: dict[str, Any], *,
                   error: str | None = None, status_code: int = 200) -> HTMLResponse:
    q = d.questions[n - 1]
    total = len(d.questions)
    return render(request, "scan/question.html", {
        "definition": d, "n": n, "total": total, "question": q,
        "text": d.question_text(q), "dimension": d.dimension_name(q["dimension"]),
        "pillar": d.pillar_name(d.dimension(q["dimension"])["pillar"]),
        "answer": state["answers"].get(q["id"]), "error": error,
        "percent": int(100 * (n - 1) / total)}, status_code=status_code, headers=NO_STORE)


@router.get("/scan/vraag/{n}", response_class=HTMLResponse, name="scan_question")
def scan_question(request: Request, session: SessionDep, n: int) -> Response:
    state = _state(request)
    if state is None:
        return RedirectResponse("/scan", status_code=303)
    d = service.definition(session, state["version"])
    if not 1 <= n <= len(d.questions):
        return RedirectResponse("/scan/vraag/1", status_code=303)
    return _question_page(request, d, n, state)


@router.post("/scan/vraag/{n}", name="scan_answer")
def scan_answer(request: Request, session: SessionDep, principal: OptionalPrincipal, n: int,
                answer: Text = "", richting: Text = "verder") -> Response:
    state = _state(request)
    if state is None:
        return RedirectResponse("/scan", status_code=303)
    d = service.definition(session, state["version"])
    if not 1 <= n <= len(d.questions):
        return RedirectResponse("/scan/vraag/1", status_code=303)
    q = d.questions[n - 1]
    values = {v for v, _label in d.scale}
    if answer.isdigit() and int(answer) in values:
        state["answers"][q["id"]] = int(answer)
        _save_state(request, state)
    if richting == "terug":
        return RedirectResponse(f"/scan/vraag/{max(1, n - 1)}" if n > 1 else "/scan",
                                status_code=303)
    if q["id"] not in state["answers"]:
        return _question_page(request, d, n, state, status_code=422,
                              error=_("Choose one of the answers."))
    if n < len(d.questions):
        return RedirectResponse(f"/scan/vraag/{n + 1}", status_code=303)
    unanswered = [i for i, x in enumerate(d.questions, 1) if x["id"] not in state["answers"]]
    if unanswered:
        return RedirectResponse(f"/scan/vraag/{unanswered[0]}", status_code=303)
    seen = [i for i in request.session.get(RESULTS, []) if isinstance(i, int)]
    user_id = principal.user_id if principal else None
    result, token = service.complete_scan(
        session, d.version, state["answers"], service.FirmProfile(**state["firm"]),
        user_id=user_id, previous_id=None if user_id else (seen[-1] if seen else None))
    assert result.id is not None
    _remember(request, result.id)
    request.session.pop(STATE, None)
    return RedirectResponse(f"/scan/resultaat/{token}", status_code=303, headers=NO_STORE)


@router.get("/scan/resultaat/{token}", response_class=HTMLResponse, name="scan_result")
def scan_result(request: Request, session: SessionDep, token: str) -> HTMLResponse:
    result = service.result_by_token(session, token)
    return _result_page(request, session, result, token)


@router.get("/scan/resultaat/{token}/scores.csv", name="scan_result_csv")
def scan_result_csv(session: SessionDep, token: str, formaat: str = "") -> Response:
    """The scores for a spreadsheet: Dutch Excel's format (semicolons, decimal comma), or
    ``?formaat=internationaal`` for commas and decimal points."""
    result = service.result_by_token(session, token)
    body = downloads.csv_text(service.definition(session, result.version),
                              service.scores_of(result), dutch=formaat != "internationaal")
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        **NO_STORE, "Content-Disposition": 'attachment; filename="scanuitkomst.csv"'})


@router.get("/scan/resultaat/{token}/scan.pdf", name="scan_result_pdf")
def scan_result_pdf(session: SessionDep, token: str) -> Response:
    result = service.result_by_token(session, token)
    body = downloads.pdf_bytes(service.definition(session, result.version),
                               service.scores_of(result), number_formatter())
    return Response(body, media_type="application/pdf", headers={
        **NO_STORE, "Content-Disposition": 'attachment; filename="scanuitkomst.pdf"'})


def _result_page(request: Request, session: Session, result: ScanResult, token: str, *,
                 errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                 status_code: int = 200, message: str | None = None,
                 challenge: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> HTMLResponse:
    d = service.definition(session, result.version)
    scores = service.scores_of(result)
    previous = session.get(ScanResult, result.previous_id) if result.previous_id else None
    changes = compare(service.scores_of(previous), scores) if previous else []
    if result.id is not None:
        _remember(request, result.id)
    return render(request, "scan/result.html", {
        "definition": d, "result": result, "scores": scores, "token": token,
        "chart": dimension_chart(d, scores, number_formatter()),
        "advice": service.advice_for(session, d, result),
        "strong": service.strong_points(d, result), "previous": previous,
        "changes": changes, "errors": errors or {}, "values": values or {},
        "comparison": aggregates.comparison_for_result(session, d, result),
        "private_url": (f"{request.app.state.settings.base_url}/scan/resultaat/{token}"
                        if token else ""),
        "message": message, "challenge": challenge,
    }, status_code=status_code, headers={**NO_STORE, **(headers or {})})


def _too_many(exc: TooManyRequests) -> str:
    return _("Many questions were sent from here in a short time. Please try again in "
             "%(minutes)s minutes.", minutes=exc.retry_minutes)


@router.post("/scan/resultaat/{token}/bespreken", name="scan_discuss")
def scan_discuss(request: Request, session: SessionDep, token: str,
                 email: Annotated[str, Form(max_length=254)] = "",
                 municipality: Text = "", consent: Text = "",
                 text: Annotated[str, Form(max_length=4000)] = "",
                 website: Text = "", challenge: Annotated[str, Form(max_length=300)] = "",
                 challenge_answer: Annotated[list[str] | None, Form()] = None) -> Response:
    """"Bespreek dit met een adviseur": a question routed to the right desk, scan attached.
    Limits, honeypot, consent and the challenge are the question's own
    (``cases.service.ask_question``, through ``scan.service.discuss_with_advisor``)."""
    result = service.result_by_token(session, token)
    values = {"email": email, "municipality": municipality, "consent": checked(consent),
              "text": text}
    place = municipality.strip() or None
    if place is None and result.municipality_code:
        found = region_index(session).municipalities.get(result.municipality_code)
        place = found.name if found else None
    try:
        case = service.discuss_with_advisor(
            session, result, email=email, text=text, municipality=place,
            door=door(request, honeypot=website, consent=checked(consent), challenge=challenge,
                      answers=challenge_answer or ()),
            base_url=request.app.state.settings.base_url)
    except TooManyRequests as exc:
        return _result_page(request, session, result, token, values=values, status_code=429,
                            message=_too_many(exc), headers=exc.headers)
    except ChallengeRequired as exc:
        return _result_page(request, session, result, token, values=values, status_code=429,
                            message=_(exc.message), challenge=exc.extra["challenge"])
    except Invalid as exc:
        return _result_page(request, session, result, token, errors=dict(exc.fields),
                            values=values, status_code=422,
                            message=exc.message if not exc.fields else None)
    assert case.id is not None
    grant_case(request, case.id)
    return RedirectResponse(f"/mijn-vraag/{case.reference}?ontvangen=1", status_code=303)


@router.get("/scan/vergelijking", response_class=HTMLResponse, name="scan_benchmarks")
def scan_benchmarks(request: Request, session: SessionDep, periode: str = "",
                    sector: str = "", grootte: str = "") -> HTMLResponse:
    """The frozen anonymous figures of a quarter, for one sector and size class."""
    frozen = aggregates.benchmarks(session)
    taxonomy = tx.load(session)
    top = aggregates.top_sector(taxonomy, sector)
    size = grootte if grootte in taxonomy.by_slug["size"] else None
    bench = next((b for b in frozen if b.period == periode), frozen[0] if frozen else None)
    d = aggregates.latest_definition(session)
    comparison = None
    if bench is not None and d is not None:
        cols = aggregates.columns_for(taxonomy, top, size)
        comparison = aggregates.Comparison(bench, cols, aggregates.rows_for(d, bench, cols))
    return render(request, "scan/benchmarks.html", {
        "periods": frozen, "comparison": comparison,
        "period_options": [(b.period, aggregates.quarter_label(b.period)) for b in frozen],
        "sector_options": [(s.slug, tx.name_of(s)) for s in taxonomy.sectors
                           if not s.parent_id],
        "size_options": [(s.slug, tx.name_of(s)) for s in taxonomy.sizes],
        "values": {"periode": bench.period if bench else "", "sector": top or "",
                   "grootte": size or ""}})


def my_results(session: Session, user_id: int) -> list[ScanResult]:
    return list(session.exec(select(ScanResult).where(ScanResult.user_id == user_id)
                             .order_by(col(ScanResult.id).desc())))


@router.get("/scan/mijn-scans", response_class=HTMLResponse, name="scan_mine")
def my_scans(request: Request, session: SessionDep,
             principal: OptionalPrincipal) -> HTMLResponse:
    """The scans saved to the account (done while logged in), newest first."""

    if principal is None or principal.user_id is None:
        raise login_redirect(request)
    results = my_results(session, principal.user_id)
    return render(request, "scan/mine.html", {
        "results": [(r, service.scores_of(r)) for r in results]}, headers=NO_STORE)


@router.get("/scan/mijn-scans/{result_id}", response_class=HTMLResponse, name="scan_mine_one")
def my_scan(request: Request, session: SessionDep, principal: OptionalPrincipal,
            result_id: int) -> HTMLResponse:
    if principal is None or principal.user_id is None:
        raise login_redirect(request)
    result = session.get(ScanResult, result_id)
    if result is None or result.user_id != principal.user_id:
        raise service.ScanNotFound()
    return _result_page(request, session, result, "")
