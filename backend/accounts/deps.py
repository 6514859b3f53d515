"""Request dependencies: who is asking, and may they."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.exceptions import HTTPException

from backend.accounts.models import PERSONAL, personal_token_may_use
from backend.accounts.principal import Principal
from backend.core.db import SAFE_METHODS, DatabaseDep, SessionDep, utcnow
from backend.core.errors import Forbidden, NotAuthenticated, login_location
from backend.core.i18n import N_
from backend.core.openapi import raises
from backend.core.security import bearer_token

_bearer = bearer_token


# 401: an unknown, revoked or expired bearer token, even where one is optional;
# 403: a personal token outside the groups API.
@raises(401, 403)
def get_principal(request: Request, session: SessionDep, db: DatabaseDep) -> Principal | None:
    """The logged-in user (session cookie) or the API token's principal, or None."""
    token = _bearer(request)
    if token is None:
        found_principal: Principal | None = request.scope.get("state", {}).get("principal")
        return found_principal
    from backend.accounts.service import authenticate_token, record_token_use

    found = authenticate_token(session, token)
    if found is None:
        raise NotAuthenticated(N_("Invalid or revoked API token."), code="invalid_token",
                               headers={"WWW-Authenticate": "Bearer"})
    principal, row = found
    if row.role == PERSONAL and not personal_token_may_use(request.url.path):
        raise Forbidden(N_("A personal token only works for the groups API."),
                        code="token_scope")
    if row.last_used_at is None or (utcnow() - row.last_used_at).total_seconds() > 60:
        if request.method in SAFE_METHODS:
            # A GET's session is read-only: note the use in a short transaction of its own.
            with db.transaction() as w:
                record_token_use(w, principal.token_id or 0, ip=client_ip(request))
        else:
            # The request already holds the write transaction (BEGIN IMMEDIATE on SQLite);
            # a second writer would wait for it until the busy timeout.
            record_token_use(session, principal.token_id or 0, ip=client_ip(request))
    request.scope["state"]["principal"] = principal
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(get_principal)]


@raises(401)
def get_current_user(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    return principal


CurrentUser = Annotated[Principal, Depends(get_current_user)]


def require_role(*roles: str) -> Callable[[Principal], Principal]:
    """Dependency factory: the principal must hold one of ``roles`` (admin holds all)."""

    @raises(403)
    def check(principal: CurrentUser) -> Principal:
        if not principal.has(*roles):
            raise Forbidden()
        return principal

    return check


AdminUser = Annotated[Principal, Depends(require_role("admin"))]
EditorUser = Annotated[Principal, Depends(require_role("editor"))]


def login_redirect(request: Request) -> HTTPException:
    """A 303 to the login page that comes back here afterwards (pages, not the API)."""
    location = login_location(request)
    return HTTPException(303, headers={"Location": location, "HX-Redirect": location})


def require_page_role(*roles: str) -> Callable[[Request, Principal | None], Principal]:
    """Like :func:`require_role` for HTML pages: anonymous visitors go to the login page."""

    def check(request: Request, principal: OptionalPrincipal) -> Principal:
        if principal is None:
            raise login_redirect(request)
        if not principal.has(*roles):
            raise Forbidden()
        return principal

    return check


AdminPage = Annotated[Principal, Depends(require_page_role("admin"))]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
