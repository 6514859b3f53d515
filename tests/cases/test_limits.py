"""Limits on the acts that create a case or send mail, seen from their doors.

Outside test 2026-12: 25 of 25 questions from one IPv6 /64 were accepted, 20 entrepreneur
replies sent 60 mails, and there was no desk or site ceiling. Now: IPv6 is keyed per /64,
replies are limited per case and address, and beyond a desk or site ceiling an alert is
raised (log + admin notice) and every question must answer an escalating challenge.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from sqlmodel import Session, col, select

from backend.accounts.deps import door
from backend.accounts.models import AuditEvent
from backend.accounts.service import record_audit
from backend.cases.models import Case, CaseAccessToken
from backend.core import challenge, limits
from backend.core.db import Database, SessionDep
from backend.core.errors import TooManyRequests
from backend.core.ratelimit import RateCounter
from backend.routing.models import Desk
from tests.cases.conftest import mails
from tests.cases.test_asking import QUESTION, form
from tests.cases.test_intake import form as intake_form
from tests.client import LoketClient
from tests.conftest import make_settings
from tests.factories.accounts import create_admin
from tests.factories.routing import add_member


def stored(session: Session) -> int:
    session.expire_all()
    return len(session.exec(select(Case.id)).all())


@pytest.fixture
def app_with(tmp_path: Path, database_url: str, db: Database) -> Callable[..., FastAPI]:
    from backend.main import create_app

    def build(**overrides: Any) -> FastAPI:
        return create_app(make_settings(tmp_path, database_url, **overrides), db,
                          start_worker=False)

    return build


@pytest.fixture
def clients(client_for: Callable[..., LoketClient]) -> Callable[..., LoketClient]:
    """A client knocking from ``address``."""
    def open_client(app: FastAPI, address: str = "testclient") -> LoketClient:
        return client_for(app, client=(address, 50000))
    return open_client


@pytest.fixture
def no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Challenges may be answered at once (the waiting time has its own test)."""
    monkeypatch.setattr(challenge, "WAIT", dict.fromkeys(challenge.WAIT, 0))


# --- keys per network -------------------------------------------------------------------------

def test_ipv6_is_keyed_per_64(app: FastAPI, clients: Callable[..., LoketClient],
                              session: Session, desks: dict) -> None:
    codes = [clients(app, f"2001:db8:7:9::{i:x}").post(
        "/vraag", data=form(email=f"v6-{i}@example.nl")).status_code for i in range(1, 26)]
    assert codes.count(303) == 10 and codes[10:] == [429] * 15, codes
    # Another /64 of the same provider is another household.
    other = clients(app, "2001:db8:7:a::1")
    assert other.post("/vraag", data=form(email="v6-other@example.nl")).status_code == 303
    # IPv4 stays per address.
    for i in range(2):
        four = clients(app, f"198.51.100.{i + 1}")
        assert four.post("/vraag", data=form(email=f"v4-{i}@example.nl")).status_code == 303
    assert stored(session) == 13


def test_the_api_shares_the_forms_counter(app: FastAPI, clients: Callable[..., LoketClient],
                                          session: Session, desks: dict) -> None:
    web = clients(app, "2001:db8:5:5::1")
    for i in range(10):
        assert web.post("/vraag", data=form(email=f"w{i}@example.nl")).status_code == 303
    api = clients(app, "2001:db8:5:5::2")  # same /64
    r = api.post("/api/v1/questions", json={"text": QUESTION, "email": "api@example.nl",
                                            "consent": True, "municipality": "Deventer"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    assert stored(session) == 10


# --- entrepreneur replies -------------------------------------------------------------------

def test_entrepreneur_replies_are_limited(client: LoketClient, session: Session,
                                         desks: dict[str, Desk]) -> None:
    for _ in range(3):
        add_member(session, desks["oost-nl"])
    session.commit()
    r = client.post("/vraag", data=form())
    assert r.status_code == 303
    page = r.headers["location"].split("?")[0]
    before = len(mails(session))
    codes = [client.post(f"{page}/reactie", data={"body": f"Aanvulling {i}"}).status_code
             for i in range(20)]
    assert codes[:10] == [303] * 10 and codes[10:] == [429] * 10, codes
    sent = len(mails(session)) - before
    members = len(mails(session)) and sent // 10
    assert sent == 10 * members  # nothing was mailed for the refused ten
    refused = client.post(f"{page}/reactie", data={"body": "Nog een"})
    assert refused.status_code == 429 and "Nog een" in refused.text  # what was typed stays
    assert refused.headers["retry-after"]


# --- desk and site ceilings -----------------------------------------------------------------

NUMBER = {w: i for i, w in enumerate(challenge.WORDS["nl"])}


def solve(page: str) -> dict[str, Any]:
    """Answer the challenge in a page the way a person would: read and do the sums."""
    token = re.search(r'name="challenge" value="([^"]+)"', page)
    assert token, page[:2000]
    answers = []
    for a, op, b in re.findall(r"Hoeveel is (\w+) (plus|min) (\w+)\?", page):
        answers.append(str(NUMBER[a] + NUMBER[b] if op == "plus" else NUMBER[a] - NUMBER[b]))
    assert answers
    return {"challenge": token.group(1), "challenge_answer": answers}


def _ceiling_app(app_with: Callable[..., FastAPI], desk: str = "3/3600",
                 site: str = "1000/3600") -> FastAPI:
    return app_with(rate_limits={"ask_question": {
        "desk": desk, "site": site, "address": "1000/3600", "email": "1000/3600"}})


def test_beyond_the_desk_ceiling_an_alert_and_a_challenge(
        app_with: Callable[..., FastAPI], clients: Callable[..., LoketClient],
        session: Session, desks: dict, no_wait: None, caplog: pytest.LogCaptureFixture,
        login: Any) -> None:
    app = _ceiling_app(app_with)
    c = clients(app)
    for i in range(3):
        assert c.post("/vraag", data=form(email=f"c{i}@example.nl")).status_code == 303
    with caplog.at_level(logging.WARNING, logger="loket.limits"):
        r = c.post("/vraag", data=form(email="c3@example.nl"))
    # Not silently accepted, not refused outright: a question to answer, what was typed kept.
    assert r.status_code == 429 and 'name="challenge_answer"' in r.text
    assert "Hoeveel is" in r.text and "c3@example.nl" in r.text
    assert stored(session) == 3
    # The alert: one structured log line and one admin notice.
    alerts = [rec for rec in caplog.records if getattr(rec, "event", "") ==
              "limits.ceiling_reached"]
    assert len(alerts) == 1 and alerts[0].scope == "desk"  # type: ignore[attr-defined]
    session.expire_all()
    notices = session.exec(select(AuditEvent).where(
        AuditEvent.action == "limits.ceiling_reached")).all()
    assert len(notices) == 1 and notices[0].details["act"] == "ask_question"
    admin = create_admin(session)
    session.commit()
    login(admin, c)
    index = c.get("/beheer")
    assert "limit-alerts" in index.text and "ask_question" in index.text
    c.cookies.delete("loket_session")
    # Answered: accepted.
    answer = solve(r.text)
    r = c.post("/vraag", data={**form(email="c3@example.nl"), **answer})
    assert r.status_code == 303, r.text[:500]
    assert stored(session) == 4
    # A challenge works once.
    again = c.post("/vraag", data={**form(email="c4@example.nl"), **answer})
    assert again.status_code == 429 and 'name="challenge"' in again.text
    # A wrong answer gets a new question and says so.
    wrong = {**solve(again.text), "challenge_answer": ["999"] * 3}
    r = c.post("/vraag", data={**form(email="c4@example.nl"), **wrong})
    assert r.status_code == 429 and "niet goed" in r.text
    assert stored(session) == 4
    # Still one alert in this window.
    session.expire_all()
    assert len(session.exec(select(AuditEvent).where(
        AuditEvent.action == "limits.ceiling_reached")).all()) == 1


def test_the_challenge_escalates_with_the_excess(
        app_with: Callable[..., FastAPI], clients: Callable[..., LoketClient],
        session: Session, desks: dict, no_wait: None) -> None:
    app = _ceiling_app(app_with, desk="4/3600")
    c = clients(app)
    levels = []
    for i in range(9):
        r = c.post("/vraag", data=form(email=f"e{i}@example.nl"))
        if r.status_code == 429:
            levels.append(r.text.count('name="challenge_answer"'))
            r = c.post("/vraag", data={**form(email=f"e{i}@example.nl"), **solve(r.text)})
        assert r.status_code == 303, r.text[:300]
    # Every attempt counts (a refused one and its answered repeat: two). 4 free; then one sum
    # up to twice the ceiling, two sums up to three times, three beyond.
    assert levels == [1, 1, 2, 2, 3], levels
    assert stored(session) == 9


def test_the_site_ceiling_covers_every_desk(
        app_with: Callable[..., FastAPI], clients: Callable[..., LoketClient],
        session: Session, desks: dict, no_wait: None) -> None:
    app = _ceiling_app(app_with, desk="1000/3600", site="2/3600")
    c = clients(app)
    assert c.post("/vraag", data=form(email="s1@example.nl")).status_code == 303
    assert c.post("/vraag", data=form(email="s2@example.nl", municipality="Utrecht",
                                      theme="")).status_code == 303
    r = c.post("/vraag", data=form(email="s3@example.nl"))
    assert r.status_code == 429 and 'name="challenge"' in r.text
    session.expire_all()
    notice = session.exec(select(AuditEvent).where(
        AuditEvent.action == "limits.ceiling_reached")).one()
    assert notice.details["scope"] == "site"


def test_the_api_gets_the_challenge_as_json_and_answers_in_headers(
        app_with: Callable[..., FastAPI], clients: Callable[..., LoketClient],
        session: Session, desks: dict, no_wait: None) -> None:
    app = _ceiling_app(app_with, desk="2/3600")
    c = clients(app)
    body = {"text": QUESTION, "email": "api1@example.nl", "consent": True,
            "municipality": "Deventer"}
    assert c.post("/api/v1/questions", json=body).status_code == 201
    assert c.post("/api/v1/questions", json={**body, "email": "api0@example.nl"}
                  ).status_code == 201
    r = c.post("/api/v1/questions", json={**body, "email": "api2@example.nl"})
    assert r.status_code == 429
    error = r.json()["error"]
    assert error["code"] == "challenge_required"
    token = error["challenge"]["token"]
    answers = solve(" ".join(error["challenge"]["questions"])
                    + f' name="challenge" value="{token}"')
    r = c.post("/api/v1/questions", json={**body, "email": "api2@example.nl"},
               headers={"Loket-Challenge": answers["challenge"],
                        "Loket-Challenge-Answer": ",".join(answers["challenge_answer"])})
    assert r.status_code == 201, r.text
    assert stored(session) == 3


def test_a_challenge_answered_too_soon_is_shown_again(
        app_with: Callable[..., FastAPI], clients: Callable[..., LoketClient],
        session: Session, desks: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(challenge, "WAIT", dict.fromkeys(challenge.WAIT, 60))
    app = _ceiling_app(app_with, desk="2/3600")
    c = clients(app)
    for i in range(2):
        assert c.post("/vraag", data=form(email=f"t{i}@example.nl")).status_code == 303
    r = c.post("/vraag", data=form(email="t2@example.nl"))
    answer = solve(r.text)
    r = c.post("/vraag", data={**form(email="t2@example.nl"), **answer})
    assert r.status_code == 429 and answer["challenge"] in r.text  # the same question
    assert "Neem even de tijd" in r.text
    assert stored(session) == 2


def test_alert_rows_hold_no_personal_data(session: Session) -> None:
    rows = session.exec(select(AuditEvent).where(
        col(AuditEvent.action) == "limits.ceiling_reached")).all()
    for row in rows:
        assert "@" not in str(row.details)


def test_a_refusal_keeps_its_counters_and_nothing_else(
        app_with: Callable[..., FastAPI], clients: Callable[..., LoketClient],
        session: Session) -> None:
    """A refused act rolls back what the request wrote before it (here: an audit row, as a
    group founded before its invitation is refused would be); the counted hits stay."""

    app = app_with(rate_limits={"resend_link": {"address": "1/3600"}})

    @app.post("/api/v1/test-half-done")
    def half_done(request: Request, s: SessionDep) -> dict[str, bool]:
        record_audit(s, "test.half_done")
        d = door(request)
        limits.enforce(s, d.policy, "resend_link", address=d.address)
        return {"ok": True}

    c = clients(app, "198.51.100.200")
    assert c.post("/api/v1/test-half-done", json={}).status_code == 200
    for _ in range(2):
        assert c.post("/api/v1/test-half-done", json={}).status_code == 429
    session.expire_all()
    assert len(session.exec(select(AuditEvent).where(
        AuditEvent.action == "test.half_done")).all()) == 1
    counted = session.exec(select(RateCounter.count).where(
        col(RateCounter.key).contains("resend_link:address:198.51.100.200"))).all()
    assert sum(counted) == 3  # the two refused attempts stayed counted


def test_following_links_is_limited_in_the_act_and_refusals_stay_counted(
        app_with: Callable[..., FastAPI], clients: Callable[..., LoketClient],
        session: Session, desks: dict[str, Desk]) -> None:
    """``exchange_token`` applies the ``follow_link`` row itself (it was applied in the route),
    and inside the route's own unit of work a refusal keeps its counted hits."""
    from backend.cases import service
    from tests.factories.cases import create_case

    case = create_case(session, desks["oost-nl"], email="gok@example.nl")
    token = service.issue_token(session, case)
    session.commit()
    app = app_with(rate_limits={"follow_link": {"address": "2/300"}})
    guesser = clients(app, "198.51.100.210")
    assert guesser.post("/vraag/volgen/geraden-1").status_code == 410
    assert guesser.post("/vraag/volgen/geraden-2").status_code == 410
    # Over the limit even a good link is refused, and the refusals are counted.
    assert guesser.post(f"/vraag/volgen/{token}").status_code == 429
    assert guesser.post("/vraag/volgen/geraden-3").status_code == 429
    session.expire_all()
    counted = session.exec(select(RateCounter.count).where(
        col(RateCounter.key).contains("follow_link:address:198.51.100.210"))).all()
    assert sum(counted) == 4
    assert session.exec(select(CaseAccessToken.used_at)).all() == [None]  # not spent
    # Another address is not affected; the service is the door every caller passes.
    assert clients(app, "198.51.100.211").post(f"/vraag/volgen/{token}").status_code == 303
    door_ = limits.Door(address="192.0.2.9",
                        policy=limits.Policy({"follow_link": {"address": "1/300"}}, "x" * 40))
    assert service.exchange_token(session, token, door=door_) is None  # used already
    with pytest.raises(TooManyRequests):
        service.exchange_token(session, token, door=door_)


def test_an_advisors_intake_is_counted_per_advisor_and_per_entrepreneur_not_per_address(
        app_with: Callable[..., FastAPI], clients: Callable[..., LoketClient],
        session: Session, desks: dict, login: Any) -> None:
    """Adversary: a colleague's account taken over, registering questions (and so mailing
    strangers) from the office's one address. The intake is limited per advisor (their mail
    budget) and per entrepreneur's address, never per network: a desk of advisors behind one
    address is not blocked by a colleague, and no challenge is put to a logged-in advisor."""
    app = app_with(rate_limits={
        "ask_question": {"address": "1/3600", "email": "2/86400", "desk": "1000/3600",
                         "site": "1000/3600"},
        "staff_mail": {"user": "3/3600"}})
    c, colleague_client = clients(app), clients(app)
    advisor, colleague = add_member(session, desks["rvo"]), add_member(session, desks["rvo"])
    session.commit()
    login(advisor, c)
    login(colleague, colleague_client)
    for i in range(3):  # one address; the address limit (1) does not count for an intake
        r = c.post("/werkplek/rvo/intake", data=intake_form(email=f"i{i}@example.nl"))
        assert r.status_code == 303, (i, r.text[:500])
    r = c.post("/werkplek/rvo/intake", data=intake_form(email="i3@example.nl"))
    assert r.status_code == 429 and 'name="challenge_answer"' not in r.text
    assert "i3@example.nl" in r.text and "Wat u hebt ingevuld, staat er nog" in r.text
    assert r.headers["Retry-After"]
    assert stored(session) == 3
    # The colleague at the same address is not limited by the first advisor's count ...
    r = colleague_client.post("/werkplek/rvo/intake", data=intake_form(email="i0@example.nl"))
    assert r.status_code == 303
    # ... but one entrepreneur's address is limited across advisors (2 a day).
    r = colleague_client.post("/werkplek/rvo/intake", data=intake_form(email="i0@example.nl"))
    assert r.status_code == 429
    assert stored(session) == 4
