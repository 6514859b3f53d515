"""Saved finder profiles of account holders, for alerts about new and closing schemes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from backend.core.db import UtcDateTime, utcnow


class SchemeProfile(SQLModel, table=True):
    """A finder profile an account holder saved. Alerts compare schemes published after
    ``created_at`` (new) and fitting schemes that close within 14 days (closing)."""

    __tablename__ = "scheme_profile"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=200)
    size: str | None = Field(default=None, max_length=40)
    sector: str | None = Field(default=None, max_length=80)
    municipality: str | None = Field(default=None, max_length=100)
    themes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cost_kind: str | None = Field(default=None, max_length=80)
    amount: int | None = Field(default=None, sa_type=sa.BigInteger)
    alerts: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    last_checked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class SavedScheme(SQLModel, table=True):
    """A scheme an account holder saved ("Bewaar deze regeling"): listed with the profiles,
    and one e-mail when it closes within 14 days."""

    __tablename__ = "saved_scheme"
    __table_args__ = (sa.UniqueConstraint("user_id", "item_id",
                                          name="uq_saved_scheme_user_item"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    item_id: int = Field(foreign_key="content_item.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
