"""Human-friendly, unique case references: ``LK-2026-004217``.

One counter row per year, advanced by a single ``INSERT … ON CONFLICT DO UPDATE … RETURNING``
in the caller's transaction. The row lock (PostgreSQL) or the write lock that every writing
transaction takes first (``BEGIN IMMEDIATE`` on SQLite) serialises concurrent askers, and the
unique index on ``question_case.reference`` is the last line of defence.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from backend.cases.models import CaseSequence
from backend.cases.workhours import AMSTERDAM
from backend.core.db import utcnow

PREFIX = "LK"
REFERENCE_RE = re.compile(r"^LK-\d{4}-\d{6,}$")


def format_reference(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:06d}"


def next_number(session: Session, year: int) -> int:
    table = CaseSequence.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert: Any = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    stmt = (insert.values(year=year, last=1)
            .on_conflict_do_update(index_elements=["year"], set_={"last": table.c.last + 1})
            .returning(table.c.last))
    return int(session.execute(stmt).scalar_one())


def next_reference(session: Session, now: datetime | None = None) -> str:
    year = (now or utcnow()).astimezone(AMSTERDAM).year
    return format_reference(year, next_number(session, year))


def looks_like_reference(value: str) -> bool:
    return bool(REFERENCE_RE.match(value))
