"""The worker is down while people keep working, then a ``loket worker`` process is killed
(SIGKILL) in the middle of its batch and another worker takes over: no question, mail or
index update is lost and every mail reaches the SMTP server exactly once.

"Exactly once" holds for a worker killed before the server accepted the mail (here: while the
server hangs in DATA). A kill between the server's "250 accepted" and the commit that records
it makes the next worker send it again with the same Message-ID: delivery is at least once,
and receivers recognise the repeat by that header (docs/operations.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import col, select

from backend.content.indexing import backend_for
from backend.content.service import INDEX
from backend.core.mail import MAIL_KIND
from backend.core.outbox import DONE, PENDING, OutboxMessage
from backend.core.settings import ROOT, Settings
from backend.core.worker import Worker
from backend.main import create_app
from tests.conftest import TEST_SECRET
from tests.faults.conftest import (
    AcceptThenHang,
    World,
    ask,
    assert_index_matches,
    assert_outbox_settled,
    assert_questions_kept,
    client_for,
    delivered_ids,
    fault_settings,
    make_all_due,
    outbox_status,
    queued_mail_ids,
)
from tests.freshdb import FreshDatabase
from tests.smtp import SmtpServer


def start_worker(fresh: FreshDatabase, settings: Settings) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LOKET_DATABASE_URL": fresh.url, "LOKET_ENV": "test",
           "LOKET_SECRET_KEY": TEST_SECRET, "LOKET_LOG_JSON": "0",
           "LOKET_SMTP_URL": settings.smtp_url or "",
           "LOKET_SEARCH_PATH": str(settings.search_path),
           "LOKET_WORKER_POLL_SECONDS": "0.1"}
    return subprocess.Popen([sys.executable, "-m", "backend.cli", "worker"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> bytes:
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate(timeout=10)
    return err or b""


def wait_settled(fresh: FreshDatabase, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = outbox_status(fresh.db)
        if all(not c.get(PENDING) for c in counts.values()):
            return
        time.sleep(0.1)
    raise AssertionError(f"the worker did not catch up: {outbox_status(fresh.db)}")


def test_killed_worker_is_replaced_and_nothing_is_lost(
        fresh_db: FreshDatabase, world: World, tmp_path: Path) -> None:
    db = fresh_db.db
    smtp = SmtpServer()
    recorder = AcceptThenHang(accept=3)
    smtp.recorder = recorder
    smtp.start()
    settings = fault_settings(fresh_db, tmp_path, smtp_url=smtp.url + "?timeout=30")
    app = create_app(settings, db, start_worker=False)
    references: list[str] = []
    first = None
    try:
        with (client_for(app, db) as visitor, client_for(app, db, world.editor_id) as editor,
              client_for(app, db, world.advisor_id) as advisor):
            # No worker runs: people keep working, the outbox fills.
            references += [ask(visitor, n, "idle") for n in range(3)]
            assert editor.post(f"/redactie/items/{world.item_ids['draft']}/publiceren"
                               ).status_code == 303
            assert editor.post(f"/redactie/items/{world.item_ids['practice0']}/depubliceren"
                               ).status_code == 303
            assert advisor.get("/werkplek/oost-nl").status_code == 200
            assert visitor.get("/readyz").status_code == 200  # a short lag is not an outage

            # A worker starts, delivers three mails and hangs on the fourth: killed.
            first = start_worker(fresh_db, settings)
            assert recorder.hanging.wait(120), stop(first).decode()[-2000:]
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            assert len(recorder.messages) == 3
            with db.transaction(write=False) as s:
                leased = s.exec(select(OutboxMessage).where(
                    col(OutboxMessage.locked_by).is_not(None),
                    OutboxMessage.status == PENDING)).all()
            assert leased, "the dead worker's batch is still leased to it"

            # Meanwhile more questions arrive; the dead worker's leases run out.
            references.append(ask(visitor, 3, "dead"))
            make_all_due(db)
            recorder.recover()  # the dead connection ends without a delivery

            # The replacement runs the same loop as `loket worker`, here in a thread.
            second = Worker(db, settings, worker_id="replacement")
            thread = second.start_thread()
            references.append(ask(visitor, 4, "new"))
            try:
                wait_settled(fresh_db)
            finally:
                second.stop()
                thread.join(30)
            assert not thread.is_alive()
            assert_outbox_settled(db)
            assert outbox_status(db)[MAIL_KIND][DONE] == 10
            assert outbox_status(db)[INDEX][DONE] > 0
            assert delivered_ids(smtp) == queued_mail_ids(db)  # each exactly once
            assert_index_matches(db, backend_for(settings))
            assert "slim plannen met data" in visitor.get("/zoeken",
                                                        params={"q": "plannen"}).text
        assert_questions_kept(db, references)
    finally:
        if first is not None and first.poll() is None:
            first.kill()
            first.wait(10)
        smtp.stop()
