"""Account rules: users, roles, passwords, API tokens and the audit trail."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, col, select

from backend.accounts.models import GLOBAL_ROLES, ApiToken, AuditEvent, User, UserRole
from backend.accounts.principal import Principal
from backend.core.db import utcnow
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.security import sha256_hex

_hasher = PasswordHasher()
TOKEN_PREFIX = "lkt_"
# Compared against when the user does not exist, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def record_audit(session: Session, action: str, *, actor: Principal | None = None,
                 actor_user_id: int | None = None, target_type: str | None = None,
                 target_id: str | int | None = None, ip: str | None = None,
                 **details: Any) -> AuditEvent:
    event = AuditEvent(
        action=action,
        actor_user_id=actor.user_id if actor else actor_user_id,
        actor_token_id=actor.token_id if actor else None,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        ip=ip,
        details=details,
    )
    session.add(event)
    session.flush()
    return event


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.")
    return user


def roles_of(session: Session, user_id: int) -> list[str]:
    return sorted(session.exec(select(UserRole.role).where(UserRole.user_id == user_id)).all())


def create_user(session: Session, email: str, *, name: str = "", roles: Iterable[str] = (),
                actor: Principal | None = None) -> User:
    email = normalise_email(email)
    if get_user_by_email(session, email) is not None:
        raise Conflict("A user with this e-mail address already exists.", code="user_exists")
    user = User(email=email, name=name.strip())
    session.add(user)
    session.flush()
    assert user.id is not None
    for role in roles:
        grant_role(session, user.id, role, actor=actor)
    record_audit(session, "user.created", actor=actor, target_type="user", target_id=user.id)
    return user


def grant_role(session: Session, user_id: int, role: str, *,
               actor: Principal | None = None) -> None:
    if role not in GLOBAL_ROLES:
        raise Invalid(f"Unknown role: {role}", fields={"role": "unknown"})
    if session.get(UserRole, (user_id, role)) is not None:
        return
    session.add(UserRole(user_id=user_id, role=role,
                         granted_by=actor.user_id if actor else None))
    session.flush()
    record_audit(session, "role.granted", actor=actor, target_type="user", target_id=user_id,
                 role=role)


def revoke_role(session: Session, user_id: int, role: str, *,
                actor: Principal | None = None) -> None:
    link = session.get(UserRole, (user_id, role))
    if link is None:
        return
    session.delete(link)
    session.flush()
    record_audit(session, "role.revoked", actor=actor, target_type="user", target_id=user_id,
                 role=role)


def set_password(session: Session, user: User, password: str) -> None:
    if len(password) < 12:
        raise Invalid("The password must be at least 12 characters long.",
                      fields={"password": "too_short"})
    user.password_hash = _hasher.hash(password)
    session.add(user)
    session.flush()


def verify_password(user: User | None, password: str) -> bool:
    if user is None or not user.password_hash:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def create_api_token(session: Session, *, name: str, role: str, user_id: int | None = None,
                     expires_at: datetime | None = None,
                     actor: Principal | None = None) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the plain token, which is shown only once."""
    if role not in GLOBAL_ROLES:
        raise Invalid(f"Unknown role: {role}", fields={"role": "unknown"})
    if not name.strip():
        raise Invalid("Give the token a name.", fields={"name": "required"})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name.strip()[:100], token_hash=sha256_hex(plain), prefix=plain[:10],
                     role=role, user_id=user_id, expires_at=expires_at)
    session.add(token)
    session.flush()
    record_audit(session, "token.created", actor=actor, target_type="api_token",
                 target_id=token.id, role=role)
    return token, plain


def revoke_api_token(session: Session, token_id: int, *, actor: Principal | None = None) -> None:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("Token not found.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.flush()
        record_audit(session, "token.revoked", actor=actor, target_type="api_token",
                     target_id=token_id)


def authenticate_token(session: Session, plain: str) -> tuple[Principal, ApiToken] | None:
    """Read-only check of a bearer token (GET requests must not write in their session)."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == sha256_hex(plain))).first()
    now = utcnow()
    if token is None or token.revoked_at is not None or (
            token.expires_at is not None and token.expires_at <= now):
        return None
    if token.user_id is not None:
        user = session.get(User, token.user_id)
        if user is None or not user.is_active:
            return None
    principal = Principal(user_id=token.user_id, email=f"token:{token.prefix}", name=token.name,
                          roles=frozenset({token.role}), via="token", token_id=token.id)
    return principal, token


def record_token_use(session: Session, token_id: int, *, ip: str | None = None) -> None:
    """Note the use in the audit log, at most once a minute per token."""
    token = session.get(ApiToken, token_id)
    now = utcnow()
    if token is None or (token.last_used_at and (now - token.last_used_at).total_seconds() < 60):
        return
    token.last_used_at = now
    session.add(token)
    record_audit(session, "token.used", actor_user_id=token.user_id, target_type="api_token",
                 target_id=token.id, ip=ip)


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).order_by(col(ApiToken.created_at).desc())).all())
