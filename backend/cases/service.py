"""Asking and following a question: the entrepreneur's side of a case.

``ask_question`` stores the question, routes it and queues the mails in the caller's
transaction, so an accepted question is never lost and never half-stored. It, the
entrepreneur's reply and a new private link apply their row of the rate-limit table, the
honeypot and consent themselves (``backend.core.limits``), with what the door saw passed in a
:class:`~backend.core.limits.Door`: every door (form, API, scan, advisor intake) gets them.
Private links are one-time tokens (192 bits, only their SHA-256 is kept) exchanged for the
browser session.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.accounts.principal import Principal
from backend.accounts.service import record_audit
from backend.cases import choices, notify
from backend.cases.models import (
    CHANNELS,
    HANDOFF_WITHDRAWN,
    KEPT_AT_DESK,
    RATED,
    RECEIVED,
    REOPENED,
    REPLY,
    ROUTED,
    Case,
    CaseAccessToken,
    CaseEvent,
    CaseHandoff,
    CaseRating,
)
from backend.cases.reference import next_reference
from backend.cases.routing_adapter import RouteResult, location_errors, route_question
from backend.cases.schemas import QuestionCreate
from backend.cases.workhours import add_working_hours
from backend.core import limits
from backend.core.db import utcnow
from backend.core.errors import Conflict, Invalid
from backend.core.i18n import gettext_ as _
from backend.core.limits import Door
from backend.core.security import sha256_hex
from backend.routing import queries as desks
from backend.routing.queries import DeskInfo

TOKEN_BYTES = 24  # 192 bits
TOKEN_DAYS = 30
SESSION_KEY = "cases"  # request.session[SESSION_KEY]: ids of the cases this browser may see


# --- timeline and audit --------------------------------------------------------------------

def add_event(session: Session, case: Case, kind: str, *, actor: str = "system",
              user_id: int | None = None, internal: bool = False, body: str | None = None,
              desk_id: int | None = None, at: datetime | None = None,
              **data: Any) -> CaseEvent:
    assert case.id is not None
    event = CaseEvent(case_id=case.id, kind=kind, actor=actor, actor_user_id=user_id,
                      internal=internal, body=body, desk_id=desk_id or case.desk_id,
                      at=at or utcnow(), data=data)
    session.add(event)
    case.updated_at = event.at
    session.add(case)
    session.flush()
    return event


def audit(session: Session, action: str, case: Case, *, actor: Principal | None = None,
          ip: str | None = None, **details: Any) -> None:
    record_audit(session, action, actor=actor, target_type="case", target_id=case.id, ip=ip,
                 reference=case.reference, **details)


def timeline(session: Session, case: Case, *, include_internal: bool) -> list[CaseEvent]:
    stmt = select(CaseEvent).where(CaseEvent.case_id == case.id)
    if not include_internal:
        stmt = stmt.where(col(CaseEvent.internal).is_(False))
    return list(session.exec(stmt.order_by(col(CaseEvent.at), col(CaseEvent.id))).all())


def desk_names(session: Session, ids: Sequence[int | None]) -> dict[int, DeskInfo]:
    """{desk_id: desk} for the given ids, in one query (routing's ``desk_summaries``)."""
    return desks.desk_summaries(session, ids)


# --- asking --------------------------------------------------------------------------------

def required_answers(session: Session, *, consent: bool, municipality: str | None,
                     postcode: str | None, sector: str | None = None,
                     theme: str | None = None,
                     company_size: str | None = None) -> dict[str, str]:
    """Field errors beyond the schema's own checks (the form shows both at once). The place is
    checked too (an unknown municipality, "Bedoelt u Hengelo?"), so it is not reported only
    after the other errors are fixed."""
    fields: dict[str, str] = {}
    fields.update(location_errors(session, municipality, postcode))
    if not consent:
        fields["consent"] = _("We can only handle your question with your consent.")
    if sector and not choices.is_known(session, "sector", sector):
        fields["sector"] = _("Choose a sector from the list.")
    if company_size and not choices.is_known(session, "size", company_size):
        fields["company_size"] = _("Choose a company size from the list.")
    if theme and not choices.is_known(session, "theme", theme):
        fields["theme"] = _("Choose a topic from the list.")
    if not (municipality or "").strip() and not (postcode or "").strip():
        fields["municipality"] = _("Tell us where your business is: a municipality or a "
                                   "postcode.")
    return fields


def _check_choices(session: Session, data: QuestionCreate, *,
                   door_consent: bool | None = None) -> None:
    """Every error at once: consent (the question's or the door's), choices and the place."""
    fields = required_answers(session, consent=data.consent and door_consent is not False,
                              municipality=data.municipality, postcode=data.postcode,
                              sector=data.sector, theme=data.theme,
                              company_size=data.company_size)
    if fields:
        raise Invalid(fields=fields)


@dataclass(frozen=True)
class KeepAtDesk:
    """An advisor's intake stays at the advisor's own desk instead of the routed one."""

    desk: DeskInfo
    reason: str
    user_id: int


def question_from(values: dict[str, Any]) -> QuestionCreate:
    """A question from plain values (another domain's door); pydantic's ``ValidationError``
    names what is wrong."""
    return QuestionCreate.model_validate(values)


def ask_question(session: Session, data: QuestionCreate, *, door: Door,
                 source: str | None = None, base_url: str = "", channel: str | None = None,
                 consent_record: dict[str, Any] | None = None,
                 keep_at: KeepAtDesk | None = None) -> tuple[Case, str, RouteResult]:
    """Store, route and confirm a question. Returns the case, a private-link token and the
    routing decision. Everything happens in the caller's transaction.

    Limits first, before anything is written: per address (IPv6 per /64) and per e-mail
    address (``TooManyRequests``), the honeypot (``SpamSuspected``), consent and choices
    (``Invalid``); then, once the desk is known, the desk and site ceilings
    (``ChallengeRequired`` beyond them). Every door (form, API, scan, an advisor's intake,
    an expert introduction) comes through here.

    ``channel`` is how the question reached Loket (``CHANNELS``; default: the source);
    an advisor's intake passes the consent the entrepreneur gave orally as
    ``consent_record`` and may keep the question at the advisor's desk (``keep_at``): it is
    routed all the same and the routed desk is recorded next to the reason."""
    if door.staff_user is not None:  # an advisor's intake: per advisor, per entrepreneur
        limits.staff_act(session, door.staff_user, door.policy)
        limits.enforce(session, door.policy, "ask_question", email=str(data.email))
    else:
        limits.enforce(session, door.policy, "ask_question", address=door.address,
                       email=str(data.email))
    limits.check_honeypot(door)
    _check_choices(session, data, door_consent=door.consent)
    source = source or door.source
    channel = channel or source
    if channel not in CHANNELS:
        raise Invalid(fields={"channel": _("Choose how the question came in.")})
    decision = route_question(session, data)
    desk = keep_at.desk if keep_at is not None else decision.desk
    assert desk.id is not None
    if door.staff_user is None:
        limits.ceilings(session, door, "ask_question", desk=desk.id, desk_label=desk.slug)
    source = source or door.source
    ip = door.address
    now = utcnow()
    case = Case(
        reference=next_reference(session, now), status="new", source=source,
        channel=channel, consent_record=consent_record, followup_opt_in=data.followup,
        language=data.language, text=data.text, theme=data.theme, themes=decision.themes,
        municipality_code=decision.municipality_code, postcode=data.postcode,
        sector=data.sector, company_size=data.company_size, contact_email=str(data.email),
        contact_name=data.name, contact_phone=data.phone, kvk_number=data.kvk_number,
        consent_at=now, desk_id=desk.id,
        routing={"desk": decision.desk.slug, "explanation": decision.explanation,
                 "ranking": decision.ranking[:5],
                 **({"kept_at": desk.slug} if keep_at is not None else {})},
        received_at=now,
        first_response_due_at=add_working_hours(now, desk.first_response_hours),
        escalate_at=add_working_hours(now, desk.escalate_after_hours),
        updated_at=now,
    )
    session.add(case)
    session.flush()
    if consent_record is None:
        add_event(session, case, RECEIVED, actor="entrepreneur", at=now, channel=channel)
    else:
        add_event(session, case, RECEIVED, actor="advisor",
                  user_id=consent_record.get("recorded_by"), at=now, channel=channel)
    # The timeline names the desk the case is at; a kept intake records the routed desk in
    # its (internal) KEPT_AT_DESK event and in ``case.routing``.
    add_event(session, case, ROUTED, at=now, desk=desk.slug,
              explanation=decision.explanation if keep_at is None else [])
    if keep_at is not None:
        add_event(session, case, KEPT_AT_DESK, actor="advisor", user_id=keep_at.user_id,
                  body=keep_at.reason, internal=True, at=now, desk=desk.slug,
                  routed_to=decision.desk.slug)
    audit(session, "case.created", case, ip=ip, desk=desk.slug, source=source,
          channel=channel)
    token = issue_token(session, case)
    notify.question_received(session, case, desk, token, base_url)
    notify.new_case(session, case, desk, base_url)
    return case, token, decision


# --- private links -------------------------------------------------------------------------

def issue_token(session: Session, case: Case, *, days: int = TOKEN_DAYS) -> str:
    assert case.id is not None
    plain = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(CaseAccessToken(case_id=case.id, token_hash=sha256_hex(plain),
                                expires_at=utcnow() + timedelta(days=days)))
    session.flush()
    return plain


def follow_path(token: str) -> str:
    return f"/vraag/volgen/{token}"


def exchange_token(session: Session, plain: str, *, door: Door) -> Case | None:
    """Use a private link once: returns its case, or None when the link is unknown, used or
    expired. The conditional update makes two simultaneous uses yield one winner.

    Limited per address first (``follow_link``: guessing links must stay slow), counted
    whether or not the link is good; a refusal (``TooManyRequests``) stays counted."""
    limits.enforce(session, door.policy, "follow_link", address=door.address)
    if not plain or len(plain) > 100:
        return None
    now = utcnow()
    token_hash = sha256_hex(plain)
    result = session.exec(
        sa.update(CaseAccessToken)
        .where(col(CaseAccessToken.token_hash) == token_hash,
               col(CaseAccessToken.used_at).is_(None),
               col(CaseAccessToken.expires_at) > now)
        .values(used_at=now))
    if result.rowcount != 1:
        return None
    row = session.exec(select(CaseAccessToken)
                       .where(CaseAccessToken.token_hash == token_hash)).one()
    return session.get(Case, row.case_id)


def token_case(session: Session, plain: str) -> Case | None:
    """The case a (possibly used) link belongs to, without using it."""
    row = session.exec(select(CaseAccessToken)
                       .where(CaseAccessToken.token_hash == sha256_hex(plain))).first()
    return session.get(Case, row.case_id) if row else None


def resend_link(session: Session, email: str, reference: str, *, door: Door,
                base_url: str = "") -> bool:
    """Mail a fresh link when reference and e-mail match. The caller answers neutrally.
    Limited per address and per e-mail address (``TooManyRequests``)."""
    limits.enforce(session, door.policy, "resend_link", address=door.address, email=email)
    ip = door.address
    case = session.exec(select(Case).where(Case.reference == reference.strip().upper())).first()
    if case is None or case.contact_email.lower() != email.strip().lower():
        return False
    token = issue_token(session, case)
    notify.link_again(session, case, token, base_url)
    audit(session, "case.link_resent", case, ip=ip)
    return True


# --- the entrepreneur's actions ------------------------------------------------------------

def _reopen(session: Session, case: Case, *, actor: str, user_id: int | None = None) -> None:
    case.status = "assigned" if case.assigned_to else "new"
    case.closed_at = None
    case.outcome = None
    add_event(session, case, REOPENED, actor=actor, user_id=user_id)


def entrepreneur_reply(session: Session, case: Case, body: str, *, door: Door,
                       base_url: str = "") -> CaseEvent:
    """The entrepreneur writes on their case (it mails the desk): limited per address and per
    case (``TooManyRequests``), counted before anything is written."""
    limits.enforce(session, door.policy, "entrepreneur_reply", address=door.address,
                   case=case.id)
    ip = door.address
    body = body.strip()
    if not body:
        raise Invalid(fields={"body": _("Write your reply first.")})
    if len(body) > 5000:
        raise Invalid(fields={"body": _("Your reply is too long (at most 5000 characters).")})
    reopened = case.status == "closed"
    if reopened:
        _reopen(session, case, actor="entrepreneur")
        audit(session, "case.reopened", case, ip=ip, by="entrepreneur")
    elif case.status == "answered":
        case.status = "assigned" if case.assigned_to else "new"
    event = add_event(session, case, REPLY, actor="entrepreneur", body=body)
    audit(session, "case.entrepreneur_replied", case, ip=ip, status=case.status)
    notify.entrepreneur_replied(session, case, base_url)
    return event


def rate_case(session: Session, case: Case, score: int, comment: str | None, *,
              ip: str | None = None) -> CaseRating:
    if case.first_responded_at is None:
        raise Conflict(_("You can rate the answer once there is one."), code="not_answered")
    if not 1 <= score <= 5:
        raise Invalid(fields={"score": _("Choose a score from 1 to 5.")})
    comment = (comment or "").strip() or None
    if comment and len(comment) > 1000:
        raise Invalid(fields={"comment": _("Your comment is too long (at most 1000 "
                                           "characters).")})
    rating = session.get(CaseRating, case.id)
    if rating is None:
        assert case.id is not None
        rating = CaseRating(case_id=case.id, desk_id=case.first_response_desk_id or case.desk_id,
                            score=score, comment=comment)
    else:
        rating.score, rating.comment, rating.rated_at = score, comment, utcnow()
    session.add(rating)
    session.flush()
    add_event(session, case, RATED, actor="entrepreneur", score=score)
    audit(session, "case.rated", case, ip=ip, score=score)
    return rating


def withdraw_offers(session: Session, case: Case, *, reason: str) -> None:
    """Pending hand-off offers lapse when the case closes or moves without them."""
    offers = session.exec(select(CaseHandoff).where(CaseHandoff.case_id == case.id,
                                                    CaseHandoff.status == "offered")).all()
    for offer in offers:
        offer.status = "withdrawn"
        offer.decided_at = utcnow()
        offer.decision_note = reason
        session.add(offer)
        add_event(session, case, HANDOFF_WITHDRAWN, internal=True, handoff_id=offer.id,
                  reason=reason)

