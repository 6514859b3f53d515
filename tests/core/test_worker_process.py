"""``loket worker`` as its own process: delivers, logs JSON lines, stops on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from backend.core.mail import send_mail
from backend.core.outbox import DONE, OutboxMessage
from backend.core.settings import ROOT
from tests.conftest import TEST_SECRET
from tests.freshdb import FreshDatabase


def test_loket_worker_delivers_and_stops_on_sigterm(fresh_db: FreshDatabase) -> None:
    with fresh_db.db.transaction() as s:
        msg = send_mail(s, to="a@example.nl", subject="Kept", text="Body")
        assert msg is not None
        message_id = msg.id
    env = {**os.environ, "LOKET_DATABASE_URL": fresh_db.url, "LOKET_ENV": "test",
           "LOKET_SECRET_KEY": TEST_SECRET, "LOKET_LOG_JSON": "1", "LOKET_LOG_LEVEL": "INFO",
           "LOKET_WORKER_POLL_SECONDS": "0.1"}
    env.pop("LOKET_SMTP_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "backend.cli", "worker"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            with fresh_db.db.transaction(write=False) as s:
                row = s.get(OutboxMessage, message_id)
                status = row.status if row else None
            if status == DONE:
                break
            time.sleep(0.1)
        assert status == DONE
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    messages = [line["msg"] for line in lines]
    assert "worker started" in messages and "worker stopped" in messages
    assert all(line["logger"] and line["level"] for line in lines)
