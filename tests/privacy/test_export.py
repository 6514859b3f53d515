"""Export of everything Loket holds about a person: for admins (audited), for account holders
themselves, and for an entrepreneur through their private link. Metadata, never secrets."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select

from backend.accounts.models import AuditEvent, LoginLink, WebSession
from backend.cases.models import Case
from backend.core.db import Database
from backend.core.settings import Settings
from tests.cases.conftest import link_token, mails
from tests.client import LoketClient
from tests.factories.accounts import create_admin, create_token
from tests.privacy.world import (
    COMMENT_MARKER,
    EMAIL,
    NAME,
    PHONE,
    POST_MARKER,
    QUESTION_MARKER,
    build_person,
)


def _secrets(session: Session) -> list[str]:
    """Every hash Loket keeps for this world's tokens, links and sessions."""
    hashes = list(session.exec(select(WebSession.id_hash)).all())
    hashes += list(session.exec(select(LoginLink.token_hash)).all())
    return hashes


def test_admin_export_holds_everything_and_is_audited(
        client: LoketClient, session: Session, db: Database, settings: Settings,
        login: Any) -> None:
    person = build_person(client, session, db, settings)
    admin = create_admin(session)
    session.commit()
    login(admin)
    r = client.post("/beheer/privacy/export", data={"wie": EMAIL})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert "attachment" in r.headers["content-disposition"]
    assert r.headers["cache-control"] == "no-store"
    data = r.json()
    assert data["format"] == "loket-export/1"
    assert data["account"]["email"] == EMAIL and data["account"]["name"] == NAME
    [question] = data["questions"]
    assert QUESTION_MARKER in question["question"]
    assert question["contact"] == {"email": EMAIL, "name": NAME, "phone": PHONE,
                                   "kvk_number": None}
    texts = [e["text"] for e in question["timeline"] if e["text"]]
    assert any(PHONE in t for t in texts)  # the answer
    assert any(e["internal"] for e in question["timeline"])  # the note: admins see it
    assert [p["text"] for p in data["group_posts"]] and POST_MARKER in data["group_posts"][0][
        "text"]
    assert COMMENT_MARKER in data["group_comments"][0]["text"]
    assert data["firm"]["name"] == "Markerink Houtbouw"
    assert data["figures"] == [{"group": person.group.name, "period": "2026", "kpi": "omzet",
                                "value": 123456.0, "updated_at": data["figures"][0][
                                    "updated_at"]}]
    assert [m["role"] for m in data["group_memberships"]] == ["member"]
    assert len(data["scans"]) == 1 and data["scans"][0]["scores"] == {"total": 60}
    assert data["login_links"] and data["login_links"][0]["expires_at"]
    assert {m["status"] for m in data["mail"]} >= {"done", "failed"}
    assert any(e["action"] == "case.created" for e in data["audit_events"])
    text = r.text
    for secret in _secrets(session):
        assert secret not in text
    assert "token_hash" not in text and "password_hash" not in text
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "privacy.export")).one()
    assert event.actor_user_id == admin.id and event.target_id == str(person.user.id)
    # Looked up by user number, the same person.
    by_id = client.post("/beheer/privacy/export", data={"wie": str(person.user.id)})
    assert by_id.json()["account"]["email"] == EMAIL


def test_admin_lookup_page_and_unknown_subjects(client: LoketClient, session: Session,
                                                login: Any) -> None:
    admin = create_admin(session)
    session.commit()
    login(admin)
    page = client.get("/beheer/privacy", params={"wie": "niemand@nergens.nl"})
    assert page.status_code == 200
    assert "Loket heeft niets over dit e-mailadres" in page.text
    r = client.post("/beheer/privacy/export", data={"wie": "niemand@nergens.nl"})
    assert r.status_code == 422
    assert client.get("/beheer").text.count("/beheer/privacy") == 1


def test_self_export_leaves_out_internal_notes(
        client: LoketClient, session: Session, db: Database, settings: Settings,
        login: Any) -> None:
    person = build_person(client, session, db, settings)
    me = LoketClient(client.app)
    login(person.user, me)
    assert 'href="/mijn-gegevens"' in me.get("/mijn-gegevens").text
    r = me.get("/mijn-gegevens/export")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    data = r.json()
    assert data["account"]["email"] == EMAIL
    [question] = data["questions"]
    assert not any(e["internal"] for e in question["timeline"])
    assert "handoffs" not in question
    assert data["sessions"]  # this very session, by its times
    api = me.get("/api/v1/me/data")
    assert api.status_code == 200 and api.json()["account"]["email"] == EMAIL


def test_export_pages_need_a_login(client: LoketClient, session: Session) -> None:
    r = client.get("/mijn-gegevens/export")
    assert r.status_code == 303 and r.headers["location"].startswith("/inloggen")
    assert client.get("/api/v1/me/data").status_code == 401
    token = create_token(session, role="editor")  # a token without an owner
    session.commit()
    r = client.get("/api/v1/me/data", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403


def test_entrepreneur_exports_their_question_through_the_private_link(
        client: LoketClient, session: Session, db: Database, settings: Settings) -> None:
    person = build_person(client, session, db, settings)
    mail = next(m for m in mails(session, EMAIL) if "/vraag/volgen/" in m["text"])
    browser = LoketClient(client.app)
    # Without the link: not found.
    assert browser.get(f"/mijn-vraag/{person.case.reference}/gegevens").status_code == 404
    r = browser.post(f"/vraag/volgen/{link_token(mail)}")
    assert r.status_code == 303
    r = browser.get(f"/mijn-vraag/{person.case.reference}/gegevens")
    assert r.status_code == 200, r.text
    data = json.loads(r.text)
    [question] = data["questions"]
    assert question["reference"] == person.case.reference
    assert question["contact"]["phone"] == PHONE
    assert not any(e["internal"] for e in question["timeline"])
    assert NAME not in json.dumps([e for e in question["timeline"] if e["internal"]])
    assert data["mail"] and all(person.case.reference in (m["subject"] + m["text"])
                                for m in data["mail"])
    # The other entrepreneur's question is not in it.
    other = session.get(Case, person.other_case.id)
    assert other is not None and other.reference not in r.text
    # The same browser cannot fetch the other case's export.
    assert browser.get(f"/mijn-vraag/{other.reference}/gegevens").status_code == 404


def test_api_admin_export(client: LoketClient, session: Session, db: Database,
                          settings: Settings) -> None:
    build_person(client, session, db, settings)
    token = create_token(session, role="admin")
    from backend.core.mail import send_mail

    send_mail(session, to=EMAIL.upper(), subject="In hoofdletters", text="Adres in hoofdletters")
    session.commit()
    # An integration, not the browser above: a token beside a session cookie needs the CSRF
    # token like any cookie request (issue 12).
    client.cookies.clear()
    r = client.post("/api/v1/admin/privacy/export", json={"subject": EMAIL},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    assert r.json()["account"]["email"] == EMAIL
    assert "In hoofdletters" in [m["subject"] for m in r.json()["mail"]]
    assert session.exec(select(AuditEvent).where(
        AuditEvent.action == "privacy.export")).one().actor_token_id is not None
    missing = client.post("/api/v1/admin/privacy/export", json={"subject": "x@nergens.nl"},
                          headers={"Authorization": f"Bearer {token}"})
    assert missing.status_code == 404


def test_knowledge_base_items_naming_the_address_are_listed_not_erased(
        client: LoketClient, session: Session, login: Any) -> None:
    from backend.content.models import ContentItem
    from tests.factories.content import create_item

    item = create_item(session, "expert", title="Joke Markerink, houtbouwexpert",
                       email=EMAIL, phone="+31 6 4471 2290")
    admin = create_admin(session)
    session.commit()
    login(admin)
    page = client.get("/beheer/privacy", params={"wie": EMAIL})
    assert page.status_code == 200 and "Joke Markerink, houtbouwexpert" in page.text
    data = client.post("/beheer/privacy/export", data={"wie": EMAIL}).json()
    assert [i["slug"] for i in data["knowledge_base"]] == [item.slug]
    assert data["knowledge_base"][0]["contact_email"] == EMAIL
    r = client.post("/beheer/privacy/verwijderen", data={"wie": EMAIL, "bevestiging": EMAIL})
    assert r.status_code == 303
    session.expire_all()
    kept = session.get(ContentItem, item.id)
    assert kept is not None and kept.contact_email == EMAIL  # editorial: an editor decides
