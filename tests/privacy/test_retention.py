"""The daily retention job, with a clock the test controls: what is past its period is deleted
or anonymised, what is not stays, and a second run finds nothing to do."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.accounts.models import AuditEvent, LoginLink, User
from backend.cases.models import Case, CaseAccessToken, CaseEvent, CaseRating
from backend.community.models import BenchmarkPeriod, Firm, GroupMembership, Kpi, KpiFigure
from backend.core.db import Database, utcnow
from backend.core.outbox import DONE, FAILED, OutboxMessage
from backend.core.settings import Settings
from backend.core.worker import Worker, periodic_jobs
from backend.privacy import retention
from backend.privacy.retention import apply_retention
from backend.scan.models import ScanResult
from tests.factories.accounts import create_user
from tests.factories.cases import create_case, fallback_desk
from tests.factories.community import create_firm, create_group, join

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=utcnow().tzinfo)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def _scan_version(session: Session) -> None:
    session.execute(sa.text("INSERT INTO scan_version (version, definition, digest, source, "
                            "created_at) VALUES (9902, '{}', :d, 'seed', :at)"),
                    {"d": "r" * 64, "at": NOW})


def _case(session: Session, *, email: str, status: str, received: float,
          closed: float | None = None, updated: float | None = None) -> Case:
    desk = fallback_desk(session)
    case = create_case(session, desk, email=email, name="Ria Retentie", received_at=ago(received),
                       status=status, contact_phone="+31 6 5555 0000", kvk_number="12345678",
                       postcode="7411")
    case.closed_at = ago(closed) if closed is not None else None
    case.outcome = "answered" if status == "closed" else None
    from backend.cases import service

    service.add_event(session, case, "reply", actor="advisor", body="Beste Ria, zie bijlage.",
                      at=ago(updated if updated is not None else received))
    case.updated_at = ago(updated if updated is not None else received)
    session.add(case)
    session.add(CaseRating(case_id=case.id or 0, score=4, comment="Ria is tevreden"))
    session.add(CaseAccessToken(case_id=case.id or 0, token_hash=email[:8].ljust(64, "0"),
                                expires_at=ago(-30)))
    session.flush()
    return case


def test_retention_deletes_and_anonymises_only_what_is_past_its_period(
        session: Session, db: Database, settings: Settings) -> None:
    old_closed = _case(session, email="oud@voorbeeld.nl", status="closed", received=500,
                       closed=400)
    new_closed = _case(session, email="nieuw@voorbeeld.nl", status="closed", received=30,
                       closed=20)
    stale = _case(session, email="verlaten@voorbeeld.nl", status="answered", received=500,
                  updated=400)
    active = _case(session, email="actief@voorbeeld.nl", status="assigned", received=500,
                   updated=5)

    gone_user = create_user(session, email="weg@voorbeeld.nl", last_login_at=ago(800),
                            created_at=ago(900))
    never = create_user(session, email="nooit@voorbeeld.nl", created_at=ago(800))
    fresh = create_user(session, email="vers@voorbeeld.nl", created_at=ago(10))
    recent = create_user(session, email="recent@voorbeeld.nl", last_login_at=ago(100),
                         created_at=ago(900))
    glass = create_user(session, email="nood@voorbeeld.nl", password="x" * 20,
                        last_login_at=ago(900), created_at=ago(900), roles=("admin",))

    session.add(LoginLink(token_hash="a" * 64, user_id=recent.id or 0, created_at=ago(3),
                          expires_at=ago(2)))
    session.add(LoginLink(token_hash="b" * 64, user_id=recent.id or 0, created_at=ago(0.1),
                          expires_at=NOW + timedelta(minutes=10)))
    session.add(AuditEvent(action="auth.login", at=ago(800), ip="192.0.2.1"))
    session.add(AuditEvent(action="auth.login", at=ago(100), ip="192.0.2.2"))
    session.add(AuditEvent(action="auth.login", at=ago(10), ip="192.0.2.3"))

    _scan_version(session)
    session.add(ScanResult(version=9902, token_hash="c" * 64, created_at=ago(400),
                           municipality_code="GM0150", scores={"total": 50}))
    session.add(ScanResult(version=9902, token_hash="d" * 64, created_at=ago(10)))
    session.add(ScanResult(version=9902, user_id=recent.id, created_at=ago(400)))

    # A digest to the account that goes, and one to an account that stays.
    session.add(OutboxMessage(kind="mail.send", payload={"to": "weg@voorbeeld.nl"},
                              status=DONE, processed_at=ago(1)))
    session.add(OutboxMessage(kind="mail.send", payload={"to": "recent@voorbeeld.nl"},
                              status=DONE, processed_at=ago(1)))
    session.add(OutboxMessage(kind="mail.send", payload={"to": "x@voorbeeld.nl"},
                              status=FAILED, processed_at=ago(100)))
    session.add(OutboxMessage(kind="mail.send", payload={"to": "y@voorbeeld.nl"},
                              status=FAILED, processed_at=ago(10)))

    # Three firms in a group: one left long ago, one left last week, one is still a member.
    coordinator = create_firm(session, name="Coördinator BV")
    group = create_group(session, coordinator=coordinator)
    kpi = Kpi(group_id=group.id or 0, key="omzet", name="Omzet")
    period = BenchmarkPeriod(group_id=group.id or 0, label="2025", closed_at=ago(500))
    session.add(kpi)
    session.add(period)
    session.flush()
    firms = {}
    for name, left in (("long-gone", 400.0), ("just-left", 7.0), ("member", None)):
        firm = create_firm(session, name=name)
        firm.created_at = ago(900)
        join(session, group, firm)
        session.add(KpiFigure(period_id=period.id or 0, firm_id=firm.id or 0,
                              kpi_id=kpi.id or 0, value=10.0))
        if left is not None:
            session.execute(sa.delete(GroupMembership).where(
                col(GroupMembership.firm_id) == firm.id))
            session.add(AuditEvent(action="group.leave", at=ago(left), target_type="group",
                                   target_id=str(group.id), details={"firm_id": firm.id}))
        firms[name] = firm
    session.commit()
    ids = {name: firm.id for name, firm in firms.items()}
    user_ids = {u.email: u.id for u in (gone_user, never, fresh, recent, glass)}

    counts = apply_retention(db, settings, now=NOW)
    session.expire_all()

    assert counts["closed_cases"] == 1 and counts["stale_cases"] == 1
    for case in (old_closed, stale):
        row = session.get(Case, case.id)
        assert row is not None
        assert (row.contact_email, row.contact_name, row.contact_phone, row.kvk_number,
                row.postcode, row.text) == ("", None, None, None, None, "")
        assert row.status == "closed" and row.desk_id == case.desk_id
        assert row.received_at == case.received_at and row.themes == case.themes
        bodies = session.exec(select(CaseEvent.body).where(CaseEvent.case_id == case.id)).all()
        assert set(bodies) == {None}
        rating = session.get(CaseRating, case.id)
        assert rating is not None and rating.score == 4 and rating.comment is None
        assert not session.exec(select(CaseAccessToken).where(
            CaseAccessToken.case_id == case.id)).all()
    stale_row = session.get(Case, stale.id)
    assert stale_row is not None and stale_row.outcome == "no_follow_up"
    for case in (new_closed, active):
        row = session.get(Case, case.id)
        assert row is not None and row.contact_email == case.contact_email
        assert row.text and row.contact_phone

    assert counts["accounts"] == 2
    remaining = set(session.exec(select(User.email)).all())
    assert "weg@voorbeeld.nl" not in remaining and "nooit@voorbeeld.nl" not in remaining
    assert {"vers@voorbeeld.nl", "recent@voorbeeld.nl", "nood@voorbeeld.nl"} <= remaining
    assert session.get(User, user_ids["nood@voorbeeld.nl"]) is not None

    assert counts["login_links"] == 1
    assert session.exec(select(LoginLink.token_hash)).all() == ["b" * 64]
    logins = session.exec(select(AuditEvent.ip).where(AuditEvent.action == "auth.login")
                          .order_by(col(AuditEvent.at))).all()
    assert logins == [None, "192.0.2.3"]  # 800 days: gone; 100 days: no IP; 10 days: kept
    assert counts["audit_events"] >= 1 and counts["audit_ips"] >= 1

    scans = session.exec(select(ScanResult).order_by(col(ScanResult.id))).all()
    linked = [s for s in scans if s.token_hash is not None]
    assert [s.token_hash for s in linked] == ["d" * 64]
    dropped = [s for s in scans if s.token_hash is None and s.user_id is None]
    assert len(dropped) == 1 and dropped[0].municipality_code is None
    assert dropped[0].scores == {"total": 50}  # kept for the anonymous figures

    delivered = session.exec(select(OutboxMessage).where(OutboxMessage.status == DONE)).all()
    assert [m.payload["to"] for m in delivered] == ["recent@voorbeeld.nl"]
    failed = session.exec(select(OutboxMessage).where(OutboxMessage.status == FAILED)).all()
    assert [m.payload["to"] for m in failed] == ["y@voorbeeld.nl"]

    figures = {f.firm_id for f in session.exec(select(KpiFigure)).all()}
    assert ids["long-gone"] not in figures
    assert {ids["just-left"], ids["member"]} <= figures
    # Nobody works for the firm that left long ago and it belongs to no group: gone too.
    assert session.get(Firm, ids["long-gone"]) is None
    assert session.get(Firm, ids["just-left"]) is not None

    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "privacy.retention")).one()
    assert audit.details["closed_cases"] == 1

    # Idempotent: the same day again finds nothing left to do.
    again = apply_retention(db, settings, now=NOW)
    assert again == dict.fromkeys(again, 0)


def test_the_daily_job_runs_through_the_worker_with_the_clock_moved(
        session: Session, db: Database, settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert any(spec.name == "privacy.retention" and spec.every == timedelta(days=1)
               for spec in periodic_jobs())
    case = _case(session, email="later@voorbeeld.nl", status="closed", received=10, closed=5)
    session.commit()
    worker = Worker(db, settings)

    # Today: the case is young, nothing happens.
    monkeypatch.setattr(retention, "utcnow", lambda: NOW)
    assert asyncio.run(worker.run_periodic_once(only=["privacy.retention"])) == [
        "privacy.retention"]
    session.expire_all()
    row = session.get(Case, case.id)
    assert row is not None and row.contact_email == "later@voorbeeld.nl"

    # A year later (the job is due again: its schedule lives in the database).
    later = NOW + timedelta(days=settings.retention_case_days)
    monkeypatch.setattr(retention, "utcnow", lambda: later)
    session.execute(sa.text("UPDATE periodic_job SET next_run_at = :t WHERE name = :n"),
                    {"t": utcnow() - timedelta(seconds=1), "n": "privacy.retention"})
    session.commit()
    assert asyncio.run(worker.run_periodic_once(only=["privacy.retention"])) == [
        "privacy.retention"]
    session.expire_all()
    row = session.get(Case, case.id)
    assert row is not None and row.contact_email == "" and row.text == ""


def test_delivered_outbox_rows_are_left_to_the_outbox_purge(
        session: Session, db: Database, settings: Settings) -> None:
    session.add(OutboxMessage(kind="mail.send", payload={"to": "z@voorbeeld.nl"}, status=DONE,
                              processed_at=ago(400)))
    session.commit()
    apply_retention(db, settings, now=NOW)
    # outbox.purge (hourly, LOKET_OUTBOX_KEEP_DAYS) owns delivered rows and kept mail.
    assert session.exec(select(OutboxMessage).where(OutboxMessage.status == DONE)).first()
