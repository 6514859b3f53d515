"""Desk administration under /beheer/loketten.

Admins see and edit every desk and create new ones. A desk's coordinators see their own
desks and may change its themes, specialisms, sectors, sizes, languages, summary, response
target and members; coverage, capacity, remit and contact details stay with admins. Forms
post and redirect (303); errors re-render the form with the fields marked.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session
from starlette.datastructures import FormData

from backend.accounts import service as accounts
from backend.accounts.principal import Principal
from backend.core.db import SessionDep
from backend.core.errors import Forbidden, LoketError
from backend.core.i18n import gettext_ as _
from backend.core.routing import LazyRoute
from backend.core.settings import SLA_ESCALATION_FACTOR, SLA_FIRST_RESPONSE_HOURS
from backend.core.templating import render
from backend.routing import labels, service
from backend.routing.deps import SignedIn
from backend.routing.models import (
    COORDINATOR,
    DESK_ROLES,
    CoverageItem,
    Desk,
    DeskCreate,
    DeskUpdate,
)

router = APIRouter(prefix="/beheer/loketten", include_in_schema=False, route_class=LazyRoute)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _editable(session: Session, principal: Principal, slug: str) -> Desk:
    desk = service.get_desk(session, slug)
    if not service.can_edit(session, principal, desk):
        raise Forbidden()
    return desk


def _notice(request: Request) -> dict[str, str] | None:
    done = {
        "created": _("The desk has been created."),
        "saved": _("The desk has been saved."),
        "member_set": _("The member has been saved."),
        "member_removed": _("The member has been removed."),
    }
    errors = {
        "unknown_user": _("There is no user with that e-mail address."),
        "member": _("The member could not be changed."),
    }
    key = request.query_params.get("gedaan")
    if key in done:
        return {"kind": "success", "text": done[key]}
    key = request.query_params.get("fout")
    if key in errors:
        return {"kind": "error", "text": errors[key]}
    return None


@router.get("", response_class=HTMLResponse, name="admin_desks")
def desk_list(request: Request, session: SessionDep, principal: SignedIn) -> HTMLResponse:
    if principal.has("admin"):
        desks = service.list_desks(session)
    else:
        desks = service.coordinated_desks(session, principal)
        if not desks:
            raise Forbidden()
    ctx = service.routing_context(session)
    cov = service.coverage_of(session)
    rows = [{"desk": d, "areas": [labels.area_label(c.kind, c.code, ctx.regions)
                                  for c in cov.get(d.id or 0, [])]} for d in desks]
    return render(request, "routing/admin_desks.html", {
        "rows": rows, "is_admin": principal.has("admin"), "notice": _notice(request)})


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[\n,;]", text or "") if p.strip()]


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _form_values(form: FormData) -> dict[str, Any]:
    def text(name: str) -> str:
        v = form.get(name)
        return v.strip() if isinstance(v, str) else ""

    return {
        "name": text("name"), "summary": text("summary"),
        "is_active": form.get("is_active") == "on",
        "general_remit": form.get("general_remit") == "on",
        "is_fallback": form.get("is_fallback") == "on",
        "capacity": _int(form.get("capacity"), -1),
        "first_response_hours": _int(form.get("first_response_hours"), 0),
        # Raw text: ``service.escalation_hours_input`` reads it (empty: the default).
        "escalate_after_hours": text("escalate_after_hours"),
        "contact_email": text("contact_email") or None,
        "contact_phone": text("contact_phone") or None,
        "website": text("website") or None, "address": text("address") or None,
        "themes": [v for v in form.getlist("themes") if isinstance(v, str)],
        "sectors": [v for v in form.getlist("sectors") if isinstance(v, str)],
        "company_sizes": [v for v in form.getlist("company_sizes") if isinstance(v, str)],
        "languages": [s.lower() for s in _split(text("languages"))] or ["nl"],
        "keywords": _split(text("keywords")),
        "coverage": labels.parse_coverage_lines(text("coverage")),
    }


def _form_context(session: Session, desk: Desk | None, values: dict[str, Any],
                  principal: Principal, errors: dict[str, str] | None = None) -> dict[str, Any]:
    ctx = service.routing_context(session)
    return {
        "desk": desk, "values": values, "errors": errors or {},
        "is_admin": principal.has("admin"), "escalation_factor": SLA_ESCALATION_FACTOR,
        "theme_options": labels.theme_options(ctx.taxonomy),
        "sector_options": labels.sector_options(ctx.taxonomy),
        "size_options": labels.size_options(ctx.taxonomy),
        "members": service.members_of(session, desk) if desk else [],
        "roles": [(r, _("coordinator") if r == COORDINATOR else _("advisor"))
                  for r in DESK_ROLES],
    }


def _values_of(session: Session, desk: Desk) -> dict[str, Any]:
    ctx = service.routing_context(session)
    cov = service.coverage_of(session, [desk.id or 0]).get(desk.id or 0, [])
    return {**desk.model_dump(), "languages": ", ".join(desk.languages),
            "escalate_after_hours": desk.escalate_after_hours or "",
            "keywords": "\n".join(desk.keywords),
            "coverage": labels.coverage_lines(cov, ctx.regions)}


def _shown(values: dict[str, Any], raw: FormData) -> dict[str, Any]:
    """Form values as the page shows them again after an error."""
    def text(name: str) -> str:
        v = raw.get(name)
        return v if isinstance(v, str) else ""

    return {**values, "languages": text("languages"), "keywords": text("keywords"),
            "coverage": text("coverage"), "slug": text("slug")}


def _errors_of(exc: LoketError) -> dict[str, str]:
    return dict(exc.fields) or {"name": exc.message}


@router.get("/nieuw", response_class=HTMLResponse, name="admin_desk_new")
def desk_new(request: Request, session: SessionDep, principal: SignedIn) -> HTMLResponse:
    if not principal.has("admin"):
        raise Forbidden()
    values = {"is_active": True, "capacity": 50, "first_response_hours": SLA_FIRST_RESPONSE_HOURS,
              "escalate_after_hours": "", "languages": "nl", "themes": [], "sectors": [],
              "company_sizes": [],
              "keywords": "", "coverage": ""}
    return render(request, "routing/admin_desk.html",
                  _form_context(session, None, values, principal))


@router.post("/nieuw", response_model=None, name="admin_desk_create")
async def desk_create(request: Request, session: SessionDep, principal: SignedIn
                      ) -> HTMLResponse | RedirectResponse:
    if not principal.has("admin"):
        raise Forbidden()
    form = await request.form()
    values = _form_values(form)
    slug = str(form.get("slug") or "").strip().lower()
    errors: dict[str, str] = {}
    if not _SLUG.match(slug):
        errors["slug"] = _("Use lowercase letters, digits and hyphens, e.g. wsp-achterhoek.")
    if not values["name"]:
        errors["name"] = _("Give the desk a name.")
    if not errors:
        try:
            data = DeskCreate.model_validate({
                **values, "slug": slug, "escalate_after_hours":
                    service.escalation_hours_input(values["escalate_after_hours"]),
                "coverage": [CoverageItem(**c) for c in values["coverage"]]})
            desk = service.create_desk(session, data, actor=principal)
            return RedirectResponse(f"/beheer/loketten/{desk.slug}?gedaan=created",
                                    status_code=303)
        except LoketError as exc:
            errors = _errors_of(exc)
        except ValueError as exc:  # pydantic validation of numbers and lengths
            errors = {"name": str(exc).splitlines()[0]}
    return render(request, "routing/admin_desk.html",
                  _form_context(session, None, _shown(values, form), principal, errors),
                  status_code=422)


@router.get("/{slug}", response_class=HTMLResponse, name="admin_desk")
def desk_edit(request: Request, slug: str, session: SessionDep, principal: SignedIn
              ) -> HTMLResponse:
    desk = _editable(session, principal, slug)
    context = _form_context(session, desk, _values_of(session, desk), principal)
    context["notice"] = _notice(request)
    return render(request, "routing/admin_desk.html", context)


@router.post("/{slug}", response_model=None, name="admin_desk_save")
async def desk_save(request: Request, slug: str, session: SessionDep, principal: SignedIn
                    ) -> HTMLResponse | RedirectResponse:
    desk = _editable(session, principal, slug)
    form = await request.form()
    values = _form_values(form)
    allowed = (set(DeskUpdate.model_fields) if principal.has("admin")
               else set(service.COORDINATOR_FIELDS))
    errors: dict[str, str] = {}
    if "name" in allowed and not values["name"]:
        errors["name"] = _("Give the desk a name.")
    if not errors:
        try:
            fields = {k: v for k, v in values.items() if k in allowed and k != "is_fallback"}
            if "escalate_after_hours" in fields:
                fields["escalate_after_hours"] = service.escalation_hours_input(
                    values["escalate_after_hours"])
            update = DeskUpdate.model_validate(fields)
            service.update_desk(session, desk, update, actor=principal)
            if principal.has("admin") and values["is_fallback"] != desk.is_fallback:
                desk.is_fallback = values["is_fallback"]
                service._check_single_fallback(session, desk)
                session.add(desk)
                session.flush()
            return RedirectResponse(f"/beheer/loketten/{desk.slug}?gedaan=saved",
                                    status_code=303)
        except LoketError as exc:
            session.rollback()
            errors = _errors_of(exc)
        except ValueError as exc:
            errors = {"name": str(exc).splitlines()[0]}
    desk = service.get_desk(session, slug)
    return render(request, "routing/admin_desk.html",
                  _form_context(session, desk, _shown(values, form), principal, errors),
                  status_code=422)


@router.post("/{slug}/leden", name="admin_desk_member_set")
async def member_set(request: Request, slug: str, session: SessionDep, principal: SignedIn
                     ) -> RedirectResponse:
    desk = _editable(session, principal, slug)
    form = await request.form()
    email = str(form.get("email") or "").strip().lower()
    role = str(form.get("role") or "")
    user = accounts.get_user_by_email(session, email) if email else None
    if user is None:
        return RedirectResponse(f"/beheer/loketten/{slug}?fout=unknown_user#leden",
                                status_code=303)
    try:
        service.add_member(session, desk, user, role, actor=principal)
    except LoketError:
        return RedirectResponse(f"/beheer/loketten/{slug}?fout=member#leden", status_code=303)
    return RedirectResponse(f"/beheer/loketten/{slug}?gedaan=member_set#leden",
                            status_code=303)


@router.post("/{slug}/leden/{user_id}/verwijderen", name="admin_desk_member_remove")
def member_remove(slug: str, user_id: int, session: SessionDep, principal: SignedIn
                  ) -> RedirectResponse:
    desk = _editable(session, principal, slug)
    try:
        service.remove_member(session, desk, user_id, actor=principal)
    except LoketError:
        return RedirectResponse(f"/beheer/loketten/{slug}?fout=member#leden", status_code=303)
    return RedirectResponse(f"/beheer/loketten/{slug}?gedaan=member_removed#leden",
                            status_code=303)
