"""Group pages: the list (the groups door), a group's public page, the members' space and the
invitation, join, leave and removal flows. Every form posts and redirects (303)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from backend.accounts.deps import (
    CurrentUser,
    OptionalPrincipal,
    login_redirect,
    require_page_role,
)
from backend.accounts.landing import register_workplace
from backend.accounts.principal import Principal
from backend.cases import choices
from backend.community import feed, service
from backend.community.deps import GroupAccess, GroupCoordinator, GroupMember, GroupView
from backend.community.pages import render_space
from backend.core.db import SessionDep
from backend.core.errors import Conflict, Forbidden, Invalid
from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _
from backend.core.routing import LazyRoute
from backend.core.templating import render

router = APIRouter(include_in_schema=False, route_class=LazyRoute)

FormStr = Annotated[str, Form()]
# Editors start groups: a group's public page is part of the portal, like the knowledge base.
EditorPage = Annotated[Principal, Depends(require_page_role("editor"))]


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _firm_options(session: SessionDep) -> dict[str, Any]:
    return {"sectors": [(c.slug, c.label) for c in choices.sectors(session)],
            "sizes": [(c.slug, c.label) for c in choices.company_sizes(session)]}


# Members of a group (through their firm) work here: "Mijn groepen" and their start page.
register_workplace("group", "/mijn-groepen", N_("My groups"), rank=50, menu=20,
                   applies=lambda s, p: bool(service.groups_of_user(s, p.user_id)))


@router.get("/mijn-groepen", response_class=HTMLResponse)
def my_groups_page(request: Request, session: SessionDep, principal: CurrentUser
                   ) -> HTMLResponse:
    return render(request, "community/my_groups.html",
                  {"groups": service.groups_of_user(session, principal.user_id)},
                  headers={"Cache-Control": "no-store"})


@router.get("/groepen", response_class=HTMLResponse)
def groups_page(request: Request, session: SessionDep,
                principal: OptionalPrincipal) -> HTMLResponse:
    return render(request, "community/groups.html",
                  {"groups": service.list_groups(session),
                   "can_create": principal is not None and principal.has("editor"),
                   "sector_label": choices.labeler(session, "sector")})


def _group_form(request: Request, session: SessionDep, template: str,
                context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    context["errors"] = {k: _(v) for k, v in (context.get("errors") or {}).items()}
    return render(request, template, {**context, **_firm_options(session)},
                  status_code=status_code, headers={"Cache-Control": "no-store"})


@router.get("/groepen/nieuw", response_class=HTMLResponse)
def new_group_page(request: Request, session: SessionDep, editor: EditorPage) -> HTMLResponse:
    return _group_form(request, session, "community/new_group.html", {"values": {}})


@router.post("/groepen/nieuw", response_model=None)
def new_group(request: Request, session: SessionDep, editor: EditorPage, name: FormStr = "",
              purpose: FormStr = "", sector: FormStr = "", region: FormStr = "",
              allow_cross_group: FormStr = "", coordinator_email: FormStr = ""
              ) -> RedirectResponse | HTMLResponse:
    try:
        group = service.found_group(
            session, name=name, purpose=purpose, sector=sector, region=region,
            allow_cross_group=allow_cross_group == "1", coordinator_email=coordinator_email,
            actor=editor, base_url=request.app.state.settings.base_url)
    except Invalid as exc:
        return _group_form(request, session, "community/new_group.html", {
            "errors": exc.fields, "values": {
                "name": name, "purpose": purpose, "sector": sector, "region": region,
                "allow_cross_group": allow_cross_group == "1",
                "coordinator_email": coordinator_email}}, status_code=422)
    return _see_other(f"/groepen/{group.slug}?ok=created")


@router.get("/groepen/uitnodiging/{token}", response_class=HTMLResponse)
def invitation_page(request: Request, token: str, session: SessionDep,
                    principal: OptionalPrincipal) -> HTMLResponse:
    if principal is None:
        raise login_redirect(request)
    row, group = service.find_invitation(session, token)
    try:
        service.check_invitee(row, principal)
    except Forbidden as exc:
        return _wrong_address(request, group, exc)
    return render(request, "community/invitation.html",
                  {"group": group, "token": token, "values": {}, "errors": {},
                   "firm": service.firm_of_user(session, principal.user_id),
                   **_firm_options(session)}, headers={"Cache-Control": "no-store"})


def _wrong_address(request: Request, group: Any, exc: Forbidden) -> HTMLResponse:
    """The invitation is for another address: say so, and offer no form."""
    return render(request, "community/invitation.html",
                  {"group": group, "wrong_address": _(exc.message)}, status_code=403,
                  headers={"Cache-Control": "no-store"})


@router.post("/groepen/uitnodiging/{token}", response_model=None)
def accept_invitation(request: Request, token: str, session: SessionDep,
                      principal: OptionalPrincipal, firm_name: FormStr = "",
                      sector: FormStr = "", size_class: FormStr = "", kvk: FormStr = ""
                      ) -> RedirectResponse | HTMLResponse:
    if principal is None:
        raise login_redirect(request)
    row, group = service.find_invitation(session, token)
    try:
        service.check_invitee(row, principal)
    except Forbidden as exc:
        return _wrong_address(request, group, exc)
    values = {"firm_name": firm_name, "sector": sector, "size_class": size_class, "kvk": kvk}
    try:
        firm = service.firm_for(session, principal, name=firm_name, sector=sector,
                                size_class=size_class, kvk=kvk)
        service.accept_invitation(session, token, firm, actor=principal)
    except Invalid as exc:
        return render(request, "community/invitation.html",
                      {"group": group, "token": token, "errors": exc.fields, "firm": None,
                       "values": values, **_firm_options(session)}, status_code=422)
    except Conflict as exc:  # another firm with this KvK number is already a member
        return render(request, "community/invitation.html",
                      {"group": group, "token": token, "errors": {"kvk": _(exc.message)},
                       "firm": service.firm_of_user(session, principal.user_id),
                       "values": values, **_firm_options(session)}, status_code=409)
    return _see_other(f"/groepen/{group.slug}/ruimte?ok=joined")


def _public(request: Request, session: SessionDep, access: GroupAccess, *,
            errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
            status_code: int = 200) -> HTMLResponse:
    group = access.group
    pending = False
    if access.firm is not None and not access.is_member:
        pending = any(f.id == access.firm.id for _, f in service.pending_requests(session, group))
    return render(request, "community/group.html", {
        "access": access, "group": group,
        "member_count": service.member_counts(session).get(group.id or 0, 0),
        "practices": feed.public_practices(session, group),
        "sector_label": choices.label(session, "sector", group.sector),
        "pending": pending, "errors": errors or {}, "values": values or {},
        "ok": request.query_params.get("ok"), **_firm_options(session)}, status_code=status_code)


@router.get("/groepen/{slug}", response_class=HTMLResponse)
def group_page(request: Request, session: SessionDep, access: GroupView) -> HTMLResponse:
    return _public(request, session, access)


@router.post("/groepen/{slug}/aanvragen", response_model=None)
def request_join(request: Request, session: SessionDep, access: GroupView,
                 message: FormStr = "", firm_name: FormStr = "", sector: FormStr = "",
                 size_class: FormStr = "", kvk: FormStr = "") -> RedirectResponse | HTMLResponse:
    if access.principal is None:
        raise login_redirect(request)
    try:
        firm = service.firm_for(session, access.principal, name=firm_name, sector=sector,
                                size_class=size_class, kvk=kvk)
    except Invalid as exc:
        return _public(request, session, access, errors=exc.fields, status_code=422,
                       values={"firm_name": firm_name, "sector": sector, "kvk": kvk,
                               "size_class": size_class, "message": message})
    service.request_join(session, access.group, firm, actor=access.principal, message=message)
    return _see_other(f"/groepen/{access.group.slug}?ok=requested")


@router.get("/groepen/{slug}/ruimte", response_class=HTMLResponse)
def space_page(request: Request, session: SessionDep, access: GroupMember) -> HTMLResponse:
    return render_space(request, session, access)


@router.get("/groepen/{slug}/instellingen", response_class=HTMLResponse)
def settings_page(request: Request, session: SessionDep, access: GroupCoordinator) -> HTMLResponse:
    g = access.group
    return _group_form(request, session, "community/settings.html", {
        "group": g, "ok": request.query_params.get("ok"),
        "values": {"purpose": g.purpose, "sector": g.sector, "region": g.region,
                   "allow_cross_group": g.allow_cross_group}})


@router.post("/groepen/{slug}/instellingen", response_model=None)
def save_settings(request: Request, session: SessionDep, access: GroupCoordinator,
                  purpose: FormStr = "", sector: FormStr = "", region: FormStr = "",
                  allow_cross_group: FormStr = "") -> RedirectResponse | HTMLResponse:
    try:
        service.update_settings(session, access.group, purpose=purpose, sector=sector,
                                region=region, allow_cross_group=allow_cross_group == "1",
                                actor=access.user)
    except Invalid as exc:
        return _group_form(request, session, "community/settings.html", {
            "group": access.group, "errors": exc.fields, "values": {
                "purpose": purpose, "sector": sector, "region": region,
                "allow_cross_group": allow_cross_group == "1"}}, status_code=422)
    return _see_other(f"/groepen/{access.group.slug}/instellingen?ok=saved")


@router.post("/groepen/{slug}/uitnodigen")
def invite(request: Request, session: SessionDep, access: GroupCoordinator,
           email: FormStr = "") -> RedirectResponse:
    service.invite(session, access.group, email=email, actor=access.user,
                   base_url=request.app.state.settings.base_url)
    return _see_other(f"/groepen/{access.group.slug}/ruimte?ok=invited")


@router.post("/groepen/{slug}/aanvragen/{request_id}")
def decide(session: SessionDep, access: GroupCoordinator, request_id: int,
           decision: FormStr = "") -> RedirectResponse:
    service.decide_request(session, access.group, request_id, approve=decision == "approve",
                           actor=access.user)
    return _see_other(f"/groepen/{access.group.slug}/ruimte?ok=decided")


@router.post("/groepen/{slug}/verlaten")
def leave(session: SessionDep, access: GroupMember) -> RedirectResponse:
    service.leave_group(session, access.group, access.own_firm, actor=access.user)
    return _see_other(f"/groepen/{access.group.slug}?ok=left")


@router.post("/groepen/{slug}/leden/{firm_id}/verwijderen")
def remove(session: SessionDep, access: GroupCoordinator, firm_id: int) -> RedirectResponse:
    service.remove_member(session, access.group, firm_id, actor=access.user)
    return _see_other(f"/groepen/{access.group.slug}/ruimte?ok=removed")
