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

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.cases.models import OPEN_STATUSES, Case, CaseRating
from backend.cases.schemas import DeskFigures
from backend.core.db import utcnow
from backend.routing import service as routing


def median_first_response_seconds(session: Session, desk_id: int) -> float | None:
    ranked = (select(col(Case.first_response_seconds).label("v"),
                     sa.func.row_number().over(order_by=col(Case.first_response_seconds))
                     .label("rn"),
                     sa.func.count().over().label("cnt"))
              .where(Case.first_response_desk_id == desk_id,
                     col(Case.first_response_seconds).is_not(None))
              .subquery())
    stmt = select(sa.func.avg(ranked.c.v)).where(
        ranked.c.rn.in_([(ranked.c.cnt + 1) // 2, (ranked.c.cnt + 2) // 2]))
    value = session.execute(stmt).scalar_one_or_none()
    return float(value) if value is not None else None


def desk_figures(session: Session, desk_id: int, *, now: datetime | None = None) -> DeskFigures:
    now = now or utcnow()
    is_open = col(Case.status).in_(OPEN_STATUSES)
    overdue = sa.and_(is_open, col(Case.first_responded_at).is_(None),
                      col(Case.first_response_due_at) < now)
    at_desk = col(Case.desk_id) == desk_id
    counts = session.execute(select(
        sa.func.coalesce(sa.func.sum(sa.case((sa.and_(at_desk, is_open), 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((sa.and_(at_desk, overdue), 1), else_=0)), 0),
    )).one()
    responded = col(Case.first_response_desk_id) == desk_id
    on_time = sa.and_(responded, col(Case.first_responded_at) <= col(Case.first_response_due_at))
    late_open = sa.and_(at_desk, overdue)
    closed_unanswered = sa.and_(at_desk, col(Case.status) == "closed",
                                col(Case.first_responded_at).is_(None))
    target = session.execute(select(
        sa.func.coalesce(sa.func.sum(sa.case((on_time, 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case(
            (sa.or_(responded, late_open, closed_unanswered), 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((responded, 1), else_=0)), 0),
    )).one()
    within, judged, answered = (int(v) for v in target)
    median = median_first_response_seconds(session, desk_id)
    rating = session.execute(select(sa.func.avg(CaseRating.score))
                             .where(CaseRating.desk_id == desk_id)).scalar_one_or_none()
    per_channel = {str(c): int(n) for c, n in session.execute(
        select(Case.channel, sa.func.count()).where(at_desk)
        .group_by(col(Case.channel)).order_by(col(Case.channel))).all()}
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
