"""The entrepreneur's pages: ask a question, follow it through the private link, reply, rate.

No account is needed. Asking puts the case in this browser's server-side session; a private
link from a mail does the same once (a button on the link's page spends it, so mail scanners
that open links do not) and then the browser continues on ``/mijn-vraag/{reference}``, a URL
without the token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from backend.accounts.deps import checked, client_ip, door
from backend.cases import choices, service, suggest, workspace
from backend.cases.deps import EntrepreneurCase, grant_case, session_case_ids
from backend.cases.figures import desk_figures
from backend.cases.pages import _case_page, _municipalities, field_errors
from backend.cases.schemas import TEXT_MAX, TEXT_MIN, QuestionCreate
from backend.core.db import DatabaseDep, SessionDep
from backend.core.errors import Conflict, Invalid, NotFound, TooManyRequests
from backend.core.i18n import get_language
from backend.core.i18n import gettext_ as _
from backend.core.limits import ChallengeRequired, SpamSuspected
from backend.core.routing import LazyRoute
from backend.core.templating import render
from backend.routing import queries as desks

router = APIRouter(include_in_schema=False, route_class=LazyRoute)

# The site-wide "Referrer-Policy: same-origin" already keeps the token out of other sites'
# logs; "no-referrer" would make browsers send "Origin: null" with the form post, which the
# CSRF check rightly refuses.
NO_STORE = {"Cache-Control": "no-store"}
# Limits, honeypot, consent and the challenge are applied by the services (ask_question,
# resend_link, entrepreneur_reply) from the rate-limit table; this module only shows them.
HONEYPOT = "website"
FORM_FIELDS = ("text", "municipality", "postcode", "sector", "company_size", "theme",
               "kvk_number", "email", "name", "phone", "followup")


def _ask_page(request: Request, session: Session, values: dict[str, Any] | None = None, *,
              errors: dict[str, str] | None = None, message: str | None = None,
              status_code: int = 200, headers: dict[str, str] | None = None,
              challenge: dict[str, Any] | None = None) -> HTMLResponse:
    values = values or {}
    order = [*FORM_FIELDS[:1], "theme", "municipality", "postcode", "sector", "company_size",
             "kvk_number", "email", "name", "phone", "consent"]
    errors = dict(sorted((errors or {}).items(),
                         key=lambda kv: order.index(kv[0]) if kv[0] in order else 99))
    lists = choices.form_lists(session)
    return render(request, "cases/ask.html", {
        "values": values, "errors": errors, "message": message,
        "municipalities": _municipalities(session),
        "themes": lists["theme"], "sectors": lists["sector"],
        "sizes": lists["size"], "text_min": TEXT_MIN, "text_max": TEXT_MAX,
        "suggestions": None, "challenge": challenge,
    }, status_code=status_code, headers=headers)


@router.get("/vraag", response_class=HTMLResponse, name="ask")
def ask_form(request: Request, session: SessionDep, onderwerp: str | None = None
             ) -> HTMLResponse:
    theme = onderwerp if onderwerp and choices.is_known(session, "theme", onderwerp) else None
    return _ask_page(request, session, {"theme": theme} if theme else {})


@router.get("/vraag/suggesties", response_class=HTMLResponse, name="ask_suggestions")
def ask_suggestions(request: Request, session: SessionDep, text: str = "") -> HTMLResponse:
    """Practices, schemes and published answers that match what is being typed."""
    hits = suggest.suggestions(request, text)
    lists = choices.form_lists(session)
    return render(request, "cases/ask.html", {
        "values": {"text": text}, "errors": {}, "message": None,
        "themes": lists["theme"], "sectors": lists["sector"],
        "sizes": lists["size"], "text_min": TEXT_MIN, "text_max": TEXT_MAX,
        "suggestions": hits,
    }, block="suggestions")


def _too_many(exc: TooManyRequests) -> tuple[str, dict[str, str]]:
    return (_("You have sent many questions in a short time. Please try again in %(minutes)s "
              "minutes. What you typed is still here.", minutes=exc.retry_minutes),
            {"Retry-After": str(exc.retry_after)})


@router.post("/vraag", name="ask_submit")
def ask_submit(request: Request, session: SessionDep,
               text: Annotated[str, Form()] = "", municipality: Annotated[str, Form()] = "",
               postcode: Annotated[str, Form()] = "", sector: Annotated[str, Form()] = "",
               company_size: Annotated[str, Form()] = "", theme: Annotated[str, Form()] = "",
               kvk_number: Annotated[str, Form()] = "", email: Annotated[str, Form()] = "",
               name: Annotated[str, Form()] = "", phone: Annotated[str, Form()] = "",
               consent: Annotated[str, Form()] = "",
               website: Annotated[str, Form()] = "",
               followup: Annotated[str, Form()] = "",
               challenge: Annotated[str, Form(max_length=300)] = "",
               challenge_answer: Annotated[list[str] | None, Form()] = None) -> Response:
    values: dict[str, Any] = {
        "text": text, "municipality": municipality, "postcode": postcode, "sector": sector,
        "company_size": company_size, "theme": theme, "kvk_number": kvk_number,
        "email": email, "name": name, "phone": phone, "consent": checked(consent),
        "followup": checked(followup)}
    try:
        data = QuestionCreate.model_validate({
            **{k: (v or None) for k, v in values.items() if k in FORM_FIELDS},
            "text": text, "email": email, "consent": checked(consent),
            "followup": checked(followup), "language": get_language()})
    except ValidationError as exc:
        errors = {**service.required_answers(
            session, consent=checked(consent), municipality=municipality, postcode=postcode,
            sector=sector, theme=theme, company_size=company_size), **field_errors(exc)}
        return _ask_page(request, session, values, errors=errors, status_code=422,
                         message=_("Your question has not been sent yet. Please correct the "
                                   "fields marked below."))
    try:
        case, _token, _decision = service.ask_question(
            session, data, base_url=request.app.state.settings.base_url,
            door=door(request, honeypot=website, consent=checked(consent), challenge=challenge,
                      answers=challenge_answer or ()))
    except TooManyRequests as exc:
        message, headers = _too_many(exc)
        return _ask_page(request, session, values, message=message, status_code=429,
                         headers=headers)
    except ChallengeRequired as exc:
        return _ask_page(request, session, values, message=_(exc.message), status_code=429,
                         challenge=exc.extra["challenge"])
    except SpamSuspected as exc:
        return _ask_page(request, session, values, status_code=422, message=_(exc.message))
    except Invalid as exc:
        return _ask_page(request, session, values, errors=exc.fields, status_code=422,
                         message=_("Your question has not been sent yet. Please correct the "
                                   "fields marked below."))
    assert case.id is not None
    grant_case(request, case.id)
    return RedirectResponse(f"/mijn-vraag/{case.reference}?ontvangen=1", status_code=303)


# --- the private link ----------------------------------------------------------------------

@router.get("/vraag/volgen/{token}", response_class=HTMLResponse, name="follow_link")
def follow_link(request: Request, session: SessionDep, token: str) -> Response:
    """Read only: the button on this page spends the link (mail scanners only GET)."""
    case = service.token_case(session, token)
    if case is not None and case.id in session_case_ids(request):
        return RedirectResponse(f"/mijn-vraag/{case.reference}", status_code=303,
                                headers=NO_STORE)
    return render(request, "cases/follow_link.html", {"token": token, "known": case is not None},
                  headers=NO_STORE)


@router.post("/vraag/volgen/{token}", name="follow_link_use")
def follow_link_use(request: Request, db: DatabaseDep, token: str) -> Response:
    with db.transaction() as s:  # committed even when the page below is an error page
        case = service.exchange_token(s, token, door=door(request))
        reused = None if case is not None else service.token_case(s, token)
        found = (case.id or 0, case.reference) if case is not None else None
        reused_ref = (reused.id, reused.reference) if reused is not None else None
    if found is None:
        # A used link is harmless in the browser that used it; elsewhere it is refused.
        if reused_ref is not None and reused_ref[0] in session_case_ids(request):
            return RedirectResponse(f"/mijn-vraag/{reused_ref[1]}", status_code=303,
                                    headers=NO_STORE)
        return render(request, "cases/link_invalid.html", status_code=410, headers=NO_STORE)
    grant_case(request, found[0])
    return RedirectResponse(f"/mijn-vraag/{found[1]}", status_code=303, headers=NO_STORE)


@router.get("/vraag/link-opnieuw", response_class=HTMLResponse, name="resend_link")
def resend_form(request: Request, verstuurd: int = 0) -> HTMLResponse:
    return render(request, "cases/resend.html", {"values": {}, "errors": {}, "sent": bool(
        verstuurd), "message": None})


@router.post("/vraag/link-opnieuw", name="resend_link_post")
def resend_submit(request: Request, session: SessionDep, email: Annotated[str, Form()] = "",
                  reference: Annotated[str, Form()] = "") -> Response:
    values = {"email": email, "reference": reference}
    errors: dict[str, str] = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = _("Enter an e-mail address such as name@example.nl.")
    if not reference.strip() or len(reference) > 20:
        errors["reference"] = _("Enter the reference from your e-mail, such as LK-2026-000123.")
    if errors:
        return render(request, "cases/resend.html", {
            "values": values, "errors": errors, "sent": False, "message": None},
            status_code=422)
    try:
        service.resend_link(session, email, reference, door=door(request),
                            base_url=request.app.state.settings.base_url)
    except TooManyRequests as exc:
        _message, headers = _too_many(exc)
        return render(request, "cases/resend.html", {
            "values": values, "errors": {}, "sent": False, "message": _(
                "Too many requests for a new link. Please try again in %(minutes)s minutes.",
                minutes=exc.retry_minutes)},
            status_code=429, headers=headers)
    # The same answer whether or not the reference and address match.
    return RedirectResponse("/vraag/link-opnieuw?verstuurd=1", status_code=303)


# --- the entrepreneur's case page ----------------------------------------------------------



@router.get("/mijn-vraag/{reference}", response_class=HTMLResponse, name="my_question")
def my_question(request: Request, session: SessionDep, case: EntrepreneurCase) -> HTMLResponse:
    return _case_page(request, session, case)


@router.post("/mijn-vraag/{reference}/reactie", name="my_question_reply")
def my_question_reply(request: Request, session: SessionDep, case: EntrepreneurCase,
                      body: Annotated[str, Form()] = "") -> Response:
    try:
        service.entrepreneur_reply(session, case, body, door=door(request),
                                   base_url=request.app.state.settings.base_url)
    except TooManyRequests as exc:
        return _case_page(request, session, case, values={"body": body}, status_code=429,
                          message=_("You have sent many messages in a short time. Please try "
                                    "again in %(minutes)s minutes. What you typed is still "
                                    "here.", minutes=exc.retry_minutes),
                          headers=exc.headers)
    except Invalid as exc:
        return _case_page(request, session, case, errors=exc.fields, values={"body": body},
                          status_code=422)
    return RedirectResponse(f"/mijn-vraag/{case.reference}#tijdlijn", status_code=303)


@router.post("/mijn-vraag/{reference}/doorsturen", name="my_question_consent")
def my_question_consent(request: Request, session: SessionDep, case: EntrepreneurCase,
                        answer: Annotated[str, Form()] = "") -> Response:
    """The entrepreneur's yes or no to the desk's question about handing on."""

    if answer not in ("ja", "nee"):
        return _case_page(request, session, case, status_code=422,
                          errors={"answer": _("Choose yes or no.")})
    try:
        workspace.answer_handoff_consent(session, case, answer == "ja", door=door(request),
                                         base_url=request.app.state.settings.base_url)
    except TooManyRequests as exc:
        return _case_page(request, session, case, status_code=429, headers=exc.headers,
                          message=_("You have sent many messages in a short time. Please try "
                                    "again in %(minutes)s minutes.",
                                    minutes=exc.retry_minutes))
    except Conflict as exc:
        return _case_page(request, session, case, message=exc.message, status_code=409)
    return RedirectResponse(f"/mijn-vraag/{case.reference}#tijdlijn", status_code=303)


@router.post("/mijn-vraag/{reference}/beoordeling", name="my_question_rate")
def my_question_rate(request: Request, session: SessionDep, case: EntrepreneurCase,
                     score: Annotated[str, Form()] = "",
                     comment: Annotated[str, Form()] = "") -> Response:
    try:
        service.rate_case(session, case, int(score) if score.isdigit() else 0, comment,
                          ip=client_ip(request))
    except (Invalid, Conflict) as exc:
        errors = exc.fields if isinstance(exc, Invalid) else {"score": exc.message}
        return _case_page(request, session, case, errors=errors,
                          values={"score": score, "comment": comment}, status_code=422)
    return RedirectResponse(f"/mijn-vraag/{case.reference}?beoordeeld=1#beoordeling",
                            status_code=303)


# --- public desk page ----------------------------------------------------------------------

@router.get("/loketten/{slug}", response_class=HTMLResponse, name="desk_page")
def desk_page(request: Request, session: SessionDep, slug: str) -> HTMLResponse:

    desk = desks.desk_by_slug(session, slug)
    if desk is None or not desk.is_active:
        raise NotFound()
    return render(request, "cases/desk_public.html",
                  {"desk": desk, "figures": desk_figures(session, desk.id)})
