"""Account rules: users, roles, passwords, API tokens and the audit trail."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, or_
from sqlmodel import Session, col, delete, select

from backend.accounts.models import (
    ADMIN,
    GLOBAL_ROLES,
    PERSONAL,
    SCOPED_ROLES,
    ApiToken,
    AuditEvent,
    User,
    UserPublic,
    UserRole,
    WebSession,
)
from backend.accounts.principal import Principal
from backend.core.db import Database, utcnow
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.i18n import N_
from backend.core.limits import Alert
from backend.core.security import sha256_hex
from backend.core.text import clean_line, skeleton
from backend.regions.service import region_index

_hasher = PasswordHasher()
TOKEN_PREFIX = "lkt_"  # noqa: S105 - a public prefix, not a secret


@functools.cache
def _dummy_hash() -> str:
    """Compared against when the user does not exist, so timing does not reveal accounts.
    Made at the first use, not at import: an argon2 hash costs 0.1 s of every cold start."""
    return _hasher.hash(secrets.token_urlsafe(16))


def warm_up() -> None:
    """Make the dummy hash before the first login needs it (the app's start-up thread)."""
    _dummy_hash()


# Audit details hold ids and codes only: no spaces, no "@", nothing a person typed.
_CODE = re.compile(r"^[A-Za-z0-9_.:-]{0,100}$")


def normalise_email(email: str) -> str:
    return clean_line(email).strip().lower()


def email_fingerprint(email: str, secret_key: str) -> str:
    """A keyed hash of an e-mail address for the audit log (never the address itself).

    Keyed, so that the log cannot be reversed with a list of known addresses, yet equal
    addresses give equal fingerprints (an admin can follow attempts on one address).
    """
    digest = hmac.new(secret_key.encode(), b"audit-email:" + normalise_email(email).encode(),
                      hashlib.sha256)
    return digest.hexdigest()[:32]


def _check_detail(key: str, value: Any) -> None:
    if value is None or isinstance(value, bool | int | float):
        return
    if isinstance(value, str) and _CODE.match(value):
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_detail(key, item)
        return
    raise ValueError(f"audit detail {key!r} must be an id or a code, not free text")


# --- audit ---------------------------------------------------------------------------------

def record_audit(session: Session, action: str, *, actor: Principal | None = None,
                 actor_user_id: int | None = None, actor_token_id: int | None = None,
                 target_type: str | None = None, target_id: str | int | None = None,
                 ip: str | None = None, **details: Any) -> AuditEvent:
    for key, value in details.items():
        _check_detail(key, value)
    event = AuditEvent(
        action=action,
        actor_user_id=actor.user_id if actor else actor_user_id,
        actor_token_id=actor.token_id if actor else actor_token_id,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        ip=ip[:64] if ip else None,
        details=details,
    )
    session.add(event)
    session.flush()
    return event


LIMIT_ALERT = "limits.ceiling_reached"


def record_limit_alert(session: Session, alert: Alert) -> None:
    """A rate ceiling was reached: the admin notice (``backend.core.limits``)."""
    count, _, seconds = alert.limit.partition("/")
    record_audit(session, LIMIT_ALERT, target_type="limit", act=alert.act, scope=alert.scope,
                 subject=alert.subject, ceiling=int(count), seconds=int(seconds),
                 level=alert.level)


def recent_limit_alerts(session: Session, *, since: datetime) -> list[AuditEvent]:
    """Ceiling alerts since ``since``, newest first (shown on the admin pages)."""
    return list(session.exec(select(AuditEvent).where(
        AuditEvent.action == LIMIT_ALERT, col(AuditEvent.at) >= since)
        .order_by(col(AuditEvent.at).desc()).limit(20)).all())


def list_audit(session: Session, *, action: str | None = None, user_id: int | None = None,
               since: datetime | None = None, until: datetime | None = None,
               offset: int = 0, limit: int = 50) -> tuple[list[AuditEvent], int]:
    """Audit events, newest first. ``user_id`` matches the actor or the target user."""
    query = select(AuditEvent)
    if action:
        # "auth." lists every auth event; an exact action name lists that one.
        query = query.where(col(AuditEvent.action).startswith(action) if action.endswith(".")
                            else col(AuditEvent.action) == action)
    if user_id is not None:
        query = query.where(or_(
            col(AuditEvent.actor_user_id) == user_id,
            (col(AuditEvent.target_type) == "user") & (col(AuditEvent.target_id) == str(user_id)),
        ))
    if since is not None:
        query = query.where(col(AuditEvent.at) >= since)
    if until is not None:
        query = query.where(col(AuditEvent.at) < until)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
                        .offset(offset).limit(limit)).all()
    return list(rows), int(total)


def audit_actions(session: Session) -> list[str]:
    return sorted(session.exec(select(AuditEvent.action).distinct()).all())


# --- users and roles -----------------------------------------------------------------------

def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


LOOKALIKE_MESSAGE = N_("This e-mail address looks like that of an existing account. "
                       "Check the address; use the existing account if it is the same person.")


def lookalike_user(session: Session, email: str) -> User | None:
    """An existing account whose address looks like ``email`` but is not it: the same
    skeleton (``core.text.skeleton``: Cyrillic "а" for "a", "rn" for "m", "0" for "o"…).
    Reads every address once (accounts number in the thousands at most; creating one is rare).
    """
    email = normalise_email(email)
    key = skeleton(email)
    for user in session.exec(select(User)).all():
        if user.email != email and skeleton(user.email) == key:
            return user
    return None


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("User not found."))
    return user


def roles_of(session: Session, user_id: int) -> list[str]:
    return sorted(session.exec(select(UserRole.role).where(UserRole.user_id == user_id)).all())


def roles_by_user(session: Session, user_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {uid: [] for uid in user_ids}
    if user_ids:
        for uid, role in session.exec(select(UserRole.user_id, UserRole.role)
                                      .where(col(UserRole.user_id).in_(user_ids))
                                      .order_by(col(UserRole.role))).all():
            found[uid].append(role)
    return found


def user_public(user: User, roles: Iterable[str]) -> UserPublic:
    assert user.id is not None
    return UserPublic(id=user.id, email=user.email, name=user.name, is_active=user.is_active,
                      roles=sorted(roles), created_at=user.created_at,
                      last_login_at=user.last_login_at, has_password=bool(user.password_hash),
                      has_sso=bool(user.oidc_subject))


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_users(session: Session, *, q: str | None = None, role: str | None = None,
               offset: int = 0, limit: int = 25) -> tuple[list[User], int]:
    query = select(User)
    if q and q.strip():
        pattern = _like(q.strip().lower())
        query = query.where(or_(col(User.email).ilike(pattern, escape="\\"),
                                col(User.name).ilike(pattern, escape="\\")))
    if role:
        query = query.where(col(User.id).in_(select(UserRole.user_id)
                                             .where(UserRole.role == role)))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(User.email)).offset(offset).limit(limit)).all()
    return list(rows), int(total)


def create_user(session: Session, email: str, *, name: str = "", roles: Iterable[str] = (),
                actor: Principal | None = None, ip: str | None = None,
                method: str | None = None) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise Invalid(N_("Enter an e-mail address such as name@example.nl."),
                      fields={"email": "invalid"})
    if get_user_by_email(session, email) is not None:
        raise Conflict(N_("A user with this e-mail address already exists."), code="user_exists")
    if lookalike_user(session, email) is not None:
        raise Invalid(LOOKALIKE_MESSAGE, code="email_lookalike",
                      fields={"email": LOOKALIKE_MESSAGE})
    user = User(email=email, name=name.strip()[:200])
    session.add(user)
    session.flush()
    assert user.id is not None
    extra: dict[str, Any] = {"method": method} if method else {}
    record_audit(session, "user.created", actor=actor, target_type="user", target_id=user.id,
                 ip=ip, **extra)
    for role in roles:
        grant_role(session, user.id, role, actor=actor, ip=ip)
    return user


def grant_role(session: Session, user_id: int, role: str, *,
               actor: Principal | None = None, ip: str | None = None,
               province: str | None = None) -> bool:
    """Grant ``role``; returns False when the user already had it (with the same scope).

    ``province`` limits a scoped role (``analist``) to one province (CBS code, "PV23");
    granting it again with another province changes the scope.
    """
    if role not in GLOBAL_ROLES:
        raise Invalid(N_("Unknown role."), fields={"role": "unknown"})
    province = (province or "").strip().upper() or None
    if province is not None:
        if role not in SCOPED_ROLES:
            raise Invalid(N_("Only the analyst role can be limited to a province."),
                          fields={"province": "not_scoped"})
        if province not in known_provinces(session):
            raise Invalid(N_("Unknown province."), fields={"province": "unknown"})
    get_user(session, user_id)
    existing = session.get(UserRole, (user_id, role))
    if existing is not None:
        if existing.scope == province:
            return False
        existing.scope = province
        session.add(existing)
    else:
        session.add(UserRole(user_id=user_id, role=role, scope=province,
                             granted_by=actor.user_id if actor else None))
    session.flush()
    extra: dict[str, Any] = {"province": province} if province else {}
    record_audit(session, "role.granted", actor=actor, target_type="user", target_id=user_id,
                 ip=ip, role=role, **extra)
    return True


def known_provinces(session: Session) -> dict[str, str]:
    """{CBS province code: name} of the municipalities Loket knows."""

    return {m.province_code: m.province_name
            for m in region_index(session).municipalities.values()}


def role_scope(session: Session, user_id: int | None, role: str) -> str | None:
    """The province a scoped role is limited to, or None (everywhere, or not held)."""
    if user_id is None:
        return None
    link = session.get(UserRole, (user_id, role))
    return link.scope if link is not None else None


def role_scopes(session: Session, user_id: int) -> dict[str, str]:
    """{role: province} of the user's scoped grants (for the admin pages)."""
    return {r.role: r.scope for r in session.exec(
        select(UserRole).where(UserRole.user_id == user_id)).all() if r.scope}


def _active_admins_except(session: Session, user_id: int) -> int:
    return int(session.exec(
        select(func.count()).select_from(UserRole).join(User, col(User.id) == UserRole.user_id)
        .where(UserRole.role == ADMIN, col(User.is_active).is_(True),
               col(User.id) != user_id)).one())


def revoke_role(session: Session, user_id: int, role: str, *,
                actor: Principal | None = None, ip: str | None = None) -> bool:
    """Revoke ``role``; returns False when the user did not have it.

    The last active admin keeps the admin role: otherwise nobody could grant it again
    (except through ``loket create-admin`` on the server).
    """
    link = session.get(UserRole, (user_id, role))
    if link is None:
        return False
    if role == ADMIN and _active_admins_except(session, user_id) == 0:
        raise Conflict(N_("The last admin cannot lose the admin role or be deactivated."),
                       code="last_admin")
    session.delete(link)
    session.flush()
    record_audit(session, "role.revoked", actor=actor, target_type="user", target_id=user_id,
                 ip=ip, role=role)
    return True


def set_active(session: Session, user_id: int, active: bool, *,
               actor: Principal | None = None, ip: str | None = None) -> User:
    """(De)activate a user. Deactivation ends their sessions at once; their tokens stop
    working because token checks require an active owner."""
    user = get_user(session, user_id)
    if user.is_active == active:
        return user
    if not active:
        if actor is not None and actor.user_id == user_id:
            raise Conflict(N_("You cannot deactivate yourself."), code="self_deactivate")
        if ADMIN in roles_of(session, user_id) and _active_admins_except(session, user_id) == 0:
            raise Conflict(N_("The last admin cannot lose the admin role or be deactivated."),
                           code="last_admin")
        session.exec(delete(WebSession).where(col(WebSession.user_id) == user_id))
    user.is_active = active
    session.add(user)
    session.flush()
    record_audit(session, "user.activated" if active else "user.deactivated", actor=actor,
                 target_type="user", target_id=user_id, ip=ip)
    return user


# --- passwords (break-glass admin only) -----------------------------------------------------

def set_password(session: Session, user: User, password: str) -> None:
    if len(password) < 12:
        raise Invalid(N_("The password must be at least 12 characters long."),
                      fields={"password": "too_short"})
    user.password_hash = _hasher.hash(password)
    session.add(user)
    session.flush()


def verify_password(user: User | None, password: str) -> bool:
    """Check a password in about the same time whether or not the user has one."""
    if user is None or not user.password_hash:
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher.verify(_dummy_hash(), password)
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def rehash_if_needed(session: Session, user: User, password: str) -> None:
    """After a successful check: upgrade the hash when argon2's parameters were raised."""
    if user.password_hash and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)


# --- API tokens ----------------------------------------------------------------------------

def create_api_token(session: Session, *, name: str, role: str, user_id: int | None = None,
                     expires_at: datetime | None = None, actor: Principal | None = None,
                     ip: str | None = None) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the plain token, which is shown only once.

    The maker is recorded: a token acts with its owner's memberships only when the owner made
    it, so an admin cannot make a token that reads another user's desk cases or firm figures.
    ``actor`` None is the command line on the server.
    """
    if role not in GLOBAL_ROLES:
        raise Invalid(N_("Unknown role."), fields={"role": "unknown"})
    if not name.strip():
        raise Invalid(N_("Give the token a name."), fields={"name": "required"})
    if user_id is not None and session.get(User, user_id) is None:
        # A field of the request, not the resource it is sent to: 422, not 404.
        raise Invalid(N_("Unknown user."), fields={"user_id": "unknown"})
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid(N_("The expiry date must be in the future."),
                      fields={"expires_at": "past"})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name.strip()[:100], token_hash=sha256_hex(plain), prefix=plain[:10],
                     role=role, user_id=user_id, expires_at=expires_at,
                     minted_by_user_id=_answerable(session, actor))
    session.add(token)
    session.flush()
    record_audit(session, "token.created", actor=actor, target_type="api_token",
                 target_id=token.id, ip=ip, role=role)
    return token, plain


def _answerable(session: Session, actor: Principal | None) -> int | None:
    """The person a new token's maker answers to: the logged-in user, or for a token the
    person that token answers to (so a token cannot mint one that outlives its limits)."""
    if actor is None:
        return None
    if actor.via == "token" and actor.token_id is not None:
        row = session.get(ApiToken, actor.token_id)
        return (row.user_id or row.minted_by_user_id) if row is not None else None
    return actor.user_id


PERSONAL_TOKEN_LIMIT = 10


def create_personal_token(session: Session, user_id: int, *, name: str,
                          expires_at: datetime | None, ip: str | None = None
                          ) -> tuple[ApiToken, str]:
    """A person's own token: it acts as them, with no role, only on the paths in
    ``PERSONAL_TOKEN_PATHS`` (the groups API), and dies with them or when they revoke it."""
    if not name.strip():
        raise Invalid(N_("Give the token a name."), fields={"name": N_("Give the token a name.")})
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid(fields={"expires_at": N_("The expiry date must be in the future.")})
    if len(personal_tokens(session, user_id)) >= PERSONAL_TOKEN_LIMIT:
        raise Conflict(N_("You have the maximum number of active tokens. Revoke one first."))
    user = get_user(session, user_id)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name.strip()[:100], token_hash=sha256_hex(plain), prefix=plain[:10],
                     role=PERSONAL, user_id=user.id, expires_at=expires_at,
                     minted_by_user_id=user.id)
    session.add(token)
    session.flush()
    record_audit(session, "token.created", actor_user_id=user.id, target_type="api_token",
                 target_id=token.id, ip=ip, role=PERSONAL)
    return token, plain


def personal_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """The person's own tokens that still work."""
    now = utcnow()
    rows = session.exec(select(ApiToken).where(
        ApiToken.user_id == user_id, ApiToken.role == PERSONAL,
        col(ApiToken.revoked_at).is_(None)).order_by(col(ApiToken.created_at).desc())).all()
    return [t for t in rows if t.expires_at is None or t.expires_at > now]


def revoke_personal_token(session: Session, user_id: int, token_id: int, *,
                          ip: str | None = None) -> None:
    """Only the owner revokes here; someone else's token id is simply not found."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id or token.role != PERSONAL:
        raise NotFound(N_("Token not found."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.flush()
        record_audit(session, "token.revoked", actor_user_id=user_id,
                     target_type="api_token", target_id=token_id, ip=ip)


def get_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(N_("Token not found."))
    return token


def revoke_api_token(session: Session, token_id: int, *, actor: Principal | None = None,
                     ip: str | None = None) -> ApiToken:
    token = get_token(session, token_id)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.flush()
        record_audit(session, "token.revoked", actor=actor, target_type="api_token",
                     target_id=token_id, ip=ip)
    return token


def authenticate_token(session: Session, plain: str) -> tuple[Principal, ApiToken] | None:
    """Read-only check of a bearer token (GET requests must not write in their session).

    A token's rights are at most those of the person it answers to (its owner, or without an
    owner its maker), read now, not when it was made: revoke the owner's editor role and the
    editor token has no role any more. It acts as its owner (desk and group memberships, own
    data) only when the owner made it; a token an admin made for someone else carries the
    role alone.
    """
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == sha256_hex(plain))).first()
    now = utcnow()
    if token is None or token.revoked_at is not None or (
            token.expires_at is not None and token.expires_at <= now):
        return None
    answers_to = token.user_id if token.user_id is not None else token.minted_by_user_id
    held: frozenset[str] | None = None  # None: a command-line token without owner
    if answers_to is not None:
        user = session.get(User, answers_to)
        if user is None or not user.is_active:
            return None
        held = frozenset(session.exec(
            select(UserRole.role).where(UserRole.user_id == answers_to)).all())
    as_owner = token.user_id is not None and token.minted_by_user_id == token.user_id
    if token.role == PERSONAL:
        if not as_owner:
            return None
        roles: frozenset[str] = frozenset()
    elif held is None or token.role in held or ADMIN in held:
        roles = frozenset({token.role})
    else:
        roles = frozenset()
    principal = Principal(user_id=token.user_id if as_owner else None,
                          email=f"token:{token.prefix}", name=token.name,
                          roles=roles, via="token", token_id=token.id)
    return principal, token


def token_is_valid(db: Database, plain: str) -> bool:
    """Whether a bearer token authenticates (for the CSRF exemption; read-only)."""
    if not plain.startswith(TOKEN_PREFIX):
        return False
    with db.transaction(write=False) as s:
        return authenticate_token(s, plain) is not None


def record_token_use(session: Session, token_id: int, *, ip: str | None = None) -> None:
    """Note the use in the audit log, at most once a minute per token."""
    token = session.get(ApiToken, token_id)
    now = utcnow()
    if token is None or (token.last_used_at and (now - token.last_used_at).total_seconds() < 60):
        return
    token.last_used_at = now
    session.add(token)
    record_audit(session, "token.used", actor_user_id=token.user_id, actor_token_id=token.id,
                 target_type="api_token", target_id=token.id, ip=ip)


def list_tokens(session: Session, *, include_revoked: bool = True) -> list[ApiToken]:
    query = select(ApiToken)
    if not include_revoked:
        query = query.where(col(ApiToken.revoked_at).is_(None))
    return list(session.exec(query.order_by(col(ApiToken.created_at).desc(),
                                            col(ApiToken.id).desc())).all())
