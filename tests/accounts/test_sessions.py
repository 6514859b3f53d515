"""Server-side sessions: timeouts, logout on the server, cookie flags, rotation at login."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request
from sqlmodel import Session, select

from backend.accounts import sessions
from backend.accounts.jobs import purge
from backend.accounts.models import AuditEvent, WebSession
from backend.core.db import Database, utcnow
from backend.core.errors import Invalid
from backend.core.outbox import WorkerContext
from backend.core.security import sha256_hex
from tests.client import LoketClient
from tests.factories.accounts import (
    create_admin,
    create_user,
    session_cookie_for,
    set_session_times,
)

PASSWORD = "correct horse battery staple"


def _row(db: Database, cookie: str) -> WebSession | None:
    with db.transaction(write=False) as s:
        return s.get(WebSession, sha256_hex(cookie))


def _set_cookie(response: Any, name: str = "loket_session") -> str | None:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(name + "="):
            return str(header)
    return None


def _is_logged_in(client: LoketClient) -> bool:
    return client.get("/api/v1/me").status_code == 200


def test_idle_timeout_ends_the_session(client: LoketClient, session: Session, db: Database,
                                       login: Any) -> None:
    user = create_user(session)
    session.commit()
    login(user)
    cookie = client.cookies["loket_session"]
    assert _is_logged_in(client)
    # Idle for longer than session_idle_minutes (60 by default).
    set_session_times(db, cookie, last_seen_at=utcnow() - timedelta(minutes=61))
    r = client.get("/api/v1/me")
    assert r.status_code == 401
    assert "Max-Age=0" in (_set_cookie(r) or "")
    assert _row(db, cookie) is None


def test_activity_keeps_the_session_alive(client: LoketClient, session: Session,
                                          db: Database, login: Any) -> None:
    user = create_user(session)
    session.commit()
    login(user)
    cookie = client.cookies["loket_session"]
    set_session_times(db, cookie, last_seen_at=utcnow() - timedelta(minutes=59))
    assert _is_logged_in(client)
    row = _row(db, cookie)
    assert row is not None and utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_absolute_timeout_ends_an_active_session(client: LoketClient, session: Session,
                                                 db: Database, login: Any) -> None:
    user = create_user(session)
    session.commit()
    login(user)
    cookie = client.cookies["loket_session"]
    set_session_times(db, cookie, created_at=utcnow() - timedelta(hours=13),
                      expires_at=utcnow() - timedelta(seconds=1), last_seen_at=utcnow())
    assert not _is_logged_in(client)
    assert _row(db, cookie) is None


def test_login_sets_absolute_expiry(client: LoketClient, session: Session, db: Database) -> None:
    create_admin(session, email="exp@example.nl", password=PASSWORD)
    session.commit()
    client.post("/inloggen/beheer", data={"email": "exp@example.nl", "password": PASSWORD})
    row = _row(db, client.cookies["loket_session"])
    assert row is not None
    assert timedelta(hours=11, minutes=59) < row.expires_at - utcnow() <= timedelta(hours=12)


def test_logout_deletes_the_session_row(client: LoketClient, session: Session, db: Database,
                                        login: Any) -> None:
    user = create_user(session)
    session.commit()
    login(user)
    cookie = client.cookies["loket_session"]
    assert _row(db, cookie) is not None
    r = client.post("/uitloggen")
    assert r.status_code == 303
    assert "Max-Age=0" in (_set_cookie(r) or "")
    assert _row(db, cookie) is None
    # Replaying the old cookie does not bring the session back.
    client.cookies.set("loket_session", cookie)
    assert not _is_logged_in(client)
    session.expire_all()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.logout")).one()
    assert event.actor_user_id == user.id


def test_cookie_flags_on_http(client: LoketClient, session: Session) -> None:
    create_admin(session, email="flags@example.nl", password=PASSWORD)
    session.commit()
    r = client.post("/inloggen/beheer", data={"email": "flags@example.nl", "password": PASSWORD})
    cookie = _set_cookie(r)
    assert cookie is not None
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie


def test_cookie_is_secure_on_https(app_with: Any, session: Session) -> None:
    create_admin(session, email="secure@example.nl", password=PASSWORD)
    session.commit()
    app = app_with(base_url="https://loket.example")
    with LoketClient(app, base_url="https://loket.example") as client:
        r = client.post("/inloggen/beheer", data={"email": "secure@example.nl",
                                                   "password": PASSWORD})
        assert r.status_code == 303
        cookie = _set_cookie(r, "__Host-loket_session")
        assert cookie is not None and "Secure" in cookie and "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_cookies_carry_the_host_prefix_on_https(app_with: Any, session: Session,
                                                db: Database) -> None:
    """Issue 12 (low): on https the cookies are ``__Host-`` cookies (Secure, Path=/, no
    Domain), so a sibling host cannot plant or overwrite them; the plain names count for
    nothing there."""
    admin = create_admin(session, email="hostprefix@example.nl", password=PASSWORD)
    session.commit()
    app = app_with(base_url="https://loket.example")
    with LoketClient(app, base_url="https://loket.example") as client:
        page = client.get("/inloggen/beheer")
        csrf = _set_cookie(page, "__Host-loket_csrf")
        assert csrf is not None and "Secure" in csrf and "Path=/" in csrf
        assert "domain" not in csrf.lower()
        assert _set_cookie(page, "loket_csrf") is None
        r = client.post("/inloggen/beheer", data={"email": "hostprefix@example.nl",
                                                   "password": PASSWORD})
        assert r.status_code == 303, r.text[:200]
        cookie = _set_cookie(r, "__Host-loket_session")
        assert cookie is not None and "Path=/" in cookie and "domain" not in cookie.lower()
        assert client.get("/api/v1/me").status_code == 200
    # A valid session id under the plain name is ignored on https.
    with LoketClient(app, base_url="https://loket.example") as planted:
        planted.cookies.set("loket_session", session_cookie_for(db, admin.id))
        assert planted.get("/api/v1/me").status_code == 401


def test_session_id_rotates_at_login(client: LoketClient, session: Session,
                                     db: Database) -> None:
    admin = create_admin(session, email="rotate@example.nl", password=PASSWORD)
    session.commit()
    # An anonymous session planted before login (session fixation attempt).
    planted = session_cookie_for(db, None)
    client.cookies.set("loket_session", planted)
    r = client.post("/inloggen/beheer", data={"email": "rotate@example.nl", "password": PASSWORD})
    assert r.status_code == 303
    set_cookie = _set_cookie(r)
    assert set_cookie is not None
    fresh = set_cookie.split(";", 1)[0].split("=", 1)[1]
    assert fresh and fresh != planted
    assert _row(db, planted) is None
    row = _row(db, fresh)
    assert row is not None and row.user_id == admin.id


def test_no_login_when_the_handler_fails(app_with: Any, session: Session,
                                         db: Database) -> None:
    user = create_user(session)
    session.commit()
    app: FastAPI = app_with()

    @app.post("/test-login-then-fail")
    def login_then_fail(request: Request) -> None:
        sessions.login(request, user.id or 0)
        raise Invalid("later validation failed")

    with LoketClient(app) as client:
        r = client.post("/test-login-then-fail")
        assert r.status_code == 422
        assert _set_cookie(r) is None
        assert not _is_logged_in(client)


def test_deactivated_user_loses_the_session(client: LoketClient, session: Session,
                                            login: Any) -> None:
    user = create_user(session)
    session.commit()
    login(user)
    assert _is_logged_in(client)
    user.is_active = False
    session.add(user)
    session.commit()
    assert not _is_logged_in(client)


def test_purge_job_removes_expired_sessions(db: Database, session: Session,
                                            settings: Any) -> None:
    user = create_user(session)
    session.commit()
    old, live = session_cookie_for(db, user.id), session_cookie_for(db, user.id)
    set_session_times(db, old, last_seen_at=utcnow() - timedelta(hours=2))
    counts = purge(WorkerContext(db=db, settings=settings))
    assert counts["sessions"] >= 1
    assert _row(db, old) is None and _row(db, live) is not None
