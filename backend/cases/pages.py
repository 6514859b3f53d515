"""Page helpers the cases' HTML route modules share (a route module imports no other route
module): the entrepreneur's and the advisor's case pages, form errors, the municipality list."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlmodel import Session

from backend.accounts import queries as accounts_q
from backend.accounts.principal import Principal
from backend.cases import access, appointments, choices, panels, referral, suggest, workspace
from backend.cases.display import (
    channel_label,
    entrepreneur_status_label,
    hours_left,
    is_overdue,
    outcome_choices,
    status_label,
    timeline_view,
)
from backend.cases.models import ESCALATED, HANDOFF_ACCEPTED, Case, CaseRating
from backend.cases.schemas import TEXT_MAX, TEXT_MIN
from backend.cases.text import render_plain
from backend.cases.workhours import AMSTERDAM
from backend.core.db import utcnow
from backend.core.errors import NotFound
from backend.core.i18n import gettext_ as _
from backend.core.templating import render
from backend.regions import service as regions
from backend.routing import queries as desks

NO_STORE = {"Cache-Control": "no-store"}


def case_page(request: Request, session: Session, principal: Principal, case: Case, *,
              errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
              message: str | None = None, status_code: int = 200) -> HTMLResponse:
    assert case.id is not None
    desk = desks.desk_by_id(session, case.desk_id)
    assert desk is not None
    works_here = access.works_on_case(session, case, principal.user_id)
    offer = workspace.pending_offer(session, case)
    can_decide = offer is not None and access.is_member(session, offer.to_desk_id,
                                                        principal.user_id)
    values = dict(values or {})
    answer_id = request.query_params.get("standaardantwoord", "")
    if works_here and answer_id.isdigit() and "body" not in values:
        with contextlib.suppress(NotFound):  # an unknown saved answer inserts nothing
            values["body"] = workspace.saved_answer_for_case(session, case, int(answer_id)).body
    colleagues = desks.members(session, case.desk_id)
    other_desks = desks.active_desks(session, exclude_id=case.desk_id)
    offered = desks.desk_summaries(session, [offer.from_desk_id, offer.to_desk_id]
                                   if offer else [])
    return render(request, "cases/case.html", {
        "case": case, "desk": desk, "works_here": works_here, "offer": offer,
        "offer_from": offered.get(offer.from_desk_id) if offer else None,
        "offer_to": offered.get(offer.to_desk_id) if offer else None,
        "can_decide": can_decide,
        "events": timeline_view(session, case, for_entrepreneur=False),
        "assignee": accounts_q.user(session, case.assigned_to),
        "colleagues": colleagues, "other_desks": other_desks,
        "desk_options": [(d.slug, d.name) for d in other_desks],
        "saved": workspace.saved_answers(session, case.desk_id) if works_here else [],
        "outcomes": [(key, label) for key, label in outcome_choices()
                     if case.first_responded_at is not None or key != "answered"],
        "status_label": status_label(case.status),
        "overdue": is_overdue(case), "hours_left": hours_left(case),
        "labels": {"theme": choices.label(session, "theme", case.theme),
                   "sector": choices.label(session, "sector", case.sector),
                   "size": choices.label(session, "size", case.company_size)},
        "theme_label": choices.labeler(session, "theme"),
        "errors": errors or {}, "values": values, "message": message,
        "panels": panels.panels_for(session, case),
        "organisations": referral.organisation_choices(session) if works_here else [],
        "referrals": referral.referrals(session, case),
        "channel_label": channel_label,
        "registered": request.query_params.get("geregistreerd") == "1",
        "question_html": render_plain(case.text),
        "municipality": regions.municipality_name(session, case.municipality_code),
        "suggestions": (suggest.suggestions(request, case.text, limit=4)
                        if works_here and case.status != "closed" else []),
        "open_panel": _open_panel(errors or {}),
        "consent_state": ({str(e.data.get("to_desk")): e.kind
                           for e in workspace.consents(session, case)} if works_here else {}),
        "now_local": utcnow().astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M"),
    }, block="case", status_code=status_code, headers=NO_STORE)


# Which of the case page's actions opens: the one whose form has an error, else the answer.
PANEL_OF_FIELD = {"note": "note", "to_desk": "handoff", "handoff_note": "handoff",
                  "ask_desk": "handoff", "phone_desk": "handoff", "given_by": "handoff",
                  "given_at": "handoff", "organisation": "refer", "organisation_name": "refer",
                  "organisation_url": "refer", "reason": "refer", "outcome": "close",
                  "without_answer": "close"}


def _open_panel(errors: dict[str, str]) -> str:
    for name in errors:
        if name in PANEL_OF_FIELD:
            return PANEL_OF_FIELD[name]
    return "answer"


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Pydantic's errors as one Dutch sentence per form field."""
    messages = {
        "text": _("Describe your question in %(min)s to %(max)s characters.", min=TEXT_MIN,
                  max=TEXT_MAX),
        "email": _("Enter an e-mail address such as name@example.nl."),
        "kvk_number": _("A KvK number has 8 digits."),
        "phone": _("Enter a phone number, such as 06 12345678."),
        "postcode": _("Enter a Dutch postcode, such as 7511 AB."),
        "company_size": _("Choose a company size from the list."),
        "municipality": _("The municipality is too long (at most %(max)s characters).",
                          max=100),
        "name": _("Your name is too long (at most 200 characters)."),
        "consent": _("We can only handle your question with your consent."),
    }
    out: dict[str, str] = {}
    for err in exc.errors():
        name = str(err["loc"][0]) if err.get("loc") else "request"
        out.setdefault(name, messages.get(name, _("This field is not filled in correctly.")))
    return out


def _municipalities(session: Session) -> list[Any]:
    """Every municipality and former name for the autocomplete list."""
    return list(regions.all_options(session))


def _case_page(request: Request, session: Session, case: Case, *,
               errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
               message: str | None = None, status_code: int = 200,
               headers: dict[str, str] | None = None) -> HTMLResponse:
    desk = desks.desk_by_id(session, case.desk_id)
    assert desk is not None and desk.id is not None
    rating = session.get(CaseRating, case.id)
    booking = appointments.booking_of(session, case)
    events = timeline_view(session, case, for_entrepreneur=True)
    # Handed on or moved by escalation: the case is being handled at its new desk.
    handed_on = any(e.kind in (HANDOFF_ACCEPTED, ESCALATED) for e in events)
    asked = workspace.consent_question(session, case)
    question = None if asked is None else {
        key: desks.desk_by_slug(session, str(asked.data.get(f"{key}_desk")))
        for key in ("from", "to")}
    return render(request, "cases/follow.html", {
        "case": case, "desk": desk,
        "status_label": entrepreneur_status_label(case, desk.name, handed_on=handed_on),
        "consent_question": question,
        "appointment": booking[1] if booking else None,
        "free_slots": (appointments.free_slots(session, desk.id)
                       if case.status != "closed" else []),
        "referrals": referral.referrals(session, case),
        "panels": panels.panels_for(session, case, entrepreneur=True),
        "events": events,
        "rating": rating, "errors": errors or {}, "values": values or {},
        "message": message, "received": request.query_params.get("ontvangen") == "1",
    }, block="timeline", status_code=status_code, headers={**NO_STORE, **(headers or {})})
