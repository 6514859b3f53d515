"""Many entrepreneurs asking at once: 50 concurrent writers × 20 questions against a real server.

``loket serve`` runs as its own process with two web workers (and their in-process outbox
workers), as in production, on a fresh committed database (SQLite in WAL mode, or a schema of
its own on PostgreSQL). Fifty client threads start together; half ask through the form
(``POST /vraag`` with the CSRF token of the page, as a browser does) and half through the API
(``POST /api/v1/questions``, JSON without cookies, as an integration does). Then:

- every request succeeded (303 to the question's page, or 201) — no 5xx, no 429;
- every question is stored exactly once (its marker is in exactly one case), with a unique
  reference from the year's counter without gaps;
- every case is routed exactly once: it is at a desk, its timeline has one "received" and one
  "routed" event naming that desk, the asker got one confirmation mail and each member of the
  desk one notification;
- the server never logged "database is locked" or an unhandled error.

The rate limits for asking are raised for this test (settings), not switched off.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from backend.cases.models import RECEIVED, ROUTED, Case, CaseEvent
from backend.cases.reference import REFERENCE_RE
from backend.core.mail import MAIL_KIND
from backend.core.outbox import OutboxMessage
from backend.core.settings import ROOT
from backend.routing.models import Desk, DeskMember
from tests.client import hidden_csrf
from tests.conftest import TEST_SECRET
from tests.factories.cases import regional_setup
from tests.factories.routing import add_member
from tests.freshdb import FreshDatabase, fresh_db
from tests.smtp import free_port

__all__ = ["fresh_db"]

WRITERS = 50
QUESTIONS = 20  # per writer
PLACES = ["Deventer", "GM0153", "Utrecht", "", "Enschede"]  # "" → postcode instead
THEMES = ["financiering", "internationalisering", "digitalisering", "", "regeldruk"]
MARKER = re.compile(r"\[w(\d+)-q(\d+)\]")


@dataclass
class Server:
    url: str
    log: Path
    proc: subprocess.Popen[bytes]


@pytest.fixture
def server(fresh_db: FreshDatabase) -> Iterator[Server]:
    with fresh_db.db.transaction() as s:
        desks = regional_setup(s)
        for slug, people in (("kvk", 2), ("oost-nl", 3), ("rvo", 1)):
            for n in range(people):
                add_member(s, desks[slug], name=f"Adviseur {slug} {n}")
    port = free_port()
    log = fresh_db.tmp_path / "server.log"
    env = {**os.environ, "LOKET_DATABASE_URL": fresh_db.url, "LOKET_ENV": "test",
           "LOKET_SECRET_KEY": TEST_SECRET, "LOKET_BASE_URL": f"http://127.0.0.1:{port}",
           "LOKET_SEARCH_PATH": str(fresh_db.tmp_path / "search"),
           "LOKET_VAR_DIR": str(fresh_db.tmp_path / "var"),
           "LOKET_LOG_JSON": "0", "LOKET_LOG_LEVEL": "WARNING", "LOKET_METRICS_ENABLED": "1",
           # Raised for 1,000 questions from one address in a minute; still counted.
           "LOKET_RATE_LIMITS": json.dumps({"ask_question": {
               "address": "100000/60", "email": "100/60", "desk": "100000/60",
               "site": "100000/60"}}),
           "LOKET_WORKER_IN_PROCESS": "1"}
    env.pop("LOKET_SMTP_URL", None)  # mail is kept in the outbox
    env.pop("LOKET_REDIS_URL", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--host", "127.0.0.1",
             "--port", str(port), "--workers", "2"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        yield Server(url, log, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _question(writer: int, number: int) -> dict[str, str]:
    place = PLACES[(writer + number) % len(PLACES)]
    fields = {
        "text": f"Vraag [w{writer}-q{number}]: hoe financieren wij een nieuwe productielijn "
                f"en wie kan ons daarbij helpen?",
        "email": f"w{writer}q{number}@example.nl",
        "name": f"Ondernemer {writer}",
        "theme": THEMES[number % len(THEMES)],
        "company_size": "klein",
    }
    if place:
        fields["municipality"] = place
    else:
        fields["postcode"] = "7411 AB"
    return {k: v for k, v in fields.items() if v}


@dataclass
class Results:
    references: dict[tuple[int, int], str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, key: tuple[int, int], reference: str) -> None:
        with self.lock:
            self.references[key] = reference

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)


def _form_writer(url: str, writer: int, start: threading.Barrier, results: Results) -> None:
    with httpx.Client(base_url=url, timeout=120) as c:
        start.wait()  # before the page: an idle kept-alive connection is closed after 5 s
        token = hidden_csrf(c.get("/vraag").text)
        for number in range(QUESTIONS):
            r = c.post("/vraag", data={**_question(writer, number), "consent": "on",
                                       "csrf_token": token})
            location = r.headers.get("location", "")
            found = re.match(r"^/mijn-vraag/(LK-\d{4}-\d+)\?ontvangen=1$", location)
            if r.status_code != 303 or not found:
                results.fail(f"form w{writer} q{number}: {r.status_code} {r.text[:300]}")
                continue
            results.ok((writer, number), found.group(1))


def _api_writer(url: str, writer: int, start: threading.Barrier, results: Results) -> None:
    with httpx.Client(base_url=url, timeout=120) as c:
        start.wait()
        for number in range(QUESTIONS):
            r = c.post("/api/v1/questions", json={**_question(writer, number), "consent": True})
            c.cookies.clear()  # an integration keeps no cookie jar
            if r.status_code != 201:
                results.fail(f"api w{writer} q{number}: {r.status_code} {r.text[:300]}")
                continue
            results.ok((writer, number), r.json()["reference"])


def test_fifty_writers_twenty_questions_each_stored_and_routed_once(
        server: Server, fresh_db: FreshDatabase) -> None:
    results = Results()
    start = threading.Barrier(WRITERS)
    threads = [threading.Thread(target=_form_writer if w % 2 == 0 else _api_writer,
                                args=(server.url, w, start, results))
               for w in range(WRITERS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    elapsed = time.perf_counter() - began
    assert not any(t.is_alive() for t in threads), "writers did not finish"
    log = server.log.read_text(errors="replace")
    assert results.failures == [], (results.failures[:5], log[-3000:])
    assert "database is locked" not in log
    assert "unhandled error" not in log and "Traceback" not in log, log[-3000:]
    total = WRITERS * QUESTIONS
    assert len(results.references) == total
    print(f"{total} questions from {WRITERS} writers in {elapsed:.1f} s "
          f"({total / elapsed:.0f}/s) on {fresh_db.engine.dialect.name}")

    with fresh_db.db.transaction(write=False) as s:
        cases = s.exec(select(Case)).all()
        events = s.exec(select(CaseEvent).where(
            col(CaseEvent.kind).in_([RECEIVED, ROUTED]))).all()
        desks = {d.id: d for d in s.exec(select(Desk)).all()}
        members = Counter(m.desk_id for m in s.exec(select(DeskMember)).all())
        mails = [m.payload for m in s.exec(
            select(OutboxMessage).where(OutboxMessage.kind == MAIL_KIND)).all()]

    # Stored exactly once, with the reference its asker was given.
    assert len(cases) == total
    by_marker: dict[tuple[int, int], Case] = {}
    for case in cases:
        found = MARKER.search(case.text)
        assert found, case.text
        key = (int(found.group(1)), int(found.group(2)))
        assert key not in by_marker, f"question {key} stored twice"
        by_marker[key] = case
    assert set(by_marker) == set(results.references)
    assert all(by_marker[k].reference == ref for k, ref in results.references.items())

    # References: unique, well-formed, the counter without gaps.
    references = [c.reference for c in cases]
    assert len(set(references)) == total
    assert all(REFERENCE_RE.match(r) for r in references)
    assert sorted(int(r.rsplit("-", 1)[1]) for r in references) == list(range(1, total + 1))

    # Routed exactly once: one "received" and one "routed" event per case, at its desk.
    kinds: Counter[tuple[int, str]] = Counter((e.case_id, e.kind) for e in events)
    routed_to: dict[int, Any] = {e.case_id: e.data.get("desk") for e in events
                                 if e.kind == ROUTED}
    for case in cases:
        assert case.desk_id in desks and case.status == "new"
        assert kinds[(case.id or 0, RECEIVED)] == 1 and kinds[(case.id or 0, ROUTED)] == 1
        assert routed_to[case.id or 0] == desks[case.desk_id].slug == case.routing["desk"]
    assert len({c.desk_id for c in cases}) > 1  # the questions were spread over desks

    # One confirmation per asker, one notification per desk member per case.
    confirmations = Counter(m["to"] for m in mails if m["to"].startswith("w"))
    assert confirmations == Counter(c.contact_email for c in cases)
    assert set(confirmations.values()) == {1}
    notices = Counter(re.search(r"LK-\d{4}-\d+", m["subject"]).group(0)  # type: ignore[union-attr]
                      for m in mails if not m["to"].startswith("w"))
    assert notices == Counter({c.reference: members[c.desk_id] for c in cases})
