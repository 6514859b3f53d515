"""The SLA watch: a periodic job that escalates cases without a first response.

Level 1, when the first response is overdue: the desk's coordinators are told (once) and an
internal timeline event is written. Level 2, at twice the target: the case moves to the national
fallback desk, keeping its reference, timeline and clock; the entrepreneur is told. The level is
stored on the case and the mails carry dedupe keys, so a run that is repeated after a crash
or on another worker does nothing twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from backend.accounts.service import record_audit
from backend.cases import notify
from backend.cases.models import ESCALATED, Case
from backend.cases.routing_adapter import fallback_desk
from backend.cases.service import add_event, issue_token, withdraw_offers
from backend.cases.workspace import move_case
from backend.core.db import utcnow
from backend.core.outbox import WorkerContext
from backend.core.worker import periodic
from backend.routing import queries as desks

log = logging.getLogger("loket.cases.sla")

BATCH = 200


def _due(level_below: int, due_column: object, now: datetime) -> object:
    return (select(Case)
            .where(col(Case.status) != "closed", col(Case.first_responded_at).is_(None),
                   col(Case.escalation_level) < level_below,
                   due_column <= now)  # type: ignore[operator]
            .order_by(col(Case.id)).limit(BATCH).with_for_update())


def check_sla(session: Session, *, now: datetime | None = None, base_url: str = ""
              ) -> dict[str, int]:
    """Escalate what is due at ``now``; returns how many cases reached each level."""
    now = now or utcnow()
    counts = {"overdue": 0, "moved": 0}
    for case in session.exec(_due(1, col(Case.first_response_due_at), now)).all():  # type: ignore[call-overload]
        desk = desks.desk_by_id(session, case.desk_id)
        assert desk is not None
        case.escalation_level = 1
        add_event(session, case, ESCALATED, internal=True, level=1, desk=desk.slug)
        record_audit(session, "case.overdue", target_type="case", target_id=case.id,
                     reference=case.reference, desk=desk.slug, level=1)
        notify.overdue(session, case, desk, 1, base_url)
        counts["overdue"] += 1
    for case in session.exec(_due(2, col(Case.escalate_at), now)).all():  # type: ignore[call-overload]
        from_desk = desks.desk_by_id(session, case.desk_id)
        assert from_desk is not None
        fallback = fallback_desk(session)
        case.escalation_level = 2
        if fallback.id == case.desk_id:
            add_event(session, case, ESCALATED, internal=True, level=2, desk=from_desk.slug)
            record_audit(session, "case.overdue", target_type="case", target_id=case.id,
                         reference=case.reference, desk=from_desk.slug, level=2)
            notify.overdue(session, case, from_desk, 2, base_url)
            continue
        withdraw_offers(session, case, reason="escalated")
        move_case(session, case, fallback)
        add_event(session, case, ESCALATED, level=2, from_desk=from_desk.slug,
                  to_desk=fallback.slug)
        record_audit(session, "case.escalated", target_type="case", target_id=case.id,
                     reference=case.reference, from_desk=from_desk.slug,
                     to_desk=fallback.slug, level=2)
        notify.new_case(session, case, fallback, base_url, dedupe=f"case:{case.id}:escalated")
        token = issue_token(session, case)
        notify.handed_on(session, case, from_desk, fallback, token, base_url)
        counts["moved"] += 1
    return counts


@periodic("cases.sla", every=timedelta(minutes=5))
def run_sla(ctx: WorkerContext) -> None:
    with ctx.db.transaction() as session:
        counts = check_sla(session, base_url=ctx.settings.base_url)
    if any(counts.values()):
        log.info("case SLA escalations", extra=counts)
