"""What other domains may read about desks: small frozen read models, never ORM objects.

Routing owns desks and their members (``backend.routing.models``). Other domains — cases for
access checks, notifications, the inbox, the public desk page and the timeline — read them
only through these functions. The results are frozen dataclasses, so a caller cannot change a
desk by accident, nor navigate from it into routing's tables. Every function answers in one
query (sets of ids, not one query per id), so callers join in Python without an N+1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from backend.accounts import queries as accounts_q
from backend.core.memo import Memo
from backend.core.pagecache import public_generation
from backend.core.settings import SLA_ESCALATION_FACTOR, SLA_FIRST_RESPONSE_HOURS
from backend.routing import service
from backend.routing.models import ADVISOR, COORDINATOR, Desk, DeskMember

__all__ = [
    "ADVISOR", "COORDINATOR", "DeskInfo", "MemberInfo", "active_desks", "desk_by_id",
    "desk_by_slug", "desk_ids_of_user", "desk_summaries", "fallback", "is_member",
    "member_emails", "members", "memberships", "my_desks",
]


@dataclass(frozen=True, slots=True)
class DeskInfo:
    """A desk as other domains see it: what the public page, mails and the workspace show.

    No capacity or load figures (those stay in routing)."""

    id: int
    slug: str
    name: str
    summary: str = ""
    is_active: bool = True
    is_fallback: bool = False
    is_demo: bool = False
    first_response_hours: int = SLA_FIRST_RESPONSE_HOURS
    # When an unanswered case moves to the fallback desk (``Desk.escalation_hours``).
    escalate_after_hours: int = SLA_ESCALATION_FACTOR * SLA_FIRST_RESPONSE_HOURS
    contact_email: str | None = None
    contact_phone: str | None = None
    website: str | None = None
    address: str | None = None
    source_url: str | None = None
    source_note: str = ""
    source_checked: date | None = None
    response_target_source: str | None = None
    languages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MemberInfo:
    """A desk member: the user's id, name and e-mail address, and the role at the desk."""

    id: int
    name: str
    email: str
    role: str


def _info(desk: Desk) -> DeskInfo:
    assert desk.id is not None
    return DeskInfo(
        id=desk.id, slug=desk.slug, name=desk.name, summary=desk.summary,
        is_active=desk.is_active, is_fallback=desk.is_fallback, is_demo=desk.is_demo,
        first_response_hours=desk.first_response_hours,
        escalate_after_hours=desk.escalation_hours(), contact_email=desk.contact_email,
        contact_phone=desk.contact_phone, website=desk.website, address=desk.address,
        source_url=desk.source_url, source_note=desk.source_note,
        source_checked=desk.source_checked, response_target_source=desk.response_target_source,
        languages=tuple(desk.languages or ()))


# --- desks ---------------------------------------------------------------------------------

def desk_by_id(session: Session, desk_id: int | None) -> DeskInfo | None:
    desk = session.get(Desk, desk_id) if desk_id is not None else None
    return _info(desk) if desk is not None else None


def desk_by_slug(session: Session, slug: str | None) -> DeskInfo | None:
    slug = (slug or "").strip()
    if not slug:
        return None
    desk = session.exec(select(Desk).where(Desk.slug == slug)).first()
    return _info(desk) if desk is not None else None


def desk_summaries(session: Session, ids: Iterable[int | None]) -> dict[int, DeskInfo]:
    """{desk_id: DeskInfo} for the given ids, in one query (unknown ids are left out)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {d.id: _info(d) for d in session.exec(select(Desk).where(col(Desk.id).in_(wanted)))
            if d.id is not None}


# The active desks, kept while no public row changed: every advisor's case page lists them (the
# hand-off choices); built from 100+ ORM rows that was ~1/4 of the page's CPU (docs/benchmarks.md,
# Load, h9-mix). DeskInfo is frozen, so the kept tuple is shared safely.
_active: Memo[tuple[object, ...], tuple[DeskInfo, ...]] = Memo()


def active_desks(session: Session, *, exclude_id: int | None = None) -> list[DeskInfo]:
    """The active desks by name (e.g. where a case can be handed on to)."""
    def build() -> tuple[DeskInfo, ...]:
        stmt = select(Desk).where(col(Desk.is_active).is_(True)).order_by(col(Desk.name))
        return tuple(_info(d) for d in session.exec(stmt))

    kept = _active.get(public_generation(session), build)
    return [d for d in kept if d.id != exclude_id]


def fallback(session: Session) -> DeskInfo:
    """The national fallback desk (``service.fallback_desk``: the one owner of that rule)."""
    return _info(service.fallback_desk(session))


# --- members -------------------------------------------------------------------------------

def memberships(session: Session, user_id: int | None) -> dict[int, str]:
    """{desk_id: role} of the user's desks."""
    if user_id is None:
        return {}
    rows = session.exec(select(DeskMember.desk_id, DeskMember.role)
                        .where(DeskMember.user_id == user_id)).all()
    return {int(d): str(r) for d, r in rows}


def desk_ids_of_user(session: Session, user_id: int | None) -> list[int]:
    return sorted(memberships(session, user_id))


def my_desks(session: Session, user_id: int | None) -> list[DeskInfo]:
    """The user's desks, by name."""
    ids = desk_ids_of_user(session, user_id)
    return sorted(desk_summaries(session, ids).values(), key=lambda d: d.name) if ids else []


def is_member(session: Session, desk_id: int | None, user_id: int | None,
              role: str | None = None) -> bool:
    """The user works at the desk (with ``role``, when given)."""
    if user_id is None or desk_id is None:
        return False
    member = session.get(DeskMember, (desk_id, user_id))
    return member is not None and (role is None or member.role == role)


def members(session: Session, desk_id: int) -> list[MemberInfo]:
    """The desk's members, by name."""
    roles = dict(session.exec(select(DeskMember.user_id, DeskMember.role)
                              .where(DeskMember.desk_id == desk_id)).all())
    people = sorted(accounts_q.users(session, roles).values(), key=lambda u: (u.name, u.id))
    return [MemberInfo(id=u.id, name=u.name or "", email=u.email, role=str(roles[u.id]))
            for u in people]


def member_emails(session: Session, desk_id: int, *, role: str | None = None) -> list[str]:
    """The e-mail addresses of the desk's active members (with ``role``, when given)."""
    stmt = select(DeskMember.user_id).where(DeskMember.desk_id == desk_id)
    if role is not None:
        stmt = stmt.where(DeskMember.role == role)
    people = accounts_q.users(session, session.exec(stmt).all(), active_only=True)
    return sorted({u.email for u in people.values()})
