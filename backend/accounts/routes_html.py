"""Login, logout and account pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from backend.accounts import service, sessions
from backend.accounts.deps import OptionalPrincipal, client_ip
from backend.core.db import SessionDep

router = APIRouter(include_in_schema=False)


@router.post("/uitloggen", name="logout")
def logout(request: Request, session: SessionDep, principal: OptionalPrincipal
           ) -> RedirectResponse:
    if principal is not None:
        service.record_audit(session, "auth.logout", actor=principal, ip=client_ip(request))
    sessions.logout(request)
    return RedirectResponse("/", status_code=303)
