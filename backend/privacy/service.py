"""The acts behind the privacy pages and API: find a person, summarise, export, erase.

Every hand-out of an export by an admin and every erasure is an audit entry. The entry names
the account by its id, or an e-mail address by its keyed fingerprint: the audit log never holds
the address itself, yet a later request about the same address can be matched to it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, func, select

from backend.accounts.models import GLOBAL_ROLES, User, UserRole
from backend.accounts.principal import Principal
from backend.accounts.service import email_fingerprint, record_audit
from backend.community.models import GroupComment, GroupPost
from backend.core.db import truncate_wal_after_commit
from backend.core.errors import Invalid, NotFound
from backend.core.i18n import N_
from backend.core.settings import Settings
from backend.privacy.erasure import (
    ErasureReport,
    Subject,
    cases_of,
    erase_subject,
    outbox_rows_mentioning,
    resolve_subject,
)
from backend.privacy.export import content_naming, export_subject
from backend.scan.models import ScanResult


def _count(session: Session, stmt: Any) -> int:
    return int(session.exec(select(func.count()).select_from(stmt.subquery())).one())


def summary(session: Session, subject: Subject, user: User | None) -> dict[str, Any]:
    """What is held, in counts (for the pages; the export has the contents)."""
    email = subject.email or (user.email if user else None)
    cases = cases_of(session, email) if email else []
    uid = user.id if user else None
    return {
        "user": user,
        "email": email,
        "cases": len(cases),
        "open_cases": sum(1 for c in cases if c.status != "closed"),
        "scans": _count(session, select(ScanResult.id).where(ScanResult.user_id == uid))
        if uid else 0,
        "posts": _count(session, select(GroupPost.id).where(GroupPost.author_id == uid))
        + _count(session, select(GroupComment.id).where(GroupComment.author_id == uid))
        if uid else 0,
        "mail": len(outbox_rows_mentioning(session, [email])) if email else 0,
        "content": (content := content_naming(session, email or "")),
        "found": bool(user is not None or cases or content),
    }


def find(session: Session, text: str) -> tuple[Subject, User | None] | None:
    """The subject named by ``text``, or None when Loket holds nothing about it."""
    if not text.strip():
        return None
    subject, user = resolve_subject(session, text)
    if user is None and (subject.email is None or "@" not in subject.email):
        return None
    email = subject.email or ""
    if user is None and not cases_of(session, email) and not content_naming(session, email) \
            and not outbox_rows_mentioning(session, [email]):
        return None
    return subject, user


def _target(settings: Settings, subject: Subject) -> tuple[str, str]:
    if subject.user_id is not None:
        return "user", str(subject.user_id)
    return "email", email_fingerprint(subject.email or "", settings.secret_key)


def audit_export(session: Session, settings: Settings, subject: Subject, *,
                 actor: Principal, ip: str | None) -> None:
    target_type, target_id = _target(settings, subject)
    record_audit(session, "privacy.export", actor=actor, target_type=target_type,
                 target_id=target_id, ip=ip)


def may_erase_self(session: Session, user_id: int | None) -> bool:
    """Admins and editors are erased by another admin (so the last admin cannot vanish)."""
    if user_id is None:
        return False
    roles = session.exec(select(UserRole.role).where(UserRole.user_id == user_id,
                                                     col(UserRole.role).in_(GLOBAL_ROLES)))
    return roles.first() is None


def erase(session: Session, settings: Settings, subject: Subject, *,
          actor: Principal | None, ip: str | None, self_service: bool = False
          ) -> ErasureReport:
    target_type, target_id = _target(settings, subject)
    report = erase_subject(session, subject)
    # SQLite keeps old row versions in its WAL file until a checkpoint: empty it once this
    # transaction has committed (secure_delete zeroes what the checkpoint overwrites).
    truncate_wal_after_commit(session)
    record_audit(session, "privacy.erase", actor=actor, target_type=target_type,
                 target_id=target_id, ip=ip, self_service=self_service, **report.counts())
    return report


# --- requests by an admin ------------------------------------------------------------------

class SubjectNotFound(NotFound):
    code = "subject_not_found"
    message = "Loket holds no data about this e-mail address or user."


def _found(session: Session, text: str) -> Subject:
    found = find(session, text)
    if found is None:
        raise SubjectNotFound(fields={"subject": N_(
            "Enter an e-mail address or a user number we hold data about.")})
    return found[0]


def export_on_request(session: Session, settings: Settings, text: str, *, actor: Principal,
                      ip: str | None) -> dict[str, Any]:
    """An admin's export of everything held about the person ``text`` names (audited)."""
    subject = _found(session, text)
    data = export_subject(session, subject, include_internal=True)
    audit_export(session, settings, subject, actor=actor, ip=ip)
    return data


def erase_on_request(session: Session, settings: Settings, text: str, confirm: str, *,
                     actor: Principal, ip: str | None) -> ErasureReport:
    """An admin's erasure of the person ``text`` names: confirmed by typing it again, and never
    the admin's own account (that goes through My data, so the last admin cannot vanish)."""
    subject = _found(session, text)
    if confirm.strip().lower() != text.strip().lower():
        raise Invalid(fields={"confirm": N_(
            "Type the e-mail address or user number again to confirm.")})
    if subject.user_id is not None and subject.user_id == actor.user_id:
        raise Invalid(fields={"subject": N_(
            "You cannot erase your own account here; use My data.")})
    return erase(session, settings, subject, actor=actor, ip=ip)
