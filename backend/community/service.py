"""The rules of groups: firms, membership, invitations, join requests, leaving and removal."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from backend.accounts.login import register_account_offer
from backend.accounts.principal import Principal
from backend.accounts.service import record_audit
from backend.cases import choices
from backend.community.models import (
    COORDINATOR,
    MEMBER,
    BenchmarkPeriod,
    Firm,
    FirmPerson,
    Group,
    GroupInvitation,
    GroupJoinRequest,
    GroupMembership,
    KpiFigure,
)
from backend.content.taxonomy import slugify
from backend.core import limits
from backend.core.db import utcnow
from backend.core.errors import Conflict, Forbidden, Invalid, NotFound
from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _
from backend.core.mail import send_mail
from backend.core.security import sha256_hex

INVITATION_DAYS = 14
RESERVED_SLUGS = frozenset({"nieuw", "sleutels", "uitnodiging"})  # pages under /groepen/


# --- groups and firms ----------------------------------------------------------------------

def get_group(session: Session, slug: str) -> Group:
    group = session.exec(select(Group).where(Group.slug == slug)).first()
    if group is None:
        raise NotFound()
    return group


def member_counts(session: Session) -> dict[int, int]:
    rows = session.exec(select(GroupMembership.group_id, func.count())
                        .group_by(col(GroupMembership.group_id))).all()
    return {gid: n for gid, n in rows}


def list_groups(session: Session) -> list[tuple[Group, int]]:
    counts = member_counts(session)
    groups = session.exec(select(Group).order_by(col(Group.is_example), col(Group.name))).all()
    return [(g, counts.get(g.id or 0, 0)) for g in groups]


def create_group(session: Session, *, slug: str, name: str, purpose: str = "",
                 sector: str = "", region: str = "", is_example: bool = False,
                 coordinator: Firm | None = None) -> Group:
    if session.exec(select(Group).where(Group.slug == slug)).first() is not None:
        raise Conflict(N_("A group with this address already exists."))
    group = Group(slug=slug, name=name, purpose=purpose, sector=sector, region=region,
                  is_example=is_example)
    session.add(group)
    session.flush()
    if coordinator is not None:
        add_member(session, group, coordinator, role=COORDINATOR)
    return group


def validate_settings(session: Session, *, purpose: str, sector: str,
                      region: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(purpose.strip()) > 4000:
        errors["purpose"] = N_("The purpose is too long (at most 4,000 characters).")
    if sector and not choices.is_known(session, "sector", sector):
        errors["sector"] = N_("Choose a sector from the list.")
    if len(region.strip()) > 120:
        errors["region"] = N_("The region is too long (at most 120 characters).")
    return errors


def found_group(session: Session, *, name: str, purpose: str, sector: str, region: str,
                allow_cross_group: bool, coordinator_email: str, actor: Principal,
                base_url: str) -> Group:
    """An editor starts a group and invites its first coordinator by e-mail. The group has no
    members until that person accepts (for their firm)."""
    errors = validate_settings(session, purpose=purpose, sector=sector, region=region)
    name = name.strip()
    if not name or len(name) > 200:
        errors["name"] = N_("Enter a name (at most 200 characters).")
    slug = slugify(name, max_length=60)
    if name and len(slug) < 2:
        errors["name"] = N_("Use a name with letters or digits.")
    if not _valid_email(coordinator_email):
        errors["coordinator_email"] = N_("Enter an e-mail address such as name@example.nl.")
    if errors:
        raise Invalid(fields=errors)
    base, n = slug, 2
    while slug in RESERVED_SLUGS or session.exec(
            select(Group.id).where(Group.slug == slug)).first() is not None:
        slug, n = f"{base}-{n}", n + 1
    group = create_group(session, slug=slug, name=name, purpose=purpose.strip(),
                         sector=sector, region=region.strip())
    group.allow_cross_group = allow_cross_group
    session.add(group)
    session.flush()
    record_audit(session, "group.create", actor=actor, target_type="group", target_id=group.id)
    invite(session, group, email=coordinator_email, actor=actor, base_url=base_url,
           role=COORDINATOR)
    return group


def update_settings(session: Session, group: Group, *, purpose: str, sector: str, region: str,
                    allow_cross_group: bool, actor: Principal) -> Group:
    """A coordinator edits the public description and whether the group takes part in the
    comparison across groups (from the next closed period on; docs/disclosure.md)."""
    errors = validate_settings(session, purpose=purpose, sector=sector, region=region)
    if errors:
        raise Invalid(fields=errors)
    changed_cross = group.allow_cross_group != allow_cross_group
    group.purpose, group.sector, group.region = purpose.strip(), sector, region.strip()
    group.allow_cross_group = allow_cross_group
    session.add(group)
    session.flush()
    record_audit(session, "group.settings", actor=actor, target_type="group",
                 target_id=group.id, cross_group=allow_cross_group if changed_cross else None)
    return group


def firm_of_user(session: Session, user_id: int | None) -> Firm | None:
    if user_id is None:
        return None
    return session.exec(select(Firm).join(FirmPerson, col(FirmPerson.firm_id) == col(Firm.id))
                        .where(FirmPerson.user_id == user_id)).first()


def groups_of_user(session: Session, user_id: int | None) -> list[tuple[Group, str]]:
    """The groups the user's firm belongs to, with the firm's role there, by name (the
    person's "Mijn groepen" and the start page after logging in)."""
    firm = firm_of_user(session, user_id)
    if firm is None:
        return []
    rows = session.exec(select(Group, GroupMembership.role)
                        .join(GroupMembership, col(GroupMembership.group_id) == col(Group.id))
                        .where(GroupMembership.firm_id == firm.id)
                        .order_by(col(Group.name))).all()
    return [(g, r) for g, r in rows]


KVK_RE = re.compile(r"^[0-9]{8}$")


def normalise_kvk(kvk: str) -> str:
    """"12 34 56 78" and "1234.5678" as people write them → "12345678"."""
    return re.sub(r"[\s.\-]", "", kvk or "")


def validate_firm(session: Session, name: str, sector: str, size_class: str, kvk: str | None = "",
                  *, kvk_required: bool = True) -> dict[str, str]:
    errors: dict[str, str] = {}
    number = normalise_kvk(kvk or "")
    if (number or kvk_required) and not KVK_RE.match(number):
        errors["kvk"] = _("Enter the KvK number of your firm: exactly 8 digits.")
    if not name.strip() or len(name.strip()) > 200:
        errors["firm_name"] = _("Enter the name of your firm (at most 200 characters).")
    if not choices.is_known(session, "sector", sector):
        errors["sector"] = _("Choose a sector from the list.")
    if not choices.is_known(session, "size", size_class):
        errors["size_class"] = _("Choose a company size from the list.")
    return errors


def create_firm(session: Session, *, name: str, sector: str, size_class: str, kvk: str = "",
                people: list[int] | tuple[int, ...] = (), is_example: bool = False) -> Firm:
    """A firm is one KvK number (8 digits; example firms may go without)."""
    errors = validate_firm(session, name, sector, size_class, kvk, kvk_required=not is_example)
    if errors:
        raise Invalid(fields=errors)
    firm = Firm(name=name.strip(), sector=sector, size_class=size_class,
                kvk=normalise_kvk(kvk) or None, is_example=is_example)
    session.add(firm)
    session.flush()
    for user_id in people:
        add_person(session, firm, user_id)
    return firm


def add_person(session: Session, firm: Firm, user_id: int) -> None:
    if firm_of_user(session, user_id) is not None:
        raise Conflict(N_("This person already belongs to a firm."))
    assert firm.id is not None
    session.add(FirmPerson(user_id=user_id, firm_id=firm.id))
    session.flush()


def firm_for(session: Session, principal: Principal, *, name: str = "", sector: str = "",
             size_class: str = "", kvk: str = "") -> Firm:
    """The principal's firm, created from the form fields when they have none yet."""
    firm = firm_of_user(session, principal.user_id)
    if firm is not None:
        return firm
    if principal.user_id is None:
        raise Forbidden()
    return create_firm(session, name=name, sector=sector, size_class=size_class, kvk=kvk,
                       people=[principal.user_id])


# --- membership ------------------------------------------------------------------------------

def membership(session: Session, group_id: int | None, firm_id: int | None
               ) -> GroupMembership | None:
    if group_id is None or firm_id is None:
        return None
    return session.exec(select(GroupMembership).where(
        GroupMembership.group_id == group_id, GroupMembership.firm_id == firm_id)).first()


def members(session: Session, group: Group) -> list[tuple[Firm, GroupMembership]]:
    rows = session.exec(select(Firm, GroupMembership)
                        .join(GroupMembership, col(GroupMembership.firm_id) == col(Firm.id))
                        .where(GroupMembership.group_id == group.id)
                        .order_by(col(GroupMembership.role), col(Firm.name))).all()
    return [(f, m) for f, m in rows]


def _check_kvk_free(session: Session, group: Group, firm: Firm) -> None:
    """One firm per KvK number in a group: a second account of the same firm cannot join as
    another firm (and count twice in the benchmarks)."""
    if not firm.kvk:
        return
    other = session.exec(select(Firm.id).join(
        GroupMembership, col(GroupMembership.firm_id) == col(Firm.id)).where(
        GroupMembership.group_id == group.id, Firm.kvk == firm.kvk, Firm.id != firm.id)).first()
    if other is not None:
        raise Conflict(N_("A firm with this KvK number is already a member of this group."),
                       fields={"kvk": N_("A firm with this KvK number is already a member of "
                                         "this group.")})


def add_member(session: Session, group: Group, firm: Firm, *, role: str = MEMBER
               ) -> GroupMembership:
    existing = membership(session, group.id, firm.id)
    if existing is not None:
        return existing
    _check_kvk_free(session, group, firm)
    assert group.id is not None and firm.id is not None
    row = GroupMembership(group_id=group.id, firm_id=firm.id, role=role)
    session.add(row)
    session.flush()
    return row


def _forget_open_figures(session: Session, group: Group, firm_id: int) -> None:
    """A firm that leaves takes its figures of open periods along; closed periods keep what
    they published (docs/disclosure.md, rule 4)."""
    open_ids = session.exec(select(BenchmarkPeriod.id).where(
        BenchmarkPeriod.group_id == group.id, col(BenchmarkPeriod.closed_at).is_(None))).all()
    if open_ids:
        session.execute(sa.delete(KpiFigure).where(col(KpiFigure.firm_id) == firm_id,
                                                   col(KpiFigure.period_id).in_(open_ids)))


def _coordinators(session: Session, group: Group) -> int:
    return session.exec(select(func.count()).select_from(GroupMembership).where(
        GroupMembership.group_id == group.id, GroupMembership.role == COORDINATOR)).one()


def leave_group(session: Session, group: Group, firm: Firm, *, actor: Principal) -> None:
    row = membership(session, group.id, firm.id)
    if row is None:
        raise NotFound()
    if row.role == COORDINATOR and _coordinators(session, group) <= 1:
        raise Conflict(N_("The last coordinator cannot leave. Make another firm coordinator "
                          "first."))
    session.delete(row)
    _forget_open_figures(session, group, firm.id or 0)
    session.flush()
    record_audit(session, "group.leave", actor=actor, target_type="group", target_id=group.id,
                 firm_id=firm.id)


def remove_member(session: Session, group: Group, firm_id: int, *, actor: Principal) -> None:
    row = membership(session, group.id, firm_id)
    if row is None:
        raise NotFound()
    if row.role == COORDINATOR:
        raise Conflict(N_("A coordinator cannot be removed; they can leave themselves."))
    session.delete(row)
    _forget_open_figures(session, group, firm_id)
    session.flush()
    record_audit(session, "group.remove_member", actor=actor, target_type="group",
                 target_id=group.id, firm_id=firm_id)


def set_role(session: Session, group: Group, firm_id: int, role: str, *,
             actor: Principal) -> None:
    row = membership(session, group.id, firm_id)
    if row is None or role not in (COORDINATOR, MEMBER):
        raise NotFound()
    if row.role == COORDINATOR and role == MEMBER and _coordinators(session, group) <= 1:
        raise Conflict(N_("A group needs at least one coordinator."))
    row.role = role
    session.add(row)
    session.flush()
    record_audit(session, "group.set_role", actor=actor, target_type="group",
                 target_id=group.id, firm_id=firm_id, role=role)


# --- invitations -----------------------------------------------------------------------------

def _valid_email(email: str) -> bool:
    email = email.strip()
    return "@" in email and len(email) <= 254 and " " not in email


def invite(session: Session, group: Group, *, email: str, actor: Principal,
           base_url: str, role: str = MEMBER) -> str:
    """Mail a one-time invitation link to ``email``; returns the plain token (tests).
    With ``role=coordinator`` the firm that accepts becomes a coordinator."""
    limits.staff_act(session, actor.user_id)  # mails any address: limited per user
    email = email.strip()
    if not _valid_email(email):
        raise Invalid(fields={"email": N_("Enter an e-mail address such as name@example.nl.")})
    plain = secrets.token_urlsafe(32)
    assert group.id is not None
    row = GroupInvitation(group_id=group.id, token_hash=sha256_hex(plain), email=email.lower(),
                          invited_by=actor.user_id, role=role,
                          expires_at=utcnow() + timedelta(days=INVITATION_DAYS))
    session.add(row)
    session.flush()
    link = f"{base_url.rstrip('/')}/groepen/uitnodiging/{plain}"
    intro = (_("You have been asked to coordinate the new group %(name)s on Loket.",
               name=group.name) if role == COORDINATOR else
             _("You have been invited to join the group %(name)s on Loket.", name=group.name))
    send_mail(session, to=email,
              subject=_("Invitation to the group %(name)s", name=group.name),
              text=intro + "\n\n" + _("Accept the invitation here (the link works once, for "
                                       "%(days)s days):\n%(link)s\n",
                                       days=INVITATION_DAYS, link=link))
    record_audit(session, "group.invite", actor=actor, target_type="group", target_id=group.id,
                 invitation_id=row.id)
    return plain


def find_invitation(session: Session, plain: str) -> tuple[GroupInvitation, Group]:
    row = session.exec(select(GroupInvitation)
                       .where(GroupInvitation.token_hash == sha256_hex(plain))).first()
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        raise NotFound(N_("This invitation is not valid (any more)."))
    group = session.get(Group, row.group_id)
    if group is None:
        raise NotFound()
    return row, group


WRONG_ADDRESS = N_("This invitation was sent to another e-mail address. Log in with the "
                   "address the invitation was sent to, or ask the coordinator for an "
                   "invitation to your own address.")


def check_invitee(row: GroupInvitation, actor: Principal) -> None:
    """An invitation is for the address it was sent to, not for whoever holds the link. One
    made before addresses were stored was a bearer link: it is no longer accepted."""
    if not row.email:
        raise NotFound(N_("This invitation is not valid (any more)."))
    if actor.user_id is None or actor.via != "session" \
            or actor.email.strip().lower() != row.email:
        raise Forbidden(WRONG_ADDRESS, code="invitation_for_other_address")


def accept_invitation(session: Session, plain: str, firm: Firm, *,
                      actor: Principal) -> Group:
    row, group = find_invitation(session, plain)
    check_invitee(row, actor)
    if membership(session, group.id, firm.id) is None:
        _check_kvk_free(session, group, firm)  # before the token is spent
    # Spend the token atomically: two clicks, one membership.
    spent = session.execute(
        sa.update(GroupInvitation)
        .where(col(GroupInvitation.id) == row.id, col(GroupInvitation.used_at).is_(None))
        .values(used_at=utcnow(), used_by_firm_id=firm.id)
    )
    if getattr(spent, "rowcount", 0) != 1:
        raise NotFound(N_("This invitation is not valid (any more)."))
    member = add_member(session, group, firm, role=row.role)
    if row.role == COORDINATOR and member.role != COORDINATOR:
        member.role = COORDINATOR
        session.add(member)
        session.flush()
    record_audit(session, "group.join", actor=actor, target_type="group", target_id=group.id,
                 firm_id=firm.id, via="invitation", role=row.role)
    return group


@register_account_offer
def has_open_invitation(session: Session, email: str) -> bool:
    """An address with an open invitation gets an account when it asks for a login link
    (``accounts.login.register_account_offer``): the invitation link sends its holder to log
    in, and only the link mailed to the invited address logs in."""
    return session.exec(select(GroupInvitation.id).where(
        GroupInvitation.email == email.strip().lower(), col(GroupInvitation.used_at).is_(None),
        GroupInvitation.expires_at > utcnow())).first() is not None


# --- join requests ---------------------------------------------------------------------------

def request_join(session: Session, group: Group, firm: Firm, *, actor: Principal,
                 message: str = "") -> GroupJoinRequest:
    if membership(session, group.id, firm.id) is not None:
        raise Conflict(N_("Your firm is already a member of this group."))
    pending = session.exec(select(GroupJoinRequest).where(
        GroupJoinRequest.group_id == group.id, GroupJoinRequest.firm_id == firm.id,
        GroupJoinRequest.status == "pending")).first()
    if pending is not None:
        return pending
    assert group.id is not None and firm.id is not None
    row = GroupJoinRequest(group_id=group.id, firm_id=firm.id, requested_by=actor.user_id,
                           message=message.strip()[:1000])
    session.add(row)
    session.flush()
    record_audit(session, "group.request_join", actor=actor, target_type="group",
                 target_id=group.id, firm_id=firm.id)
    return row


def pending_requests(session: Session, group: Group) -> list[tuple[GroupJoinRequest, Firm]]:
    rows = session.exec(select(GroupJoinRequest, Firm)
                        .join(Firm, col(Firm.id) == col(GroupJoinRequest.firm_id))
                        .where(GroupJoinRequest.group_id == group.id,
                               GroupJoinRequest.status == "pending")
                        .order_by(col(GroupJoinRequest.created_at))).all()
    return [(r, f) for r, f in rows]


def decide_request(session: Session, group: Group, request_id: int, *, approve: bool,
                   actor: Principal) -> GroupJoinRequest:
    row = session.get(GroupJoinRequest, request_id)
    if row is None or row.group_id != group.id:
        raise NotFound()
    if row.status != "pending":
        raise Conflict(N_("This request has already been decided."))
    row.status = "approved" if approve else "declined"
    row.decided_at = utcnow()
    session.add(row)
    if approve:
        firm = session.get(Firm, row.firm_id)
        assert firm is not None
        add_member(session, group, firm)
    session.flush()
    record_audit(session, "group.decide_request", actor=actor, target_type="group",
                 target_id=group.id, firm_id=row.firm_id, decision=row.status)
    return row
