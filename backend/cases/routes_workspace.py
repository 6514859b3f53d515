"""The advisor workspace (``/werkplek``): desk inbox, the case page and its acts.

Every route that names a case takes ``CaseForAdvisor`` and every route that names a desk
takes ``MemberDesk``: access is decided there and nowhere else.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from backend.accounts import queries as accounts_q
from backend.accounts.deps import CurrentUser
from backend.accounts.landing import register_workplace
from backend.accounts.principal import Principal
from backend.cases import access, appointments, choices, publish, workspace
from backend.cases.deps import CaseForAdvisor, MemberDesk
from backend.cases.display import (
    channel_label,
    hours_left,
    is_overdue,
    outcome_label,
    status_choices,
    status_label,
)
from backend.cases.figures import desk_figures
from backend.cases.inbox import INBOX_PAGE, inbox_count, inbox_query
from backend.cases.models import Case, CaseHandoff
from backend.cases.pages import NO_STORE, case_page
from backend.core.db import SessionDep
from backend.core.errors import Conflict, Invalid
from backend.core.i18n import N_
from backend.core.paging import page_number, paginate
from backend.core.routing import LazyRoute
from backend.core.templating import env, render
from backend.core.text import checked
from backend.routing import queries as desks

router = APIRouter(prefix="/werkplek", include_in_schema=False, route_class=LazyRoute)

env.globals.setdefault("case_status_label", status_label)
env.globals.setdefault("case_outcome_label", outcome_label)

# Desk members (advisors, coordinators) work here: the menu's "Werkplek" and their start page.
register_workplace("desk", "/werkplek", N_("Workspace"), rank=40, menu=10,
                   applies=lambda s, p: bool(desks.desk_ids_of_user(s, p.user_id)))


def _base(request: Request) -> str:
    return str(request.app.state.settings.base_url)


def _case_url(case: Case, anchor: str = "") -> str:
    return f"/werkplek/zaken/{case.reference}" + (f"#{anchor}" if anchor else "")


# --- desks and inbox -----------------------------------------------------------------------

@router.get("", response_class=HTMLResponse, name="workspace")
def workspace_home(request: Request, session: SessionDep, principal: CurrentUser
                   ) -> HTMLResponse:
    desks = access.my_desks(session, principal.user_id)
    roles = access.memberships(session, principal.user_id)
    return render(request, "cases/workspace_home.html", {"desks": desks, "roles": roles},
                  headers=NO_STORE)


INBOX_COLUMNS: tuple[Any, ...] = (
    Case.reference, Case.status, Case.theme, Case.themes, Case.assigned_to, Case.received_at,
    Case.first_response_due_at, Case.first_responded_at)


@router.get("/{desk}", response_class=HTMLResponse, name="desk_inbox")
def desk_inbox(request: Request, session: SessionDep, principal: CurrentUser, desk: MemberDesk,
               status: str = "", theme: str = "", overdue: str = "", mijn: str = "",
               pagina: str = "") -> HTMLResponse:
    assert desk.id is not None
    filters: dict[str, Any] = {"status": status or None, "theme": theme or None,
                               "overdue": bool(overdue),
                               "mine_user": principal.user_id if mijn else None}
    total = inbox_count(session, desk, **filters)
    paging = paginate(page_number(pagina), INBOX_PAGE, total, f"/werkplek/{desk.slug}",
                      {"status": status, "theme": theme, "overdue": overdue, "mijn": mijn})
    # Only the columns the table shows, as plain rows: the question text and the routing
    # explanation are most of a case (≈ 2 kB), and building ORM objects cost more than the
    # query.
    cases = session.execute(inbox_query(desk, **filters, limit=INBOX_PAGE,
                                        offset=paging["offset"])
                            .with_only_columns(*INBOX_COLUMNS)).all()
    offered = list(session.exec(
        select(Case, CaseHandoff).join(CaseHandoff, col(CaseHandoff.case_id) == col(Case.id))
        .where(CaseHandoff.to_desk_id == desk.id, CaseHandoff.status == "offered")).all())
    users = _names(session, [c.assigned_to for c in cases])
    coordinator = access.is_coordinator(session, desk.id, principal.user_id)
    return render(request, "cases/inbox.html", {
        "desk": desk, "cases": cases, "offered": offered, "users": users,
        "filters": {"status": status, "theme": theme, "overdue": bool(overdue),
                    "mijn": bool(mijn)}, "paging": paging,
        "status_choices": status_choices(), "themes": choices.themes(session),
        "theme_label": choices.labeler(session, "theme"),
        "is_overdue": is_overdue, "hours_left": hours_left,
        "figures": desk_figures(session, desk.id) if coordinator else None,
        "coordinator": coordinator, "channel_label": channel_label,
        "today": appointments.todays_appointments(session, desk.id),
    }, block="inbox", headers=NO_STORE)


def _names(session: Session, ids: list[int | None]) -> dict[int, str]:
    return {i: u.display_name for i, u in accounts_q.users(session, ids).items()}


# --- saved answers -------------------------------------------------------------------------

@router.get("/{desk}/standaardantwoorden", response_class=HTMLResponse, name="saved_answers")
def saved_answers_page(request: Request, session: SessionDep, desk: MemberDesk,
                       errors: dict[str, str] | None = None,
                       values: dict[str, str] | None = None) -> HTMLResponse:
    assert desk.id is not None
    return render(request, "cases/saved_answers.html", {
        "desk": desk, "answers": workspace.saved_answers(session, desk.id),
        "errors": errors or {}, "values": values or {}}, headers=NO_STORE)


@router.post("/{desk}/standaardantwoorden", name="saved_answer_create")
def saved_answer_create(request: Request, session: SessionDep, principal: CurrentUser,
                        desk: MemberDesk, title: Annotated[str, Form()] = "",
                        body: Annotated[str, Form()] = "") -> Response:
    try:
        workspace.save_answer(session, desk, principal, title, body)
    except Invalid as exc:
        response = saved_answers_page(request, session, desk, errors=exc.fields,
                                      values={"title": title, "body": body})
        response.status_code = 422
        return response
    return RedirectResponse(f"/werkplek/{desk.slug}/standaardantwoorden", status_code=303)


@router.post("/{desk}/standaardantwoorden/{answer_id}/verwijderen",
             name="saved_answer_delete")
def saved_answer_delete(session: SessionDep, principal: CurrentUser, desk: MemberDesk,
                        answer_id: int) -> Response:
    workspace.delete_saved_answer(session, desk, principal, answer_id)
    return RedirectResponse(f"/werkplek/{desk.slug}/standaardantwoorden", status_code=303)


# --- the case page -------------------------------------------------------------------------





@router.get("/zaken/{reference}", response_class=HTMLResponse, name="workspace_case")
def case_detail(request: Request, session: SessionDep, principal: CurrentUser,
                case: CaseForAdvisor) -> HTMLResponse:
    return case_page(request, session, principal, case)


def _act(request: Request, session: Session, principal: Principal, case: Case, fn: Any,
         values: dict[str, Any] | None = None, anchor: str = "tijdlijn") -> Response:
    try:
        fn()
    except Invalid as exc:
        return case_page(request, session, principal, case, errors=exc.fields, values=values,
                         message=None if exc.fields else exc.message, status_code=422)
    except Conflict as exc:
        return case_page(request, session, principal, case, values=values,
                         message=exc.message, status_code=409)
    return RedirectResponse(_case_url(case, anchor), status_code=303)


@router.post("/zaken/{reference}/oppakken", name="case_claim")
def case_claim(request: Request, session: SessionDep, principal: CurrentUser,
               case: CaseForAdvisor) -> Response:
    return _act(request, session, principal, case,
                lambda: workspace.claim(session, case, principal))


@router.post("/zaken/{reference}/toewijzen", name="case_assign")
def case_assign(request: Request, session: SessionDep, principal: CurrentUser,
                case: CaseForAdvisor, user_id: Annotated[str, Form()] = "") -> Response:
    return _act(request, session, principal, case, lambda: workspace.assign(
        session, case, principal, int(user_id) if user_id.isdigit() else 0,
        base_url=_base(request)))


@router.post("/zaken/{reference}/antwoord", name="case_reply")
def case_reply(request: Request, session: SessionDep, principal: CurrentUser,
               case: CaseForAdvisor, body: Annotated[str, Form()] = "") -> Response:
    return _act(request, session, principal, case, lambda: workspace.reply(
        session, case, principal, body, base_url=_base(request)), {"body": body})


@router.post("/zaken/{reference}/notitie", name="case_note")
def case_note(request: Request, session: SessionDep, principal: CurrentUser,
              case: CaseForAdvisor, note: Annotated[str, Form()] = "") -> Response:
    def act() -> None:
        try:
            workspace.add_note(session, case, principal, note)
        except Invalid as exc:
            raise Invalid(fields={"note": exc.fields.get("body", "")}) from exc

    return _act(request, session, principal, case, act, {"note": note})


@router.post("/zaken/{reference}/sluiten", name="case_close")
def case_close(request: Request, session: SessionDep, principal: CurrentUser,
               case: CaseForAdvisor, outcome: Annotated[str, Form()] = "",
               without_answer: Annotated[str, Form()] = "") -> Response:
    return _act(request, session, principal, case, lambda: workspace.close(
        session, case, principal, outcome, without_answer=checked(without_answer),
        base_url=_base(request)),
        {"outcome": outcome, "without_answer": checked(without_answer)})


@router.post("/zaken/{reference}/overdragen", name="case_handoff")
def case_handoff(request: Request, session: SessionDep, principal: CurrentUser,
                 case: CaseForAdvisor, to_desk: Annotated[str, Form()] = "",
                 handoff_note: Annotated[str, Form()] = "") -> Response:
    def act() -> None:
        try:
            workspace.offer_handoff(session, case, principal, to_desk, handoff_note,
                                    base_url=_base(request))
        except Invalid as exc:
            fields = dict(exc.fields)
            if "note" in fields:
                fields["handoff_note"] = fields.pop("note")
            raise Invalid(fields=fields) from exc

    return _act(request, session, principal, case, act,
                {"to_desk": to_desk, "handoff_note": handoff_note}, anchor="overdragen")


@router.post("/zaken/{reference}/toestemming/vragen", name="case_consent_ask")
def case_consent_ask(request: Request, session: SessionDep, principal: CurrentUser,
                     case: CaseForAdvisor, ask_desk: Annotated[str, Form()] = "") -> Response:
    return _act(request, session, principal, case, lambda: workspace.ask_handoff_consent(
        session, case, principal, ask_desk, base_url=_base(request)),
        {"ask_desk": ask_desk}, anchor="overdragen")


@router.post("/zaken/{reference}/toestemming/vastleggen", name="case_consent_record")
def case_consent_record(request: Request, session: SessionDep, principal: CurrentUser,
                        case: CaseForAdvisor, phone_desk: Annotated[str, Form()] = "",
                        given_by: Annotated[str, Form()] = "",
                        given_at: Annotated[str, Form()] = "") -> Response:
    consent = workspace.PhoneConsent(given_by=given_by,
                                     given_at=workspace.local_time(given_at))
    return _act(request, session, principal, case, lambda: workspace.record_phone_consent(
        session, case, principal, phone_desk, consent),
        {"phone_desk": phone_desk, "given_by": given_by, "given_at": given_at},
        anchor="overdragen")


@router.post("/zaken/{reference}/overdracht/{handoff_id}/accepteren", name="handoff_accept")
def handoff_accept(request: Request, session: SessionDep, principal: CurrentUser,
                   case: CaseForAdvisor, handoff_id: int) -> Response:
    return _act(request, session, principal, case, lambda: workspace.accept_handoff(
        session, case, principal, handoff_id, base_url=_base(request)))


@router.post("/zaken/{reference}/overdracht/{handoff_id}/weigeren", name="handoff_decline")
def handoff_decline(request: Request, session: SessionDep, principal: CurrentUser,
                    case: CaseForAdvisor, handoff_id: int,
                    decline_note: Annotated[str, Form()] = "") -> Response:
    desk_slug = ""
    handoff = session.get(CaseHandoff, handoff_id)
    if handoff is not None:
        to_desk = desks.desk_by_id(session, handoff.to_desk_id)
        desk_slug = to_desk.slug if to_desk else ""
    response = _act(request, session, principal, case, lambda: workspace.decline_handoff(
        session, case, principal, handoff_id, decline_note, base_url=_base(request)))
    if isinstance(response, RedirectResponse) and desk_slug:
        # The case is no longer visible to the declining desk: back to its inbox.
        return RedirectResponse(f"/werkplek/{desk_slug}", status_code=303)
    return response


# --- publish as knowledge ------------------------------------------------------------------

@router.get("/zaken/{reference}/kennis", response_class=HTMLResponse, name="case_publish")
def publish_form(request: Request, session: SessionDep, principal: CurrentUser,
                 case: CaseForAdvisor) -> HTMLResponse:
    if not access.works_on_case(session, case, principal.user_id):
        raise access.CaseNotFound()
    try:
        draft = publish.draft_for(session, case)
    except Conflict as exc:
        return case_page(request, session, principal, case, message=exc.message,
                         status_code=409)
    return render(request, "cases/publish.html", {
        "case": case, "errors": {}, "message": None,
        "values": {"title": draft.title, "body_md": draft.body_md, "summary": ""}},
        headers=NO_STORE)


@router.post("/zaken/{reference}/kennis", name="case_publish_post")
def publish_submit(request: Request, session: SessionDep, principal: CurrentUser,
                   case: CaseForAdvisor, title: Annotated[str, Form()] = "",
                   body_md: Annotated[str, Form()] = "",
                   summary: Annotated[str, Form()] = "",
                   personal_data_checked: Annotated[str, Form()] = "") -> Response:
    if not access.works_on_case(session, case, principal.user_id):
        raise access.CaseNotFound()
    confirmed = checked(personal_data_checked)
    values = {"title": title, "body_md": body_md, "summary": summary,
              "personal_data_checked": confirmed}
    try:
        publish.publish_draft(session, case, principal, title=title, body_md=body_md,
                              summary=summary, personal_data_checked=confirmed)
    except (Invalid, Conflict) as exc:
        return render(request, "cases/publish.html", {
            "case": case, "values": values, "message": exc.message,
            "errors": exc.fields if isinstance(exc, Invalid) else {}},
            status_code=exc.status_code, headers=NO_STORE)
    return RedirectResponse(f"/werkplek/zaken/{case.reference}?kennis=1#tijdlijn",
                            status_code=303)
