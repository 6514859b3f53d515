"""An advisor registers a question received by phone, e-mail, at the desk or at an event.

The question goes through ``service.ask_question`` like every other door (the same checks,
the same routing, the same reference and private-link mail); the intake adds what only an
advisor knows: the channel, and the consent the entrepreneur gave orally — who gave it, when
and how — with the advisor who recorded it. The advisor sees the routing first
(``preview``) and may keep the question at their own desk, with a reason that goes into the
timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from backend.accounts.principal import Principal
from backend.cases import access, service
from backend.cases.models import INTAKE_CHANNELS, Case
from backend.cases.routing_adapter import RouteResult, route_question
from backend.cases.schemas import NOTE_MAX, QuestionCreate
from backend.core.db import utcnow
from backend.core.errors import Invalid
from backend.core.i18n import gettext_ as _
from backend.core.limits import Door
from backend.routing.queries import DeskInfo

CONSENT_HOW_MAX = 200


@dataclass(frozen=True)
class OralConsent:
    given_by: str  # the person who agreed (the entrepreneur or their representative)
    given_at: datetime | None
    how: str  # e.g. "mondeling, telefonisch"


def check_intake(principal: Principal, session: Session, desk: DeskInfo, *, channel: str,
                 consent: OralConsent, keep: bool, keep_reason: str) -> dict[str, str]:
    """Field errors of what the intake adds to a question (the question's own checks are
    ``ask_question``'s)."""
    assert desk.id is not None
    if not access.is_member(session, desk.id, principal.user_id):
        raise access.DeskNotFound()
    fields: dict[str, str] = {}
    if channel not in INTAKE_CHANNELS:
        fields["channel"] = _("Choose how the question came in.")
    if not consent.given_by.strip() or len(consent.given_by) > 200:
        fields["consent_by"] = _("Record who gave consent (at most 200 characters).")
    if consent.given_at is None or consent.given_at > utcnow():
        fields["consent_at"] = _("Record when consent was given (not in the future).")
    if not consent.how.strip() or len(consent.how) > CONSENT_HOW_MAX:
        fields["consent_how"] = _("Record how consent was given (at most %(max)s "
                                  "characters).", max=CONSENT_HOW_MAX)
    if keep and not keep_reason.strip():
        fields["keep_reason"] = _("Say why the question stays at your desk.")
    elif len(keep_reason) > NOTE_MAX:
        fields["keep_reason"] = _("This text is too long (at most %(max)s characters).",
                                  max=NOTE_MAX)
    return fields


def preview(session: Session, data: QuestionCreate) -> RouteResult:
    """Where the question would go, without storing anything."""
    return route_question(session, data)


def register(session: Session, principal: Principal, desk: DeskInfo, data: QuestionCreate, *,
             channel: str, consent: OralConsent, door: Door, keep: bool = False,
             keep_reason: str = "", base_url: str = "") -> tuple[Case, RouteResult]:
    """Store the question through ``ask_question``; returns the case and the routing."""
    fields = check_intake(principal, session, desk, channel=channel, consent=consent,
                          keep=keep, keep_reason=keep_reason)
    if fields:
        raise Invalid(fields=fields)
    assert principal.user_id is not None and consent.given_at is not None
    record = {"given_by": consent.given_by.strip(), "given_at": consent.given_at.isoformat(),
              "how": consent.how.strip(), "recorded_by": principal.user_id,
              "recorded_at": utcnow().isoformat()}
    keep_at = (service.KeepAtDesk(desk=desk, reason=keep_reason.strip(),
                                  user_id=principal.user_id) if keep else None)
    case, _token, decision = service.ask_question(
        session, data, door=replace(door, staff_user=principal.user_id), source="advisor",
        channel=channel, consent_record=record,
        keep_at=keep_at, base_url=base_url)
    return case, decision
