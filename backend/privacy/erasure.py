"""Anonymising cases and erasing people (art. 17 AVG).

Two acts, used by erasure on request and by the retention job alike:

- ``anonymise_case`` keeps what the figures need (desk, themes, municipality, sector, size,
  status, outcome, dates, SLA clock, rating score) and removes what identifies or was written
  by the entrepreneur or about them: contact data, KvK number, postcode, the question, every
  text on the timeline, hand-off notes, the rating's comment, the scan summary and the private
  links. The empty ``contact_email`` marks a case as anonymised, so running it twice is a no-op.
- ``erase_subject`` removes a person: their account (sessions, tokens, login links, roles,
  desk memberships, saved profiles, scans), their cases (anonymised), what they wrote in groups,
  the name on revisions they made, the IP addresses in the audit entries about them, and every
  outbox row (pending, delivered, kept mail, failed) that names them. Audit entries stay, with
  ids only: they are the record that the erasure happened.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.accounts.models import AuditEvent, User
from backend.accounts.service import normalise_email
from backend.cases.models import (
    CLOSED,
    OPEN_STATUSES,
    Case,
    CaseAccessToken,
    CaseEvent,
    CaseHandoff,
    CaseRating,
)
from backend.cases.models_human import CaseReferral
from backend.community.models import (
    Firm,
    FirmPerson,
    GroupComment,
    GroupJoinRequest,
    GroupPost,
    GroupPostReport,
)
from backend.content.models import ContentRevision
from backend.core.db import MAX_ROW_ID, utcnow
from backend.core.outbox import OutboxMessage
from backend.scan.models import ScanAttachment, ScanResult

_CODE = re.compile(r"^[A-Za-z0-9_.:-]{0,100}$")
OUTBOX_CHUNK = 500


@dataclass
class Subject:
    """Whom a request is about: an account, an e-mail address, or both."""

    user_id: int | None = None
    email: str | None = None

    @property
    def label(self) -> str:
        return f"user {self.user_id}" if self.user_id is not None else "e-mail address"


@dataclass
class ErasureReport:
    account: int = 0
    cases: int = 0
    scans: int = 0
    posts: int = 0
    comments: int = 0
    reports: int = 0
    outbox: int = 0
    firms: int = 0
    needles: list[str] = field(default_factory=list)  # what names the person (not counted)

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if k != "needles"}


def resolve_subject(session: Session, text: str) -> tuple[Subject, User | None]:
    """``text`` is an e-mail address or a user id. The account is found either way."""
    value = text.strip()
    # ASCII digits only ("¹".isdigit() is true too), and an id the database can hold.
    if value.isascii() and value.isdigit() and int(value) <= MAX_ROW_ID:
        user = session.get(User, int(value))
        return Subject(user_id=user.id if user else int(value),
                       email=user.email if user else None), user
    email = normalise_email(value)
    user = session.exec(select(User).where(sa.func.lower(User.email) == email)).first()
    return Subject(user_id=user.id if user else None, email=email), user


def rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE touched."""
    return int(getattr(result, "rowcount", 0) or 0)


def _is_code(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float) or (
        isinstance(value, str) and bool(_CODE.match(value)))


# --- cases -------------------------------------------------------------------------------

def anonymise_case(session: Session, case: Case, *, now: datetime | None = None,
                   close: bool = False) -> bool:
    """Strip the case of personal data. False when it was anonymised before.

    ``close`` also closes an abandoned open case (outcome ``no_follow_up``), so that an empty
    case never waits in a desk's inbox.
    """
    return anonymise_cases(session, [case], now=now, close=close) == 1


def anonymise_cases(session: Session, cases: Sequence[Case], *, now: datetime | None = None,
                    close: bool = False) -> int:
    """``anonymise_case`` for many cases with a fixed number of statements (the retention job
    works through thousands). Returns how many were not anonymised before."""
    todo = [c for c in cases if c.contact_email != ""]
    ids = [c.id for c in todo if c.id is not None]
    if not ids:
        return 0
    now = now or utcnow()
    for case in todo:
        case.text = ""
        case.contact_email = ""
        case.contact_name = None
        case.contact_phone = None
        case.kvk_number = None
        case.postcode = None
        case.routing = {}
        case.consent_record = None  # who gave consent orally (issue 18)
        case.followup_opt_in = False
        if close and case.status in OPEN_STATUSES:
            case.status = CLOSED
            case.outcome = case.outcome or "no_follow_up"
            case.closed_at = now
            session.add(CaseEvent(case_id=case.id or 0, kind=CLOSED, at=now,
                                  desk_id=case.desk_id,
                                  data={"outcome": case.outcome, "reason": "retention"}))
        session.add(case)
    session.flush()
    # Keep the timeline's structure (kinds, desks, assignees, outcome, score); drop every text.
    session.execute(sa.update(CaseEvent).where(col(CaseEvent.case_id).in_(ids),
                                               col(CaseEvent.body).is_not(None))
                    .values(body=None))
    changed = []
    for event_id, data in session.exec(select(CaseEvent.id, CaseEvent.data)
                                       .where(col(CaseEvent.case_id).in_(ids))).all():
        kept = {k: v for k, v in (data or {}).items() if _is_code(v)}
        if kept != (data or {}):
            changed.append({"event_id": event_id, "kept": kept})
    if changed:
        table: sa.Table = CaseEvent.__table__  # type: ignore[attr-defined]
        session.connection().execute(
            sa.update(table).where(table.c.id == sa.bindparam("event_id"))
            .values(data=sa.bindparam("kept")), changed)
    session.execute(sa.update(CaseHandoff).where(col(CaseHandoff.case_id).in_(ids))
                    .values(note="", decision_note=None))
    session.execute(sa.update(CaseRating).where(col(CaseRating.case_id).in_(ids))
                    .values(comment=None))
    session.execute(sa.update(ScanAttachment).where(col(ScanAttachment.case_id).in_(ids))
                    .values(summary=""))
    session.execute(sa.update(CaseReferral).where(col(CaseReferral.case_id).in_(ids))
                    .values(reason=""))
    session.execute(sa.delete(CaseAccessToken).where(col(CaseAccessToken.case_id).in_(ids)))
    # Audit entries about the cases keep their ids and codes, not the address they came from.
    session.execute(sa.update(AuditEvent).where(
        col(AuditEvent.target_type) == "case",
        col(AuditEvent.target_id).in_([str(i) for i in ids])).values(ip=None))
    session.expire_all()  # the bulk statements changed rows the session may hold
    return len(ids)


def cases_of(session: Session, email: str) -> list[Case]:
    """Cases asked with this e-mail address (compared case-insensitively)."""
    email = normalise_email(email)
    if not email:
        return []
    return list(session.exec(select(Case).where(sa.func.lower(Case.contact_email) == email)
                             .order_by(col(Case.id))).all())


# --- the outbox --------------------------------------------------------------------------

def strings_in(value: Any) -> Iterable[str]:
    """Every string in a JSON value (keys and values), decoded: what a person would read."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)
    elif value is not None:
        yield str(value)


_TOKEN = re.compile(r"[\w@+-]+(?:\.[\w@+-]+)*")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


class Mentions:
    """Whole-word, case-insensitive occurrences of any of ``needles`` (names, addresses,
    phone numbers, references) in a text, so that "Jan" does not match "januari".

    The text is split into words once and every needle is looked up as a run of words in a
    set: checking a thousand needles costs about as much as checking one.
    """

    def __init__(self, needles: Iterable[str]) -> None:
        self.grams: dict[int, set[str]] = {}
        self.first_words: set[str] = set()
        for needle in needles:
            words = _tokens(needle or "")
            joined = " ".join(words)
            if len(joined) >= 3:
                self.grams.setdefault(len(words), set()).add(joined)
                self.first_words.add(words[0])

    def __bool__(self) -> bool:
        return bool(self.grams)

    def found_in(self, text: str) -> bool:
        if len(self.first_words) <= 32:  # one person: a substring test rules most texts out
            low = text.lower()
            if not any(word in low for word in self.first_words):
                return False
        words = _tokens(text)
        for i, word in enumerate(words):
            if word not in self.first_words:
                continue
            for n, wanted in self.grams.items():
                if " ".join(words[i:i + n]) in wanted:
                    return True
        return False


def outbox_rows_mentioning(session: Session, needles: Iterable[str]) -> list[int]:
    """Ids of outbox rows whose payload or error names one of ``needles`` (any status).

    Checked in Python on the decoded payload: a name with accents is escaped in stored JSON
    (and a line break inside a name is stored as ``\\n``), so ``LIKE`` on the column could
    miss it. Only when every needle is plain ASCII without spaces (an e-mail address, a
    reference) does the database narrow the rows down first.
    """
    needles = [n for n in needles if n]
    mentions = Mentions(needles)
    if not mentions:
        return []
    narrow: list[Any] = []
    if all(n.isascii() and not any(c.isspace() or c in '"\\' for c in n) for n in needles):
        texts = (sa.cast(OutboxMessage.payload, sa.Text), col(OutboxMessage.last_error),
                 col(OutboxMessage.dedupe_key))
        narrow.append(sa.or_(*(sa.func.lower(t).contains(n.lower(), autoescape=True)
                               for t in texts for n in needles)))
    found: list[int] = []
    last = 0
    while True:
        rows = session.exec(select(OutboxMessage.id, OutboxMessage.payload,
                                   OutboxMessage.last_error, OutboxMessage.dedupe_key)
                            .where(col(OutboxMessage.id) > last, *narrow)
                            .order_by(col(OutboxMessage.id)).limit(OUTBOX_CHUNK)).all()
        if not rows:
            return found
        for row_id, payload, error, dedupe in rows:
            text = "\n".join((*strings_in(payload), error or "", dedupe or ""))
            if mentions.found_in(text):
                found.append(int(row_id or 0))
        last = int(rows[-1][0] or 0)


def purge_outbox(session: Session, needles: Iterable[str]) -> int:
    ids = outbox_rows_mentioning(session, needles)
    for start in range(0, len(ids), OUTBOX_CHUNK):
        session.execute(sa.delete(OutboxMessage).where(
            col(OutboxMessage.id).in_(ids[start:start + OUTBOX_CHUNK])))
    return len(ids)


# --- people ------------------------------------------------------------------------------

def _erase_account(session: Session, user: User, report: ErasureReport) -> None:
    uid = user.id
    assert uid is not None
    scans = session.exec(select(ScanResult.id).where(ScanResult.user_id == uid)).all()
    if scans:
        session.execute(sa.delete(ScanResult).where(col(ScanResult.id).in_(scans)))
    report.scans = len(scans)
    posts = session.exec(select(GroupPost.id).where(GroupPost.author_id == uid)).all()
    if posts:
        session.execute(sa.delete(GroupPost).where(col(GroupPost.id).in_(posts)))
    report.posts = len(posts)
    report.comments = rowcount(session.execute(sa.delete(GroupComment).where(
        col(GroupComment.author_id) == uid)))
    report.reports = rowcount(session.execute(sa.delete(GroupPostReport).where(
        col(GroupPostReport.reporter_id) == uid)))
    session.execute(sa.update(GroupJoinRequest).where(col(GroupJoinRequest.requested_by) == uid)
                    .values(message=""))
    session.execute(sa.update(ContentRevision).where(col(ContentRevision.author_id) == uid)
                    .values(author_name=""))
    session.execute(sa.update(AuditEvent).where(sa.or_(
        col(AuditEvent.actor_user_id) == uid,
        (col(AuditEvent.target_type) == "user") & (col(AuditEvent.target_id) == str(uid)),
    )).values(ip=None))
    # A firm is the person's own when nobody else works for it (a zzp'er, typically).
    person = session.get(FirmPerson, uid)
    firm_id = person.firm_id if person else None
    session.delete(user)  # roles, sessions, tokens, links, desk and firm ties cascade
    session.flush()
    if firm_id is not None:
        others = session.exec(select(FirmPerson.user_id)
                              .where(FirmPerson.firm_id == firm_id)).first()
        firm = session.get(Firm, firm_id)
        if others is None and firm is not None and not firm.is_example:
            session.delete(firm)  # memberships, figures and ranks cascade
            report.firms = 1
    report.account = 1


def erase_subject(session: Session, subject: Subject, *, names: Sequence[str] = (),
                  now: datetime | None = None, purge: bool = True) -> ErasureReport:
    """Erase everything Loket holds about ``subject``. Idempotent; flushes, never commits.

    ``names`` are further strings that identify the person; outbox rows naming any of them
    are deleted too. ``purge=False`` leaves the outbox to the caller, who erases many people
    and scans the outbox once for all of them (``report.needles``).
    """
    report = ErasureReport()
    user = session.get(User, subject.user_id) if subject.user_id is not None else None
    email = subject.email or (user.email if user else None)
    needles: list[str] = [*names]
    if user is not None:
        needles += [user.email, user.name]
    cases = cases_of(session, email) if email else []
    if email:
        needles.append(email)
    for case in cases:
        needles += [case.contact_name or "", case.contact_phone or "", case.reference]
    report.cases = anonymise_cases(session, cases, now=now, close=True)
    if user is not None:
        _erase_account(session, user, report)
    report.needles = [n for n in needles if n]
    if purge:
        report.outbox = purge_outbox(session, report.needles)
    session.flush()
    return report
