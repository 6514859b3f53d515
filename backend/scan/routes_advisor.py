"""The scan with a client, from the advisor's case page (``/werkplek/zaken/{ref}/scan``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.accounts.deps import CurrentUser
from backend.cases.deps import CaseForAdvisor
from backend.core.db import SessionDep
from backend.core.errors import Conflict, Invalid
from backend.core.routing import LazyRoute
from backend.core.templating import render
from backend.scan import with_client
from backend.scan.definition import Definition

router = APIRouter(include_in_schema=False, route_class=LazyRoute)
NO_STORE = {"Cache-Control": "no-store"}


def _page(request: Request, case: object, d: Definition, *, answers: dict[str, int],
          missing: set[str] | None = None, message: str | None = None,
          status_code: int = 200) -> HTMLResponse:
    return render(request, "scan/with_client.html", {
        "case": case, "definition": d, "answers": answers, "missing": missing or set(),
        "message": message}, status_code=status_code, headers=NO_STORE)


@router.get("/werkplek/zaken/{reference}/scan", response_class=HTMLResponse,
            name="scan_with_client")
def scan_form(request: Request, session: SessionDep, principal: CurrentUser,
              case: CaseForAdvisor) -> HTMLResponse:
    d = with_client.form_for(session, case, principal)
    return _page(request, case, d, answers={})


@router.post("/werkplek/zaken/{reference}/scan", name="scan_with_client_submit")
async def scan_submit(request: Request, session: SessionDep, principal: CurrentUser,
                      case: CaseForAdvisor) -> Response:
    d = with_client.form_for(session, case, principal)
    form = {k: str(v) for k, v in (await request.form()).items()}
    answers = with_client.parse_answers(d, form)
    try:
        with_client.scan_with_client(session, case, principal, d.version, answers)
    except Invalid as exc:
        missing = {q["id"] for q in d.questions if q["id"] not in answers}
        return _page(request, case, d, answers=answers, missing=missing,
                     message=exc.message, status_code=422)
    except Conflict as exc:
        return _page(request, case, d, answers=answers, message=exc.message,
                     status_code=409)
    return RedirectResponse(f"/werkplek/zaken/{case.reference}#scan-attachment-title",
                            status_code=303)
