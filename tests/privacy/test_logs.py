"""Personal data never reaches the logs: a representative flow at DEBUG, logged exactly as
production configures it, holds no name, e-mail address, phone number, question text, group
post or login token — not in access lines, not in errors, not in the worker's failures."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from aiosmtpd.smtp import Envelope
from fastapi import APIRouter, FastAPI
from sqlmodel import Session

from backend.accounts.models import User
from backend.core.db import Database, SessionDep
from backend.core.settings import Settings
from backend.core.worker import Worker
from tests.cases.conftest import mails
from tests.client import LoketClient
from tests.privacy.conftest import CapturedLogs
from tests.privacy.world import (
    COMMENT_MARKER,
    EMAIL,
    NAME,
    PHONE,
    POST_MARKER,
    QUESTION_MARKER,
    build_person,
    question_form,
)
from tests.smtp import Recorder, SmtpServer

crash = APIRouter()


@crash.post("/_test/dubbel-account")
def _duplicate_account(session: SessionDep) -> None:
    # A bug that reaches the database with personal data in its parameters: a 500.
    session.add(User(email=EMAIL, name=NAME))
    session.flush()


class RefusingRecorder(Recorder):
    """Accepts every recipient but one, which it refuses naming the address (as real
    servers do: "550 5.1.1 <jan@example.nl>: Recipient address rejected")."""

    refused = EMAIL

    async def handle_RCPT(self, server: Any, session: Any, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address.lower() == self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected ({NAME})"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_full_flow_at_debug_logs_no_personal_data(
        client: LoketClient, app: FastAPI, session: Session, db: Database, settings: Settings,
        captured_logs: CapturedLogs) -> None:
    app.include_router(crash)
    # Ask (name, e-mail, phone), get an answer, ask for a login link, post and comment.
    person = build_person(client, session, db, settings)

    # Use the login link (its token is in the mail, never in a log line).
    mail = next(m for m in mails(session, EMAIL) if "/inloggen/link/" in m["text"])
    found = re.search(r"/inloggen/link/([A-Za-z0-9_-]+)", mail["text"])
    assert found
    token = found.group(1)
    browser = LoketClient(client.app)
    assert browser.get(f"/inloggen/link/{token}").status_code == 200
    assert browser.post(f"/inloggen/link/{token}").status_code == 303
    assert browser.get("/mijn-gegevens").status_code == 200

    # Errors: a form with bad input, a wrong reference, a foreign case, a crash.
    bad = client.post("/vraag", data=question_form(phone="bel me maar", email=f"{NAME}@"))
    assert bad.status_code in (400, 422)
    r = client.post("/vraag/link-opnieuw", data={"email": EMAIL, "reference": "LK-1999-999999"})
    assert r.status_code == 303
    assert browser.get(f"/mijn-vraag/{person.other_case.reference}").status_code == 404
    assert client.post("/inloggen/link/ongeldig-token-met-naam").status_code == 410
    crashing = LoketClient(client.app, raise_server_exceptions=False)
    assert crashing.post("/_test/dubbel-account").status_code == 500

    # A new link for her question, delivered over SMTP: the server refuses her address.
    r = client.post("/vraag/link-opnieuw", data={"email": EMAIL,
                                                 "reference": person.case.reference})
    assert r.status_code == 303
    server = SmtpServer()
    server.recorder = RefusingRecorder()
    server.start()
    try:
        smtp = settings.model_copy(update={"smtp_url": server.url})
        asyncio.run(Worker(db, smtp).drain(max_rounds=3))
    finally:
        server.stop()

    text = captured_logs.text
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    # The log is not empty: requests, the crash and the refused delivery are all in it.
    assert any(line.get("route") == "/vraag" for line in lines)
    assert any(line["msg"] == "unhandled error" for line in lines)
    refused = [line for line in lines if line["msg"] == "outbox delivery failed"]
    assert refused and refused[0]["error_type"] == "SMTPRecipientsRefused"
    for value in (NAME, EMAIL, PHONE, QUESTION_MARKER, POST_MARKER, COMMENT_MARKER, token,
                  person.case.reference.lower() + "@"):
        assert value.lower() not in text.lower(), value
    # Names in free text are not patterns a filter can catch: they must never be logged.
    assert "Markerink" not in text and "markerink" not in text


def test_email_addresses_are_scrubbed_from_every_line(captured_logs: CapturedLogs) -> None:
    import logging

    try:
        raise ValueError(f"recipient refused: {EMAIL}")
    except ValueError:
        logging.getLogger("loket.test").exception("send to %s failed", EMAIL.upper(),
                                                  extra={"to": EMAIL})
    text = captured_logs.text
    assert "[e-mail]" in text and "send to [e-mail] failed" in text
    assert "markerink" not in text.lower()


def test_libraries_that_log_personal_data_stay_quiet_at_debug(
        captured_logs: CapturedLogs, db: Database) -> None:
    import logging

    import sqlalchemy as sa

    assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("aiosmtplib").getEffectiveLevel() >= logging.WARNING
    with db.transaction() as s:
        s.execute(sa.text("SELECT :who"), {"who": NAME})
    assert NAME not in captured_logs.text
    assert db.engine.hide_parameters
