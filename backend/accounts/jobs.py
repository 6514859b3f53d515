"""Periodic clean-up of expired sessions, spent login links and old rate-limit counters."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, delete, or_

from backend.accounts.models import LoginLink, WebSession
from backend.core.db import utcnow
from backend.core.outbox import WorkerContext
from backend.core.ratelimit import purge_expired
from backend.core.worker import periodic


def purge(ctx: WorkerContext) -> dict[str, int]:
    now = utcnow()
    idle = timedelta(minutes=ctx.settings.session_idle_minutes)
    with ctx.db.transaction() as s:
        sessions = s.exec(delete(WebSession).where(or_(
            col(WebSession.expires_at) <= now, col(WebSession.last_seen_at) <= now - idle)))
        # Spent and expired links are kept a little (LOKET_RETENTION_LOGIN_LINK_DAYS) for the
        # audit trail's sake, then dropped.
        keep = timedelta(days=ctx.settings.retention_login_link_days)
        links = s.exec(delete(LoginLink).where(col(LoginLink.expires_at) <= now - keep))
        counters = purge_expired(s)
    return {"sessions": int(sessions.rowcount or 0), "links": int(links.rowcount or 0),
            "counters": counters}


@periodic("accounts.purge", every=timedelta(minutes=15))
def _purge_job(ctx: WorkerContext) -> None:
    purge(ctx)
