"""What pages show of a case: the timeline in words, status and outcome labels.

The entrepreneur's view leaves out internal events (notes, hand-off offers and declines, the
coordinator's overdue warning) and advisors' names; the workspace shows everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlmodel import Session

from backend.accounts import queries as accounts_q
from backend.cases import models as m
from backend.cases.models import Case, CaseEvent
from backend.cases.notify import _when
from backend.cases.schemas import OUTCOMES
from backend.cases.service import desk_names, timeline
from backend.cases.text import render_markdown, render_plain
from backend.cases.workhours import working_hours_between
from backend.core.db import utcnow
from backend.core.i18n import gettext_ as _
from backend.core.templating import _fmt_date
from backend.routing import queries as desk_queries


def status_label(status: str) -> str:
    return {"new": _("New"), "assigned": _("Being handled"), "answered": _("Answered"),
            "closed": _("Case closed")}.get(status, status)


def outcome_label(outcome: str | None) -> str:
    return {"answered": _("answered"), "referred": _("referred elsewhere"),
            "scheme_applied": _("scheme applied for"),
            "no_follow_up": _("no follow-up")}.get(outcome or "", outcome or "")


def channel_label(channel: str | None) -> str:
    return {"web": _("web form"), "api": _("API"), "telefoon": _("phone"),
            "email": _("e-mail"), "balie": _("at the desk"),
            "evenement": _("at an event")}.get(channel or "", channel or "")


def channel_choices(channels: tuple[str, ...] = m.INTAKE_CHANNELS) -> list[tuple[str, str]]:
    return [(c, channel_label(c)) for c in channels]


def _appointment_when(value: Any) -> str:
    try:
        return _when(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _consent_when(value: Any) -> str:

    try:
        return _fmt_date(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def entrepreneur_status_label(case: Case, desk_name: str, *, handed_on: bool) -> str:
    """The status on the entrepreneur's own page: a question handed on is being handled at
    its new desk, not "new" again (``move_case`` resets the desk's own status)."""
    if case.status == "assigned" or (case.status == "new" and handed_on):
        return _("Being handled by %(desk)s", desk=desk_name)
    return status_label(case.status)


def outcome_choices() -> list[tuple[str, str]]:
    return [(o, outcome_label(o)) for o in OUTCOMES]


def status_choices() -> list[tuple[str, str]]:
    return [(s, status_label(s)) for s in m.CASE_STATUSES]


def is_overdue(case: Case, now: datetime | None = None) -> bool:
    return (case.status != "closed" and case.first_responded_at is None
            and case.first_response_due_at < (now or utcnow()))


def hours_left(case: Case, now: datetime | None = None) -> float | None:
    """Working hours until the first response is due (negative when overdue)."""
    if case.first_responded_at is not None or case.status == "closed":
        return None
    now = now or utcnow()
    if case.first_response_due_at >= now:
        return round(working_hours_between(now, case.first_response_due_at), 1)
    return -round(working_hours_between(case.first_response_due_at, now), 1)


@dataclass
class EventView:
    at: datetime
    kind: str
    title: str
    actor: str
    internal: bool
    body: Markup | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)
    css: str = ""


def _user_names(session: Session, events: list[CaseEvent]) -> dict[int, str]:
    ids = {e.actor_user_id for e in events if e.actor_user_id is not None}
    ids |= {int(e.data["assignee"]) for e in events if isinstance(e.data.get("assignee"), int)}
    if not ids:
        return {}
    return {i: u.display_name for i, u in accounts_q.users(session, ids).items()}


def timeline_view(session: Session, case: Case, *, for_entrepreneur: bool) -> list[EventView]:
    events = timeline(session, case, include_internal=not for_entrepreneur)
    desks = desk_names(session, [e.desk_id for e in events])
    slugs = {d.slug: d.name for d in desks.values()}
    users = {} if for_entrepreneur else _user_names(session, events)

    def desk_of(event: CaseEvent, key: str | None = None) -> str:
        if key and event.data.get(key):
            slug = str(event.data[key])
            if slug not in slugs:
                found = desk_queries.desk_by_slug(session, slug)
                slugs[slug] = found.name if found else slug
            return slugs[slug]
        desk = desks.get(event.desk_id or 0)
        return desk.name if desk else ""

    out: list[EventView] = []
    for e in events:
        who = users.get(e.actor_user_id or 0, "") if e.actor == "advisor" else ""
        actor = {"entrepreneur": _("You") if for_entrepreneur else _("Entrepreneur"),
                 "advisor": (desk_of(e) if for_entrepreneur else f"{who} ({desk_of(e)})"),
                 "system": _("Loket")}.get(e.actor, e.actor)
        view = EventView(at=e.at, kind=e.kind, title=e.kind, actor=actor, internal=e.internal,
                         css=f"event--{e.kind}")
        if e.kind == m.RECEIVED:
            channel = e.data.get("channel")
            view.title = (_("Question received (%(channel)s)", channel=channel_label(channel))
                          if channel and channel not in ("web", "api") else
                          _("Question received"))
        elif e.kind == m.ROUTED:
            view.title = _("Sent to %(desk)s", desk=desk_of(e, "desk"))
            view.reasons = list(e.data.get("explanation") or [])
        elif e.kind == m.ASSIGNED:
            if for_entrepreneur:
                view.title = _("An advisor of %(desk)s is handling your question",
                               desk=desk_of(e))
            else:
                view.title = _("Assigned to %(name)s",
                               name=users.get(int(e.data.get("assignee") or 0), "?"))
        elif e.kind == m.REPLY and e.actor == "advisor":
            view.title = _("Answer from %(desk)s", desk=desk_of(e))
            view.body = render_markdown(e.body or "")
            view.css += " event--answer"
        elif e.kind == m.REPLY:
            view.title = _("Your reply") if for_entrepreneur else _("Reply from the entrepreneur")
            view.body = render_plain(e.body or "")
        elif e.kind == m.NOTE:
            view.title = _("Internal note")
            view.body = render_plain(e.body or "")
        elif e.kind == m.HANDOFF_OFFERED:
            view.title = _("Offered to %(desk)s", desk=desk_of(e, "to_desk"))
            view.body = render_plain(e.body or "") if e.body else None
        elif e.kind == m.HANDOFF_ACCEPTED:
            view.title = _("Handed on from %(from_desk)s to %(to_desk)s",
                           from_desk=desk_of(e, "from_desk"), to_desk=desk_of(e, "to_desk"))
        elif e.kind == m.HANDOFF_DECLINED:
            view.title = _("%(desk)s declined the hand-off", desk=desk_of(e, "to_desk"))
            view.body = render_plain(e.body or "") if e.body else None
        elif e.kind == m.HANDOFF_WITHDRAWN:
            view.title = _("Hand-off offer withdrawn")
        elif e.kind == m.ESCALATED:
            if e.data.get("to_desk"):
                view.title = _("Moved to %(desk)s because no answer came in time",
                               desk=desk_of(e, "to_desk"))
            elif e.data.get("level") == 1:
                view.title = _("Overdue: the coordinator has been told")
            else:
                view.title = _("Still without an answer at twice the target")
        elif e.kind == m.CLOSED:
            if e.data.get("answered") is False:
                view.title = _("Closed without an answer (%(outcome)s)",
                               outcome=outcome_label(e.data.get("outcome")))
            else:
                view.title = _("Closed (%(outcome)s)",
                               outcome=outcome_label(e.data.get("outcome")))
        elif e.kind == m.REOPENED:
            view.title = _("Reopened")
        elif e.kind == m.RATED:
            view.title = _("Answer rated: %(score)s out of 5", score=e.data.get("score"))
        elif e.kind == m.PUBLISHED:
            view.title = _("Turned into a knowledge-base draft")
        elif e.kind == m.KEPT_AT_DESK:
            view.title = _("Kept at %(desk)s instead of %(routed)s", desk=desk_of(e, "desk"),
                           routed=desk_of(e, "routed_to"))
            view.body = render_plain(e.body or "") if e.body else None
        elif e.kind in (m.APPOINTMENT_BOOKED, m.APPOINTMENT_MOVED, m.APPOINTMENT_CANCELLED):
            when = _appointment_when(e.data.get("starts_at"))
            view.title = {m.APPOINTMENT_BOOKED: _("Appointment booked for %(when)s", when=when),
                          m.APPOINTMENT_MOVED: _("Appointment moved to %(when)s", when=when),
                          m.APPOINTMENT_CANCELLED: _("Appointment of %(when)s cancelled",
                                                     when=when)}[e.kind]
        elif e.kind == m.REFERRED_OUT:
            view.title = _("Referred to %(organisation)s",
                           organisation=e.data.get("organisation") or "?")
            view.body = render_plain(e.body or "") if e.body else None
        elif e.kind == m.SCAN_ATTACHED:
            view.title = _("Productivity scan done together (overall score %(score)s of 5)",
                           score=e.data.get("overall"))
        elif e.kind == m.FOLLOWUP_ANSWERED:
            view.title = _("Follow-up after %(months)s months answered",
                           months=e.data.get("round"))
        elif e.kind == m.CONSENT_ASKED:
            view.title = (_("%(desk)s asked whether your question may go to %(to_desk)s",
                            desk=desk_of(e, "from_desk"), to_desk=desk_of(e, "to_desk"))
                          if for_entrepreneur else
                          _("Asked the entrepreneur: may the question go to %(to_desk)s?",
                            to_desk=desk_of(e, "to_desk")))
        elif e.kind == m.CONSENT_GIVEN and e.data.get("how") == "telefonisch":
            view.title = _("Consent to pass the question on to %(to_desk)s, given by phone "
                           "by %(who)s on %(when)s", to_desk=desk_of(e, "to_desk"),
                           who=e.data.get("given_by") or "?",
                           when=_consent_when(e.data.get("given_at")))
        elif e.kind == m.CONSENT_GIVEN:
            view.title = (_("You agreed that your question goes to %(to_desk)s",
                            to_desk=desk_of(e, "to_desk")) if for_entrepreneur else
                          _("The entrepreneur agreed that the question goes to %(to_desk)s",
                            to_desk=desk_of(e, "to_desk")))
        elif e.kind == m.CONSENT_REFUSED:
            view.title = (_("You did not agree that your question goes to %(to_desk)s",
                            to_desk=desk_of(e, "to_desk")) if for_entrepreneur else
                          _("The entrepreneur did not agree that the question goes to "
                            "%(to_desk)s", to_desk=desk_of(e, "to_desk")))
        elif e.kind == m.FOLLOWUP_STOPPED:
            view.title = _("No more follow-up questions")
        out.append(view)
    return out
