"""Desks (loketten): where they work, what they handle, who works there.

Coverage is one row per area (``DeskCoverage``): a municipality, a labour-market region, a
COROP region, a province, or the whole country. Themes, sectors, company sizes and languages
are short lists of taxonomy slugs kept on the desk itself (they are read together, never
queried one by one).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from backend.core.db import UtcDateTime, utcnow
from backend.core.settings import SLA_ESCALATION_FACTOR, SLA_FIRST_RESPONSE_HOURS
from backend.regions.schemas import REGION_KINDS

ADVISOR, COORDINATOR = "advisor", "coordinator"
DESK_ROLES = (ADVISOR, COORDINATOR)
COVERAGE_KINDS = REGION_KINDS  # municipality, labour_market_region, corop, province, national


class DeskBase(SQLModel):
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    summary: str = Field(default="", max_length=500)  # public one-liner: what the desk does
    is_active: bool = True
    # Takes any question for its area when no desk has the question's theme.
    general_remit: bool = False
    # The national fallback: the end of every routing chain (exactly one, "kvk").
    is_fallback: bool = False
    capacity: int = Field(default=50, ge=0)  # open cases it can carry
    # Target, in working hours (the default is settings' SLA_FIRST_RESPONSE_HOURS).
    first_response_hours: int = Field(default=SLA_FIRST_RESPONSE_HOURS, ge=1)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=40)
    website: str | None = Field(default=None, max_length=300)
    address: str | None = Field(default=None, max_length=300)
    # Where the desk's remit comes from: the organisation's own public page (a specific URL),
    # what that page says, and the day it was checked. Shown on the public desk page.
    source_url: str | None = Field(default=None, max_length=500)
    source_note: str = Field(default="", max_length=1000)
    source_checked: date | None = None
    # The organisation's own published response target, when it publishes one. Without it,
    # ``first_response_hours`` is Loket's default and is shown as such, never as the
    # organisation's promise.
    response_target_source: str | None = Field(default=None, max_length=500)
    # A fictional desk for demonstrations: loaded by the seed only in development and tests,
    # and labelled as such wherever it is shown.
    is_demo: bool = False


class Desk(DeskBase, table=True):
    __tablename__ = "desk"

    id: int | None = Field(default=None, primary_key=True)
    themes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sectors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    company_sizes: list[str] = Field(default_factory=list,
                                     sa_column=Column(JSON, nullable=False))
    languages: list[str] = Field(default_factory=lambda: ["nl"],
                                 sa_column=Column(JSON, nullable=False))
    # Specialisms: words or phrases that make a question this desk's subject even within a
    # broader theme ("wbso", "cobot", "universiteit twente").
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Working hours after receipt at which a case still without a first response moves to the
    # fallback desk; empty: SLA_ESCALATION_FACTOR times the target (``escalation_hours``).
    escalate_after_hours: int | None = Field(default=None, ge=1)
    # Digest of the seed entry last applied: a re-seed overwrites admin edits only when the
    # YAML entry itself changed.
    seed_digest: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    # Touched on every change to the desk, its coverage or its members: the routing cache
    # compares it to know when to rebuild.
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)

    def escalation_hours(self) -> int:
        """The escalation rule, in one place: the desk's own time, or the default factor."""
        return self.escalate_after_hours or SLA_ESCALATION_FACTOR * self.first_response_hours


class DeskCoverage(SQLModel, table=True):
    __tablename__ = "desk_coverage"
    __table_args__ = (sa.UniqueConstraint("desk_id", "kind", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    desk_id: int = Field(foreign_key="desk.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=24)  # one of COVERAGE_KINDS
    code: str = Field(default="", max_length=8)  # GM0150, AM23, CR12, PV23; "" for national


class DeskMember(SQLModel, table=True):
    __tablename__ = "desk_member"

    desk_id: int = Field(foreign_key="desk.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True,
                         ondelete="CASCADE")
    role: str = Field(default=ADVISOR, max_length=16)  # advisor | coordinator
    added_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class CoverageItem(SQLModel):
    kind: str
    code: str = ""


class DeskCreate(DeskBase):
    escalate_after_hours: int | None = Field(default=None, ge=1)
    themes: list[str] = []
    sectors: list[str] = []
    company_sizes: list[str] = []
    languages: list[str] = ["nl"]
    keywords: list[str] = []
    coverage: list[CoverageItem] = []


class DeskUpdate(SQLModel):
    name: str | None = None
    summary: str | None = None
    is_active: bool | None = None
    general_remit: bool | None = None
    capacity: int | None = None
    first_response_hours: int | None = None
    escalate_after_hours: int | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    website: str | None = None
    address: str | None = None
    source_url: str | None = None
    source_note: str | None = None
    source_checked: date | None = None
    response_target_source: str | None = None
    is_demo: bool | None = None
    themes: list[str] | None = None
    sectors: list[str] | None = None
    company_sizes: list[str] | None = None
    languages: list[str] | None = None
    keywords: list[str] | None = None
    coverage: list[CoverageItem] | None = None


class DeskPublic(DeskBase):
    """A desk as the public sees it (the API's desk list): no capacity or load figures."""

    id: int
    capacity: int = Field(default=0, exclude=True)  # internal: never in the public answer
    themes: list[str] = []
    sectors: list[str] = []
    company_sizes: list[str] = []
    languages: list[str] = []
    keywords: list[str] = []
    coverage: list[CoverageItem] = []
