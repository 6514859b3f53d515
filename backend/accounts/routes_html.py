"""Login and logout pages: SSO (OIDC), one-time e-mail link, break-glass password."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from backend.accounts import landing, oidc, service, sessions
from backend.accounts import login as login_rules
from backend.accounts.deps import OptionalPrincipal, client_ip, door
from backend.core.db import Database, SessionDep
from backend.core.errors import NotFound
from backend.core.i18n import gettext_ as _
from backend.core.routing import LazyRoute
from backend.core.templating import render

log = logging.getLogger("loket.accounts")
router = APIRouter(include_in_schema=False, route_class=LazyRoute)

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: never redirect to another site."""
    if (not target or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(c) < 32 for c in target)):
        return default
    return target


def _email_ok(email: str) -> bool:
    local, at, domain = email.strip().partition("@")
    return bool(at and local and "." in domain and len(email) <= 254 and " " not in email.strip())


# --- the login page and e-mail links ---------------------------------------------------------

def _login_page(request: Request, *, next_url: str, email: str = "",
                errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    return render(request, "accounts/login.html", {
        "next": next_url, "email": email, "errors": errors or {},
        "sso_enabled": oidc.is_configured(request),
        "sso_name": request.app.state.settings.oidc_name,
        "link_minutes": request.app.state.settings.login_link_minutes,
        "demo_login": request.app.state.settings.env == "development",  # backend/demo.py
    }, status_code=status_code)


@router.get("/inloggen", response_class=HTMLResponse, name="login")
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return _login_page(request, next_url=safe_next(next, ""))


@router.post("/inloggen", name="login_link_request")
def request_link(request: Request, session: SessionDep,
                 email: Annotated[str, Form()] = "",
                 next: Annotated[str, Form()] = "") -> Response:
    settings = request.app.state.settings
    email = email.strip()
    if not _email_ok(email):
        return _login_page(request, next_url=safe_next(next, ""), email=email, status_code=400,
                           errors={"email": _("Enter an e-mail address such as "
                                              "name@example.nl.")})
    login_rules.request_login_link(session, email, settings=settings, door=door(request),
                                   next_url=safe_next(next, "") or None)
    # The same answer whether or not the address has an account.
    return RedirectResponse("/inloggen/link-verstuurd", status_code=303)


@router.get("/inloggen/link-verstuurd", response_class=HTMLResponse, name="login_link_sent")
def link_sent(request: Request) -> HTMLResponse:
    return render(request, "accounts/link_sent.html",
                  {"link_minutes": request.app.state.settings.login_link_minutes})


@router.get("/inloggen/link/{token}", response_class=HTMLResponse, name="login_link")
def link_confirm(request: Request, session: SessionDep, token: str,
                 next: str | None = None) -> HTMLResponse:
    # Read only: mail scanners that follow links must not spend the link. The POST does.
    link = login_rules.find_login_link(session, token)
    if link is None:
        return render(request, "accounts/link_invalid.html", status_code=410, headers=NO_STORE)
    return render(request, "accounts/link_confirm.html",
                  {"token": token, "next": safe_next(next, "")}, headers=NO_STORE)


@router.post("/inloggen/link/{token}", name="login_link_use")
def link_use(request: Request, session: SessionDep, token: str,
             next: Annotated[str, Form()] = "") -> Response:
    settings = request.app.state.settings
    try:
        user = login_rules.use_login_link(session, token, settings=settings,
                                          door=door(request))
    except login_rules.LoginRefused:
        # Rendered, not raised: the failed attempt's audit row must be committed.
        return render(request, "accounts/link_invalid.html", status_code=410, headers=NO_STORE)
    assert user.id is not None
    sessions.login(request, user.id)
    # Without a page to return to, the person lands where their role works.
    return RedirectResponse(safe_next(next, "") or landing.start_page_for(session, user.id),
                            status_code=303)


# --- break-glass password --------------------------------------------------------------------

def _password_page(request: Request, *, next_url: str, email: str = "",
                   errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    return render(request, "accounts/password_login.html",
                  {"next": next_url, "email": email, "errors": errors or {}},
                  status_code=status_code, headers={"Cache-Control": "no-store"})


@router.get("/inloggen/beheer", response_class=HTMLResponse, name="login_password")
def password_page(request: Request, next: str | None = None) -> HTMLResponse:
    return _password_page(request, next_url=safe_next(next, ""))


@router.post("/inloggen/beheer", name="login_password_post")
def password_login(request: Request, session: SessionDep,
                   email: Annotated[str, Form()] = "",
                   password: Annotated[str, Form()] = "",
                   next: Annotated[str, Form()] = "") -> Response:
    settings = request.app.state.settings
    email = email.strip()
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = _("Enter your e-mail address.")
    if not password:
        errors["password"] = _("Enter your password.")
    if errors:
        return _password_page(request, next_url=safe_next(next, ""), email=email, errors=errors,
                              status_code=400)
    user = login_rules.password_login(session, email, password, settings=settings,
                                      door=door(request))
    if user is None:
        # One message for every failure: it must not tell which part was wrong.
        return _password_page(request, next_url=safe_next(next, ""), email=email,
                              status_code=400,
                              errors={"password": _("The e-mail address or password is not "
                                                    "correct.")})
    assert user.id is not None
    sessions.login(request, user.id)
    return RedirectResponse(safe_next(next, "") or landing.start_page_for(session, user.id),
                            status_code=303)


# --- SSO (OpenID Connect) --------------------------------------------------------------------

def _sso_error(request: Request, reason: str, status_code: int = 400) -> HTMLResponse:
    messages = {
        "denied": _("You cancelled logging in, or the login service refused it."),
        "state_mismatch": _("This login attempt was not started in this browser, or it took "
                            "too long. Please start again."),
        "inactive": _("Your account has been deactivated. Contact the administrator."),
        "email_unverified": _("Your login service has not verified your e-mail address, so "
                              "we cannot link it to an account."),
        "no_email": _("Your login service did not tell us your e-mail address."),
        "email_lookalike": _("Your e-mail address looks like that of another account, so we "
                             "do not create an account for it. Contact the administrator."),
        "subject_conflict": _("This e-mail address is already linked to another SSO "
                              "account."),
        "unavailable": _("The login service cannot be reached right now. Please try again "
                         "later or log in with an e-mail link."),
    }
    message = messages.get(reason, _("Logging in through the login service did not succeed. "
                                     "Please try again."))
    return render(request, "accounts/login_error.html",
                  {"message": message, "reason": reason}, status_code=status_code,
                  headers={"Cache-Control": "no-store"})


def _audit_failure(db: Database, request: Request, reason: str, **extra: Any) -> None:
    with db.transaction() as s:
        login_rules.record_failed_login(s, method=login_rules.OIDC, reason=reason,
                                        ip=client_ip(request),
                                        settings=request.app.state.settings, **extra)


@router.get("/inloggen/sso", name="login_sso")
async def sso_start(request: Request, next: str | None = None) -> Response:
    client = oidc.oidc_client(request)
    if client is None:
        raise NotFound()
    request.session["login_next"] = safe_next(next, "")
    try:
        return await client.authorize_redirect(request, oidc.redirect_uri(request))
    except Exception:  # discovery failed: the provider is down or misconfigured
        log.warning("OIDC provider discovery failed", exc_info=True)
        return _sso_error(request, "unavailable", status_code=503)


@router.get(oidc.CALLBACK_PATH, name="login_sso_callback")
async def sso_callback(request: Request) -> Response:
    client = oidc.oidc_client(request)
    if client is None:
        raise NotFound()
    db: Database = request.app.state.db
    outcome = await oidc.finish(request, client)
    if outcome.claims is None:
        reason = outcome.reason or "unknown"
        extra = {"provider_error": outcome.provider_error} if outcome.provider_error else {}
        # A GET: writes go through a short transaction of their own.
        await run_in_threadpool(_audit_failure, db, request, reason, **extra)
        return _sso_error(request, reason)
    claims = outcome.claims

    def sign_in() -> int:
        with db.transaction() as s:
            user = login_rules.oidc_account(s, claims, ip=client_ip(request))
            login_rules.complete_login(s, user, method=login_rules.OIDC, ip=client_ip(request))
            assert user.id is not None
            return user.id

    try:
        user_id = await run_in_threadpool(sign_in)
    except login_rules.LoginRefused as refused:
        await run_in_threadpool(_audit_failure, db, request, refused.code)
        return _sso_error(request, refused.code, status_code=403)
    next_url = safe_next(request.session.pop("login_next", None), "")
    if not next_url:
        def land() -> str:
            with db.transaction(write=False) as s:
                return landing.start_page_for(s, user_id)

        next_url = await run_in_threadpool(land)
    sessions.login(request, user_id)
    return RedirectResponse(next_url, status_code=303)


# --- logout ----------------------------------------------------------------------------------

@router.post("/uitloggen", name="logout")
def logout(request: Request, session: SessionDep, principal: OptionalPrincipal
           ) -> RedirectResponse:
    if principal is not None and principal.via == "session":
        service.record_audit(session, "auth.logout", actor=principal, ip=client_ip(request))
    sessions.logout(request)
    return RedirectResponse("/", status_code=303)
