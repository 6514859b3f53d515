"""Outgoing e-mail through the outbox.

``send_mail`` writes an outbox row in the caller's transaction. The worker delivers it over
SMTP (aiosmtplib) when ``LOKET_SMTP_URL`` is set; without it the message is kept in the
outbox (status ``done``, ``payload.delivery == "kept"``) and admins read it at
``/beheer/mail``. Delivery is at least once; the Message-ID is fixed at enqueue time so a
retried message is recognisable as the same one.

``LOKET_SMTP_URL`` format::

    smtp://host:25                              plain SMTP (STARTTLS used when offered)
    smtp://user:pass@host:587?starttls=1        STARTTLS required
    smtps://user:pass@host:465                  TLS from the first byte
    query options: starttls=1|0, timeout=<seconds> (default 20), verify=0 (skip TLS checks)

User name and password are percent-encoded (``@`` as ``%40``).
"""

from __future__ import annotations

import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sqlmodel import Session

from backend.core.outbox import OutboxMessage, WorkerContext, enqueue, handler
from backend.core.settings import Settings

MAIL_KIND = "mail.send"
KEPT, SMTP = "kept", "smtp"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def send_mail(session: Session, *, to: str, subject: str, text: str, html: str | None = None,
              dedupe_key: str | None = None,
              attachments: list[dict[str, str]] | None = None) -> OutboxMessage | None:
    """Queue an e-mail in the caller's transaction; it leaves only after commit.

    ``attachments``: text attachments as ``{"filename", "content_type", "content"}``
    (e.g. an iCalendar file, ``text/calendar``); kept in the payload as text."""
    payload: dict[str, Any] = {"to": to, "subject": subject, "text": text, "html": html,
                               "message_id": make_msgid(domain="loket.local")}
    if attachments:
        payload["attachments"] = [{"filename": a["filename"],
                                   "content_type": a["content_type"],
                                   "content": a["content"]} for a in attachments]
    return enqueue(session, MAIL_KIND, payload, dedupe_key=dedupe_key)


def build_message(payload: dict[str, Any], sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = payload["to"]
    msg["Subject"] = payload["subject"]
    msg["Message-ID"] = payload["message_id"]
    msg.set_content(payload["text"])
    if payload.get("html"):
        msg.add_alternative(payload["html"], subtype="html")
    for a in payload.get("attachments") or ():
        maintype, _sep, subtype = str(a["content_type"]).partition("/")
        if maintype == "text":
            msg.add_attachment(a["content"], subtype=subtype or "plain",
                               filename=a["filename"])
        else:
            msg.add_attachment(str(a["content"]).encode(), maintype=maintype,
                               subtype=subtype or "octet-stream", filename=a["filename"])
    return msg


def smtp_options(url: str) -> dict[str, Any]:
    """aiosmtplib keyword arguments for an ``smtp://`` or ``smtps://`` URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("LOKET_SMTP_URL must start with smtp:// or smtps://")
    query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    implicit_tls = parts.scheme == "smtps"
    starttls = query.get("starttls")
    options: dict[str, Any] = {
        "hostname": parts.hostname or "localhost",
        "port": parts.port or (465 if implicit_tls else 25),
        "use_tls": implicit_tls,
        # True: required; False: never; None: when the server offers it.
        "start_tls": True if starttls in _TRUE else False if starttls in _FALSE else None,
        "timeout": float(query.get("timeout", 20)),
    }
    if implicit_tls:
        options["start_tls"] = False
    if query.get("verify") in _FALSE:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        options["tls_context"] = ctx
    if parts.username:
        options["username"] = unquote(parts.username)
        options["password"] = unquote(parts.password or "")
    return options


async def deliver(payload: dict[str, Any], settings: Settings) -> None:
    assert settings.smtp_url
    import aiosmtplib  # lazy: 0.02 s of every cold start; only a delivery needs it

    await aiosmtplib.send(build_message(payload, settings.mail_from),
                          **smtp_options(settings.smtp_url))


@handler(MAIL_KIND)
async def _deliver_mail(payload: dict[str, Any], ctx: WorkerContext) -> dict[str, Any]:
    if not ctx.settings.smtp_url:
        return {"delivery": KEPT}  # kept in the outbox, readable by admins at /beheer/mail
    await deliver(payload, ctx.settings)
    return {"delivery": SMTP}
