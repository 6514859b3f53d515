"""Desk figures in SQL that runs on SQLite and PostgreSQL alike.

- open cases: at the desk now, not closed;
- median time to first response, in working hours, of the first responses the desk gave (a
  portable median: ``ROW_NUMBER`` and ``COUNT`` windows, averaging the middle one or two rows);
- share answered within target: of the desk's first responses plus its open cases that are
  past due without one plus the cases it closed without any answer, the part whose first
  response came on time (a question closed unanswered never counts as answered; before
  issue 15 it dropped out of the figure, which made closing an overdue question look better
  than answering it late);
- questions per channel: the cases at the desk by how they came in (web, api, telefoon, …).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.cases.models import OPEN_STATUSES, Case, CaseRating
from backend.cases.schemas import DeskFigures
from backend.core.db import UtcDateTime, utcnow
from backend.routing import service as routing

# The statements are built once (at first use, not at import), with the desk and the moment as
# parameters: building them cost more than running them (≈ 1 ms of the public desk page;
# issue 19 item 4).
_DESK = sa.bindparam("desk_id", type_=sa.Integer())
_NOW = sa.bindparam("now", type_=UtcDateTime())


@cache
def _median_statement() -> Any:
    ranked = (select(col(Case.first_response_seconds).label("v"),
                     sa.func.row_number().over(order_by=col(Case.first_response_seconds))
                     .label("rn"),
                     sa.func.count().over().label("cnt"))
              .where(Case.first_response_desk_id == _DESK,
                     col(Case.first_response_seconds).is_not(None))
              .subquery())
    return select(sa.func.avg(ranked.c.v)).where(
        ranked.c.rn.in_([(ranked.c.cnt + 1) // 2, (ranked.c.cnt + 2) // 2]))


@cache
def _figure_statements() -> tuple[Any, Any, Any, Any]:
    is_open = col(Case.status).in_(OPEN_STATUSES)
    overdue = sa.and_(is_open, col(Case.first_responded_at).is_(None),
                      col(Case.first_response_due_at) < _NOW)
    at_desk = col(Case.desk_id) == _DESK
    counts = select(
        sa.func.coalesce(sa.func.sum(sa.case((sa.and_(at_desk, is_open), 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((sa.and_(at_desk, overdue), 1), else_=0)), 0),
    )
    responded = col(Case.first_response_desk_id) == _DESK
    on_time = sa.and_(responded, col(Case.first_responded_at) <= col(Case.first_response_due_at))
    late_open = sa.and_(at_desk, overdue)
    closed_unanswered = sa.and_(at_desk, col(Case.status) == "closed",
                                col(Case.first_responded_at).is_(None))
    target = select(
        sa.func.coalesce(sa.func.sum(sa.case((on_time, 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case(
            (sa.or_(responded, late_open, closed_unanswered), 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((responded, 1), else_=0)), 0),
    )
    rating = select(sa.func.avg(CaseRating.score)).where(CaseRating.desk_id == _DESK)
    per_channel = (select(Case.channel, sa.func.count()).where(at_desk)
                   .group_by(col(Case.channel)).order_by(col(Case.channel)))
    return counts, target, rating, per_channel


def median_first_response_seconds(session: Session, desk_id: int) -> float | None:
    value = session.execute(_median_statement(), {"desk_id": desk_id}).scalar_one_or_none()
    return float(value) if value is not None else None


def desk_figures(session: Session, desk_id: int, *, now: datetime | None = None) -> DeskFigures:
    now = now or utcnow()
    params = {"desk_id": desk_id, "now": now}
    counts_stmt, target_stmt, rating_stmt, channel_stmt = _figure_statements()
    counts = session.execute(counts_stmt, params).one()
    target = session.execute(target_stmt, params).one()
    within, judged, answered = (int(v) for v in target)
    median = median_first_response_seconds(session, desk_id)
    rating = session.execute(rating_stmt, params).scalar_one_or_none()
    per_channel = {str(c): int(n) for c, n in session.execute(channel_stmt, params).all()}
    return DeskFigures(
        per_channel=per_channel,
        open_cases=int(counts[0]), overdue_cases=int(counts[1]), answered_cases=answered,
        median_first_response_hours=round(median / 3600, 1) if median is not None else None,
        share_within_target=round(within / judged, 3) if judged else None,
        average_rating=round(float(rating), 1) if rating is not None else None,
    )


def open_case_counts(session: Session, desk_ids: Iterable[int] | None = None) -> dict[int, int]:
    """{desk_id: open cases}: the router's load figure.

    With the desks named the query reads only the (desk, status) index: without them SQLite
    picks the (status, due date) index and visits every open case's row (19 ms against
    1.6 ms with 9,000 open cases; docs/benchmarks.md, "Load").
    """
    stmt = select(Case.desk_id, sa.func.count()).where(col(Case.status).in_(OPEN_STATUSES))
    if desk_ids is not None:
        stmt = stmt.where(col(Case.desk_id).in_(list(desk_ids)))
    rows = session.execute(stmt.group_by(col(Case.desk_id))).all()
    return {int(d): int(n) for d, n in rows}


def _register_load_source() -> None:
    """Routing owns the load figure but imports nothing from cases: cases fills it in."""

    routing.register_load_source(open_case_counts)


_register_load_source()
