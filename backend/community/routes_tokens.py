"""A member's own API tokens for the groups API (``/groepen/sleutels``).

A personal token acts as the person who made it, with no role, and only on
``/api/v1/groups/…`` (and ``/api/v1/me``): it reads and submits that person's firm's figures
and comparisons, exactly what the person may do in the browser. Rules in
``backend.accounts.service`` (``create_personal_token``), scope in ``backend.accounts.deps``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from backend.accounts import service as accounts
from backend.accounts.deps import OptionalPrincipal, client_ip, login_redirect
from backend.accounts.principal import Principal
from backend.community import service
from backend.core.db import SessionDep, utcnow
from backend.core.errors import Conflict, Forbidden, Invalid
from backend.core.i18n import gettext_ as _
from backend.core.routing import LazyRoute
from backend.core.templating import render

router = APIRouter(include_in_schema=False, route_class=LazyRoute)

FormStr = Annotated[str, Form()]


def _logged_in(request: Request, principal: OptionalPrincipal) -> Principal:
    """Any logged-in person (no role needed); a token cannot manage tokens."""
    if principal is None:
        raise login_redirect(request)
    if principal.via != "session" or principal.user_id is None:
        raise Forbidden()
    return principal


Person = Annotated[Principal, Depends(_logged_in)]
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
EXPIRY_DAYS = {"30": 30, "90": 90, "365": 365}


def _page(request: Request, session: SessionDep, person: Principal, *,
          created: str | None = None, errors: dict[str, str] | None = None,
          name: str = "", status_code: int = 200) -> HTMLResponse:
    """``name``: what was typed in a refused form, shown again."""
    assert person.user_id is not None
    return render(request, "community/tokens.html", {
        "tokens": accounts.personal_tokens(session, person.user_id),
        "firm": service.firm_of_user(session, person.user_id), "created": created,
        "errors": {k: _(v) for k, v in (errors or {}).items()},
        "ok": request.query_params.get("ok"), "name": name,
        "expiry_options": [("30", _("30 days")), ("90", _("90 days")),
                           ("365", _("one year"))],
    }, status_code=status_code, headers=NO_STORE)


@router.get("/groepen/sleutels", response_class=HTMLResponse)
def tokens_page(request: Request, session: SessionDep, person: Person) -> HTMLResponse:
    return _page(request, session, person)


@router.post("/groepen/sleutels", response_class=HTMLResponse)
def create_token(request: Request, session: SessionDep, person: Person, name: FormStr = "",
                 expires: FormStr = "90") -> HTMLResponse:
    assert person.user_id is not None
    days = EXPIRY_DAYS.get(expires)
    try:
        if service.firm_of_user(session, person.user_id) is None:
            raise Conflict(_("Join a group for your firm first."))
        if days is None:
            raise Invalid(fields={"expires": _("Choose how long the token works.")})
        _row, plain = accounts.create_personal_token(
            session, person.user_id, name=name, expires_at=utcnow() + timedelta(days=days),
            ip=client_ip(request))
    except Invalid as exc:
        return _page(request, session, person, errors=exc.fields, name=name, status_code=422)
    except Conflict as exc:
        return _page(request, session, person, errors={"name": exc.message}, name=name,
                     status_code=409)
    # shown once, on this response only (no redirect: the secret must not land in a URL)
    return _page(request, session, person, created=plain, status_code=201)


@router.post("/groepen/sleutels/{token_id}/intrekken")
def revoke_token(request: Request, session: SessionDep, person: Person,
                 token_id: int) -> RedirectResponse:
    assert person.user_id is not None
    accounts.revoke_personal_token(session, person.user_id, token_id, ip=client_ip(request))
    return RedirectResponse("/groepen/sleutels?ok=revoked", status_code=303)
