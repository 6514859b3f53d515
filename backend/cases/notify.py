"""E-mails about cases, written to the outbox in the caller's transaction.

Entrepreneurs get their mail in the language they asked in; desk members in Dutch. A mail
holds no personal data beyond what its recipient already knows: desk members get the
reference, the desk and a link into the workspace, never the question or the asker's
details; entrepreneurs get their reference, the desk and a fresh one-time private link.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from babel.dates import format_datetime
from sqlmodel import Session

from backend.accounts import queries as accounts_q
from backend.cases import choices
from backend.cases.models import Case, CaseHandoff
from backend.cases.workhours import AMSTERDAM
from backend.core import i18n
from backend.core.i18n import gettext_ as _
from backend.core.mail import send_mail
from backend.routing import queries as desks
from backend.routing.queries import COORDINATOR, DeskInfo

STAFF_LANGUAGE = "nl"


@contextmanager
def language(lang: str) -> Iterator[None]:
    token = i18n.set_language(lang)
    try:
        yield
    finally:
        i18n.reset_language(token)


def _when(value: datetime) -> str:
    return format_datetime(value, format="EEEE d MMMM y, HH:mm", locale=i18n.get_language(),
                           tzinfo=AMSTERDAM)


def _signature() -> str:
    return "\n\n-- \n" + _("Loket — one door for questions from entrepreneurs")


def member_emails(session: Session, desk_id: int, *, role: str | None = None) -> list[str]:
    return desks.member_emails(session, desk_id, role=role)


def coordinator_emails(session: Session, desk_id: int) -> list[str]:
    """The desk's coordinators, or all its members when it has none."""
    return member_emails(session, desk_id, role=COORDINATOR) or member_emails(session, desk_id)


def _send_all(session: Session, to: Sequence[str], subject: str, text: str,
              dedupe: str | None = None) -> None:
    for address in to:
        send_mail(session, to=address, subject=subject, text=text + _signature(),
                  dedupe_key=f"{dedupe}:{address}"[:200] if dedupe else None)


def _workspace_link(base_url: str, case: Case) -> str:
    return f"{base_url}/werkplek/zaken/{case.reference}"


def _follow_link(base_url: str, token: str) -> str:
    return f"{base_url}/vraag/volgen/{token}"


# --- to the entrepreneur -------------------------------------------------------------------

def _to_entrepreneur(session: Session, case: Case, subject: str, lines: list[str],
                     token: str, base_url: str) -> None:
    if not case.contact_email:  # anonymised (backend/privacy): nobody to write to
        return
    lines = [*lines, "",
             _("Follow your question through this private link (it works once; after that "
               "this browser remembers you):"),
             _follow_link(base_url, token), "",
             _("Link used or lost? Ask for a new one at %(url)s with your e-mail address and "
               "the reference %(reference)s.", url=f"{base_url}/vraag/link-opnieuw",
               reference=case.reference)]
    send_mail(session, to=case.contact_email, subject=subject,
              text="\n".join(lines) + _signature())


def question_received(session: Session, case: Case, desk: DeskInfo, token: str,
                      base_url: str) -> None:
    with language(case.language):
        subject = _("Your question %(reference)s has been received", reference=case.reference)
        lines = [
            _("Thank you for your question. Its reference is %(reference)s.",
              reference=case.reference),
            _("We have sent it to %(desk)s. They aim to respond by %(due)s.",
              desk=desk.name, due=_when(case.first_response_due_at)),
        ]
        _to_entrepreneur(session, case, subject, lines, token, base_url)


def answered(session: Session, case: Case, desk: DeskInfo, token: str, base_url: str) -> None:
    with language(case.language):
        subject = _("Your question %(reference)s has been answered", reference=case.reference)
        lines = [_("%(desk)s has answered your question %(reference)s.", desk=desk.name,
                   reference=case.reference),
                 _("Read the answer, reply or rate it on the page of your question.")]
        _to_entrepreneur(session, case, subject, lines, token, base_url)


def handed_on(session: Session, case: Case, from_desk: DeskInfo, to_desk: DeskInfo, token: str,
              base_url: str) -> None:
    with language(case.language):
        subject = _("Your question %(reference)s has been handed on", reference=case.reference)
        lines = [_("%(from_desk)s has handed your question %(reference)s on to %(to_desk)s, "
                   "which can help you better. Your question keeps its reference and its "
                   "history.", from_desk=from_desk.name, to_desk=to_desk.name,
                   reference=case.reference)]
        _to_entrepreneur(session, case, subject, lines, token, base_url)


def closed(session: Session, case: Case, desk: DeskInfo, token: str, base_url: str, *,
           answered: bool) -> None:
    # cycle: backend.cases.display imports this module (notify._when)
    from backend.cases.display import outcome_label

    with language(case.language):
        subject = _("Your question %(reference)s has been closed", reference=case.reference)
        lines = [_("%(desk)s has closed your question %(reference)s (%(outcome)s).",
                   desk=desk.name, reference=case.reference,
                   outcome=outcome_label(case.outcome))]
        if not answered:
            lines.append(_("No written answer was sent through Loket."))
        lines.append(_("Still have a question about this? Reply on the page of your question: "
                       "it opens again."))
        _to_entrepreneur(session, case, subject, lines, token, base_url)


def handoff_consent_asked(session: Session, case: Case, from_desk: DeskInfo, to_desk: DeskInfo,
                          token: str, base_url: str) -> None:
    with language(case.language):
        subject = _("May we pass your question %(reference)s on?", reference=case.reference)
        lines = [_("%(from_desk)s thinks %(to_desk)s can help you better with your question "
                   "%(reference)s, and would like to pass it on.", from_desk=from_desk.name,
                   to_desk=to_desk.name, reference=case.reference),
                 _("Answer yes or no on the page of your question. Nothing is passed on "
                   "without your consent.")]
        _to_entrepreneur(session, case, subject, lines, token, base_url)


def link_again(session: Session, case: Case, token: str, base_url: str) -> None:
    with language(case.language):
        subject = _("Your link for question %(reference)s", reference=case.reference)
        lines = [_("You asked for a new link to your question %(reference)s.",
                   reference=case.reference)]
        _to_entrepreneur(session, case, subject, lines, token, base_url)


# --- to desk members -----------------------------------------------------------------------

def new_case(session: Session, case: Case, desk: DeskInfo, base_url: str,
             dedupe: str | None = None) -> None:
    assert desk.id is not None
    with language(STAFF_LANGUAGE):
        theme = choices.label(session, "theme",
                              case.theme or (case.themes[0] if case.themes else None))
        subject = _("New question %(reference)s for %(desk)s", reference=case.reference,
                    desk=desk.name)
        lines = [_("A new question has arrived at %(desk)s.", desk=desk.name)]
        if theme:
            lines.append(_("Topic: %(theme)s", theme=theme))
        lines += [_("First response due: %(due)s", due=_when(case.first_response_due_at)),
                  "", _workspace_link(base_url, case)]
        _send_all(session, member_emails(session, desk.id), subject, "\n".join(lines), dedupe)


def handoff_offered(session: Session, case: Case, handoff: CaseHandoff, from_desk: DeskInfo,
                    to_desk: DeskInfo, base_url: str) -> None:
    assert to_desk.id is not None
    with language(STAFF_LANGUAGE):
        subject = _("%(desk)s offers you question %(reference)s", desk=from_desk.name,
                    reference=case.reference)
        lines = [_("%(from_desk)s would like to hand question %(reference)s on to "
                   "%(to_desk)s. Please accept or decline it.", from_desk=from_desk.name,
                   to_desk=to_desk.name, reference=case.reference),
                 "", _workspace_link(base_url, case)]
        _send_all(session, member_emails(session, to_desk.id), subject, "\n".join(lines))


def handoff_declined(session: Session, case: Case, handoff: CaseHandoff, to_desk: DeskInfo,
                     base_url: str) -> None:
    to: list[str] = []
    email = accounts_q.active_email(session, handoff.offered_by)
    if email is not None:
        to = [email]
    if not to:
        to = member_emails(session, handoff.from_desk_id)
    with language(STAFF_LANGUAGE):
        subject = _("%(desk)s declined question %(reference)s", desk=to_desk.name,
                    reference=case.reference)
        lines = [_("%(desk)s did not take over question %(reference)s; it stays with your "
                   "desk.", desk=to_desk.name, reference=case.reference),
                 "", _workspace_link(base_url, case)]
        _send_all(session, to, subject, "\n".join(lines))


def overdue(session: Session, case: Case, desk: DeskInfo, level: int, base_url: str) -> None:
    assert desk.id is not None
    with language(STAFF_LANGUAGE):
        subject = _("Question %(reference)s is overdue", reference=case.reference)
        lines = [_("Question %(reference)s at %(desk)s has had no response since %(received)s; "
                   "the first response was due %(due)s.", reference=case.reference,
                   desk=desk.name, received=_when(case.received_at),
                   due=_when(case.first_response_due_at)),
                 _("If it still has no response by %(when)s, it moves to the national "
                   "fallback desk.", when=_when(case.escalate_at)),
                 "", _workspace_link(base_url, case)]
        _send_all(session, coordinator_emails(session, desk.id), subject, "\n".join(lines),
                  dedupe=f"case:{case.id}:overdue:{level}")


def entrepreneur_replied(session: Session, case: Case, base_url: str) -> None:
    to: list[str] = []
    email = accounts_q.active_email(session, case.assigned_to)
    if email is not None:
        to = [email]
    if not to:
        to = member_emails(session, case.desk_id)
    with language(STAFF_LANGUAGE):
        subject = _("New reply on question %(reference)s", reference=case.reference)
        lines = [_("The entrepreneur has replied on question %(reference)s.",
                   reference=case.reference), "", _workspace_link(base_url, case)]
        _send_all(session, to, subject, "\n".join(lines))


def handoff_consent_answered(session: Session, case: Case, asked_by: int | None, agreed: bool,
                             to_slug: str, base_url: str) -> None:
    """To the advisor who asked (else the desk's members): the entrepreneur answered."""
    to_desk = desks.desk_by_slug(session, to_slug)
    user = accounts_q.user(session, asked_by)
    recipients = [user.email] if user is not None and user.email else member_emails(
        session, case.desk_id)
    with language(STAFF_LANGUAGE):
        name = to_desk.name if to_desk else to_slug
        subject = (_("Consent to hand question %(reference)s on to %(desk)s",
                     reference=case.reference, desk=name) if agreed else
                   _("No consent to hand question %(reference)s on to %(desk)s",
                     reference=case.reference, desk=name))
        lines = [_("The entrepreneur has answered your question about handing on."),
                 "", _workspace_link(base_url, case)]
        _send_all(session, recipients, subject, "\n".join(lines))


def assigned_to_you(session: Session, case: Case, user_id: int, base_url: str) -> None:
    user = accounts_q.user(session, user_id)
    if user is None or not user.is_active:
        return
    with language(STAFF_LANGUAGE):
        subject = _("Question %(reference)s has been assigned to you", reference=case.reference)
        lines = [_("A colleague has assigned question %(reference)s to you.",
                   reference=case.reference), "", _workspace_link(base_url, case)]
        _send_all(session, [user.email], subject, "\n".join(lines))
