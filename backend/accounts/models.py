"""Users, their roles, server-side sessions, API tokens and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import AwareDatetime, EmailStr
from sqlmodel import JSON, Column, Field, SQLModel

from backend.accounts.schemas import ADMIN, ANALYST, EDITOR, GLOBAL_ROLES  # noqa: F401 - re-exported
from backend.core.db import MAX_ROW_ID, UtcDateTime, utcnow

SCOPED_ROLES = (ANALYST,)
# A personal token acts as its owner with no role at all, and only on PERSONAL_TOKEN_PATHS:
# an entry ending in "/" is a prefix, any other one an exact path.
PERSONAL = "personal"
PERSONAL_TOKEN_PATHS = ("/api/v1/groups/", "/api/v1/me")


def personal_token_may_use(path: str) -> bool:
    """``/api/v1/me`` itself, not what lies below it (``/api/v1/me/data`` is the person's
    whole data export, which a token made for the groups API must not read)."""
    return any(path.startswith(p) if p.endswith("/") else path == p
               for p in PERSONAL_TOKEN_PATHS)


class UserBase(SQLModel):
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=200)


class UserCreate(UserBase):
    email: EmailStr
    roles: list[str] = []


class User(UserBase, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    is_active: bool = True
    # Only the break-glass admin has a password; everyone else logs in by SSO or e-mail link.
    password_hash: str | None = Field(default=None, max_length=255)
    oidc_subject: str | None = Field(default=None, max_length=255, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class UserPublic(UserBase):
    id: int
    is_active: bool
    roles: list[str] = []
    created_at: datetime
    last_login_at: datetime | None = None
    has_password: bool = False
    has_sso: bool = False


class UsersPublic(SQLModel):
    data: list[UserPublic]
    count: int


class RoleGrant(SQLModel):
    role: Literal["admin", "editor", "analist"]
    province: str | None = Field(default=None, max_length=8,
                                 description='Only for "analist": limit to one province '
                                             '(CBS code, e.g. "PV23"); empty for all.')


class UserRole(SQLModel, table=True):
    __tablename__ = "user_role"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(primary_key=True, max_length=32)
    # For a scoped role (analist): the one province it covers; None = everywhere.
    scope: str | None = Field(default=None, max_length=8)
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    granted_by: int | None = Field(default=None, foreign_key="user_account.id",
                                   ondelete="SET NULL")


class WebSession(SQLModel, table=True):
    """A server-side session. The cookie holds a random id; only its SHA-256 is stored."""

    __tablename__ = "web_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True,
                                ondelete="CASCADE")
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)


class AuditEvent(SQLModel, table=True):
    """Security and state-change events. Holds ids and codes, never free personal text."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_target", "target_type", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)
    action: str = Field(max_length=64, index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="user_account.id",
                                      ondelete="SET NULL", index=True)
    actor_token_id: int | None = Field(default=None)
    target_type: str | None = Field(default=None, max_length=32)
    target_id: str | None = Field(default=None, max_length=64)
    ip: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ApiToken(SQLModel, table=True):
    """A bearer token for ``/api/v1``. Only its SHA-256 is stored.

    Its rights are at most those of the person it answers to, checked at every use
    (``accounts.service.authenticate_token``): its ``role`` counts only while the owner (or,
    for a token without owner, its maker) still holds that role, and it acts with the owner's
    desk and group memberships only when the owner made it (``minted_by_user_id``).
    """

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)  # shown in lists so people can tell tokens apart
    role: str = Field(max_length=32)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="CASCADE")
    # Who made it (None: the command line on the server). A token dies with its maker.
    minted_by_user_id: int | None = Field(default=None, foreign_key="user_account.id",
                                          ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ApiTokenCreate(SQLModel):
    name: str = Field(min_length=1, max_length=100)
    role: Literal["admin", "editor"]
    user_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID,
                                description="owner; the token dies with them")
    expires_at: AwareDatetime | None = None


class ApiTokenPublic(SQLModel):
    id: int
    name: str
    prefix: str
    role: str
    user_id: int | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenPublic):
    token: str = Field(description="The secret token. It is shown only this once.")


class LoginLink(SQLModel, table=True):
    """A one-time e-mail login link. Only the SHA-256 of its ≥256-bit token is stored."""

    __tablename__ = "login_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class MePublic(SQLModel):
    """Who the API sees: the logged-in user or the token's principal."""

    id: int | None
    name: str
    roles: list[str]
    via: str = Field(description='"session" or "token"')
    token_id: int | None = None
