"""Outcome follow-up: 3 and 6 months after a case closed, an entrepreneur who opted in (a
checkbox when asking, or the advisor's intake) gets a mail with a link to a short answer
page — did you act, apply for a scheme, get it, see a change, and, after a referral outside
Loket, did the referral help — and a link to stop these mails.

The periodic job ``cases.followup`` sends what is due; ``send_followups(now=…)`` takes the
clock as a parameter so tests can travel in time. A round is sent once per case (unique
``(case_id, round)``); only the latest due round is sent, so a case closed long ago does not
get both mails at once. Answers are rows of (question, answer); other domains read them only
as aggregates through ``backend.cases.queries.followup_outcomes``.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.cases import notify
from backend.cases.models import FOLLOWUP_ANSWERED, FOLLOWUP_STOPPED, Case
from backend.cases.models_human import CaseFollowup, CaseFollowupAnswer, CaseReferral
from backend.cases.service import add_event, audit
from backend.core.db import utcnow
from backend.core.errors import Invalid, NotFound
from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _
from backend.core.mail import send_mail
from backend.core.outbox import WorkerContext
from backend.core.security import sha256_hex
from backend.core.worker import periodic

log = logging.getLogger("loket.cases.followup")

ROUNDS = {3: timedelta(days=91), 6: timedelta(days=182)}  # months after closing
TOKEN_BYTES = 24
BATCH = 200

# question → allowed answers. "referral_helped" is asked only after a referral outside Loket.
QUESTIONS: dict[str, tuple[str, ...]] = {
    "acted": ("yes", "partly", "no"),
    "applied_scheme": ("yes", "no"),
    "got_scheme": ("yes", "pending", "no", "na"),
    "change": ("yes", "too_early", "no"),
    "referral_helped": ("yes", "partly", "no"),
}
QUESTION_TEXT = {
    "acted": N_("Did you act on the advice?"),
    "applied_scheme": N_("Did you apply for a scheme (subsidy, loan, tax arrangement)?"),
    "got_scheme": N_("Did you get it?"),
    "change": N_("Do you see a change in your business, such as higher productivity?"),
    "referral_helped": N_("Did the organisation we referred you to help?"),
}
ANSWER_TEXT = {"yes": N_("Yes"), "partly": N_("Partly"), "no": N_("No"),
               "pending": N_("Still waiting"), "na": N_("Did not apply"),
               "too_early": N_("Too early to say")}


def questions_for(session: Session, case: Case) -> list[str]:
    referred = session.exec(select(CaseReferral.id)
                            .where(CaseReferral.case_id == case.id)).first() is not None
    return [q for q in QUESTIONS if q != "referral_helped" or referred]


def _links(base_url: str, token: str) -> tuple[str, str]:
    return f"{base_url}/vraag/nazorg/{token}", f"{base_url}/vraag/nazorg/{token}/afmelden"


def _due(session: Session, round_: int, now: datetime) -> list[Case]:
    sent = select(CaseFollowup.case_id).where(CaseFollowup.round == round_)
    stmt = (select(Case).where(col(Case.status) == "closed", col(Case.followup_opt_in).is_(True),
                               col(Case.contact_email) != "",
                               col(Case.closed_at) <= now - ROUNDS[round_],
                               col(Case.id).not_in(sent)))
    later = [r for r in ROUNDS if r > round_]
    if later:  # past the next round's moment: only that one is sent
        stmt = stmt.where(col(Case.closed_at) > now - ROUNDS[min(later)])
    return list(session.exec(stmt.order_by(col(Case.id)).limit(BATCH)).all())


def send_followups(session: Session, *, now: datetime | None = None, base_url: str = ""
                   ) -> dict[int, int]:
    """Send every follow-up mail due at ``now``; returns how many per round."""
    now = now or utcnow()
    counts = dict.fromkeys(ROUNDS, 0)
    for round_ in sorted(ROUNDS):
        for case in _due(session, round_, now):
            assert case.id is not None
            token = secrets.token_urlsafe(TOKEN_BYTES)
            followup = CaseFollowup(case_id=case.id, round=round_, token_hash=sha256_hex(token),
                                    sent_at=now)
            try:
                with session.begin_nested():
                    session.add(followup)
                    session.flush()
            except sa.exc.IntegrityError:  # another run sent it
                continue
            answer_url, stop_url = _links(base_url, token)
            with notify.language(case.language):
                subject = _("How is it going? Your question %(reference)s, %(months)s months "
                            "on", reference=case.reference, months=round_)
                lines = [
                    _("%(months)s months ago we closed your question %(reference)s. Did it "
                      "help? Answering takes a minute and helps us improve the support for "
                      "entrepreneurs.", months=round_, reference=case.reference),
                    "", answer_url, "",
                    _("No more of these mails? Stop them here: %(url)s", url=stop_url)]
                send_mail(session, to=case.contact_email, subject=subject,
                          text="\n".join(lines) + notify._signature(),
                          dedupe_key=f"case:{case.id}:followup:{round_}")
            counts[round_] += 1
    return counts


@periodic("cases.followup", every=timedelta(hours=6))
def run_followups(ctx: WorkerContext) -> None:
    with ctx.db.transaction() as session:
        counts = send_followups(session, base_url=ctx.settings.base_url)
    if any(counts.values()):
        log.info("follow-up mails sent", extra={f"round_{k}": v for k, v in counts.items()})


# --- the entrepreneur's answers ------------------------------------------------------------

class FollowupNotFound(NotFound):
    code = "followup_not_found"
    message = N_("This link is not valid (any more).")


def by_token(session: Session, token: str) -> tuple[CaseFollowup, Case]:
    if not token or len(token) > 100:
        raise FollowupNotFound()
    followup = session.exec(select(CaseFollowup)
                            .where(CaseFollowup.token_hash == sha256_hex(token))).first()
    case = session.get(Case, followup.case_id) if followup else None
    if followup is None or case is None or not case.contact_email:
        raise FollowupNotFound()
    return followup, case


def answers_of(session: Session, followup: CaseFollowup) -> dict[str, str]:
    rows = session.exec(select(CaseFollowupAnswer)
                        .where(CaseFollowupAnswer.followup_id == followup.id)).all()
    return {r.question: r.answer for r in rows}


def answer(session: Session, token: str, answers: dict[str, str], *,
           now: datetime | None = None, ip: str | None = None) -> CaseFollowup:
    """Store the answers (the last submission counts). Unanswered questions stay open."""
    followup, case = by_token(session, token)
    asked = questions_for(session, case)
    given = {q: (answers.get(q) or "").strip() for q in asked}
    given = {q: a for q, a in given.items() if a}
    bad = {q: _("Choose one of the answers.") for q, a in given.items()
           if a not in QUESTIONS[q]}
    if not given:
        bad["acted"] = _("Answer at least one question.")
    if bad:
        raise Invalid(fields=bad)
    assert followup.id is not None
    session.exec(sa.delete(CaseFollowupAnswer)
                 .where(col(CaseFollowupAnswer.followup_id) == followup.id))
    for q, a in given.items():
        session.add(CaseFollowupAnswer(followup_id=followup.id, question=q, answer=a))
    first = followup.answered_at is None
    followup.answered_at = now or utcnow()
    session.add(followup)
    session.flush()
    if first:
        add_event(session, case, FOLLOWUP_ANSWERED, actor="entrepreneur", round=followup.round)
    audit(session, "case.followup_answered", case, ip=ip, round=followup.round)
    return followup


def stop(session: Session, token: str, *, ip: str | None = None) -> Case:
    """Unsubscribe: no further follow-up mails for this case."""
    _followup, case = by_token(session, token)
    if case.followup_opt_in:
        case.followup_opt_in = False
        session.add(case)
        add_event(session, case, FOLLOWUP_STOPPED, actor="entrepreneur")
        audit(session, "case.followup_stopped", case, ip=ip)
    return case
