"""Factories for users, sessions and API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from backend.accounts import service
from backend.accounts.models import User, WebSession
from backend.core.db import Database, utcnow
from backend.core.security import sha256_hex


def create_user(session: Session, *, email: str | None = None, name: str = "Test Gebruiker",
                roles: tuple[str, ...] = (), password: str | None = None, **kw: Any) -> User:
    user = service.create_user(session, email or f"u-{secrets.token_hex(4)}@example.nl",
                               name=name, roles=roles)
    if password:
        service.set_password(session, user, password)
    for key, value in kw.items():
        setattr(user, key, value)
    session.add(user)
    session.flush()
    return user


def create_token(session: Session, *, role: str = "editor", user: User | None = None,
                 name: str = "test token", minted_by: User | None = None) -> str:
    """A token owned by ``user``, made by ``minted_by`` (default: by the owner, so it acts
    with the owner's memberships; without an owner: the command line on the server)."""
    row, plain = service.create_api_token(session, name=name, role=role,
                                          user_id=user.id if user else None)
    maker = minted_by or user
    row.minted_by_user_id = maker.id if maker else None
    session.add(row)
    session.flush()
    return plain


def session_cookie_for(db: Database, user_id: int | None) -> str:
    """Create a server-side session for the user and return the cookie value."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with db.transaction() as s:
        s.add(WebSession(id_hash=sha256_hex(token), user_id=user_id, data={}, created_at=now,
                         last_seen_at=now, expires_at=now + timedelta(hours=1)))
    return token


def create_admin(session: Session, *, password: str | None = None, **kw: Any) -> User:
    return create_user(session, roles=("admin",), password=password, **kw)


def create_login_link(session: Session, user: User, *, minutes: int = 15,
                      used: bool = False) -> str:
    """A login link for ``user``; returns the plain token (only its hash is stored)."""
    from backend.accounts.models import LoginLink

    assert user.id is not None
    plain = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(LoginLink(token_hash=sha256_hex(plain), user_id=user.id,
                          expires_at=now + timedelta(minutes=minutes),
                          used_at=now if used else None))
    session.flush()
    return plain


def set_session_times(db: Database, cookie: str, **times: Any) -> None:
    """Move a session's ``last_seen_at`` / ``expires_at`` / ``created_at`` (timeouts)."""
    with db.transaction() as s:
        row = s.get(WebSession, sha256_hex(cookie))
        assert row is not None
        for key, value in times.items():
            setattr(row, key, value)
        s.add(row)
