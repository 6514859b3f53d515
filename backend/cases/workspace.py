"""The advisor's acts on a case: claim, assign, answer, note, close, hand on, saved answers.

Every change of state writes a timeline event and an audit event in the same transaction.
Callers have already checked that the advisor may see the case (``backend.cases.access``);
acts that change the case also require membership of the desk the case is at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlmodel import Session, col, select

from backend.accounts.principal import Principal
from backend.cases import access, notify
from backend.cases.models import (
    ASSIGNED,
    CLOSED,
    CONSENT_ASKED,
    CONSENT_GIVEN,
    CONSENT_REFUSED,
    HANDOFF_ACCEPTED,
    HANDOFF_DECLINED,
    HANDOFF_OFFERED,
    NOTE,
    REPLY,
    Case,
    CaseEvent,
    CaseHandoff,
    SavedAnswer,
)
from backend.cases.schemas import NOTE_MAX, OUTCOMES, REPLY_MAX
from backend.cases.service import _reopen, add_event, audit, issue_token, withdraw_offers
from backend.cases.workhours import AMSTERDAM, working_seconds_between
from backend.core import limits
from backend.core.db import utcnow
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.i18n import N_, format_count
from backend.core.i18n import gettext_ as _
from backend.core.limits import Door
from backend.routing import queries as desks
from backend.routing.queries import DeskInfo


def _require_worker(session: Session, case: Case, principal: Principal) -> int:
    """The acting user, who must be a member of the desk the case is at."""
    if principal.user_id is None or not access.works_on_case(session, case, principal.user_id):
        raise access.CaseNotFound()
    return principal.user_id


def _require_open(case: Case) -> None:
    if case.status == "closed":
        raise Conflict(_("This question is closed."), code="case_closed")


class AnyDesk(Protocol):
    """Anything that names a desk by id (routing's ``DeskInfo``)."""

    @property
    def id(self) -> int | None: ...


def _desk(session: Session, desk_id: int) -> DeskInfo:
    desk = desks.desk_by_id(session, desk_id)
    if desk is None:
        raise NotFound()
    return desk


def _text(value: str, field: str, limit: int, *, missing: str, too_long: str) -> str:
    """A required text of at most ``limit`` characters. The messages name the field (issue 15:
    "Dit veld is verplicht." in the error summary did not say which field); ``too_long`` has
    a ``%(max)s`` for the limit. Line breaks count as one character, as the browser counts
    them (``backend.core.middleware.LineBreakMiddleware`` turns CRLF into LF)."""
    value = (value or "").strip()
    if not value:
        raise Invalid(fields={field: _(missing)})
    if len(value) > limit:
        raise Invalid(fields={field: _(too_long, max=format_count(limit))})
    return value


# --- claim and assign ----------------------------------------------------------------------

def assign(session: Session, case: Case, principal: Principal, user_id: int, *,
           base_url: str = "") -> Case:
    actor_id = _require_worker(session, case, principal)
    limits.staff_act(session, principal.user_id)  # mails the assignee
    _require_open(case)
    if not access.is_member(session, case.desk_id, user_id):
        raise Invalid(fields={"user_id": _("Choose a member of this desk.")})
    if case.assigned_to == user_id:
        return case
    case.assigned_to = user_id
    if case.status == "new":
        case.status = "assigned"
    add_event(session, case, ASSIGNED, actor="advisor", user_id=actor_id, assignee=user_id)
    audit(session, "case.assigned", case, actor=principal, assignee=user_id)
    if user_id != actor_id:
        notify.assigned_to_you(session, case, user_id, base_url)
    return case


def claim(session: Session, case: Case, principal: Principal) -> Case:
    actor_id = _require_worker(session, case, principal)
    if case.assigned_to not in (None, actor_id):
        raise Conflict(_("A colleague already handles this question. Ask them, or have a "
                         "coordinator reassign it."), code="already_assigned")
    return assign(session, case, principal, actor_id)


# --- answer, note, close -------------------------------------------------------------------

def reply(session: Session, case: Case, principal: Principal, body: str, *,
          base_url: str = "") -> CaseEvent:
    """The advisor's answer (Markdown). The first one stops the SLA clock."""
    actor_id = _require_worker(session, case, principal)
    limits.staff_act(session, principal.user_id)  # mails the entrepreneur
    body = _text(body, "body", REPLY_MAX, missing=N_("Write your answer."),
                 too_long=N_("The answer is too long (at most %(max)s characters)."))
    if case.status == "closed":
        _reopen(session, case, actor="advisor", user_id=actor_id)
        audit(session, "case.reopened", case, actor=principal, by="advisor")
    if case.assigned_to is None:
        case.assigned_to = actor_id
        add_event(session, case, ASSIGNED, actor="advisor", user_id=actor_id, assignee=actor_id)
    now = utcnow()
    event = add_event(session, case, REPLY, actor="advisor", user_id=actor_id, body=body, at=now)
    case.status = "answered"
    case.answered_at = now
    if case.first_responded_at is None:
        case.first_responded_at = now
        case.first_response_desk_id = case.desk_id
        case.first_response_seconds = int(working_seconds_between(case.received_at, now))
    session.add(case)
    session.flush()
    audit(session, "case.answered", case, actor=principal, desk_id=case.desk_id)
    token = issue_token(session, case)
    notify.answered(session, case, _desk(session, case.desk_id), token, base_url)
    return event


def add_note(session: Session, case: Case, principal: Principal, body: str) -> CaseEvent:
    actor_id = _require_worker(session, case, principal)
    body = _text(body, "body", NOTE_MAX, missing=N_("Write the note."),
                 too_long=N_("The note is too long (at most %(max)s characters)."))
    event = add_event(session, case, NOTE, actor="advisor", user_id=actor_id, body=body,
                      internal=True)
    audit(session, "case.note_added", case, actor=principal)
    return event


def close(session: Session, case: Case, principal: Principal, outcome: str, *,
          without_answer: bool = False, base_url: str = "") -> Case:
    """Close with the outcome the advisor chose: there is no default. "Answered" needs an
    answer that was sent; closing a question nobody answered must be confirmed
    (``without_answer``), so it never counts as answered by accident (the desk figures count
    first responses, insight the outcome). The entrepreneur is told by mail and on the
    timeline, whether or not there was an answer."""
    actor_id = _require_worker(session, case, principal)
    _require_open(case)
    limits.staff_act(session, principal.user_id)  # mails the entrepreneur
    answered = case.first_responded_at is not None
    fields: dict[str, str] = {}
    if outcome not in OUTCOMES:
        fields["outcome"] = _("Choose the outcome of this question.")
    elif outcome == "answered" and not answered:
        fields["outcome"] = _("No answer has been sent yet: send the answer first, or choose "
                              "another outcome.")
    if not answered and not without_answer:
        fields["without_answer"] = _("No answer has been sent to the entrepreneur. Confirm "
                                     "that you close the question without an answer.")
    if fields:
        raise Invalid(fields=fields)
    withdraw_offers(session, case, reason="closed")
    case.status = "closed"
    case.outcome = outcome
    case.closed_at = utcnow()
    add_event(session, case, CLOSED, actor="advisor", user_id=actor_id, outcome=outcome,
              answered=answered)
    audit(session, "case.closed", case, actor=principal, outcome=outcome, answered=answered)
    token = issue_token(session, case)
    notify.closed(session, case, _desk(session, case.desk_id), token, base_url,
                  answered=answered)
    return case


# --- hand-offs -----------------------------------------------------------------------------

def move_case(session: Session, case: Case, to_desk: DeskInfo) -> None:
    """The case changes desk; reference, timeline and SLA clock stay as they are."""
    case.desk_id = to_desk.id
    case.assigned_to = None
    if case.status != "closed":
        case.status = "new"
    session.add(case)
    session.flush()


# --- the entrepreneur's consent to a hand-off -----------------------------------------------
#
# Consent is the entrepreneur's: the advisor asks through the private link (the entrepreneur
# answers yes or no on the page of the question), or records the consent the entrepreneur
# gave by phone (who, when). Both are timeline events the entrepreneur sees, so the consent
# stands on the timeline before the hand-off. A consent holds for one receiving desk while
# the question is at the desk that asked; the last answer counts.

CONSENT_EVENTS = (CONSENT_GIVEN, CONSENT_REFUSED)
CONSENT_MAX_AGE = timedelta(days=90)  # a recorded consent may not be dated further back


@dataclass(frozen=True)
class PhoneConsent:
    """Consent the entrepreneur gave by phone: who and when."""

    given_by: str
    given_at: datetime | None

    def __post_init__(self) -> None:
        if self.given_at is not None and self.given_at.tzinfo is None:  # a bare time: UTC
            object.__setattr__(self, "given_at", self.given_at.replace(tzinfo=UTC))


def local_time(value: str) -> datetime | None:
    """A time as a form's ``datetime-local`` field sends it (Amsterdam time), in UTC; None
    when it is empty or not a time."""
    try:
        parsed = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=AMSTERDAM)
    return parsed.astimezone(UTC)


def _target_desk(session: Session, case: Case, to_slug: str, field: str,
                 fields: dict[str, str]) -> DeskInfo | None:
    to_desk = desks.desk_by_slug(session, (to_slug or "").strip())
    if to_desk is None or not to_desk.is_active:
        fields[field] = _("Choose the desk to hand the question to.")
        return None
    if to_desk.id == case.desk_id:
        fields[field] = _("The question is already at this desk.")
        return None
    return to_desk


def _consent_events(session: Session, case: Case, kinds: tuple[str, ...]) -> list[CaseEvent]:
    """The case's consent events of ``kinds`` asked or given at the desk it is at now."""
    from_slug = _desk(session, case.desk_id).slug
    rows = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                col(CaseEvent.kind).in_(kinds))
                        .order_by(col(CaseEvent.at), col(CaseEvent.id))).all()
    return [e for e in rows if e.data.get("from_desk") == from_slug]


def consent_for(session: Session, case: Case, to_slug: str) -> CaseEvent | None:
    """The consent that allows handing the case on to ``to_slug`` now, or None."""
    answers = [e for e in _consent_events(session, case, CONSENT_EVENTS)
               if e.data.get("to_desk") == to_slug]
    return answers[-1] if answers and answers[-1].kind == CONSENT_GIVEN else None


def consent_question(session: Session, case: Case) -> CaseEvent | None:
    """The advisor's open question to the entrepreneur (asked, not answered since)."""
    if case.status == "closed":
        return None
    events = _consent_events(session, case, (CONSENT_ASKED, *CONSENT_EVENTS))
    for event in reversed(events):
        if event.kind == CONSENT_ASKED:
            answered = any(e.kind in CONSENT_EVENTS and e.id is not None
                           and event.id is not None and e.id > event.id
                           and e.data.get("to_desk") == event.data.get("to_desk")
                           for e in events)
            return None if answered else event
    return None


def consents(session: Session, case: Case) -> list[CaseEvent]:
    """Asked and answered consents at the current desk, for the advisor's hand-off panel."""
    return _consent_events(session, case, (CONSENT_ASKED, *CONSENT_EVENTS))


def ask_handoff_consent(session: Session, case: Case, principal: Principal, to_slug: str, *,
                        base_url: str = "") -> CaseEvent:
    """Ask the entrepreneur, through the private link, whether the question may go to
    ``to_slug``. The entrepreneur is mailed a link; the page asks yes or no."""
    actor_id = _require_worker(session, case, principal)
    limits.staff_act(session, principal.user_id)  # mails the entrepreneur
    _require_open(case)
    fields: dict[str, str] = {}
    to_desk = _target_desk(session, case, to_slug, "ask_desk", fields)
    if fields or to_desk is None:
        raise Invalid(fields=fields)
    from_desk = _desk(session, case.desk_id)
    event = add_event(session, case, CONSENT_ASKED, actor="advisor", user_id=actor_id,
                      from_desk=from_desk.slug, to_desk=to_desk.slug)
    audit(session, "case.handoff_consent_asked", case, actor=principal,
          from_desk=from_desk.slug, to_desk=to_desk.slug)
    token = issue_token(session, case)
    notify.handoff_consent_asked(session, case, from_desk, to_desk, token, base_url)
    return event


def answer_handoff_consent(session: Session, case: Case, agree: bool, *, door: Door,
                           base_url: str = "") -> CaseEvent:
    """The entrepreneur's yes or no on the page of the question (it mails the advisor who
    asked): limited like a reply, per address and per case."""
    limits.enforce(session, door.policy, "entrepreneur_reply", address=door.address,
                   case=case.id)
    asked = consent_question(session, case)
    if asked is None:
        raise Conflict(_("There is no question about handing on to answer."),
                       code="no_consent_question")
    event = add_event(session, case, CONSENT_GIVEN if agree else CONSENT_REFUSED,
                      actor="entrepreneur", from_desk=asked.data.get("from_desk"),
                      to_desk=asked.data.get("to_desk"), how="online")
    audit(session, "case.handoff_consent_answered", case, ip=door.address, agreed=agree,
          to_desk=asked.data.get("to_desk"))
    notify.handoff_consent_answered(session, case, asked.actor_user_id, agree,
                                    str(asked.data.get("to_desk")), base_url)
    return event


def _phone_consent_errors(consent: PhoneConsent, fields: dict[str, str]) -> None:
    given_by = (consent.given_by or "").strip()
    if not given_by:
        fields["given_by"] = _("Fill in who gave consent.")
    elif len(given_by) > 200:
        fields["given_by"] = _("This text is too long (at most %(max)s characters).", max=200)
    now = utcnow()
    if consent.given_at is None:
        fields["given_at"] = _("Fill in when consent was given.")
    elif consent.given_at > now + timedelta(minutes=5):
        fields["given_at"] = _("Consent cannot have been given in the future.")
    elif consent.given_at < now - CONSENT_MAX_AGE:
        fields["given_at"] = _("Consent older than 90 days does not count: ask again.")


def record_phone_consent(session: Session, case: Case, principal: Principal, to_slug: str,
                         consent: PhoneConsent, *, field: str = "phone_desk") -> CaseEvent:
    """Record consent the entrepreneur gave by phone for handing on to ``to_slug``."""
    actor_id = _require_worker(session, case, principal)
    _require_open(case)
    fields: dict[str, str] = {}
    to_desk = _target_desk(session, case, to_slug, field, fields)
    _phone_consent_errors(consent, fields)
    if fields or to_desk is None or consent.given_at is None:
        raise Invalid(fields=fields)
    from_desk = _desk(session, case.desk_id)
    event = add_event(session, case, CONSENT_GIVEN, actor="advisor", user_id=actor_id,
                      from_desk=from_desk.slug, to_desk=to_desk.slug, how="telefonisch",
                      given_by=consent.given_by.strip(),
                      given_at=consent.given_at.isoformat())
    audit(session, "case.handoff_consent_recorded", case, actor=principal,
          to_desk=to_desk.slug, how="telefonisch")
    return event


def offer_handoff(session: Session, case: Case, principal: Principal, to_slug: str, note: str,
                  *, phone_consent: PhoneConsent | None = None,
                  base_url: str = "") -> CaseHandoff:
    """Offer the case to another desk. Only with the entrepreneur's recorded consent to that
    desk (``consent_for``); ``phone_consent`` records one given by phone first."""
    actor_id = _require_worker(session, case, principal)
    limits.staff_act(session, principal.user_id)  # mails the other desk
    _require_open(case)
    fields: dict[str, str] = {}
    to_desk = _target_desk(session, case, to_slug, "to_desk", fields)
    note = (note or "").strip()
    if not note:
        fields["note"] = _("Tell the other desk why you hand this question on.")
    elif len(note) > NOTE_MAX:
        fields["note"] = _("The note for the other desk is too long (at most %(max)s "
                           "characters).", max=format_count(NOTE_MAX))
    if phone_consent is not None:
        _phone_consent_errors(phone_consent, fields)
    consent = consent_for(session, case, to_desk.slug) if to_desk is not None else None
    if to_desk is not None and consent is None and phone_consent is None:
        fields["to_desk"] = _("%(desk)s may only receive this question with the "
                              "entrepreneur's consent: ask it through the private link, or "
                              "record the consent given by phone.", desk=to_desk.name)
    if fields:
        raise Invalid(fields=fields)
    assert to_desk is not None and case.id is not None
    pending = session.exec(select(CaseHandoff.id).where(CaseHandoff.case_id == case.id,
                                                        CaseHandoff.status == "offered")).first()
    if pending is not None:
        raise Conflict(_("This question has already been offered to another desk."),
                       code="handoff_pending")
    if consent is None:
        assert phone_consent is not None
        consent = record_phone_consent(session, case, principal, to_desk.slug, phone_consent,
                                       field="to_desk")
    handoff = CaseHandoff(case_id=case.id, from_desk_id=case.desk_id, to_desk_id=to_desk.id,
                          note=note, consent=True, offered_by=actor_id)
    session.add(handoff)
    session.flush()
    from_desk = _desk(session, case.desk_id)
    add_event(session, case, HANDOFF_OFFERED, actor="advisor", user_id=actor_id, body=note,
              internal=True, handoff_id=handoff.id, from_desk=from_desk.slug,
              to_desk=to_desk.slug, consent_event=consent.id)
    audit(session, "case.handoff_offered", case, actor=principal, handoff_id=handoff.id,
          from_desk=from_desk.slug, to_desk=to_desk.slug, consent=consent.data.get("how"))
    notify.handoff_offered(session, case, handoff, from_desk, to_desk, base_url)
    return handoff


def pending_offer(session: Session, case: Case) -> CaseHandoff | None:
    return session.exec(select(CaseHandoff).where(CaseHandoff.case_id == case.id,
                                                  CaseHandoff.status == "offered")).first()


def _decidable(session: Session, case: Case, principal: Principal, handoff_id: int
               ) -> tuple[CaseHandoff, int]:
    handoff = session.get(CaseHandoff, handoff_id)
    if handoff is None or handoff.case_id != case.id:
        raise NotFound()
    user_id = principal.user_id
    if user_id is None or not access.is_member(session, handoff.to_desk_id, user_id):
        raise access.CaseNotFound()
    if handoff.status != "offered":
        raise Conflict(_("This hand-off has already been decided."), code="handoff_decided")
    if case.desk_id != handoff.from_desk_id:
        raise Conflict(_("The question has moved since it was offered."), code="handoff_stale")
    return handoff, user_id


def accept_handoff(session: Session, case: Case, principal: Principal, handoff_id: int, *,
                   base_url: str = "") -> Case:
    handoff, user_id = _decidable(session, case, principal, handoff_id)
    limits.staff_act(session, principal.user_id)  # mails the entrepreneur
    from_desk, to_desk = _desk(session, handoff.from_desk_id), _desk(session, handoff.to_desk_id)
    handoff.status = "accepted"
    handoff.decided_by = user_id
    handoff.decided_at = utcnow()
    session.add(handoff)
    move_case(session, case, to_desk)
    add_event(session, case, HANDOFF_ACCEPTED, actor="advisor", user_id=user_id,
              handoff_id=handoff.id, from_desk=from_desk.slug, to_desk=to_desk.slug)
    audit(session, "case.handoff_accepted", case, actor=principal, handoff_id=handoff.id,
          from_desk=from_desk.slug, to_desk=to_desk.slug)
    token = issue_token(session, case)
    notify.handed_on(session, case, from_desk, to_desk, token, base_url)
    return case


def decline_handoff(session: Session, case: Case, principal: Principal, handoff_id: int,
                    note: str | None = None, *, base_url: str = "") -> CaseHandoff:
    handoff, user_id = _decidable(session, case, principal, handoff_id)
    limits.staff_act(session, principal.user_id)  # mails the offering desk
    to_desk = _desk(session, handoff.to_desk_id)
    note = (note or "").strip()[:NOTE_MAX] or None
    handoff.status = "declined"
    handoff.decided_by = user_id
    handoff.decided_at = utcnow()
    handoff.decision_note = note
    session.add(handoff)
    session.flush()
    add_event(session, case, HANDOFF_DECLINED, actor="advisor", user_id=user_id, body=note,
              internal=True, handoff_id=handoff.id, to_desk=to_desk.slug)
    audit(session, "case.handoff_declined", case, actor=principal, handoff_id=handoff.id,
          to_desk=to_desk.slug)
    notify.handoff_declined(session, case, handoff, to_desk, base_url)
    return handoff


# --- saved answers -------------------------------------------------------------------------

def saved_answers(session: Session, desk_id: int) -> list[SavedAnswer]:
    return list(session.exec(select(SavedAnswer).where(SavedAnswer.desk_id == desk_id)
                             .order_by(col(SavedAnswer.title))).all())


def save_answer(session: Session, desk: AnyDesk, principal: Principal, title: str, body: str
                ) -> SavedAnswer:
    assert desk.id is not None
    if not access.is_member(session, desk.id, principal.user_id):
        raise access.DeskNotFound()
    fields: dict[str, str] = {}
    title = (title or "").strip()
    body = (body or "").strip()
    if not title or len(title) > 200:
        fields["title"] = _("Give the answer a title (at most 200 characters).")
    if not body or len(body) > REPLY_MAX:
        fields["body"] = _("Write the answer (at most %(max)s characters).",
                           max=format_count(REPLY_MAX))
    if fields:
        raise Invalid(fields=fields)
    answer = SavedAnswer(desk_id=desk.id, title=title, body=body, created_by=principal.user_id)
    session.add(answer)
    session.flush()
    return answer


def delete_saved_answer(session: Session, desk: AnyDesk, principal: Principal, answer_id: int
                        ) -> None:
    answer = session.get(SavedAnswer, answer_id)
    if answer is None or answer.desk_id != desk.id or not access.is_member(
            session, desk.id, principal.user_id):
        raise NotFound()
    session.delete(answer)
    session.flush()


def saved_answer_for_case(session: Session, case: Case, answer_id: int) -> SavedAnswer:
    answer = session.get(SavedAnswer, answer_id)
    if answer is None or answer.desk_id != case.desk_id:
        raise NotFound()
    return answer
