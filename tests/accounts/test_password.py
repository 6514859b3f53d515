"""Break-glass password login for the admin created with ``loket create-admin``."""

from __future__ import annotations

from sqlmodel import Session, col, select

from backend.accounts.models import AuditEvent, User, WebSession
from backend.core.db import Database
from backend.core.security import sha256_hex
from tests.client import LoketClient
from tests.factories.accounts import create_admin, create_user

PASSWORD = "correct horse battery staple"


def _session_user(db: Database, client: LoketClient) -> int | None:
    cookie = client.cookies.get("loket_session")
    if not cookie:
        return None
    with db.transaction(write=False) as s:
        row = s.get(WebSession, sha256_hex(cookie))
        return row.user_id if row else None


def _failures(session: Session) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")
                             .order_by(col(AuditEvent.id))).all())


def test_admin_logs_in_with_password(client: LoketClient, session: Session,
                                     db: Database) -> None:
    admin = create_admin(session, email="root@example.nl", password=PASSWORD)
    session.commit()
    page = client.get("/inloggen/beheer")
    assert 'autocomplete="current-password"' in page.text
    assert 'autocomplete="username"' in page.text
    r = client.post("/inloggen/beheer", data={"email": "root@example.nl", "password": PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/beheer"
    assert _session_user(db, client) == admin.id
    assert client.get("/beheer").status_code == 200
    session.expire_all()
    login = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.login")).one()
    assert login.details == {"method": "password"} and login.actor_user_id == admin.id
    assert session.get(User, admin.id).last_login_at is not None  # type: ignore[union-attr]


def test_wrong_password_is_refused_and_audited(client: LoketClient, session: Session,
                                               db: Database) -> None:
    admin = create_admin(session, email="root2@example.nl", password=PASSWORD)
    session.commit()
    r = client.post("/inloggen/beheer", data={"email": "root2@example.nl",
                                               "password": "wrong password!"})
    assert r.status_code == 400
    assert "Het e-mailadres of het wachtwoord klopt niet." in r.text
    assert 'value="root2@example.nl"' in r.text and "wrong password!" not in r.text
    assert _session_user(db, client) is None
    [event] = _failures(session)
    assert event.details == {"method": "password", "reason": "wrong_password"}
    assert event.target_id == str(admin.id) and event.ip == "testclient"


def test_unknown_user_gets_the_same_answer(client: LoketClient, session: Session) -> None:
    create_admin(session, email="root3@example.nl", password=PASSWORD)
    session.commit()
    wrong = client.post("/inloggen/beheer", data={"email": "root3@example.nl",
                                                   "password": "nope nope nope"})
    unknown = client.post("/inloggen/beheer", data={"email": "ghost@example.nl",
                                                     "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 400
    assert "klopt niet" in unknown.text
    event = _failures(session)[-1]
    assert event.details["reason"] == "unknown_user"
    assert "ghost" not in str(event.details) and event.details["email_hash"]


def test_users_without_password_cannot_use_it(client: LoketClient, session: Session,
                                              db: Database) -> None:
    create_user(session, email="sso-only@example.nl", roles=("admin",))
    session.commit()
    r = client.post("/inloggen/beheer", data={"email": "sso-only@example.nl",
                                               "password": PASSWORD})
    assert r.status_code == 400
    assert _session_user(db, client) is None
    assert _failures(session)[-1].details["reason"] == "no_password"


def test_deactivated_admin_cannot_log_in(client: LoketClient, session: Session,
                                         db: Database) -> None:
    create_admin(session, email="old@example.nl", password=PASSWORD, is_active=False)
    session.commit()
    r = client.post("/inloggen/beheer", data={"email": "old@example.nl", "password": PASSWORD})
    assert r.status_code == 400
    assert _session_user(db, client) is None
    assert _failures(session)[-1].details["reason"] == "inactive"


def test_missing_fields_are_reported_per_field(client: LoketClient) -> None:
    r = client.post("/inloggen/beheer", data={"email": "", "password": ""})
    assert r.status_code == 400
    assert 'id="f-email-error"' in r.text and 'id="f-password-error"' in r.text


def test_next_must_be_local(client: LoketClient, session: Session) -> None:
    create_admin(session, email="root4@example.nl", password=PASSWORD)
    session.commit()
    r = client.post("/inloggen/beheer", data={"email": "root4@example.nl", "password": PASSWORD,
                                               "next": "//evil.example/"})
    assert r.headers["location"] == "/beheer"
