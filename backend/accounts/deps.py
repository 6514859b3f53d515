"""Request dependencies: who is asking, and may they."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from backend.accounts.principal import Principal
from backend.core.db import DatabaseDep, SessionDep, utcnow
from backend.core.errors import Forbidden, NotAuthenticated


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def get_principal(request: Request, session: SessionDep, db: DatabaseDep) -> Principal | None:
    """The logged-in user (session cookie) or the API token's principal, or None."""
    token = _bearer(request)
    if token is not None:
        from backend.accounts.service import authenticate_token, record_token_use

        found = authenticate_token(session, token)
        if found is None:
            raise NotAuthenticated("Invalid or revoked API token.", code="invalid_token",
                                   headers={"WWW-Authenticate": "Bearer"})
        principal, row = found
        if row.last_used_at is None or (utcnow() - row.last_used_at).total_seconds() > 60:
            # A short write transaction of its own: the request's session may be read-only.
            with db.transaction() as w:
                record_token_use(w, principal.token_id or 0, ip=client_ip(request))
        request.scope["state"]["principal"] = principal
        return principal
    principal: Principal | None = request.scope.get("state", {}).get("principal")
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(get_principal)]


def get_current_user(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    return principal


CurrentUser = Annotated[Principal, Depends(get_current_user)]


def require_role(*roles: str) -> Callable[[Principal], Principal]:
    """Dependency factory: the principal must hold one of ``roles`` (admin holds all)."""

    def check(principal: CurrentUser) -> Principal:
        if not principal.has(*roles):
            raise Forbidden()
        return principal

    return check


AdminUser = Annotated[Principal, Depends(require_role("admin"))]
EditorUser = Annotated[Principal, Depends(require_role("editor"))]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
