"""Mail over real SMTP (aiosmtpd on loopback): delivered once with its Message-ID, retried
when the server is down or too slow, kept in the outbox without an SMTP URL, and not lost
when the worker process is killed mid-delivery."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col

from backend.core.db import Database, utcnow
from backend.core.mail import KEPT, MAIL_KIND, SMTP, send_mail, smtp_options
from backend.core.outbox import DONE, PENDING, OutboxMessage
from backend.core.settings import ROOT, Settings
from backend.core.worker import Worker
from tests.conftest import TEST_SECRET
from tests.freshdb import FreshDatabase
from tests.smtp import SmtpServer, free_port


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


def reload(session: Session, message_id: int | None) -> OutboxMessage:
    session.expire_all()
    msg = session.get(OutboxMessage, message_id)
    assert msg is not None
    return msg


def make_due(session: Session, message_id: int | None) -> None:
    msg = reload(session, message_id)
    msg.available_at = utcnow() - timedelta(seconds=1)
    session.add(msg)
    session.commit()


def drain(db: Database, settings: Settings) -> int:
    return asyncio.run(Worker(db, settings).drain())


def test_mail_arrives_once_with_subject_recipient_body_and_message_id(
        db: Database, session: Session, settings: Settings, smtp: SmtpServer) -> None:
    settings = settings.model_copy(update={"smtp_url": smtp.url,
                                           "mail_from": "Loket <noreply@loket.test>"})
    msg = send_mail(session, to="ondernemer@example.nl", subject="Uw vraag is ontvangen",
                    text="Beste ondernemer,\n\nWe hebben uw vraag ontvangen.\n",
                    html="<p>We hebben uw vraag ontvangen.</p>")
    session.commit()
    assert msg is not None
    assert smtp.recorder.messages == []  # nothing leaves before the worker runs
    assert drain(db, settings) == 1
    assert len(smtp.recorder.messages) == 1
    got = smtp.recorder.messages[0]
    assert got["Subject"] == "Uw vraag is ontvangen"
    assert got["To"] == "ondernemer@example.nl"
    assert got["From"] == "Loket <noreply@loket.test>"
    assert got["Message-ID"] == msg.payload["message_id"]
    text_part = got.get_body(preferencelist=("plain",))
    assert text_part is not None and "We hebben uw vraag ontvangen." in text_part.get_content()
    assert smtp.recorder.envelopes == [("noreply@loket.test", ["ondernemer@example.nl"])]
    row = reload(session, msg.id)
    assert row.status == DONE and row.payload["delivery"] == SMTP
    assert drain(db, settings) == 0
    assert len(smtp.recorder.messages) == 1


def test_without_smtp_url_mail_is_kept_in_the_outbox(db: Database, session: Session,
                                                    settings: Settings) -> None:
    assert settings.smtp_url is None
    msg = send_mail(session, to="a@example.nl", subject="Kept", text="Body")
    session.commit()
    drain(db, settings)
    row = reload(session, msg.id if msg else None)
    assert row.kind == MAIL_KIND and row.status == DONE and row.payload["delivery"] == KEPT


def test_smtp_down_is_retried_and_delivered_once_when_it_is_back(
        db: Database, session: Session, settings: Settings) -> None:
    port = free_port()  # nothing listens here: connection refused
    settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}?timeout=5"})
    msg = send_mail(session, to="a@example.nl", subject="Later", text="Body")
    session.commit()
    assert msg is not None
    drain(db, settings)
    row = reload(session, msg.id)
    assert row.status == PENDING and row.attempts == 1
    assert "SMTPConnect" in (row.last_error or "") or "refused" in (row.last_error or "")
    assert row.available_at > utcnow()  # backing off

    server = SmtpServer(port).start()
    try:
        make_due(session, msg.id)
        assert drain(db, settings) == 1
        assert len(server.recorder.messages) == 1
        assert server.recorder.messages[0]["Message-ID"] == msg.payload["message_id"]
        assert reload(session, msg.id).status == DONE
        make_due(session, msg.id)
        drain(db, settings)
        assert len(server.recorder.messages) == 1  # exactly once
    finally:
        server.stop()


def test_a_slow_server_times_out_and_the_mail_is_retried(
        db: Database, session: Session, settings: Settings, smtp: SmtpServer) -> None:
    smtp.recorder.mode = "slow"
    smtp.recorder.delay = 3.0
    settings = settings.model_copy(update={"smtp_url": smtp.url + "?timeout=0.5"})
    msg = send_mail(session, to="a@example.nl", subject="Slow", text="Body")
    session.commit()
    t0 = time.monotonic()
    drain(db, settings)
    assert time.monotonic() - t0 < 2.5  # gave up at the timeout, did not wait for the server
    row = reload(session, msg.id if msg else None)
    assert row.status == PENDING and row.attempts == 1
    assert "Timeout" in (row.last_error or "")
    smtp.recorder.mode = "ok"
    make_due(session, row.id)
    drain(db, settings)
    assert len(smtp.recorder.messages) == 1
    assert reload(session, row.id).status == DONE


def test_smtp_url_options() -> None:
    opts = smtp_options("smtp://user%40x.nl:p%40ss@mail.example.nl:587?starttls=1&timeout=7")
    assert opts["hostname"] == "mail.example.nl" and opts["port"] == 587
    assert opts["start_tls"] is True and opts["use_tls"] is False and opts["timeout"] == 7
    assert opts["username"] == "user@x.nl" and opts["password"] == "p@ss"
    opts = smtps = smtp_options("smtps://mail.example.nl")
    assert smtps["port"] == 465 and smtps["use_tls"] is True and smtps["start_tls"] is False
    assert smtp_options("smtp://localhost")["start_tls"] is None  # when offered
    assert smtp_options("smtp://localhost?starttls=0")["start_tls"] is False
    with pytest.raises(ValueError):
        smtp_options("http://localhost")


def test_killed_worker_process_loses_no_mail(fresh_db: FreshDatabase, smtp: SmtpServer) -> None:
    """``loket worker`` is SIGKILLed in the middle of an SMTP transaction. Once its lease has
    expired another worker delivers the mail: it arrives exactly once."""
    smtp.recorder.mode = "hang"
    with fresh_db.db.transaction() as s:
        msg = send_mail(s, to="a@example.nl", subject="Survives", text="Body")
        assert msg is not None and msg.id is not None
        message_id, msgid_header = msg.id, msg.payload["message_id"]
    env = {**os.environ, "LOKET_DATABASE_URL": fresh_db.url, "LOKET_SMTP_URL": smtp.url,
           "LOKET_ENV": "test", "LOKET_SECRET_KEY": TEST_SECRET, "LOKET_LOG_JSON": "0",
           "LOKET_WORKER_POLL_SECONDS": "0.1"}
    proc = subprocess.Popen([sys.executable, "-m", "backend.cli", "worker"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert smtp.recorder.data_started.wait(30), "worker never reached the SMTP server"
        with fresh_db.db.transaction(write=False) as s:
            row = s.get(OutboxMessage, message_id)
            assert row is not None and row.locked_by and row.status == PENDING
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    settings = fresh_db.settings(smtp_url=smtp.url)
    worker = Worker(fresh_db.db, settings, worker_id="survivor")
    assert asyncio.run(worker.drain()) == 0  # still leased to the dead worker
    with fresh_db.db.transaction() as s:  # the lease runs out
        s.exec(update(OutboxMessage).where(col(OutboxMessage.id) == message_id)
               .values(locked_until=utcnow() - timedelta(seconds=1)))
    smtp.recorder.release.set()  # the dead connection's transaction ends without delivery
    smtp.recorder.mode = "ok"
    assert asyncio.run(worker.drain()) == 1
    assert [m["Message-ID"] for m in smtp.recorder.messages] == [msgid_header]
    with fresh_db.db.transaction(write=False) as s:
        row = s.get(OutboxMessage, message_id)
        assert row is not None and row.status == DONE and row.attempts == 0
