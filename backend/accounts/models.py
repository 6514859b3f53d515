"""Users, their roles, server-side sessions, API tokens and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import EmailStr
from sqlmodel import JSON, Column, Field, SQLModel

from backend.core.db import UtcDateTime, utcnow

# Global roles. Desk and group roles live with their memberships (routing, community).
ADMIN, EDITOR = "admin", "editor"
GLOBAL_ROLES = (ADMIN, EDITOR)


class UserBase(SQLModel):
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=200)


class UserCreate(UserBase):
    email: EmailStr  # type: ignore[assignment]
    roles: list[str] = []


class User(UserBase, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    is_active: bool = True
    # Only the break-glass admin has a password; everyone else logs in by SSO or e-mail link.
    password_hash: str | None = Field(default=None, max_length=255)
    oidc_subject: str | None = Field(default=None, max_length=255, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)  # type: ignore[call-overload]
    last_login_at: datetime | None = Field(default=None, sa_type=UtcDateTime)  # type: ignore[call-overload]


class UserPublic(UserBase):
    id: int
    is_active: bool
    roles: list[str] = []


class UserRole(SQLModel, table=True):
    __tablename__ = "user_role"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(primary_key=True, max_length=32)
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)  # type: ignore[call-overload]
    granted_by: int | None = Field(default=None, foreign_key="user_account.id",
                                   ondelete="SET NULL")


class WebSession(SQLModel, table=True):
    """A server-side session. The cookie holds a random id; only its SHA-256 is stored."""

    __tablename__ = "web_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True,
                                ondelete="CASCADE")
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)  # type: ignore[call-overload]
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)  # type: ignore[call-overload]
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)  # type: ignore[call-overload]


class AuditEvent(SQLModel, table=True):
    """Security and state-change events. Holds ids and codes, never free personal text."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_target", "target_type", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)  # type: ignore[call-overload]
    action: str = Field(max_length=64, index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="user_account.id",
                                      ondelete="SET NULL")
    actor_token_id: int | None = Field(default=None)
    target_type: str | None = Field(default=None, max_length=32)
    target_id: str | None = Field(default=None, max_length=64)
    ip: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ApiToken(SQLModel, table=True):
    """A bearer token for ``/api/v1``. Only its SHA-256 is stored; it acts with one role."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)  # shown in lists so people can tell tokens apart
    role: str = Field(max_length=32)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)  # type: ignore[call-overload]
    expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)  # type: ignore[call-overload]
    last_used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)  # type: ignore[call-overload]
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)  # type: ignore[call-overload]
