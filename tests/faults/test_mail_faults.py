"""The SMTP server is down, then too slow, then back while entrepreneurs ask questions:
every queued mail reaches the server exactly once (counted by Message-ID at aiosmtpd) and
the pages keep answering meanwhile."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlmodel import select

from backend.core.mail import MAIL_KIND
from backend.core.outbox import PENDING, OutboxMessage
from backend.core.worker import Worker
from backend.main import create_app
from tests.faults.conftest import (
    World,
    ask,
    assert_outbox_settled,
    assert_questions_kept,
    client_for,
    delivered_ids,
    fault_settings,
    make_all_due,
    queued_mail_ids,
)
from tests.freshdb import FreshDatabase
from tests.smtp import SmtpServer, free_port


def pending_mail(fresh: FreshDatabase) -> list[OutboxMessage]:
    with fresh.db.transaction(write=False) as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.kind == MAIL_KIND,
                                                       OutboxMessage.status == PENDING)).all())


def test_smtp_down_slow_and_back_delivers_every_mail_once(
        fresh_db: FreshDatabase, world: World, tmp_path: Path) -> None:
    db = fresh_db.db
    port = free_port()
    settings = fault_settings(fresh_db, tmp_path, smtp_url=f"smtp://127.0.0.1:{port}?timeout=0.5")
    app = create_app(settings, db, start_worker=False)
    worker = Worker(db, settings, worker_id="w1")
    references: list[str] = []
    server = SmtpServer(port)
    try:
        with client_for(app, db) as visitor, client_for(app, db, world.advisor_id) as advisor:
            # 1. Nothing listens on the SMTP port: connection refused.
            references += [ask(visitor, n, "down") for n in range(2)]
            asyncio.run(worker.drain())
            waiting = pending_mail(fresh_db)
            assert len(waiting) == 4  # a confirmation and a desk notice per question
            assert all(m.attempts == 1 and m.last_error for m in waiting)
            assert visitor.get(f"/mijn-vraag/{references[0]}").status_code == 200
            assert advisor.get("/werkplek/oost-nl").status_code == 200

            # 2. The server accepts connections but does not answer in time.
            server.start()
            server.recorder.mode = "slow"
            server.recorder.delay = 2.0
            references.append(ask(visitor, 2, "slow"))
            make_all_due(db)
            asyncio.run(worker.drain())
            assert server.recorder.messages == []
            waiting = pending_mail(fresh_db)
            assert len(waiting) == 6
            assert any("Timeout" in (m.last_error or "") for m in waiting)
            assert visitor.get("/vraag").status_code == 200

            # 3. Back to normal: the backlog and new mail go out, each once. (The worker gets
            # a generous timeout now: on a loaded test machine a 0.5 s timeout can expire
            # after the server accepted a mail, and the legitimate repeat with the same
            # Message-ID would spoil the count.)
            server.recorder.mode = "ok"
            references.append(ask(visitor, 3, "back"))
            make_all_due(db)
            worker = Worker(db, settings.model_copy(update={
                "smtp_url": f"smtp://127.0.0.1:{port}?timeout=10"}), worker_id="w1")
            asyncio.run(worker.drain())
            assert_outbox_settled(db)
            assert delivered_ids(server) == queued_mail_ids(db)
            assert len(server.recorder.messages) == 8
            make_all_due(db)
            assert asyncio.run(worker.drain()) == 0
            assert len(server.recorder.messages) == 8
        assert_questions_kept(db, references)
        to = sorted(rcpt for _, rcpts in server.recorder.envelopes for rcpt in rcpts)
        assert to.count(world.advisor_email) == 4
        assert all(to.count(f"ondernemer-{tag}@example.nl") == 1
                   for tag in ("down-0", "down-1", "slow-2", "back-3"))
    finally:
        server.stop()
