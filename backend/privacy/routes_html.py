"""Pages for the rights of data subjects.

- ``/beheer/privacy`` (admins): look up a person by e-mail address or user id, hand out the
  export (POST, so the hand-out is audited) or erase them after typing the address again.
- ``/mijn-gegevens`` (any logged-in account holder): what Loket holds, the JSON download and
  erasing one's own account.
- ``/mijn-vraag/{reference}/gegevens``: the entrepreneur's export through their private link.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from backend.accounts import sessions
from backend.accounts.deps import AdminPage, client_ip
from backend.cases.deps import EntrepreneurCase
from backend.core.db import SessionDep
from backend.core.errors import Invalid, LoketError, NotFound
from backend.core.i18n import gettext_ as _
from backend.core.routing import LazyRoute
from backend.core.templating import render
from backend.privacy import service
from backend.privacy.deps import AccountPage
from backend.privacy.erasure import resolve_subject
from backend.privacy.export import export_case_for_entrepreneur, export_subject

router = APIRouter(include_in_schema=False, route_class=LazyRoute)

NO_STORE = {"Cache-Control": "no-store"}


def json_download(data: dict[str, Any], filename: str) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(body, media_type="application/json; charset=utf-8", headers={
        **NO_STORE, "Content-Disposition": f'attachment; filename="{filename}"'})


# --- admins ------------------------------------------------------------------------------

def _admin_notice(request: Request) -> dict[str, str] | None:
    done = request.query_params.get("gedaan")
    if done == "erased":
        return {"kind": "success", "text": _("Everything Loket held about this person has been "
                                        "erased or anonymised.")}
    return None


def _admin_page(request: Request, session: Session, who: str, *,
                errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    summary = None
    if who.strip() and not errors:
        subject, user = resolve_subject(session, who)
        summary = service.summary(session, subject, user)
    return render(request, "privacy/admin.html", {
        "who": who, "summary": summary, "errors": errors or {},
        "notice": _admin_notice(request)}, status_code=status_code, headers=NO_STORE)


@router.get("/beheer/privacy", response_class=HTMLResponse, name="admin_privacy")
def admin_privacy(request: Request, session: SessionDep, admin: AdminPage,
                  wie: str = "") -> HTMLResponse:
    return _admin_page(request, session, wie[:254])


# The service names the API's fields; the form calls them wie and bevestiging.
_FORM_FIELDS = {"subject": "wie", "confirm": "bevestiging"}


def _refused(request: Request, session: Session, wie: str, exc: LoketError) -> HTMLResponse:
    errors = {_FORM_FIELDS.get(k, k): _(v) for k, v in exc.fields.items()}
    return _admin_page(request, session, wie, status_code=422, errors=errors)


@router.post("/beheer/privacy/export", name="admin_privacy_export")
def admin_privacy_export(request: Request, session: SessionDep, admin: AdminPage,
                         wie: Annotated[str, Form(max_length=254)] = "") -> Response:
    try:
        data = service.export_on_request(session, request.app.state.settings, wie,
                                         actor=admin, ip=client_ip(request))
    except (NotFound, Invalid) as exc:
        return _refused(request, session, wie, exc)
    return json_download(data, "loket-export.json")


@router.post("/beheer/privacy/verwijderen", name="admin_privacy_erase")
def admin_privacy_erase(request: Request, session: SessionDep, admin: AdminPage,
                        wie: Annotated[str, Form(max_length=254)] = "",
                        bevestiging: Annotated[str, Form(max_length=254)] = "") -> Response:
    try:
        service.erase_on_request(session, request.app.state.settings, wie, bevestiging,
                                 actor=admin, ip=client_ip(request))
    except (NotFound, Invalid) as exc:
        return _refused(request, session, wie, exc)
    return RedirectResponse("/beheer/privacy?" + urlencode({"gedaan": "erased"}),
                            status_code=303)


# --- account holders ---------------------------------------------------------------------

def _mine_page(request: Request, session: Session, principal: Any, *,
               errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    subject, user = resolve_subject(session, str(principal.user_id))
    return render(request, "privacy/mine.html", {
        "summary": service.summary(session, subject, user),
        "may_erase": service.may_erase_self(session, principal.user_id),
        "errors": errors or {}}, status_code=status_code, headers=NO_STORE)


@router.get("/mijn-gegevens", response_class=HTMLResponse, name="my_data")
def my_data(request: Request, session: SessionDep, principal: AccountPage) -> HTMLResponse:
    return _mine_page(request, session, principal)


@router.get("/mijn-gegevens/export", name="my_data_export")
def my_data_export(session: SessionDep, principal: AccountPage) -> Response:
    subject, _user = resolve_subject(session, str(principal.user_id))
    return json_download(export_subject(session, subject, include_internal=False),
                         "mijn-gegevens-loket.json")


@router.post("/mijn-gegevens/verwijderen", name="my_data_erase")
def my_data_erase(request: Request, session: SessionDep, principal: AccountPage,
                  bevestiging: Annotated[str, Form(max_length=10)] = "") -> Response:
    if not service.may_erase_self(session, principal.user_id):
        return _mine_page(request, session, principal, status_code=409, errors={
            "bevestiging": _("Accounts with an admin or editor role are erased by another "
                             "administrator.")})
    if bevestiging != "ja":
        return _mine_page(request, session, principal, status_code=422, errors={
            "bevestiging": _("Tick the box to confirm that your account may be erased.")})
    subject, _user = resolve_subject(session, str(principal.user_id))
    service.erase(session, request.app.state.settings, subject, actor=None,
                  ip=None, self_service=True)
    sessions.logout(request)
    return RedirectResponse("/mijn-gegevens/verwijderd", status_code=303)


@router.get("/mijn-gegevens/verwijderd", response_class=HTMLResponse, name="my_data_erased")
def my_data_erased(request: Request) -> HTMLResponse:
    return render(request, "privacy/erased.html", {})


# --- entrepreneurs with a private link ---------------------------------------------------

@router.get("/mijn-vraag/{reference}/gegevens", name="my_question_data")
def my_question_data(session: SessionDep, case: EntrepreneurCase) -> Response:
    return json_download(export_case_for_entrepreneur(session, case),
                         f"vraag-{case.reference}.json")
