"""JSON API for the rights of data subjects: one's own export, and the admin's export and
erasure of anyone (audited)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from backend.accounts.deps import AdminUser, CurrentUser, client_ip
from backend.core.db import SessionDep
from backend.core.errors import Forbidden
from backend.core.routing import LazyRoute
from backend.privacy import service
from backend.privacy.erasure import resolve_subject
from backend.privacy.export import export_subject
from backend.privacy.schemas import ErasureIn, ErasureOut, Export, SubjectIn

router = APIRouter(prefix="/api/v1", tags=["privacy"], route_class=LazyRoute)

_errors: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not authenticated"},
    403: {"description": "Not allowed"},
}


@router.get("/me/data", response_model=Export, responses=_errors,
            summary="Everything Loket holds about the logged-in user (JSON export)")
def my_data(session: SessionDep, principal: CurrentUser) -> Export:
    if principal.user_id is None:
        raise Forbidden()
    subject, _user = resolve_subject(session, str(principal.user_id))
    return export_subject(session, subject, include_internal=False)


@router.post("/admin/privacy/export", response_model=Export,
             responses={**_errors, 404: {"description": "Nothing held"}},
             summary="Everything Loket holds about a person (admins; audited)")
def admin_export(request: Request, session: SessionDep, admin: AdminUser,
                 body: SubjectIn) -> dict[str, Any]:
    return service.export_on_request(session, request.app.state.settings, body.subject,
                                     actor=admin, ip=client_ip(request))


@router.post("/admin/privacy/erase", response_model=ErasureOut,
             responses={**_errors, 404: {"description": "Nothing held"},
                        422: {"description": "Not confirmed"}},
             summary="Erase everything Loket holds about a person (admins; audited)")
def admin_erase(request: Request, session: SessionDep, admin: AdminUser,
                body: ErasureIn) -> ErasureOut:
    report = service.erase_on_request(session, request.app.state.settings, body.subject,
                                      body.confirm, actor=admin, ip=client_ip(request))
    return ErasureOut(erased=report.counts())
