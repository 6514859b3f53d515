"""Who may see which case. The one rule for desk members lives here.

A desk member sees the cases that are at their desk, and — read-only until they decide — the
cases another desk has offered to their desk. Nobody else in the workspace sees a case; a case
outside someone's reach is "not found", never "forbidden", so references cannot be probed.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.cases.models import Case, CaseHandoff
from backend.core.errors import NotFound
from backend.routing import queries as desks
from backend.routing.queries import DeskInfo


class CaseNotFound(NotFound):
    code = "case_not_found"
    message = "This question does not exist, or you have no access to it."


class DeskNotFound(NotFound):
    code = "desk_not_found"
    message = "This desk does not exist, or you are not a member of it."


def memberships(session: Session, user_id: int | None) -> dict[int, str]:
    """{desk_id: role} of the user's desks."""
    return desks.memberships(session, user_id)


def my_desks(session: Session, user_id: int | None) -> list[DeskInfo]:
    return desks.my_desks(session, user_id)


def is_member(session: Session, desk_id: int, user_id: int | None) -> bool:
    return desks.is_member(session, desk_id, user_id)


def is_coordinator(session: Session, desk_id: int, user_id: int | None) -> bool:
    return desks.is_member(session, desk_id, user_id, role=desks.COORDINATOR)


def desk_for_member(session: Session, slug: str, user_id: int | None) -> DeskInfo:
    desk = desks.desk_by_slug(session, slug)
    if desk is None or not is_member(session, desk.id, user_id):
        raise DeskNotFound()
    return desk


def visible_case_filter(session: Session, user_id: int) -> sa.ColumnElement[bool]:
    """SQL condition: the case is at one of the user's desks or offered to one of them.

    The user's desk ids come from routing (one small query); the case query then reads only
    cases' own tables and indexes."""
    my_desk_ids = desks.desk_ids_of_user(session, user_id)
    offered = (select(CaseHandoff.case_id)
               .where(CaseHandoff.status == "offered",
                      col(CaseHandoff.to_desk_id).in_(my_desk_ids)))
    return sa.or_(col(Case.desk_id).in_(my_desk_ids), col(Case.id).in_(offered))


def case_for_member(session: Session, reference: str, user_id: int | None) -> Case:
    """The case by reference, if the user may see it; otherwise ``CaseNotFound``."""
    if user_id is None:
        raise CaseNotFound()
    case = session.exec(select(Case).where(Case.reference == reference.upper(),
                                           visible_case_filter(session, user_id))).first()
    if case is None:
        raise CaseNotFound()
    return case


def works_on_case(session: Session, case: Case, user_id: int | None) -> bool:
    """Member of the desk the case is at (may act on it, not only read it)."""
    return is_member(session, case.desk_id, user_id)
