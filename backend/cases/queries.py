"""Read functions other domains may call for aggregates of cases (never their rows).

``followup_outcomes``: the outcome follow-up's answers counted per desk, theme, municipality,
question and answer, for follow-ups answered in ``[since, until)``. ``theme`` is the topic
the entrepreneur (or the advisor at intake) picked; ``None`` when none was picked. A count
can be small: a caller that publishes these figures applies its own disclosure rules
(docs/disclosure.md).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from backend.cases.models import Case
from backend.cases.models_human import CaseFollowup, CaseFollowupAnswer

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
