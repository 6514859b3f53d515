"""The admin area under /beheer: users and roles, API tokens, the audit log.

Admins only (editors get 403, anonymous visitors go to the login page). Every page works
without JavaScript: forms post and redirect with 303 and a short outcome code in the query
(``?gedaan=…`` / ``?fout=…``) that the next page turns into a message. HTMX enhances the
user search (the ``results`` block) and nothing depends on it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from backend.accounts import service
from backend.accounts.deps import AdminPage, client_ip
from backend.accounts.models import GLOBAL_ROLES, ApiToken, AuditEvent, User
from backend.core.db import SessionDep, utcnow
from backend.core.errors import LoketError
from backend.core.i18n import gettext_ as _
from backend.core.paging import page_number, paginate
from backend.core.routing import LazyRoute
from backend.core.templating import render

router = APIRouter(prefix="/beheer", include_in_schema=False, route_class=LazyRoute)

USERS_PER_PAGE = 25
EVENTS_PER_PAGE = 50
LOCAL_TZ = ZoneInfo("Europe/Amsterdam")


def _done_messages() -> dict[str, str]:
    return {
        "user_created": _("The user has been created."),
        "role_granted": _("The role has been granted."),
        "role_revoked": _("The role has been revoked."),
        "activated": _("The user has been activated."),
        "deactivated": _("The user has been deactivated and logged out everywhere."),
        "token_revoked": _("The token has been revoked."),
    }


def _error_messages() -> dict[str, str]:
    return {
        "last_admin": _("The last admin cannot lose the admin role or be deactivated."),
        "self_deactivate": _("You cannot deactivate yourself."),
        "unknown_role": _("Unknown role."),
        "invalid": _("Some fields are not filled in correctly."),
    }


def _notice(request: Request) -> dict[str, str] | None:
    done = request.query_params.get("gedaan")
    if done in _done_messages():
        return {"kind": "success", "text": _done_messages()[done]}
    error = request.query_params.get("fout")
    if error in _error_messages():
        return {"kind": "error", "text": _error_messages()[error]}
    return None


def _back_to(url: str, *, done: str | None = None, error: str | None = None) -> RedirectResponse:
    query = urlencode({"gedaan": done} if done else {"fout": error} if error else {})
    return RedirectResponse(f"{url}?{query}" if query else url, status_code=303)


# --- index -----------------------------------------------------------------------------------

@router.get("", response_class=HTMLResponse, name="admin_index")
def admin_index(request: Request, session: SessionDep, admin: AdminPage) -> HTMLResponse:
    sections = [
        ("/beheer/gebruikers", _("Users and roles"),
         _("Find people, grant and revoke roles, (de)activate accounts.")),
        ("/beheer/tokens", _("API tokens"), _("Create and revoke tokens for the API.")),
        ("/beheer/audit", _("Audit log"),
         _("Logins, failed logins, role changes, token use and other admin actions.")),
        ("/beheer/uitgaand", _("Outbox"),
         _("Outgoing messages and jobs; retry what failed.")),
        ("/beheer/mail", _("Kept mail"),
         _("E-mail kept in the outbox when no mail server is configured.")),
        ("/beheer/loketten", _("Support desks"),
         _("Desks, their coverage, topics, members and response targets.")),
        ("/beheer/privacy", _("Privacy requests"),
         _("Export or erase everything Loket holds about a person.")),
    ]
    alerts = service.recent_limit_alerts(session, since=utcnow() - timedelta(hours=24))
    return render(request, "admin/index.html", {"sections": sections, "limit_alerts": alerts})


# --- users -----------------------------------------------------------------------------------

@router.get("/gebruikers", response_class=HTMLResponse, name="admin_users")
def users(request: Request, session: SessionDep, admin: AdminPage, q: str = "", rol: str = "",
          pagina: str | None = None) -> HTMLResponse:
    role = rol if rol in GLOBAL_ROLES else ""
    page = page_number(pagina)
    found, total = service.list_users(session, q=q, role=role or None,
                                      offset=(page - 1) * USERS_PER_PAGE, limit=USERS_PER_PAGE)
    paging = paginate(page, USERS_PER_PAGE, total, "/beheer/gebruikers", {"q": q, "rol": role})
    if paging["page"] != page:  # past the last page: show the last one
        found, _total = service.list_users(session, q=q, role=role or None,
                                           offset=paging["offset"], limit=USERS_PER_PAGE)
    roles = service.roles_by_user(session, [u.id for u in found if u.id is not None])
    rows = [service.user_public(u, roles.get(u.id or 0, [])) for u in found]
    return render(request, "admin/users.html",
                  {"users": rows, "q": q, "role": role, "roles": GLOBAL_ROLES,
                   "paging": paging, "notice": _notice(request)}, block="results")


def _new_user_page(request: Request, *, values: dict[str, Any], errors: dict[str, str],
                   status_code: int = 200) -> HTMLResponse:
    return render(request, "admin/user_new.html",
                  {"values": values, "errors": errors, "roles": GLOBAL_ROLES},
                  status_code=status_code)


@router.get("/gebruikers/nieuw", response_class=HTMLResponse, name="admin_user_new")
def user_new(request: Request, admin: AdminPage) -> HTMLResponse:
    return _new_user_page(request, values={"email": "", "name": "", "roles": []}, errors={})


@router.post("/gebruikers/nieuw", name="admin_user_create")
def user_create(request: Request, session: SessionDep, admin: AdminPage,
                email: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
                roles: Annotated[list[str] | None, Form()] = None) -> Response:
    chosen = [r for r in (roles or []) if r in GLOBAL_ROLES]
    email, name = email.strip(), name.strip()
    values: dict[str, Any] = {"email": email, "name": name, "roles": chosen}
    errors: dict[str, str] = {}
    local, at, domain = email.partition("@")
    if not (at and local and "." in domain and " " not in email):
        errors["email"] = _("Enter an e-mail address such as name@example.nl.")
    elif service.get_user_by_email(session, email) is not None:
        errors["email"] = _("A user with this e-mail address already exists.")
    elif service.lookalike_user(session, email) is not None:
        errors["email"] = _("This e-mail address looks like that of an existing account. "
                            "Check the address; use the existing account if it is the same "
                            "person.")
    if len(name) > 200:
        errors["name"] = _("The name can be at most 200 characters long.")
    if errors:
        return _new_user_page(request, values=values, errors=errors, status_code=400)
    user = service.create_user(session, email, name=name, roles=chosen, actor=admin,
                               ip=client_ip(request))
    return _back_to(f"/beheer/gebruikers/{user.id}", done="user_created")


def _recent_events(session: Session, user_id: int) -> list[Any]:
    events, _total = service.list_audit(session, user_id=user_id, limit=10)
    return events


@router.get("/gebruikers/{user_id}", response_class=HTMLResponse, name="admin_user")
def user_detail(request: Request, session: SessionDep, admin: AdminPage,
                user_id: int) -> HTMLResponse:
    user = service.get_user(session, user_id)
    roles = service.roles_of(session, user_id)
    tokens = session.exec(select(ApiToken).where(ApiToken.user_id == user_id)
                          .order_by(col(ApiToken.created_at).desc())).all()
    return render(request, "admin/user.html", {
        "user": service.user_public(user, roles),
        "grantable": [r for r in GLOBAL_ROLES if r not in roles],
        "scopes": service.role_scopes(session, user_id),
        "provinces": sorted(service.known_provinces(session).items(), key=lambda p: p[1]),
        "tokens": tokens,
        "events": _recent_events(session, user_id),
        "is_self": admin.user_id == user_id,
        "notice": _notice(request),
        "now": utcnow(),
    })


def _user_action(session: Session, user_id: int, action: Any, done: str) -> RedirectResponse:
    service.get_user(session, user_id)  # 404 for an unknown user
    url = f"/beheer/gebruikers/{user_id}"
    try:
        with session.begin_nested():
            action()
    except LoketError as exc:
        return _back_to(url, error=exc.code if exc.code in _error_messages() else "invalid")
    return _back_to(url, done=done)


@router.post("/gebruikers/{user_id}/rollen", name="admin_role_grant")
def role_grant(request: Request, session: SessionDep, admin: AdminPage, user_id: int,
               role: Annotated[str, Form()] = "",
               province: Annotated[str, Form()] = "") -> Response:
    if role not in GLOBAL_ROLES:
        return _back_to(f"/beheer/gebruikers/{user_id}", error="unknown_role")
    return _user_action(session, user_id, lambda: service.grant_role(
        session, user_id, role, actor=admin, ip=client_ip(request),
        province=province or None), "role_granted")


@router.post("/gebruikers/{user_id}/rollen/{role}/intrekken", name="admin_role_revoke")
def role_revoke(request: Request, session: SessionDep, admin: AdminPage, user_id: int,
                role: str) -> Response:
    return _user_action(session, user_id, lambda: service.revoke_role(
        session, user_id, role, actor=admin, ip=client_ip(request)), "role_revoked")


@router.post("/gebruikers/{user_id}/deactiveren", name="admin_user_deactivate")
def user_deactivate(request: Request, session: SessionDep, admin: AdminPage,
                    user_id: int) -> Response:
    return _user_action(session, user_id, lambda: service.set_active(
        session, user_id, False, actor=admin, ip=client_ip(request)), "deactivated")


@router.post("/gebruikers/{user_id}/activeren", name="admin_user_activate")
def user_activate(request: Request, session: SessionDep, admin: AdminPage,
                  user_id: int) -> Response:
    return _user_action(session, user_id, lambda: service.set_active(
        session, user_id, True, actor=admin, ip=client_ip(request)), "activated")


# --- API tokens ------------------------------------------------------------------------------

def _tokens_page(request: Request, session: Session, *, created: tuple[ApiToken, str] | None
                 = None, values: dict[str, Any] | None = None,
                 errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    tokens = service.list_tokens(session)
    owner_ids = {t.user_id for t in tokens if t.user_id is not None}
    owners = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(owner_ids)))
              } if owner_ids else {}
    headers = {"Cache-Control": "no-store"} if created else None
    return render(request, "admin/tokens.html", {
        "tokens": tokens, "owners": owners, "role_options": [(r, r) for r in GLOBAL_ROLES],
        "now": utcnow(),
        "created": created[0] if created else None, "plain": created[1] if created else None,
        "values": values or {"name": "", "role": "editor", "owner": "", "days": ""},
        "errors": errors or {}, "notice": _notice(request),
    }, status_code=status_code, headers=headers)


@router.get("/tokens", response_class=HTMLResponse, name="admin_tokens")
def tokens(request: Request, session: SessionDep, admin: AdminPage) -> HTMLResponse:
    return _tokens_page(request, session)


@router.post("/tokens", response_class=HTMLResponse, name="admin_token_create")
def token_create(request: Request, session: SessionDep, admin: AdminPage,
                 name: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "",
                 owner: Annotated[str, Form()] = "",
                 days: Annotated[str, Form()] = "") -> HTMLResponse:
    values = {"name": name.strip(), "role": role, "owner": owner.strip(), "days": days.strip()}
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = _("Give the token a name.")
    elif len(values["name"]) > 100:
        errors["name"] = _("The name can be at most 100 characters long.")
    if role not in GLOBAL_ROLES:
        errors["role"] = _("Choose a role.")
    owner_id = None
    if values["owner"]:
        found = service.get_user_by_email(session, values["owner"])
        if found is None:
            errors["owner"] = _("There is no user with this e-mail address.")
        else:
            owner_id = found.id
    expires_at = None
    if values["days"]:
        if not values["days"].isdigit() or not 1 <= int(values["days"]) <= 3650:
            errors["days"] = _("Enter a number of days from 1 to 3650, or leave it empty.")
        else:
            expires_at = utcnow() + timedelta(days=int(values["days"]))
    if errors:
        return _tokens_page(request, session, values=values, errors=errors, status_code=400)
    token, plain = service.create_api_token(session, name=values["name"], role=role,
                                            user_id=owner_id, expires_at=expires_at,
                                            actor=admin, ip=client_ip(request))
    # Shown once, in this response; only its hash is kept.
    return _tokens_page(request, session, created=(token, plain), status_code=201)


@router.post("/tokens/{token_id}/intrekken", name="admin_token_revoke")
def token_revoke(request: Request, session: SessionDep, admin: AdminPage,
                 token_id: int) -> Response:
    service.revoke_api_token(session, token_id, actor=admin, ip=client_ip(request))
    return _back_to("/beheer/tokens", done="token_revoked")


# --- audit log -------------------------------------------------------------------------------

def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


@router.get("/audit", response_class=HTMLResponse, name="admin_audit")
def audit(request: Request, session: SessionDep, admin: AdminPage, actie: str = "",
          gebruiker: str = "", van: str = "", tot: str = "",
          pagina: str | None = None) -> HTMLResponse:
    errors: dict[str, str] = {}
    user_id: int | None = None
    if gebruiker.strip():
        term = gebruiker.strip()
        if term.isdigit():
            user_id = int(term)
        else:
            found = service.get_user_by_email(session, term)
            if found is None:
                errors["gebruiker"] = _("There is no user with this e-mail address.")
            else:
                user_id = found.id
    since_day, until_day = _parse_day(van), _parse_day(tot)
    if van.strip() and since_day is None:
        errors["van"] = _("Enter a date such as 2025-03-31.")
    if tot.strip() and until_day is None:
        errors["tot"] = _("Enter a date such as 2025-03-31.")
    page = page_number(pagina)
    params = {"actie": actie, "gebruiker": gebruiker, "van": van, "tot": tot}
    events: list[AuditEvent] = []
    total = 0
    if not errors:
        events, total = service.list_audit(
            session, action=actie.strip() or None, user_id=user_id,
            since=_day_start(since_day) if since_day else None,
            until=_day_start(until_day + timedelta(days=1)) if until_day else None,
            offset=(page - 1) * EVENTS_PER_PAGE, limit=EVENTS_PER_PAGE)
    paging = paginate(page, EVENTS_PER_PAGE, total, "/beheer/audit", params)
    user_ids = {e.actor_user_id for e in events if e.actor_user_id}
    user_ids |= {int(e.target_id) for e in events
                 if e.target_type == "user" and e.target_id and e.target_id.isdigit()}
    people = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids)))
              } if user_ids else {}
    return render(request, "admin/audit.html", {
        "events": events, "people": people, "params": params, "errors": errors,
        "actions": service.audit_actions(session), "paging": paging,
    }, block="results")
