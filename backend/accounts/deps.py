"""Request dependencies: who is asking, and may they."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated

from fastapi import Depends, Request
from starlette.exceptions import HTTPException

from backend.accounts.models import PERSONAL, personal_token_may_use
from backend.accounts.principal import Principal
from backend.accounts.service import authenticate_token, record_limit_alert, record_token_use
from backend.core.db import SAFE_METHODS, DatabaseDep, SessionDep, utcnow
from backend.core.errors import Forbidden, NotAuthenticated, login_location
from backend.core.i18n import N_, get_language
from backend.core.limits import Door, Policy
from backend.core.openapi import raises
from backend.core.ratelimit import store_for_app
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


# --- doors: what a route tells the services about who is knocking ----------------------------

def limits_policy(request: Request) -> Policy:
    """This app's rate-limit policy: its table, store and alert sink (built once per app)."""
    policy: Policy | None = getattr(request.app.state, "limits_policy", None)
    if policy is None:
        settings = request.app.state.settings
        store = store_for_app(request.app) if settings.redis_url else None
        policy = Policy.from_settings(settings, store=store, alert=record_limit_alert)
        request.app.state.limits_policy = policy
    return policy


def checked(value: str | None) -> bool:
    """A checkbox's value: "1", "on", "true", "yes", "ja" are a yes; "", "0", "false" … not."""
    return (value or "").strip().lower() in ("1", "on", "true", "yes", "ja")


def door(request: Request, *, honeypot: str = "", consent: bool | None = None,
         challenge: str = "", answers: Sequence[str] = (), source: str = "web") -> Door:
    """The :class:`~backend.core.limits.Door` for a service call from this request. An API
    client answers a challenge with the headers ``Loket-Challenge`` and
    ``Loket-Challenge-Answer`` (comma-separated answers)."""
    if not challenge and request.headers.get("loket-challenge"):
        challenge = request.headers["loket-challenge"]
        answers = tuple(a.strip() for a in
                        request.headers.get("loket-challenge-answer", "").split(","))
    return Door(address=client_ip(request), policy=limits_policy(request),
                honeypot=honeypot, consent=consent, challenge=challenge[:300],
                answers=tuple(a[:20] for a in answers[:5]), language=get_language(),
                source=source)
