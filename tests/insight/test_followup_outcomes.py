"""View 4 "Outcomes": the answers to the follow-up mail (``service.follow_up_answers``),
read through ``cases.queries.followup_outcomes`` and shown only in groups of at least K."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from backend.accounts import service as accounts
from backend.accounts.models import ANALYST
from backend.cases.models import Case
from backend.cases.models_human import CaseFollowup, CaseFollowupAnswer
from tests.client import LoketClient
from tests.factories import insight as f
from tests.factories.accounts import create_user

AUGUST = datetime(2026, 8, 14, 10, 0, tzinfo=UTC)


@pytest.fixture
def world(session: Session) -> f.InsightWorld:
    w = f.build(session)
    f.freeze(session)
    return w


def _cases(session: Session, world: f.InsightWorld, muni: str, theme: str) -> list[Case]:
    return list(session.exec(select(Case).where(
        col(Case.id).in_(world.case_ids),
        Case.municipality_code == muni, Case.theme == theme).order_by(col(Case.id))).all())


def _answer(session: Session, case: Case, answers: dict[str, str],
            at: datetime = AUGUST) -> None:
    assert case.id is not None
    fu = CaseFollowup(case_id=case.id, round=3,
                      token_hash=hashlib.sha256(f"fu-{case.id}".encode()).hexdigest(),
                      sent_at=at - timedelta(days=2), answered_at=at)
    session.add(fu)
    session.flush()
    assert fu.id is not None
    for q, a in answers.items():
        session.add(CaseFollowupAnswer(followup_id=fu.id, question=q, answer=a))
    session.flush()


def _followup(client: LoketClient, **params: str) -> dict[str, Any] | None:
    r = client.get("/api/v1/insight/outcomes", params={"period": "2026-Q3", **params})
    assert r.status_code == 200, r.text
    tables = [t for t in r.json()["tables"] if t["id"] == "followup"]
    assert len(tables) <= 1
    return tables[0] if tables else None


@pytest.fixture
def analyst(session: Session, login: Any) -> Any:
    user = create_user(session, name="Beleid Medewerker")
    assert user.id is not None
    accounts.grant_role(session, user.id, ANALYST)
    login(user)
    return user


def test_answers_appear_aggregated_once_there_are_ten(
        session: Session, world: f.InsightWorld, client: LoketClient, analyst: Any) -> None:
    cases = _cases(session, world, "GM0150", "financiering")
    assert len(cases) == 12
    for i, case in enumerate(cases):
        _answer(session, case, {"acted": "yes",
                                "change": "too_early" if i == 0 else "yes"})
    table = _followup(client)
    assert table is not None
    rows = {r["key"]: r["values"] for r in table["rows"]}
    assert set(rows) == {"acted", "change"}
    assert rows["acted"]["answers"] == 12
    assert (rows["acted"]["answer_yes"], rows["acted"]["answer_partly"],
            rows["acted"]["answer_no"]) == (12, 0, 0)
    # One "too early" is hidden, and so is "yes" (else 12 - 11 would give it away).
    assert rows["change"]["answers"] == 12
    assert rows["change"]["answer_too_early"] is None
    assert rows["change"]["answer_yes"] is None
    assert rows["change"]["answer_no"] == 0
    # The same on the page and in the CSV export.
    page = client.get("/inzicht/uitkomsten", params={"period": "2026-Q3"})
    assert page.status_code == 200
    assert "table=followup" in page.text
    assert "Antwoorden op de nazorgvragen" in page.text
    assert "Heeft u iets met het advies gedaan?" in page.text
    csv_ = client.get("/inzicht/uitkomsten.csv", params={"period": "2026-Q3",
                                                         "table": "followup"})
    assert csv_.status_code == 200 and csv_.text.count("\n") == 3
    # The quarterly report draws it like every other table.
    report = client.get("/inzicht/rapport", params={"province": "PV23", "quarter": "2026-Q3"})
    assert report.status_code == 200 and "Antwoorden op de nazorgvragen" in report.text
    pdf = client.get("/inzicht/rapport.pdf", params={"province": "PV23", "quarter": "2026-Q3"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_fewer_than_ten_answers_show_nothing(
        session: Session, world: f.InsightWorld, client: LoketClient, analyst: Any) -> None:
    for case in _cases(session, world, "GM0150", "financiering")[:9]:
        _answer(session, case, {"acted": "no"})
    assert _followup(client) is None
    page = client.get("/inzicht/uitkomsten", params={"period": "2026-Q3"})
    assert page.status_code == 200 and "table=followup" not in page.text
    assert client.get("/inzicht/uitkomsten.csv", params={
        "period": "2026-Q3", "table": "followup"}).status_code == 404


def test_two_filters_differing_by_one_answer_reveal_nothing(
        session: Session, world: f.InsightWorld, client: LoketClient, analyst: Any) -> None:
    for case in _cases(session, world, "GM0150", "financiering"):  # CR23, 12 answers
        _answer(session, case, {"acted": "yes"})
    lone = _cases(session, world, "GM0153", "financiering")[0]  # CR22 Twente, one answer
    _answer(session, lone, {"acted": "no"})
    whole = _followup(client)
    with_corop = _followup(client, corop="CR23")
    twente = _followup(client, corop="CR22")
    province = _followup(client, province="PV23", theme="financiering")
    assert whole is not None
    assert whole == with_corop == province
    assert {r["key"]: r["values"]["answers"] for r in whole["rows"]} == {"acted": 12}
    assert whole["rows"][0]["values"]["answer_no"] == 0
    assert twente is None
    # A month, a desk's province and a sector filter: nothing or the same 12, never 13 or 1.
    for params in ({"period": "2026-08"}, {"province": "PV26"}, {"sector": "industrie"},
                   {"theme": "digitalisering"}):
        t = _followup(client, **{"period": "2026-Q3", **params})
        assert t is None or {r["values"]["answers"] for r in t["rows"]} == {12}
