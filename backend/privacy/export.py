"""Everything Loket holds about a person, as one JSON document (art. 15 and 20 AVG).

``export_subject`` is what an admin hands out on request and what account holders download
themselves; ``export_case`` is what an entrepreneur gets through their private link. Secrets
never leave: of tokens, links and sessions only their metadata is exported, never a hash.

Internal case notes and hand-off notes (the advisors' working notes) are in the admin's export
only: handing them out is a decision the organisation takes per request (art. 15(4) AVG,
other people's rights), not something a download does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.accounts.models import ApiToken, AuditEvent, LoginLink, User, UserRole, WebSession
from backend.cases.models import Case, CaseEvent, CaseHandoff, CaseRating
from backend.cases.models_human import CaseReferral
from backend.community.models import (
    BenchmarkPeriod,
    Firm,
    FirmPerson,
    Group,
    GroupComment,
    GroupJoinRequest,
    GroupMembership,
    GroupPost,
    GroupPostReport,
    Kpi,
    KpiFigure,
)
from backend.content.models import ContentItem, ContentRevision
from backend.core.db import utcnow
from backend.core.outbox import OutboxMessage
from backend.privacy.erasure import OUTBOX_CHUNK, Subject, cases_of
from backend.routing.models import Desk, DeskMember
from backend.scan.models import ScanAttachment, ScanResult
from backend.schemes.models import SavedScheme, SchemeProfile

FORMAT = "loket-export/1"


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _desk_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {int(d.id or 0): d.name for d in
            session.exec(select(Desk).where(col(Desk.id).in_(wanted))).all()}


def _scan(result: ScanResult) -> dict[str, Any]:
    return {"id": result.id, "version": result.version, "created_at": _ts(result.created_at),
            "company_size": result.company_size, "sector": result.sector,
            "municipality_code": result.municipality_code, "province": result.province,
            "answers": result.answers, "scores": result.scores,
            "has_private_link": result.token_hash is not None,
            "previous_id": result.previous_id}


def export_case(session: Session, case: Case, *, include_internal: bool) -> dict[str, Any]:
    events = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)
                          .order_by(col(CaseEvent.at), col(CaseEvent.id))).all()
    if not include_internal:
        events = [e for e in events if not e.internal]
    desks = _desk_names(session, {case.desk_id, *(e.desk_id for e in events)})
    rating = session.get(CaseRating, case.id)
    attachments = session.exec(
        select(ScanAttachment, ScanResult)
        .join(ScanResult, col(ScanResult.id) == col(ScanAttachment.result_id))
        .where(ScanAttachment.case_id == case.id)).all()
    out: dict[str, Any] = {
        "reference": case.reference, "status": case.status, "outcome": case.outcome,
        "source": case.source, "channel": case.channel, "language": case.language,
        "consent_given_orally": case.consent_record,
        "followup_opt_in": case.followup_opt_in,
        "referrals": [{"organisation": r.organisation_name, "url": r.organisation_url,
                       "reason": r.reason, "at": _ts(r.referred_at)}
                      for r in session.exec(select(CaseReferral)
                                            .where(CaseReferral.case_id == case.id)).all()],
        "received_at": _ts(case.received_at), "answered_at": _ts(case.answered_at),
        "closed_at": _ts(case.closed_at), "consent_at": _ts(case.consent_at),
        "question": case.text, "theme": case.theme, "themes": case.themes,
        "municipality_code": case.municipality_code, "postcode": case.postcode,
        "sector": case.sector, "company_size": case.company_size,
        "contact": {"email": case.contact_email, "name": case.contact_name,
                    "phone": case.contact_phone, "kvk_number": case.kvk_number},
        "desk": desks.get(case.desk_id),
        "timeline": [{"at": _ts(e.at), "kind": e.kind, "actor": e.actor,
                      "desk": desks.get(e.desk_id or 0), "internal": e.internal,
                      "text": e.body} for e in events],
        "rating": ({"score": rating.score, "comment": rating.comment,
                    "rated_at": _ts(rating.rated_at)} if rating else None),
        "attached_scans": [{**_scan(result), "summary": att.summary}
                           for att, result in attachments],
    }
    if include_internal:
        handoffs = session.exec(select(CaseHandoff).where(CaseHandoff.case_id == case.id)
                                .order_by(col(CaseHandoff.offered_at))).all()
        desk_ids: set[int | None] = {h.to_desk_id for h in handoffs}
        names = _desk_names(session, desk_ids | {h.from_desk_id for h in handoffs})
        out["handoffs"] = [{"from": names.get(h.from_desk_id), "to": names.get(h.to_desk_id),
                            "status": h.status, "consent": h.consent, "note": h.note,
                            "decision_note": h.decision_note, "offered_at": _ts(h.offered_at),
                            "decided_at": _ts(h.decided_at)} for h in handoffs]
    return out


def _mail_to(session: Session, email: str) -> list[dict[str, Any]]:
    """Mail addressed to ``email`` still in the outbox (pending, delivered, kept or failed)."""
    out: list[dict[str, Any]] = []
    where: list[Any] = [OutboxMessage.kind == "mail.send"]
    if email.isascii():
        # Stored JSON holds an ASCII address as it is: let the database skip the rest.
        where.append(sa.func.lower(sa.cast(OutboxMessage.payload, sa.Text))
                     .contains(email, autoescape=True))
    last = 0
    while True:
        rows = session.exec(select(OutboxMessage.id, OutboxMessage.payload,
                                   OutboxMessage.status, OutboxMessage.created_at)
                            .where(*where, col(OutboxMessage.id) > last)
                            .order_by(col(OutboxMessage.id)).limit(OUTBOX_CHUNK)).all()
        if not rows:
            return out
        for _id, payload, status, created_at in rows:
            if str(payload.get("to", "")).strip().lower() == email:
                out.append({"created_at": _ts(created_at), "status": status,
                            "delivery": payload.get("delivery"),
                            "subject": payload.get("subject"), "text": payload.get("text")})
        last = int(rows[-1][0] or 0)


def _account(session: Session, user: User) -> dict[str, Any]:
    uid = user.id
    roles = session.exec(select(UserRole).where(UserRole.user_id == uid)).all()
    sessions = session.exec(select(WebSession).where(WebSession.user_id == uid)
                            .order_by(col(WebSession.created_at))).all()
    tokens = session.exec(select(ApiToken).where(ApiToken.user_id == uid)).all()
    links = session.exec(select(LoginLink).where(LoginLink.user_id == uid)).all()
    desks = session.exec(select(DeskMember, Desk)
                         .join(Desk, col(Desk.id) == col(DeskMember.desk_id))
                         .where(DeskMember.user_id == uid)).all()
    return {
        "account": {"id": uid, "email": user.email, "name": user.name,
                    "is_active": user.is_active, "created_at": _ts(user.created_at),
                    "last_login_at": _ts(user.last_login_at),
                    "has_password": user.password_hash is not None,
                    "has_sso": user.oidc_subject is not None,
                    "roles": [{"role": r.role, "granted_at": _ts(r.granted_at)} for r in roles]},
        "sessions": [{"created_at": _ts(s.created_at), "last_seen_at": _ts(s.last_seen_at),
                      "expires_at": _ts(s.expires_at)} for s in sessions],
        "api_tokens": [{"id": t.id, "name": t.name, "prefix": t.prefix, "role": t.role,
                        "created_at": _ts(t.created_at), "expires_at": _ts(t.expires_at),
                        "last_used_at": _ts(t.last_used_at), "revoked_at": _ts(t.revoked_at)}
                       for t in tokens],
        "login_links": [{"created_at": _ts(link.created_at), "expires_at": _ts(link.expires_at),
                         "used_at": _ts(link.used_at)} for link in links],
        "desk_memberships": [{"desk": d.name, "role": m.role, "added_at": _ts(m.added_at)}
                             for m, d in desks],
        "scans": [_scan(r) for r in session.exec(
            select(ScanResult).where(ScanResult.user_id == uid).order_by(col(ScanResult.id)))],
        "scheme_profiles": [
            {"name": p.name, "size": p.size, "sector": p.sector,
             "municipality": p.municipality, "themes": p.themes, "cost_kind": p.cost_kind,
             "amount": p.amount, "alerts": p.alerts, "created_at": _ts(p.created_at)}
            for p in session.exec(select(SchemeProfile).where(SchemeProfile.user_id == uid))],
        "saved_schemes": [
            {"slug": item.slug, "title": item.title, "saved_at": _ts(saved.created_at)}
            for saved, item in session.exec(
                select(SavedScheme, ContentItem).join(
                    ContentItem, col(ContentItem.id) == col(SavedScheme.item_id))
                .where(SavedScheme.user_id == uid).order_by(col(SavedScheme.id)))],
        "content": {
            "items_created": [{"type": i.type, "slug": i.slug, "title": i.title,
                               "status": i.status} for i in session.exec(
                select(ContentItem).where(ContentItem.created_by == uid))],
            "revisions": [{"item_id": r.item_id, "number": r.number, "note": r.note,
                           "author_name": r.author_name, "created_at": _ts(r.created_at)}
                          for r in session.exec(select(ContentRevision)
                                                .where(ContentRevision.author_id == uid))],
        },
    }


def _community(session: Session, uid: int) -> dict[str, Any]:
    person = session.get(FirmPerson, uid)
    firm = session.get(Firm, person.firm_id) if person else None
    groups = {g.id: g.name for g in session.exec(select(Group)).all()}
    out: dict[str, Any] = {"firm": None, "group_memberships": [], "figures": []}
    if firm is not None:
        out["firm"] = {"name": firm.name, "sector": firm.sector, "size_class": firm.size_class}
        out["group_memberships"] = [
            {"group": groups.get(m.group_id), "role": m.role, "joined_at": _ts(m.joined_at)}
            for m in session.exec(select(GroupMembership)
                                  .where(GroupMembership.firm_id == firm.id))]
        # The firm's own figures: only ever shown to the firm itself.
        rows = session.exec(select(KpiFigure, Kpi, BenchmarkPeriod)
                            .join(Kpi, col(Kpi.id) == col(KpiFigure.kpi_id))
                            .join(BenchmarkPeriod,
                                  col(BenchmarkPeriod.id) == col(KpiFigure.period_id))
                            .where(KpiFigure.firm_id == firm.id)).all()
        out["figures"] = [{"group": groups.get(p.group_id), "period": p.label, "kpi": k.key,
                           "value": f.value, "updated_at": _ts(f.updated_at)}
                          for f, k, p in rows]
    posts = session.exec(select(GroupPost).where(GroupPost.author_id == uid)
                         .order_by(col(GroupPost.id))).all()
    out["group_posts"] = [{"group": groups.get(p.group_id), "title": p.title, "text": p.body_md,
                           "hidden": p.hidden, "created_at": _ts(p.created_at)} for p in posts]
    out["group_comments"] = [{"post_id": c.post_id, "text": c.body_md,
                              "created_at": _ts(c.created_at)} for c in session.exec(
        select(GroupComment).where(GroupComment.author_id == uid).order_by(col(GroupComment.id)))]
    out["group_reports"] = [{"post_id": r.post_id, "reason": r.reason,
                             "created_at": _ts(r.created_at)} for r in session.exec(
        select(GroupPostReport).where(GroupPostReport.reporter_id == uid))]
    out["join_requests"] = [{"group": groups.get(r.group_id), "message": r.message,
                             "status": r.status, "created_at": _ts(r.created_at)}
                            for r in session.exec(select(GroupJoinRequest)
                                                  .where(GroupJoinRequest.requested_by == uid))]
    return out


def _audit(session: Session, uid: int | None, case_ids: list[int]) -> list[dict[str, Any]]:
    conditions = []
    if uid is not None:
        conditions += [col(AuditEvent.actor_user_id) == uid,
                       (col(AuditEvent.target_type) == "user")
                       & (col(AuditEvent.target_id) == str(uid))]
    if case_ids:
        conditions.append((col(AuditEvent.target_type) == "case")
                          & col(AuditEvent.target_id).in_([str(i) for i in case_ids]))
    if not conditions:
        return []
    rows = session.exec(select(AuditEvent).where(sa.or_(*conditions))
                        .order_by(col(AuditEvent.at), col(AuditEvent.id))).all()
    return [{"at": _ts(e.at), "action": e.action,
             "as": "actor" if uid is not None and e.actor_user_id == uid else "subject",
             "target_type": e.target_type, "target_id": e.target_id, "ip": e.ip,
             "details": e.details} for e in rows]


def content_naming(session: Session, email: str) -> list[ContentItem]:
    """Knowledge-base items that carry this e-mail address as their contact (an expert's
    profile, an event's organiser). Editorial content: editors change or remove them."""
    if not email:
        return []
    return list(session.exec(select(ContentItem).where(
        sa.func.lower(ContentItem.contact_email) == email,
        col(ContentItem.deleted_at).is_(None)).order_by(col(ContentItem.id))).all())


def export_subject(session: Session, subject: Subject, *, include_internal: bool
                   ) -> dict[str, Any]:
    """Everything about an account and/or an e-mail address. Read-only."""
    user = session.get(User, subject.user_id) if subject.user_id is not None else None
    email = (subject.email or (user.email if user else "") or "").strip().lower()
    cases = cases_of(session, email) if email else []
    out: dict[str, Any] = {
        "format": FORMAT, "generated_at": _ts(utcnow()),
        "subject": {"user_id": user.id if user else None, "email": email or None},
        "account": None,
    }
    if user is not None and user.id is not None:
        out.update(_account(session, user))
        out.update(_community(session, user.id))
    out["questions"] = [export_case(session, c, include_internal=include_internal)
                        for c in cases]
    out["audit_events"] = _audit(session, user.id if user else None,
                                 [c.id for c in cases if c.id is not None])
    out["mail"] = _mail_to(session, email) if email else []
    out["knowledge_base"] = [
        {"id": i.id, "type": i.type, "slug": i.slug, "title": i.title, "status": i.status,
         "contact_email": i.contact_email, "contact_phone": i.contact_phone}
        for i in content_naming(session, email)]
    return out


def export_case_for_entrepreneur(session: Session, case: Case) -> dict[str, Any]:
    """What the holder of a private link gets: their question and the mail about it."""
    return {"format": FORMAT, "generated_at": _ts(utcnow()),
            "questions": [export_case(session, case, include_internal=False)],
            "mail": [m for m in _mail_to(session, case.contact_email.strip().lower())
                     if case.reference in str(m.get("subject") or "")
                     or case.reference in str(m.get("text") or "")]}
