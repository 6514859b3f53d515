"""Admin pages for operations: the outbox (``/beheer/uitgaand``) and mail (``/beheer/mail``).

Admins only. Every page works without JavaScript: filters are GET forms, "retry" posts and
redirects (303) with a short outcome code (``?gedaan=…``) that the next page shows.
Mail bodies are shown as escaped text only: an HTML part is never rendered as HTML.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func
from sqlmodel import Session, col, select

from backend.accounts import service as accounts
from backend.accounts.deps import AdminPage, client_ip
from backend.core.db import SessionDep
from backend.core.errors import NotFound
from backend.core.i18n import gettext_ as _
from backend.core.mail import KEPT, MAIL_KIND, SMTP
from backend.core.outbox import (
    DONE,
    FAILED,
    PENDING,
    STATUSES,
    OutboxMessage,
    registered_kinds,
    retry_failed,
    status_counts,
)
from backend.core.paging import page_number, paginate
from backend.core.routing import LazyRoute
from backend.core.templating import render
from backend.core.worker import PeriodicJob

router = APIRouter(prefix="/beheer", include_in_schema=False, route_class=LazyRoute)

PER_PAGE = 50
MAIL_DELIVERIES = ("kept", "sent", "waiting", "failed")


def _status_labels() -> dict[str, str]:
    return {PENDING: _("Waiting"), DONE: _("Delivered"), FAILED: _("Failed")}


def _delivery_labels() -> dict[str, str]:
    return {"kept": _("Kept (not sent)"), "sent": _("Sent"), "waiting": _("Waiting"),
            "failed": _("Failed")}


def _notice(request: Request) -> dict[str, str] | None:
    done = {"retried": _("The message is back in the queue."),
            "retried_all": _("All failed messages are back in the queue."),
            "not_failed": _("Only failed messages can be retried.")}
    code = request.query_params.get("gedaan")
    if code in done:
        return {"kind": "error" if code == "not_failed" else "success", "text": done[code]}
    return None


def _get_message(session: Session, message_id: int, *, kind: str | None = None
                 ) -> OutboxMessage:
    msg = session.get(OutboxMessage, message_id)
    if msg is None or (kind is not None and msg.kind != kind):
        raise NotFound()
    return msg


def _known_kinds(session: Session) -> list[str]:
    stored = session.exec(select(OutboxMessage.kind).distinct()).all()
    return sorted(set(stored) | set(registered_kinds()))


# --- outbox ----------------------------------------------------------------------------------

@router.get("/uitgaand", response_class=HTMLResponse, name="admin_outbox")
def outbox(request: Request, session: SessionDep, admin: AdminPage, status: str = "",
           soort: str = "", pagina: str | None = None) -> HTMLResponse:
    status = status if status in STATUSES else ""
    kinds = _known_kinds(session)
    kind = soort if soort in kinds else ""
    where = []
    if status:
        where.append(col(OutboxMessage.status) == status)
    if kind:
        where.append(col(OutboxMessage.kind) == kind)
    total = int(session.exec(select(func.count()).select_from(OutboxMessage)
                             .where(*where)).one())
    paging = paginate(page_number(pagina), PER_PAGE, total, "/beheer/uitgaand",
                      {"status": status, "soort": kind})
    messages = session.exec(select(OutboxMessage).where(*where)
                            .order_by(col(OutboxMessage.id).desc())
                            .offset(paging["offset"]).limit(PER_PAGE)).all()
    jobs = session.exec(select(PeriodicJob).order_by(col(PeriodicJob.name))).all()
    return render(request, "ops/outbox.html", {
        "messages": messages, "paging": paging, "counts": status_counts(session),
        "status_labels": _status_labels(), "kinds": kinds,
        "params": {"status": status, "soort": kind}, "jobs": jobs,
        "notice": _notice(request),
    }, block="results")


@router.get("/uitgaand/{message_id}", response_class=HTMLResponse, name="admin_outbox_message")
def outbox_message(request: Request, session: SessionDep, admin: AdminPage,
                   message_id: int) -> HTMLResponse:
    msg = _get_message(session, message_id)
    return render(request, "ops/outbox_message.html", {
        "msg": msg, "status_labels": _status_labels(), "notice": _notice(request),
        "payload_json": json.dumps(msg.payload, indent=2, ensure_ascii=False, sort_keys=True),
    })


@router.post("/uitgaand/{message_id}/opnieuw", name="admin_outbox_retry")
def outbox_retry(request: Request, session: SessionDep, admin: AdminPage,
                 message_id: int) -> RedirectResponse:
    _get_message(session, message_id)
    code = "retried"
    if retry_failed(session, message_id) is None:
        code = "not_failed"
    else:
        accounts.record_audit(session, "outbox.retry", actor=admin, ip=client_ip(request),
                              target_type="outbox_message", target_id=message_id)
    return RedirectResponse(f"/beheer/uitgaand/{message_id}?gedaan={code}", status_code=303)


@router.post("/uitgaand/opnieuw", name="admin_outbox_retry_all")
def outbox_retry_all(request: Request, session: SessionDep, admin: AdminPage
                     ) -> RedirectResponse:
    ids = session.exec(select(OutboxMessage.id).where(OutboxMessage.status == FAILED)).all()
    for message_id in ids:
        if message_id is not None:
            retry_failed(session, message_id)
    if ids:
        accounts.record_audit(session, "outbox.retry_all", actor=admin, ip=client_ip(request),
                              target_type="outbox_message", count=len(ids))
    return RedirectResponse("/beheer/uitgaand?gedaan=retried_all", status_code=303)


# --- mail ------------------------------------------------------------------------------------

def mail_delivery(msg: OutboxMessage) -> str:
    """kept, sent, waiting or failed."""
    if msg.status == FAILED:
        return "failed"
    if msg.status == PENDING:
        return "waiting"
    return "sent" if msg.payload.get("delivery") == SMTP else "kept"


def _mail_filter(delivery: str) -> list[Any]:
    delivered = OutboxMessage.payload["delivery"].as_string()
    return {
        "kept": [col(OutboxMessage.status) == DONE, delivered == KEPT],
        "sent": [col(OutboxMessage.status) == DONE, delivered == SMTP],
        "waiting": [col(OutboxMessage.status) == PENDING],
        "failed": [col(OutboxMessage.status) == FAILED],
    }.get(delivery, [])


@router.get("/mail", response_class=HTMLResponse, name="admin_mail")
def mail(request: Request, session: SessionDep, admin: AdminPage, bezorging: str = "",
         pagina: str | None = None) -> HTMLResponse:
    delivery = bezorging if bezorging in MAIL_DELIVERIES else ""
    where = [col(OutboxMessage.kind) == MAIL_KIND, *_mail_filter(delivery)]
    total = int(session.exec(select(func.count()).select_from(OutboxMessage)
                             .where(*where)).one())
    paging = paginate(page_number(pagina), PER_PAGE, total, "/beheer/mail", {"bezorging": delivery})
    messages = session.exec(select(OutboxMessage).where(*where)
                            .order_by(col(OutboxMessage.id).desc())
                            .offset(paging["offset"]).limit(PER_PAGE)).all()
    return render(request, "ops/mail.html", {
        "messages": [(m, mail_delivery(m)) for m in messages], "paging": paging,
        "delivery_labels": _delivery_labels(), "params": {"bezorging": delivery},
        "smtp_configured": bool(request.app.state.settings.smtp_url),
    }, block="results")


@router.get("/mail/{message_id}", response_class=HTMLResponse, name="admin_mail_message")
def mail_message(request: Request, session: SessionDep, admin: AdminPage,
                 message_id: int) -> HTMLResponse:
    msg = _get_message(session, message_id, kind=MAIL_KIND)
    return render(request, "ops/mail_message.html", {
        "msg": msg, "mail": msg.payload, "delivery": mail_delivery(msg),
        "delivery_labels": _delivery_labels(),
    })
