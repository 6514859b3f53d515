"""Following a question: the private link, the timeline, replying and rating."""

from __future__ import annotations

from fastapi import FastAPI
from sqlmodel import Session, select

from backend.cases import service, workspace
from backend.cases.models import CaseAccessToken, CaseRating
from backend.routing.models import Desk
from tests.cases.conftest import link_token, mails
from tests.client import LoketClient
from tests.factories.cases import as_principal, create_case
from tests.factories.routing import add_member


def open_link(client: LoketClient, token: str):
    page = client.get(f"/vraag/volgen/{token}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "same-origin"  # the token never leaves the site
    return client.post(f"/vraag/volgen/{token}")


def test_token_is_long_and_stored_hashed(session: Session, desks: dict[str, Desk]) -> None:
    case = create_case(session, desks["oost-nl"])
    token = service.issue_token(session, case)
    assert len(token) >= 22  # ≥ 128 bits in url-safe base64
    row = session.exec(select(CaseAccessToken).where(CaseAccessToken.case_id == case.id)).one()
    assert row.token_hash != token and len(row.token_hash) == 64


def test_link_is_exchanged_once_for_a_session(app: FastAPI, session: Session,
                                              desks: dict[str, Desk]) -> None:
    case = create_case(session, desks["oost-nl"], email="volg@example.nl")
    token = service.issue_token(session, case)
    session.commit()
    with LoketClient(app) as browser:
        # Opening the link shows a button; a mail scanner's GET spends nothing.
        assert browser.get(f"/vraag/volgen/{token}").status_code == 200
        r = browser.post(f"/vraag/volgen/{token}")
        assert r.status_code == 303
        assert r.headers["location"] == f"/mijn-vraag/{case.reference}"
        assert token not in r.headers["location"]
        page = browser.get(r.headers["location"])
        assert page.status_code == 200 and case.reference in page.text
        # Used again in the same browser: harmless, it just goes to the question.
        again = browser.post(f"/vraag/volgen/{token}")
        assert again.status_code == 303
    with LoketClient(app) as other:
        # Used again elsewhere: refused.
        refused = other.post(f"/vraag/volgen/{token}")
        assert refused.status_code == 410
        assert other.get(f"/mijn-vraag/{case.reference}").status_code == 404


def test_cookie_grants_only_that_case(client: LoketClient, session: Session,
                                      desks: dict[str, Desk]) -> None:
    mine = create_case(session, desks["oost-nl"], email="a@example.nl")
    theirs = create_case(session, desks["oost-nl"], email="b@example.nl", text="Een andere "
                         "vraag over personeel vinden in de regio Deventer.")
    token = service.issue_token(session, mine)
    session.commit()
    assert open_link(client, token).status_code == 303
    assert client.get(f"/mijn-vraag/{mine.reference}").status_code == 200
    r = client.get(f"/mijn-vraag/{theirs.reference}")
    assert r.status_code == 404 and "personeel" not in r.text
    assert client.post(f"/mijn-vraag/{theirs.reference}/reactie",
                       data={"body": "hallo"}).status_code == 404


def test_unknown_or_expired_link(client: LoketClient) -> None:
    assert "nieuwe link" in client.get("/vraag/volgen/onzin").text.lower()
    assert client.post("/vraag/volgen/onzin").status_code == 410


def test_entrepreneur_reads_the_answer_but_never_notes(
        client: LoketClient, session: Session, desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    advisor = add_member(session, desk, name="Olga Oost")
    case = create_case(session, desk, email="lees@example.nl")
    principal = as_principal(advisor)
    workspace.add_note(session, case, principal, "GEHEIM: bel eerst de gemeente")
    workspace.reply(session, case, principal, "U kunt **de MIT-regeling** gebruiken.")
    session.commit()
    answered = mails(session, "lees@example.nl")[-1]
    assert "beantwoord" in answered["subject"].lower() or "answered" in answered["subject"]
    assert "MIT" not in answered["text"]  # the mail links to the answer, it does not carry it
    assert open_link(client, link_token(answered)).status_code == 303
    page = client.get(f"/mijn-vraag/{case.reference}")
    assert "<strong>de MIT-regeling</strong>" in page.text
    assert "GEHEIM" not in page.text and "Olga" not in page.text


def test_reply_reopens_a_closed_case(client: LoketClient, session: Session,
                                     desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    advisor = add_member(session, desk)
    case = create_case(session, desk)
    principal = as_principal(advisor)
    workspace.reply(session, case, principal, "Dit is ons antwoord.")
    workspace.close(session, case, principal, "answered")
    token = service.issue_token(session, case)
    session.commit()
    open_link(client, token)
    r = client.post(f"/mijn-vraag/{case.reference}/reactie",
                    data={"body": "Dank, maar ik heb nog een vervolgvraag."})
    assert r.status_code == 303
    session.refresh(case)
    assert case.status == "assigned" and case.outcome is None
    page = client.get(f"/mijn-vraag/{case.reference}")
    assert "vervolgvraag" in page.text
    assert any(m["to"] == advisor.email and case.reference in m["subject"]
               for m in mails(session))


def test_empty_reply_keeps_the_page(client: LoketClient, session: Session,
                                    desks: dict[str, Desk]) -> None:
    case = create_case(session, desks["oost-nl"])
    token = service.issue_token(session, case)
    session.commit()
    open_link(client, token)
    r = client.post(f"/mijn-vraag/{case.reference}/reactie", data={"body": "   "})
    assert r.status_code == 422
    assert 'aria-describedby="f-body-error"' in r.text


def test_rating_after_an_answer(client: LoketClient, session: Session,
                                desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    advisor = add_member(session, desk)
    case = create_case(session, desk)
    token = service.issue_token(session, case)
    session.commit()
    open_link(client, token)
    early = client.post(f"/mijn-vraag/{case.reference}/beoordeling", data={"score": "4"})
    assert early.status_code == 422
    workspace.reply(session, case, as_principal(advisor), "Antwoord.")
    session.commit()
    r = client.post(f"/mijn-vraag/{case.reference}/beoordeling",
                    data={"score": "5", "comment": "Snel en duidelijk"})
    assert r.status_code == 303
    rating = session.get(CaseRating, case.id)
    assert rating is not None and rating.score == 5 and rating.desk_id == desk.id
    assert client.post(f"/mijn-vraag/{case.reference}/beoordeling",
                       data={"score": "9"}).status_code == 422


def test_resend_link_is_neutral_and_rate_limited(client: LoketClient, session: Session,
                                                 desks: dict[str, Desk]) -> None:
    case = create_case(session, desks["oost-nl"], email="kwijt@example.nl")
    session.commit()
    before = len(mails(session, "kwijt@example.nl"))
    wrong = client.post("/vraag/link-opnieuw", data={"email": "kwijt@example.nl",
                                                     "reference": "LK-2026-999999"})
    right = client.post("/vraag/link-opnieuw", data={"email": "KWIJT@example.nl",
                                                     "reference": case.reference.lower()})
    assert wrong.status_code == right.status_code == 303
    assert wrong.headers["location"] == right.headers["location"]
    sent = mails(session, "kwijt@example.nl")
    assert len(sent) == before + 1 and link_token(sent[-1])
    client.post("/vraag/link-opnieuw", data={"email": "kwijt@example.nl",
                                             "reference": case.reference})
    limited = client.post("/vraag/link-opnieuw", data={"email": "kwijt@example.nl",
                                                       "reference": case.reference})
    assert limited.status_code == 429
    assert 'value="kwijt@example.nl"' in limited.text


def test_exchanging_a_link_rotates_the_session_id(app: FastAPI, session: Session, db,
                                                  desks: dict[str, Desk]) -> None:
    """Issue 12 (low): an attacker who planted a session id in the victim's browser (a
    sibling host, an open network) read the victim's case once the victim used the link."""
    from backend.accounts.models import WebSession
    from backend.core.security import sha256_hex
    from tests.factories.accounts import session_cookie_for

    case = create_case(session, desks["oost-nl"], email="fixatie@example.nl")
    token = service.issue_token(session, case)
    session.commit()
    planted = session_cookie_for(db, None)
    with LoketClient(app) as victim:
        victim.cookies.set("loket_session", planted)
        r = victim.post(f"/vraag/volgen/{token}")
        assert r.status_code == 303
        fresh = victim.cookies.get("loket_session", domain="testserver.local")
        assert fresh and fresh != planted
        assert victim.get(f"/mijn-vraag/{case.reference}").status_code == 200
    with db.transaction(write=False) as s:
        assert s.get(WebSession, sha256_hex(planted)) is None
    with LoketClient(app) as attacker:
        attacker.cookies.set("loket_session", planted)
        assert attacker.get(f"/mijn-vraag/{case.reference}").status_code == 404
