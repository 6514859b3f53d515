"""Asking a question from the web form and the API: stored, routed, confirmed."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import text
from sqlmodel import Session, select

from backend.accounts.models import AuditEvent
from backend.cases.models import Case, CaseEvent
from backend.routing.models import Desk
from tests.cases.conftest import link_token, mails
from tests.client import LoketClient
from tests.factories.accounts import create_token
from tests.factories.routing import add_member

QUESTION = ("Wij willen investeren in een nieuwe productielijn. Welke financiering of "
            "lening is er voor ons als klein bedrijf?")


def form(**overrides: str) -> dict[str, str]:
    data = {"text": QUESTION, "municipality": "Deventer", "sector": "industrie",
            "company_size": "klein", "email": "els@bakkerij.example", "name": "Els Bakker",
            "consent": "1"}
    data.update(overrides)
    return data


def test_form_is_a_door_with_labels_and_a_honeypot(client: LoketClient, desks: dict) -> None:
    home = client.get("/")
    assert 'href="/vraag"' in home.text
    page = client.get("/vraag")
    assert page.status_code == 200
    for field in ("text", "municipality", "postcode", "email", "consent", "kvk_number"):
        assert f'for="f-{field}"' in page.text
    assert 'name="website"' in page.text and 'tabindex="-1"' in page.text
    assert 'name="csrf_token"' in page.text


def test_web_question_lands_at_the_regional_desk(client: LoketClient, session: Session,
                                                 desks: dict[str, Desk]) -> None:
    advisor = add_member(session, desks["oost-nl"], name="Olga Oost")
    session.commit()
    r = client.post("/vraag", data=form())
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/mijn-vraag/LK-")
    case = session.exec(select(Case).where(Case.contact_email == "els@bakkerij.example")).one()
    assert case.desk_id == desks["oost-nl"].id
    assert case.municipality_code == "GM0150"
    assert "financiering" in case.themes
    assert case.source == "web" and case.status == "new"
    assert case.first_response_due_at > case.received_at
    kinds = [e.kind for e in session.exec(select(CaseEvent).where(
        CaseEvent.case_id == case.id)).all()]
    assert kinds == ["received", "routed"]
    routed = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                  CaseEvent.kind == "routed")).one()
    assert any("Oost NL" in r["text"] for r in routed.data["explanation"])
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "case.created",
                                                 AuditEvent.target_id == str(case.id))).one()
    # The browser that asked may see the case right away, with the explanation.
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    assert case.reference in page.text and "Oost NL" in page.text
    # Confirmation to the asker with a private link; a notice to the desk without details.
    confirmation = mails(session, "els@bakkerij.example")
    assert len(confirmation) == 1 and case.reference in confirmation[0]["subject"]
    assert link_token(confirmation[0])
    desk_mail = mails(session, advisor.email)
    assert len(desk_mail) == 1
    assert "Els" not in desk_mail[0]["text"] and "productielijn" not in desk_mail[0]["text"]
    assert "/werkplek/zaken/" + case.reference in desk_mail[0]["text"]


def test_api_question_returns_reference_desk_explanation_and_link(
        client: LoketClient, session: Session, desks: dict[str, Desk]) -> None:
    token = create_token(session, role="editor")
    session.commit()
    r = client.post("/api/v1/questions", headers={"Authorization": f"Bearer {token}"}, json={
        "text": QUESTION, "municipality": "GM0344", "email": "api@example.nl",
        "consent": True, "company_size": "micro"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["reference"].startswith("LK-")
    # Utrecht is not covered by Oost NL: the national desk for financing takes it.
    assert body["desk"] == {"slug": "rvo", "name": "RVO"}
    assert body["explanation"] and all("text" in line for line in body["explanation"])
    assert "/vraag/volgen/" in body["follow_url"]
    case = session.exec(select(Case).where(Case.reference == body["reference"])).one()
    assert case.source == "api" and case.desk_id == desks["rvo"].id


def test_api_question_without_consent_is_refused(client: LoketClient, session: Session,
                                                 desks: dict) -> None:
    token = create_token(session)
    session.commit()
    r = client.post("/api/v1/questions", headers={"Authorization": f"Bearer {token}"}, json={
        "text": QUESTION, "municipality": "Deventer", "email": "a@example.nl",
        "consent": False})
    assert r.status_code == 422
    assert "consent" in r.json()["error"]["fields"]
    r = client.post("/api/v1/questions", headers={"Authorization": f"Bearer {token}"}, json={
        "text": "kort", "email": "geen-adres", "consent": True})
    assert r.status_code == 422
    assert {"text", "email"} <= set(r.json()["error"]["fields"])


def test_postcode_locates_the_business(client: LoketClient, session: Session,
                                       desks: dict[str, Desk]) -> None:
    r = client.post("/vraag", data=form(municipality="", postcode="7511 AB",
                                        email="pc@example.nl"))
    assert r.status_code == 303, r.text
    case = session.exec(select(Case).where(Case.contact_email == "pc@example.nl")).one()
    assert case.postcode == "7511" and case.desk_id == desks["oost-nl"].id


def test_unknown_question_goes_to_the_fallback_desk(client: LoketClient, session: Session,
                                                    desks: dict[str, Desk]) -> None:
    r = client.post("/vraag", data=form(
        text="Ik heb een vraag over iets heel anders dan wat hier staat, wie helpt mij?",
        email="fb@example.nl", sector="", company_size=""))
    assert r.status_code == 303
    case = session.exec(select(Case).where(Case.contact_email == "fb@example.nl")).one()
    assert case.desk_id == desks["kvk"].id


def test_english_question_gets_an_english_mail(client: LoketClient, session: Session,
                                               desks: dict) -> None:
    client.get("/taal/en")
    r = client.post("/vraag", data=form(email="en@example.nl"))
    assert r.status_code == 303
    mail = mails(session, "en@example.nl")[0]
    assert "has been received" in mail["subject"]


def test_api_question_from_an_integration_without_cookies(app: FastAPI, session: Session,
                                                          desks: dict[str, Desk]) -> None:
    with LoketClient(app) as integration:
        r = integration.post("/api/v1/questions", csrf=False, json={
            "text": QUESTION, "postcode": "7411", "email": "koppeling@example.nl",
            "consent": True})
    assert r.status_code == 201, r.text
    assert r.json()["desk"]["slug"] == "oost-nl"


def test_question_text_asks_for_suggestions_as_you_type(client) -> None:
    page = client.get("/vraag").text
    assert 'hx-get="/vraag/suggesties"' in page
    assert 'hx-target="#suggestions"' in page
    assert 'inputmode="numeric"' in page
    assert "&#34;" not in page.split("<textarea", 1)[1].split(">", 1)[0]


def test_suggestions_show_matching_knowledge_and_only_answer_types(
        app: FastAPI, client: LoketClient, tmp_path: Path) -> None:
    """The as-you-type panel asks the app's search engine for practices, cases, schemes and
    answers that match the question; other types (events, experts) and short texts show
    nothing."""
    from datetime import UTC, datetime

    from backend.search import SearchDoc, get_backend

    engine = get_backend("embedded", path=tmp_path / "search", meili_url=None, meili_key=None)
    when = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    engine.index([
        SearchDoc(id="scheme:mit-robots", type="scheme", title="MIT-regeling voor robotisering",
                  summary="Subsidie voor mkb dat samen robots invoert.", body="Cobots.",
                  url="/regelingen/mit-robots", published_at=when),
        SearchDoc(id="event:robotdag", type="event", title="Robotdag voor installateurs",
                  summary="Een dag over robots.", body="Cobots.", url="/agenda/robotdag",
                  published_at=when)])
    app.state.search_backend = engine
    r = client.get("/vraag/suggesties", params={"text": "Is er subsidie voor robots?"},
                   headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "MIT-regeling voor robotisering" in r.text and "/regelingen/mit-robots" in r.text
    assert "Robotdag" not in r.text
    short = client.get("/vraag/suggesties", params={"text": "robots"})
    assert "MIT-regeling" not in short.text


def test_a_question_leaves_the_public_pages_cached(client: LoketClient, session: Session,
                                                   desks: dict[str, Desk]) -> None:
    """Questions arrive all day: they must not empty the page cache (backend/core/pagecache)."""
    from backend.core import pagecache

    def generation() -> tuple[int, int]:
        stored = session.execute(text("SELECT value FROM site_generation")).scalar_one()
        return stored, pagecache.local_generation()

    before = generation()
    r = client.post("/vraag", data=form())
    assert r.status_code == 303, r.text
    assert generation() == before
