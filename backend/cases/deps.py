"""Validated path objects for cases: the one place where access is decided per request.

- ``CaseForAdvisor``: ``{reference}`` → the case, if the logged-in user is a member of the desk
  it is at, or of a desk it has been offered to; otherwise a 404 (never a 403: references
  cannot be probed).
- ``MemberDesk``: ``{desk}`` (slug) → the desk, if the user is a member; otherwise a 404.
- ``EntrepreneurCase``: ``{reference}`` → the case, if this browser's session holds it (after
  a private link was used or the question was asked here); otherwise a 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from pydantic import ValidationError
from sqlmodel import Session, select

from backend.accounts.deps import CurrentUser
from backend.accounts.sessions import rotate
from backend.cases import access, choices, service
from backend.cases.models import Case
from backend.cases.schemas import QuestionCreate
from backend.cases.service import SESSION_KEY
from backend.content.experts import (
    IntroductionDesk,
    IntroductionRequest,
    register_introduction_desk,
)
from backend.content.service import validation_fields
from backend.core.db import SessionDep
from backend.core.errors import Invalid
from backend.core.limits import Door
from backend.routing.queries import DeskInfo


class EntrepreneurCaseNotFound(access.CaseNotFound):
    message = ("This question does not exist, or this browser has no access to it. Use the "
               "link in your e-mail, or ask for a new link.")


def get_case_for_advisor(reference: str, session: SessionDep, principal: CurrentUser) -> Case:
    return access.case_for_member(session, reference, principal.user_id)


def get_member_desk(desk: str, session: SessionDep, principal: CurrentUser) -> DeskInfo:
    return access.desk_for_member(session, desk, principal.user_id)


def session_case_ids(request: Request) -> list[int]:
    value = request.session.get(SESSION_KEY) or []
    return [int(v) for v in value if isinstance(v, int)]


def grant_case(request: Request, case_id: int) -> None:
    """Let this browser see the case (kept in the server-side session), under a new session
    id: a session id planted in the browser before (session fixation) must not gain the case."""
    ids = session_case_ids(request)
    if case_id not in ids:
        request.session[SESSION_KEY] = [*ids[-19:], case_id]
        rotate(request)


def get_case_for_entrepreneur(reference: str, request: Request, session: SessionDep) -> Case:
    case = session.exec(select(Case).where(Case.reference == reference.upper())).first()
    # An anonymised case (backend/privacy) belongs to nobody any more, whoever held it.
    if case is None or case.id not in session_case_ids(request) or not case.contact_email:
        raise EntrepreneurCaseNotFound()
    return case


CaseForAdvisor = Annotated[Case, Depends(get_case_for_advisor)]
MemberDesk = Annotated[DeskInfo, Depends(get_member_desk)]
EntrepreneurCase = Annotated[Case, Depends(get_case_for_entrepreneur)]


def _ask_introduction(session: Session, wanted: IntroductionRequest, door: Door,
                      base_url: str) -> Case:
    """An expert introduction (``content.experts``) as a routed question of this desk."""
    theme = next((t for t in wanted.themes if choices.is_known(session, "theme", t)), None)
    try:
        question = QuestionCreate(text=wanted.text, email=wanted.email, consent=wanted.consent,
                                  municipality=wanted.municipality, postcode=wanted.postcode,
                                  name=wanted.name, theme=theme)
    except ValidationError as exc:
        raise Invalid(fields=validation_fields(exc)) from exc
    case, _token, _route = service.ask_question(session, question, door=door, source="web",
                                                base_url=base_url)
    return case


register_introduction_desk(IntroductionDesk(ask=_ask_introduction, grant=grant_case))
