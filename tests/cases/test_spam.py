"""Spam and abuse: honeypot, rate limits and size limits. A rejection says why (in Dutch) and
keeps what was typed; nothing is stored."""

from __future__ import annotations

from sqlmodel import Session, select

from backend.cases.models import Case
from backend.cases.schemas import TEXT_MAX
from tests.cases.test_asking import form
from tests.client import LoketClient


def stored(session: Session) -> int:
    session.expire_all()
    return len(session.exec(select(Case.id)).all())


def test_honeypot_rejects_and_keeps_the_input(client: LoketClient, session: Session,
                                              desks: dict) -> None:
    r = client.post("/vraag", data=form(website="http://spam.example"))
    assert r.status_code == 422
    assert "niet verstuurd" in r.text
    assert "productielijn" in r.text and 'value="els@bakkerij.example"' in r.text
    assert stored(session) == 0


def test_too_long_and_too_short_texts(client: LoketClient, session: Session,
                                      desks: dict) -> None:
    long_text = "Wij zoeken financiering. " + "x" * TEXT_MAX
    r = client.post("/vraag", data=form(text=long_text))
    assert r.status_code == 422
    assert 'aria-describedby="f-text-hint f-text-error"' in r.text
    assert "tekens" in r.text  # the Dutch message names the limit
    assert "x" * 200 in r.text  # what was typed is kept
    r = client.post("/vraag", data=form(text="Help?"))
    assert r.status_code == 422 and ">Help?</textarea>" in r.text
    assert stored(session) == 0


def test_field_checks_say_why(client: LoketClient, session: Session, desks: dict) -> None:
    r = client.post("/vraag", data=form(kvk_number="1234", email="geen-adres", consent="",
                                        phone="bel me"))
    assert r.status_code == 422
    assert "8 cijfers" in r.text
    for field in ("kvk_number", "email", "phone", "consent"):
        assert f'id="f-{field}-error"' in r.text, field
        assert f'href="#f-{field}"' in r.text  # the error summary links to the field
    assert 'value="1234"' in r.text and 'value="bel me"' in r.text
    r = client.post("/vraag", data=form(municipality="Atlantis"))
    assert r.status_code == 422 and 'id="f-municipality-error"' in r.text
    assert 'value="Atlantis"' in r.text
    r = client.post("/vraag", data=form(municipality="", postcode=""))
    assert r.status_code == 422 and 'id="f-municipality-error"' in r.text
    assert stored(session) == 0


def test_rate_limit_per_email_address(client: LoketClient, session: Session,
                                      desks: dict) -> None:
    for i in range(5):
        r = client.post("/vraag", data=form(email="veel@example.nl", text=f"Vraag {i}: "
                                            "wij zoeken financiering voor een machine."))
        assert r.status_code == 303, r.text
    r = client.post("/vraag", data=form(email="veel@example.nl"))
    assert r.status_code == 429
    assert r.headers["retry-after"]
    assert "productielijn" in r.text and "minuten" in r.text
    assert stored(session) == 5
    client.cookies.clear()  # an integration: an unknown token beside cookies is a CSRF case
    api = client.post("/api/v1/questions", headers={"Authorization": "Bearer x"},
                      json={"text": "Wij zoeken financiering voor een machine.",
                            "email": "veel@example.nl", "consent": True})
    assert api.status_code in (401, 429)


def test_rate_limit_per_ip_address(client: LoketClient, session: Session,
                                   desks: dict) -> None:
    for i in range(10):
        r = client.post("/vraag", data=form(email=f"ip{i}@example.nl"))
        assert r.status_code == 303
    r = client.post("/vraag", data=form(email="ip-extra@example.nl"))
    assert r.status_code == 429 and 'value="ip-extra@example.nl"' in r.text
