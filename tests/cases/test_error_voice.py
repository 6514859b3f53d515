"""Errors on the advisor's case page speak the page's language and name their field (issue 15).

Before: an empty answer showed the English "Some fields are not filled in correctly." above
the Dutch summary, and the summary said "Dit veld is verplicht." without saying which field.
"""

from __future__ import annotations

import re

from sqlmodel import Session

from backend.routing.models import Desk
from tests.client import LoketClient
from tests.factories.cases import create_case
from tests.factories.routing import add_member


def _summary(html: str) -> str:
    found = re.search(r'<div class="[^"]*error-summary.*?</div>', html, re.S)
    assert found, "no error summary"
    return re.sub(r"<[^>]+>", " ", found.group(0))


def test_empty_answer_and_note_in_dutch_naming_the_field(
        client: LoketClient, session: Session, login, desks: dict[str, Desk]) -> None:
    advisor = add_member(session, desks["oost-nl"])
    case = create_case(session, desks["oost-nl"])
    session.commit()
    login(advisor)
    r = client.post(f"/werkplek/zaken/{case.reference}/antwoord", data={"body": "  "})
    assert r.status_code == 422
    assert "Some fields are not filled in correctly." not in r.text
    assert "Dit veld is verplicht." not in r.text
    assert "Schrijf uw antwoord." in _summary(r.text)
    assert 'id="f-body-error"' in r.text
    r = client.post(f"/werkplek/zaken/{case.reference}/notitie", data={"note": ""})
    assert r.status_code == 422
    assert "Schrijf de notitie." in _summary(r.text)
    r = client.post(f"/werkplek/zaken/{case.reference}/notitie", data={"note": "x" * 5001})
    assert r.status_code == 422
    assert "De notitie is te lang (hoogstens 5.000 tekens)." in _summary(r.text)


def test_errors_in_english_on_english_pages(
        client: LoketClient, session: Session, login, desks: dict[str, Desk]) -> None:
    advisor = add_member(session, desks["oost-nl"])
    case = create_case(session, desks["oost-nl"])
    session.commit()
    login(advisor)
    client.cookies.set("loket_lang", "en")
    r = client.post(f"/werkplek/zaken/{case.reference}/antwoord", data={"body": ""})
    assert r.status_code == 422
    assert "Write your answer." in _summary(r.text)
    assert "Schrijf" not in r.text


def test_handoff_without_consent_speaks_dutch(
        client: LoketClient, session: Session, login, desks: dict[str, Desk]) -> None:
    advisor = add_member(session, desks["oost-nl"])
    case = create_case(session, desks["oost-nl"])
    session.commit()
    login(advisor)
    r = client.post(f"/werkplek/zaken/{case.reference}/overdragen",
                    data={"to_desk": "rvo", "handoff_note": ""})
    assert r.status_code == 422
    assert "Some fields are not filled in correctly." not in r.text
    summary = _summary(r.text)
    assert "Er is een probleem" in summary and "andere loket" in summary


def test_question_form_shows_every_error_at_once(client: LoketClient,
                                                 desks: dict[str, Desk]) -> None:
    """Before, an unknown municipality was reported only after the other errors were fixed."""
    from tests.cases.test_asking import form

    # The schema fails (bad e-mail): the place is checked as well.
    r = client.post("/vraag", data=form(email="geen-adres", municipality="Deventr", consent=""))
    assert r.status_code == 422
    for field in ("email", "municipality", "consent"):
        assert f'id="f-{field}-error"' in r.text, field
    assert "Bedoelt u Deventer?" in r.text
    # The schema passes: consent and the place are reported together.
    r = client.post("/vraag", data=form(municipality="Deventr", consent=""))
    assert r.status_code == 422
    for field in ("municipality", "consent"):
        assert f'id="f-{field}-error"' in r.text, field
