"""JSON API for questions and cases (``/api/v1``), over the same services as the pages.

``POST /api/v1/questions`` is open to integrations: a JSON request without cookies needs no
CSRF token (an API token in ``Authorization`` is optional and is recorded in the audit log).
``ask_question`` applies the same limits as for the form (per address, IPv6 per /64, and per
e-mail address; beyond the desk or site ceiling a challenge, answered with the headers
``Loket-Challenge`` and ``Loket-Challenge-Answer``). The case routes are
for desk members, with the same access rule as the workspace.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlmodel import Session

from backend.accounts.deps import CurrentUser, OptionalPrincipal, door
from backend.cases import service, workspace
from backend.cases.deps import CaseForAdvisor, MemberDesk
from backend.cases.display import is_overdue
from backend.cases.figures import desk_figures
from backend.cases.inbox import inbox_query
from backend.cases.models import Case, CaseHandoff
from backend.cases.schemas import (
    AssignIn,
    CaseEventPublic,
    CasePublic,
    CaseSummary,
    CloseIn,
    DeskFigures,
    DeskRef,
    HandoffDecision,
    HandoffIn,
    HandoffPublic,
    NoteIn,
    QuestionAccepted,
    QuestionCreate,
    ReplyIn,
)
from backend.cases.service import desk_names, timeline
from backend.core.db import RowId, SessionDep
from backend.core.errors import NotFound
from backend.core.openapi import error_responses
from backend.core.routing import LazyRoute
from backend.routing import queries as desks

router = APIRouter(prefix="/api/v1", tags=["questions and cases"], route_class=LazyRoute)
# A closed case, a case a colleague handles, a hand-off already decided or offered.
CONFLICT = error_responses(409)


def _desk_ref(session: Session, desk_id: int) -> DeskRef:
    desk = desks.desk_by_id(session, desk_id)
    return DeskRef(slug=desk.slug, name=desk.name) if desk else DeskRef(slug="", name="")


def case_public(session: Session, case: Case) -> CasePublic:
    events = timeline(session, case, include_internal=True)
    desks = desk_names(session, [e.desk_id for e in events])
    return CasePublic(
        reference=case.reference, status=case.status, outcome=case.outcome,
        desk=_desk_ref(session, case.desk_id), assigned_to=case.assigned_to, text=case.text,
        theme=case.theme, themes=case.themes, municipality_code=case.municipality_code,
        sector=case.sector, company_size=case.company_size, contact_email=case.contact_email,
        contact_name=case.contact_name, contact_phone=case.contact_phone,
        kvk_number=case.kvk_number, received_at=case.received_at,
        first_response_due_at=case.first_response_due_at,
        first_responded_at=case.first_responded_at, overdue=is_overdue(case),
        escalation_level=case.escalation_level,
        timeline=[CaseEventPublic(
            at=e.at, kind=e.kind, actor=e.actor, internal=e.internal, body=e.body,
            data=e.data, desk=desks[e.desk_id].slug if e.desk_id in desks else None)
            for e in events])


def _summary(case: Case) -> CaseSummary:
    return CaseSummary(reference=case.reference, status=case.status, theme=case.theme,
                       assigned_to=case.assigned_to, received_at=case.received_at,
                       first_response_due_at=case.first_response_due_at,
                       overdue=is_overdue(case))


def _handoff_public(session: Session, h: CaseHandoff) -> HandoffPublic:
    assert h.id is not None
    return HandoffPublic(id=h.id, from_desk=_desk_ref(session, h.from_desk_id).slug,
                         to_desk=_desk_ref(session, h.to_desk_id).slug, status=h.status,
                         note=h.note, offered_at=h.offered_at, decided_at=h.decided_at)


def _base(request: Request) -> str:
    return str(request.app.state.settings.base_url)


# --- asking --------------------------------------------------------------------------------

@router.post("/questions", status_code=201, response_model=QuestionAccepted,
             summary="Ask a question",
             responses=error_responses(409, 422, 429))
def ask(request: Request, session: SessionDep, principal: OptionalPrincipal,
        body: QuestionCreate) -> QuestionAccepted:
    """Store and route a question; the asker gets a confirmation mail with a private link.

    Returns the reference, the desk, why it was chosen, and a one-time private link
    (``follow_url``) that the integration may hand to the entrepreneur.
    """
    case, _token, decision = service.ask_question(
        session, body, door=door(request, source="api"), base_url=_base(request))
    follow_token = service.issue_token(session, case)
    if principal is not None:
        service.audit(session, "case.created_via_api", case, actor=principal)
    return QuestionAccepted(
        reference=case.reference, status=case.status,
        desk=DeskRef(slug=decision.desk.slug, name=decision.desk.name),
        explanation=decision.explanation,
        follow_url=_base(request) + service.follow_path(follow_token),
        first_response_due_at=case.first_response_due_at)


# --- desk members --------------------------------------------------------------------------

@router.get("/desks/{desk}/cases", response_model=list[CaseSummary],
            summary="A desk's inbox, due soonest first: the first 200 (members only)")
def desk_cases(session: SessionDep, principal: CurrentUser, desk: MemberDesk,
               status: Annotated[str | None, Query()] = None,
               theme: Annotated[str | None, Query()] = None,
               overdue: bool = False) -> list[CaseSummary]:
    rows = session.exec(inbox_query(desk, status=status, theme=theme, overdue=overdue)).all()
    return [_summary(c) for c in rows]


@router.get("/desks/{slug}/figures", response_model=DeskFigures,
            summary="A desk's public figures")
def public_figures(session: SessionDep, slug: str) -> DeskFigures:
    desk = desks.desk_by_slug(session, slug)
    if desk is None or not desk.is_active:
        raise NotFound()
    return desk_figures(session, desk.id)


@router.get("/cases/{reference}", response_model=CasePublic, summary="A case (members only)")
def get_case(session: SessionDep, case: CaseForAdvisor) -> CasePublic:
    return case_public(session, case)


@router.post("/cases/{reference}/claim", response_model=CasePublic, responses=CONFLICT)
def claim_case(session: SessionDep, principal: CurrentUser, case: CaseForAdvisor) -> CasePublic:
    workspace.claim(session, case, principal)
    return case_public(session, case)


@router.post("/cases/{reference}/assign", response_model=CasePublic, responses=CONFLICT)
def assign_case(request: Request, session: SessionDep, principal: CurrentUser,
                case: CaseForAdvisor, body: AssignIn) -> CasePublic:
    workspace.assign(session, case, principal, body.user_id, base_url=_base(request))
    return case_public(session, case)


@router.post("/cases/{reference}/replies", response_model=CasePublic, status_code=201)
def reply_case(request: Request, session: SessionDep, principal: CurrentUser,
               case: CaseForAdvisor, body: ReplyIn) -> CasePublic:
    workspace.reply(session, case, principal, body.body, base_url=_base(request))
    return case_public(session, case)


@router.post("/cases/{reference}/notes", response_model=CasePublic, status_code=201)
def note_case(session: SessionDep, principal: CurrentUser, case: CaseForAdvisor,
              body: NoteIn) -> CasePublic:
    workspace.add_note(session, case, principal, body.body)
    return case_public(session, case)


@router.post("/cases/{reference}/close", response_model=CasePublic, responses=CONFLICT)
def close_case(request: Request, session: SessionDep, principal: CurrentUser,
               case: CaseForAdvisor, body: CloseIn) -> CasePublic:
    workspace.close(session, case, principal, body.outcome, without_answer=body.without_answer,
                    base_url=_base(request))
    return case_public(session, case)


@router.post("/cases/{reference}/handoffs", response_model=HandoffPublic, status_code=201,
             responses=CONFLICT)
def offer_handoff(request: Request, session: SessionDep, principal: CurrentUser,
                  case: CaseForAdvisor, body: HandoffIn) -> HandoffPublic:
    phone = (workspace.PhoneConsent(body.consent_given_by or "", body.consent_given_at)
             if body.consent_given_by or body.consent_given_at else None)
    handoff = workspace.offer_handoff(session, case, principal, body.to_desk, body.note,
                                      phone_consent=phone, base_url=_base(request))
    return _handoff_public(session, handoff)


@router.post("/cases/{reference}/handoffs/{handoff_id}/accept", response_model=HandoffPublic,
             responses=CONFLICT)
def accept_handoff(request: Request, session: SessionDep, principal: CurrentUser,
                   case: CaseForAdvisor, handoff_id: RowId) -> HandoffPublic:
    workspace.accept_handoff(session, case, principal, handoff_id, base_url=_base(request))
    handoff = session.get(CaseHandoff, handoff_id)
    assert handoff is not None
    return _handoff_public(session, handoff)


@router.post("/cases/{reference}/handoffs/{handoff_id}/decline",
             response_model=HandoffPublic, responses=CONFLICT)
def decline_handoff(request: Request, session: SessionDep, principal: CurrentUser,
                    case: CaseForAdvisor, handoff_id: RowId,
                    body: HandoffDecision | None = None) -> HandoffPublic:
    handoff = workspace.decline_handoff(session, case, principal, handoff_id,
                                        body.note if body else None, base_url=_base(request))
    return _handoff_public(session, handoff)
