"""The daily retention job: delete or anonymise what is past its retention period.

Every period is a setting (``LOKET_RETENTION_*``); ``docs/privacy.md`` gives the legal basis
of each. Each step runs in transactions of its own, in batches, so a large backlog never
holds the (SQLite) write lock for long, and every step is idempotent: a second run on the
same day finds nothing left to do. ``apply_retention(db, settings, now=…)`` takes the clock
as an argument so tests can move it.

Kept elsewhere: sessions, spent login links and rate-limit counters (``accounts.purge``,
every 15 minutes) and delivered outbox rows with kept mail (``outbox.purge``, hourly).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from backend.accounts.models import AuditEvent, LoginLink, User
from backend.accounts.service import record_audit
from backend.cases.models import OPEN_STATUSES, Case
from backend.community.models import (
    BenchmarkPeriod,
    Firm,
    FirmPerson,
    GroupMembership,
    KpiFigure,
    PublishedRank,
)
from backend.core.db import Database, utcnow
from backend.core.outbox import FAILED, OutboxMessage, WorkerContext
from backend.core.settings import Settings
from backend.core.worker import periodic
from backend.privacy.erasure import (
    Subject,
    anonymise_cases,
    erase_subject,
    purge_outbox,
    rowcount,
)
from backend.scan.models import ScanResult

log = logging.getLogger("loket.privacy")

BATCH = 200
LEFT_GROUP = ("group.leave", "group.remove_member")


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _anonymise_batches(db: Database, condition: sa.ColumnElement[bool], now: datetime, *,
                       close: bool) -> int:
    done = 0
    while True:
        with db.transaction() as s:
            cases = s.exec(select(Case).where(condition, Case.contact_email != "")
                           .order_by(col(Case.id)).limit(BATCH)).all()
            done += anonymise_cases(s, cases, now=now, close=close)
        if len(cases) < BATCH:
            return done


def anonymise_expired_cases(db: Database, settings: Settings, now: datetime) -> dict[str, int]:
    closed = _anonymise_batches(
        db, (col(Case.status) == "closed")
        & (col(Case.closed_at) < now - _days(settings.retention_case_days)), now, close=False)
    stale = _anonymise_batches(
        db, col(Case.status).in_(OPEN_STATUSES)
        & (col(Case.updated_at) < now - _days(settings.retention_stale_case_days)),
        now, close=True)
    if closed or stale:
        db.truncate_wal()  # SQLite: the old row versions leave the WAL file too
    return {"closed_cases": closed, "stale_cases": stale}


def erase_inactive_accounts(db: Database, settings: Settings, now: datetime) -> int:
    """Accounts nobody logged in to for the retention period. The break-glass admin (the one
    with a password) is kept: erasing it could lock everyone out."""
    cutoff = now - _days(settings.retention_account_days)
    last_seen = func.coalesce(col(User.last_login_at), col(User.created_at))
    with db.transaction() as s:
        ids = s.exec(select(User.id).where(last_seen < cutoff,
                                           col(User.password_hash).is_(None))).all()
    # In batches, with one pass over the outbox per batch for everyone in it.
    for start in range(0, len(ids), BATCH):
        with db.transaction() as s:
            needles: list[str] = []
            for uid in ids[start:start + BATCH]:
                needles += erase_subject(s, Subject(user_id=uid), now=now, purge=False).needles
            purge_outbox(s, needles)
    if ids:
        db.truncate_wal()
    return len(ids)


def purge_small_things(db: Database, settings: Settings, now: datetime) -> dict[str, int]:
    with db.transaction() as s:
        links = s.execute(sa.delete(LoginLink).where(
            col(LoginLink.expires_at) < now - _days(settings.retention_login_link_days)))
        audit = s.execute(sa.delete(AuditEvent).where(
            col(AuditEvent.at) < now - _days(settings.retention_audit_days)))
        ips = s.execute(sa.update(AuditEvent).where(
            col(AuditEvent.at) < now - _days(settings.retention_audit_ip_days),
            col(AuditEvent.ip).is_not(None)).values(ip=None))
        failed = s.execute(sa.delete(OutboxMessage).where(
            col(OutboxMessage.status) == FAILED,
            col(OutboxMessage.processed_at) < now - _days(settings.retention_failed_outbox_days)))
        # A scan under a private link only: the link dies, the scores stay as anonymous figures.
        scans = s.execute(sa.update(ScanResult).where(
            col(ScanResult.user_id).is_(None), col(ScanResult.token_hash).is_not(None),
            col(ScanResult.created_at) < now - _days(settings.retention_scan_link_days))
            .values(token_hash=None, previous_id=None, municipality_code=None))
    return {"login_links": rowcount(links), "audit_events": rowcount(audit),
            "audit_ips": rowcount(ips), "failed_outbox": rowcount(failed),
            "scan_links": rowcount(scans)}


def _recent_departures(s: Session, since: datetime) -> set[tuple[int, int]]:
    rows = s.exec(select(AuditEvent).where(col(AuditEvent.action).in_(LEFT_GROUP),
                                           AuditEvent.target_type == "group",
                                           col(AuditEvent.at) >= since)).all()
    out: set[tuple[int, int]] = set()
    for event in rows:
        firm_id = (event.details or {}).get("firm_id")
        if isinstance(firm_id, int) and (event.target_id or "").isdigit():
            out.add((int(event.target_id or 0), firm_id))
    return out


def forget_former_members(db: Database, settings: Settings, now: datetime) -> dict[str, int]:
    """Figures of firms that left a group longer ago than the retention period, and firms that
    nobody works for and that belong to no group any more.

    The moment a firm left is the audit entry of its leaving; a firm whose entry is gone (the
    audit log keeps ``retention_audit_days``) left longer ago than that.
    """
    since = now - _days(settings.retention_former_member_days)
    figures = ranks = firms = 0
    with db.transaction() as s:
        pairs = set(s.exec(select(BenchmarkPeriod.group_id, KpiFigure.firm_id)
                           .join(BenchmarkPeriod,
                                 col(BenchmarkPeriod.id) == col(KpiFigure.period_id))
                           .distinct()).all())
        members = set(s.exec(select(GroupMembership.group_id, GroupMembership.firm_id)).all())
        gone = {(int(g), int(f)) for g, f in pairs} - {(int(g), int(f)) for g, f in members}
        gone -= _recent_departures(s, since)
        for group_id, firm_id in sorted(gone):
            periods = select(BenchmarkPeriod.id).where(BenchmarkPeriod.group_id == group_id)
            figures += rowcount(s.execute(sa.delete(KpiFigure).where(
                col(KpiFigure.firm_id) == firm_id, col(KpiFigure.period_id).in_(periods))))
            ranks += rowcount(s.execute(sa.delete(PublishedRank).where(
                col(PublishedRank.firm_id) == firm_id,
                col(PublishedRank.period_id).in_(periods))))
        orphans = s.exec(select(Firm.id).where(
            col(Firm.is_example).is_(False),
            col(Firm.created_at) < since,
            ~sa.exists().where(col(FirmPerson.firm_id) == col(Firm.id)),
            ~sa.exists().where(col(GroupMembership.firm_id) == col(Firm.id)),
            ~sa.exists().where(col(KpiFigure.firm_id) == col(Firm.id)))).all()
        if orphans:
            firms = rowcount(s.execute(sa.delete(Firm).where(col(Firm.id).in_(orphans))))
    return {"former_member_figures": figures, "former_member_ranks": ranks,
            "orphan_firms": firms}


def apply_retention(db: Database, settings: Settings, *, now: datetime | None = None
                    ) -> dict[str, int]:
    """Run every retention rule once; returns what each step removed or anonymised."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    counts.update(anonymise_expired_cases(db, settings, now))
    counts["accounts"] = erase_inactive_accounts(db, settings, now)
    counts.update(forget_former_members(db, settings, now))
    counts.update(purge_small_things(db, settings, now))
    if any(counts.values()):
        with db.transaction() as s:
            details: dict[str, Any] = dict(counts)
            record_audit(s, "privacy.retention", **details)
    log.info("retention applied", extra=counts)
    return counts


@periodic("privacy.retention", every=timedelta(days=1), lease=timedelta(hours=1))
def _retention_job(ctx: WorkerContext) -> None:
    apply_retention(ctx.db, ctx.settings)
