"""Scan definitions (versioned), results and the link between a result and a case.

A result stores its version, its answers and its scores, so neither a new version of the
questions nor a change to the scoring ever changes an old result.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from backend.core.db import UtcDateTime, utcnow


class ScanVersion(SQLModel, table=True):
    __tablename__ = "scan_version"

    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    definition: dict[str, Any] = Field(default_factory=dict,
                                       sa_column=Column(JSON, nullable=False))
    digest: str = Field(max_length=64)
    source: str = Field(default="seed", max_length=40)  # seed | editor
    # The YAML as written (comments included), so the next draft starts from it.
    source_text: str | None = Field(default=None, sa_type=sa.Text)
    created_by: int | None = Field(default=None, foreign_key="user_account.id",
                                   ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class ScanResult(SQLModel, table=True):
    __tablename__ = "scan_result"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(foreign_key="scan_version.version", index=True, ondelete="RESTRICT")
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    scores: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The firm, as far as it told us (for advice nearby and anonymous aggregates).
    company_size: str | None = Field(default=None, max_length=40)
    sector: str | None = Field(default=None, max_length=80)
    municipality_code: str | None = Field(default=None, max_length=6)
    province: str | None = Field(default=None, max_length=80)  # region slug
    # Saved to an account, and/or under a private link (only the SHA-256 of the token).
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True,
                                ondelete="SET NULL")
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    # The same firm's earlier scan, for the before/after comparison.
    previous_id: int | None = Field(default=None, foreign_key="scan_result.id",
                                    ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)


class ScanAttachment(SQLModel, table=True):
    """A scan attached to a question ("Bespreek dit met een adviseur")."""

    __tablename__ = "scan_attachment"
    __table_args__ = (sa.UniqueConstraint("case_id", "result_id",
                                          name="uq_scan_attachment_case_result"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="question_case.id", index=True, ondelete="CASCADE")
    result_id: int = Field(foreign_key="scan_result.id", index=True, ondelete="CASCADE")
    summary: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class ScanDraft(SQLModel, table=True):
    """The editors' next version, as YAML text (at most one draft at a time)."""

    __tablename__ = "scan_draft"

    id: int | None = Field(default=None, primary_key=True)
    based_on: int | None = Field(default=None, foreign_key="scan_version.version",
                                 ondelete="SET NULL")
    text: str = Field(sa_type=sa.Text)
    updated_by: int | None = Field(default=None, foreign_key="user_account.id",
                                   ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class ScanBenchmark(SQLModel, table=True):
    """The anonymous statistics of one calendar quarter of completed scans, frozen once after
    the quarter has ended (docs/disclosure.md, rule 4). ``cells`` holds, per measure
    (``overall``, ``pillar:<slug>``, ``dimension:<slug>``) and cell (``all``,
    ``sector:<slug>``, ``size:<slug>``, ``sector_size:<slug>:<slug>``), only what may be shown:
    ``n`` and either ``reason`` or ``q1``/``median``/``q3``. No firm, result or value."""

    __tablename__ = "scan_benchmark"

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7, unique=True)  # 2026-Q3
    starts_at: datetime = Field(sa_type=UtcDateTime)
    ends_at: datetime = Field(sa_type=UtcDateTime)
    firms: int = 0
    cells: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    frozen_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
