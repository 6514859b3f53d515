"""The human door's pages: an advisor's intake, the desk's appointment slots, referral outside
Loket (workspace); booking an appointment and answering the outcome follow-up (entrepreneur).

Access is decided by the same path objects as the rest of the workspace (``MemberDesk``,
``CaseForAdvisor``, ``EntrepreneurCase``); the rules are in the services
(``intake``, ``appointments``, ``referral``, ``followup``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from backend.accounts.deps import CurrentUser, client_ip, door
from backend.accounts.principal import Principal
from backend.cases import access, appointments, choices, followup, intake, referral, service
from backend.cases.deps import CaseForAdvisor, EntrepreneurCase, MemberDesk
from backend.cases.display import channel_choices
from backend.cases.pages import _case_page, _municipalities, case_page, field_errors
from backend.cases.reference import REFERENCE_RE
from backend.cases.schemas import TEXT_MAX, TEXT_MIN, QuestionCreate
from backend.cases.workhours import AMSTERDAM
from backend.core.db import SessionDep
from backend.core.errors import Conflict, Invalid, TooManyRequests
from backend.core.i18n import gettext_ as _
from backend.core.routing import LazyRoute
from backend.core.templating import render
from backend.routing import queries as desks
from backend.routing.queries import DeskInfo

router = APIRouter(include_in_schema=False, route_class=LazyRoute)
NO_STORE = {"Cache-Control": "no-store"}
INTAKE_FIELDS = ("text", "municipality", "postcode", "sector", "company_size", "theme",
                 "kvk_number", "email", "name", "phone")


def _base(request: Request) -> str:
    return str(request.app.state.settings.base_url)


def _local(value: str) -> datetime | None:
    """A ``datetime-local`` value (Amsterdam time) as an aware datetime."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=AMSTERDAM)


# --- intake --------------------------------------------------------------------------------

def _intake_page(request: Request, session: Session, desk: DeskInfo, values: dict[str, Any], *,
                 errors: dict[str, str] | None = None, message: str | None = None,
                 routing: Any = None, status_code: int = 200,
                 done: str | None = None) -> HTMLResponse:
    return render(request, "cases/intake.html", {
        "desk": desk, "values": values, "errors": errors or {}, "message": message,
        "routing": routing, "channels": channel_choices(), "done": done,
        "municipalities": _municipalities(session),
        "themes": [(c.slug, c.label) for c in choices.themes(session)],
        "sectors": [(c.slug, c.label) for c in choices.sectors(session)],
        "sizes": [(c.slug, c.label) for c in choices.company_sizes(session)],
        "text_min": TEXT_MIN, "text_max": TEXT_MAX,
    }, status_code=status_code, headers=NO_STORE)


@router.get("/werkplek/{desk}/intake", response_class=HTMLResponse, name="intake")
def intake_form(request: Request, session: SessionDep, desk: MemberDesk,
                geregistreerd: str = "", loket: str = "") -> HTMLResponse:
    now = datetime.now(AMSTERDAM).strftime("%Y-%m-%dT%H:%M")
    done = None
    if REFERENCE_RE.match(geregistreerd):
        to = desks.desk_by_slug(session, loket)
        if to is not None:
            done = _("Question %(reference)s has been registered and sent to %(desk)s. The "
                     "entrepreneur has been e-mailed the reference and a private link.",
                     reference=geregistreerd, desk=to.name)
    return _intake_page(request, session, desk, {"channel": "telefoon", "consent_at": now,
                                                 "consent_how": _("orally, by phone")},
                        done=done)


@router.post("/werkplek/{desk}/intake", name="intake_submit")
def intake_submit(request: Request, session: SessionDep, principal: CurrentUser,
                  desk: MemberDesk, channel: Annotated[str, Form()] = "",
                  text: Annotated[str, Form()] = "", municipality: Annotated[str, Form()] = "",
                  postcode: Annotated[str, Form()] = "", sector: Annotated[str, Form()] = "",
                  company_size: Annotated[str, Form()] = "",
                  theme: Annotated[str, Form()] = "", kvk_number: Annotated[str, Form()] = "",
                  email: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
                  phone: Annotated[str, Form()] = "", consent: Annotated[str, Form()] = "",
                  consent_by: Annotated[str, Form()] = "",
                  consent_at: Annotated[str, Form()] = "",
                  consent_how: Annotated[str, Form()] = "",
                  followup_opt_in: Annotated[str, Form(alias="followup")] = "",
                  keep: Annotated[str, Form()] = "", keep_reason: Annotated[str, Form()] = "",
                  action: Annotated[str, Form()] = "preview") -> Response:
    values: dict[str, Any] = {
        "channel": channel, "text": text, "municipality": municipality, "postcode": postcode,
        "sector": sector, "company_size": company_size, "theme": theme,
        "kvk_number": kvk_number, "email": email, "name": name, "phone": phone,
        "consent": bool(consent), "consent_by": consent_by, "consent_at": consent_at,
        "consent_how": consent_how, "followup": bool(followup_opt_in), "keep": bool(keep),
        "keep_reason": keep_reason}
    oral = intake.OralConsent(given_by=consent_by, given_at=_local(consent_at), how=consent_how)
    not_sent = _("The question has not been registered yet. Please correct the fields marked "
                 "below.")
    errors = intake.check_intake(principal, session, desk, channel=channel, consent=oral,
                                 keep=bool(keep), keep_reason=keep_reason)
    try:
        data = QuestionCreate.model_validate({
            **{k: (v or None) for k, v in values.items() if k in INTAKE_FIELDS},
            "text": text, "email": email, "consent": bool(consent),
            "followup": bool(followup_opt_in)})
    except ValidationError as exc:
        errors = {**service.required_answers(
            session, consent=bool(consent), municipality=municipality, postcode=postcode,
            sector=sector, theme=theme, company_size=company_size), **field_errors(exc),
            **errors}
        return _intake_page(request, session, desk, values, errors=errors, message=not_sent,
                            status_code=422)
    errors = {**service.required_answers(
        session, consent=data.consent, municipality=data.municipality, postcode=data.postcode,
        sector=data.sector, theme=data.theme, company_size=data.company_size), **errors}
    if errors:
        return _intake_page(request, session, desk, values, errors=errors, message=not_sent,
                            status_code=422)
    try:
        if action != "register":
            routing = intake.preview(session, data)
            return _intake_page(request, session, desk, values, routing=routing)
        case, _decision = intake.register(session, principal, desk, data, channel=channel,
                                          consent=oral, keep=bool(keep),
                                          door=door(request, consent=True, source="advisor"),
                                          keep_reason=keep_reason, base_url=_base(request))
    except TooManyRequests as exc:  # per advisor, or this entrepreneur's address today
        page = _intake_page(request, session, desk, values, status_code=429, message=_(
            "Too many questions have been registered in a short time. Please try again in "
            "%(minutes)s minutes. What you typed is still here.", minutes=exc.retry_minutes))
        page.headers.update(exc.headers)
        return page
    except Invalid as exc:
        return _intake_page(request, session, desk, values, errors=exc.fields,
                            message=exc.message or not_sent, status_code=422)
    if access.works_on_case(session, case, principal.user_id):
        return RedirectResponse(f"/werkplek/zaken/{case.reference}?geregistreerd=1",
                                status_code=303)
    # Routed to a desk this advisor is not a member of: the case page would be a 404.
    return RedirectResponse(f"/werkplek/{desk.slug}/intake?geregistreerd={case.reference}"
                            f"&loket={_decision.desk.slug}", status_code=303)


# --- appointment slots (coordinators) ------------------------------------------------------

def _slots_page(request: Request, session: Session, principal: Principal, desk: DeskInfo, *,
                errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                message: str | None = None, status_code: int = 200) -> HTMLResponse:
    assert desk.id is not None
    if not access.is_coordinator(session, desk.id, principal.user_id):
        raise access.DeskNotFound()
    members = desks.members(session, desk.id)
    return render(request, "cases/slots.html", {
        "desk": desk, "slots": appointments.desk_slots(session, desk.id),
        "members": [(str(u.id), u.name or u.email) for u in members],
        "errors": errors or {}, "values": values or {"minutes": "30", "start": "09:00",
                                                      "end": "12:00"},
        "message": message}, status_code=status_code, headers=NO_STORE)


@router.get("/werkplek/{desk}/afspraken", response_class=HTMLResponse, name="slots")
def slots_page(request: Request, session: SessionDep, principal: CurrentUser,
               desk: MemberDesk) -> HTMLResponse:
    return _slots_page(request, session, principal, desk)


@router.post("/werkplek/{desk}/afspraken", name="slots_add")
def slots_add(request: Request, session: SessionDep, principal: CurrentUser, desk: MemberDesk,
              day: Annotated[str, Form()] = "", start: Annotated[str, Form()] = "",
              end: Annotated[str, Form()] = "", minutes: Annotated[str, Form()] = "",
              location: Annotated[str, Form()] = "", video_url: Annotated[str, Form()] = "",
              advisor_id: Annotated[str, Form()] = "") -> Response:
    values = {"day": day, "start": start, "end": end, "minutes": minutes,
              "location": location, "video_url": video_url, "advisor_id": advisor_id}
    try:
        the_day = date.fromisoformat(day) if day else None
    except ValueError:
        the_day = None
    try:
        appointments.add_slots(session, desk, principal, day=the_day, start=start, end=end,
                               minutes=int(minutes) if minutes.isdigit() else 0,
                               location=location, video_url=video_url,
                               advisor_id=int(advisor_id) if advisor_id.isdigit() else None)
    except Invalid as exc:
        return _slots_page(request, session, principal, desk, errors=exc.fields,
                           values=values, message=exc.message, status_code=422)
    return RedirectResponse(f"/werkplek/{desk.slug}/afspraken", status_code=303)


@router.post("/werkplek/{desk}/afspraken/{slot_id}/verwijderen", name="slot_delete")
def slot_delete(request: Request, session: SessionDep, principal: CurrentUser,
                desk: MemberDesk, slot_id: int) -> Response:
    try:
        appointments.delete_slot(session, desk, principal, slot_id)
    except Conflict as exc:
        return _slots_page(request, session, principal, desk, message=exc.message,
                           status_code=409)
    return RedirectResponse(f"/werkplek/{desk.slug}/afspraken", status_code=303)


# --- referral outside Loket ----------------------------------------------------------------

@router.post("/werkplek/zaken/{reference}/verwijzen", name="case_refer_out")
def case_refer_out(request: Request, session: SessionDep, principal: CurrentUser,
                   case: CaseForAdvisor, organisation: Annotated[str, Form()] = "",
                   organisation_name: Annotated[str, Form()] = "",
                   organisation_url: Annotated[str, Form()] = "",
                   reason: Annotated[str, Form()] = "") -> Response:
    values = {"organisation": organisation, "organisation_name": organisation_name,
              "organisation_url": organisation_url, "reason": reason}
    try:
        referral.refer_out(session, case, principal, organisation=organisation,
                           name=organisation_name, url=organisation_url, reason=reason,
                           base_url=_base(request))
    except Invalid as exc:
        fields = {{"name": "organisation_name", "url": "organisation_url"}.get(k, k): v
                  for k, v in exc.fields.items()}
        return case_page(request, session, principal, case, errors=fields, values=values,
                         message=exc.message, status_code=422)
    except Conflict as exc:
        return case_page(request, session, principal, case, values=values,
                         message=exc.message, status_code=409)
    return RedirectResponse(f"/werkplek/zaken/{case.reference}#tijdlijn", status_code=303)


# --- the entrepreneur books an appointment -------------------------------------------------

def _back(case_reference: str, anchor: str = "afspraak", flag: str = "") -> RedirectResponse:
    return RedirectResponse(f"/mijn-vraag/{case_reference}{flag}#{anchor}", status_code=303)


@router.post("/mijn-vraag/{reference}/afspraak", name="appointment_book")
def appointment_book(request: Request, session: SessionDep, case: EntrepreneurCase,
                     slot_id: Annotated[str, Form()] = "") -> Response:
    try:
        appointments.book(session, case, int(slot_id) if slot_id.isdigit() else 0,
                          base_url=_base(request), ip=client_ip(request))
    except Invalid as exc:
        return _case_page(request, session, case, errors=exc.fields, status_code=422)
    except Conflict as exc:
        return _case_page(request, session, case, errors={"slot_id": exc.message},
                          status_code=409)
    return _back(case.reference, flag="?afspraak=1")


@router.post("/mijn-vraag/{reference}/afspraak/annuleren", name="appointment_cancel")
def appointment_cancel(request: Request, session: SessionDep,
                       case: EntrepreneurCase) -> Response:
    try:
        appointments.cancel(session, case, base_url=_base(request), ip=client_ip(request))
    except Conflict as exc:
        return _case_page(request, session, case, message=exc.message, status_code=409)
    return _back(case.reference, flag="?geannuleerd=1")


# --- outcome follow-up ---------------------------------------------------------------------

def _followup_page(request: Request, session: Session, token: str, *,
                   errors: dict[str, str] | None = None, saved: bool = False,
                   status_code: int = 200) -> HTMLResponse:
    item, case = followup.by_token(session, token)
    return render(request, "cases/followup.html", {
        "token": token, "case": case, "round": item.round,
        "questions": [(q, _(followup.QUESTION_TEXT[q]),
                       [(a, _(followup.ANSWER_TEXT[a])) for a in followup.QUESTIONS[q]])
                      for q in followup.questions_for(session, case)],
        "answers": followup.answers_of(session, item), "errors": errors or {},
        "saved": saved, "subscribed": case.followup_opt_in,
    }, status_code=status_code, headers=NO_STORE)


@router.get("/vraag/nazorg/{token}", response_class=HTMLResponse, name="followup")
def followup_form(request: Request, session: SessionDep, token: str,
                  opgeslagen: int = 0) -> HTMLResponse:
    return _followup_page(request, session, token, saved=bool(opgeslagen))


@router.post("/vraag/nazorg/{token}", name="followup_answer")
async def followup_submit(request: Request, session: SessionDep, token: str) -> Response:
    form = await request.form()
    answers = {q: str(form.get(q) or "") for q in followup.QUESTIONS}
    try:
        followup.answer(session, token, answers, ip=client_ip(request))
    except Invalid as exc:
        return _followup_page(request, session, token, errors=exc.fields, status_code=422)
    return RedirectResponse(f"/vraag/nazorg/{token}?opgeslagen=1", status_code=303)


@router.get("/vraag/nazorg/{token}/afmelden", response_class=HTMLResponse,
            name="followup_stop_form")
def followup_stop_form(request: Request, session: SessionDep, token: str,
                       klaar: int = 0) -> HTMLResponse:
    _item, case = followup.by_token(session, token)
    return render(request, "cases/followup_stop.html", {
        "token": token, "case": case, "done": bool(klaar) and not case.followup_opt_in},
        headers=NO_STORE)


@router.post("/vraag/nazorg/{token}/afmelden", name="followup_stop")
def followup_stop(request: Request, session: SessionDep, token: str) -> Response:
    followup.stop(session, token, ip=client_ip(request))
    return RedirectResponse(f"/vraag/nazorg/{token}/afmelden?klaar=1", status_code=303)
