"""Read functions for other domains (insight): plain rows, no texts, no contact details.

Insight builds its disclosure-safe aggregates from these; it never reads the cases tables
itself (docs/architecture.md: domains talk through service functions).

``followup_outcomes``: the outcome follow-up's answers counted per desk, theme, municipality,
question and answer, for follow-ups answered in ``[since, until)``. ``theme`` is the topic
the entrepreneur (or the advisor at intake) picked; ``None`` when none was picked. A count
can be small: a caller that publishes these figures applies its own disclosure rules
(docs/disclosure.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.cases.models import HANDOFF_ACCEPTED, OPEN_STATUSES, Case, CaseHandoff, CaseRating
from backend.cases.models_human import CaseFollowup, CaseFollowupAnswer


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What insight may know of one question: its dimensions and its course, nothing else."""

    id: int
    received_at: datetime
    municipality_code: str | None
    theme: str | None  # picked by the asker, else the first theme the router recognised
    sector: str | None
    company_size: str | None
    desk_id: int  # the desk it is at now
    first_desk_slug: str | None  # the desk the router chose at asking
    status: str
    outcome: str | None
    first_response_seconds: int | None  # working seconds to the first answer
    first_response_desk_id: int | None
    # None: no first response yet; False also for a question closed without any answer (it
    # never counts as answered, in time or otherwise).
    responded_on_time: bool | None
    overdue_now: bool  # open, unanswered and past its due date when read
    closed_at: datetime | None
    rating: int | None


def case_facts(session: Session, start: datetime, end: datetime, *,
               now: datetime) -> list[CaseFacts]:
    """Every question received in ``[start, end)``, as :class:`CaseFacts`."""
    first_desk = Case.routing["desk"].as_string()
    stmt = (sa.select(col(Case.id), col(Case.received_at), col(Case.municipality_code),
                   col(Case.theme), col(Case.themes), col(Case.sector),
                   col(Case.company_size), col(Case.desk_id), first_desk, col(Case.status),
                   col(Case.outcome), col(Case.first_response_seconds),
                   col(Case.first_response_desk_id), col(Case.first_responded_at),
                   col(Case.first_response_due_at), col(Case.closed_at),
                   col(CaseRating.score))
            .outerjoin(CaseRating, col(CaseRating.case_id) == col(Case.id))
            .where(col(Case.received_at) >= start, col(Case.received_at) < end)
            .order_by(col(Case.id)))
    out: list[CaseFacts] = []
    for row in session.execute(stmt):
        (cid, received, muni, theme, themes, sector, size, desk_id, first, status, outcome,
         secs, resp_desk, responded, due, closed, score) = row
        if not theme and themes:
            theme = themes[0]
        if outcome == "answered" and responded is None:
            # Closed as "answered" without any answer sent (the form's old default): counted
            # as no follow-up, never as answered (cases.workspace.close refuses it now).
            outcome = "no_follow_up"
        out.append(CaseFacts(
            id=cid, received_at=received, municipality_code=muni, theme=theme or None,
            sector=sector, company_size=size, desk_id=desk_id, first_desk_slug=first,
            status=status, outcome=outcome, first_response_seconds=secs,
            first_response_desk_id=resp_desk,
            responded_on_time=((responded <= due) if responded is not None
                               else False if status == "closed" else None),
            overdue_now=(status != "closed" and responded is None and due < now),
            closed_at=closed, rating=score))
    return out


def accepted_handoffs(session: Session, case_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """{case id: [(from desk id, to desk id), …]} of accepted hand-offs of those cases."""
    out: dict[int, list[tuple[int, int]]] = {}
    if not case_ids:
        return out
    lo, hi = min(case_ids), max(case_ids)
    stmt = (sa.select(col(CaseHandoff.case_id), col(CaseHandoff.from_desk_id),
                   col(CaseHandoff.to_desk_id))
            .where(col(CaseHandoff.case_id).between(lo, hi),
                   col(CaseHandoff.status) == HANDOFF_ACCEPTED.removeprefix("handoff_"))
            .order_by(col(CaseHandoff.id)))
    wanted = set(case_ids)
    for cid, frm, to in session.execute(stmt):
        if cid in wanted:
            out.setdefault(cid, []).append((frm, to))
    return out


def received_count(session: Session, start: datetime, end: datetime) -> int:
    return int(session.execute(select(sa.func.count()).select_from(Case).where(
        col(Case.received_at) >= start, col(Case.received_at) < end)).scalar_one())


def first_received_at(session: Session) -> datetime | None:
    value: datetime | None = session.execute(select(sa.func.min(Case.received_at))).scalar()
    return value


def open_and_overdue_by_desk(session: Session, *, now: datetime) -> dict[int, tuple[int, int]]:
    """{desk id: (open cases, of which overdue)} in one grouped query (the desks view of
    insight; ``figures.desk_figures`` gives the same per desk)."""
    overdue = sa.case((sa.and_(col(Case.first_responded_at).is_(None),
                               col(Case.first_response_due_at) < now), 1), else_=0)
    rows = session.execute(
        sa.select(col(Case.desk_id), sa.func.count(), sa.func.sum(overdue))
        .where(col(Case.status).in_(OPEN_STATUSES)).group_by(col(Case.desk_id))).all()
    return {int(d): (int(n), int(o or 0)) for d, n, o in rows}


# (desk_id, theme, municipality_code, question, answer, count)
OutcomeRow = tuple[int, str | None, str | None, str, str, int]


def followup_outcomes(session: Session, since: datetime, until: datetime) -> list[OutcomeRow]:
    keys = (col(Case.desk_id), col(Case.theme), col(Case.municipality_code),
            col(CaseFollowupAnswer.question), col(CaseFollowupAnswer.answer))
    stmt = (sa.select(*keys, sa.func.count())
            .select_from(CaseFollowupAnswer)
            .join(CaseFollowup, col(CaseFollowup.id) == col(CaseFollowupAnswer.followup_id))
            .join(Case, col(Case.id) == col(CaseFollowup.case_id))
            .where(col(CaseFollowup.answered_at) >= since, col(CaseFollowup.answered_at) < until)
            .group_by(*keys).order_by(*keys))
    return [(int(d), t, m, q, a, int(n))
            for d, t, m, q, a, n in session.execute(stmt).all()]
