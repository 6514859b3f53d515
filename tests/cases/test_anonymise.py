"""Publish as knowledge: the personal-data forms an outside test left in the draft (11 of 15
in 2026-12) are stripped, ordinary figures and public links stay, and the advisor must confirm
the personal-data check before the draft is stored."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from backend.cases import publish
from backend.cases.models import REPLY
from backend.cases.service import add_event
from backend.cases.text import anonymise, eleven_test
from backend.core.db import utcnow
from backend.core.errors import Invalid
from backend.routing.models import Desk
from tests.client import LoketClient
from tests.factories.cases import as_principal, create_case
from tests.factories.routing import add_member

# (what the entrepreneur or advisor wrote, the personal datum that must not survive)
CORPUS = [
    ("Wij zitten op 7511ab in Enschede.", "7511ab"),
    ("Onze postcode is 7511 AB.", "7511 AB"),
    ("Bel mij op +31 (0)6 1234 5678 als het uitkomt.", "1234 5678"),
    ("Of kantoor: (053) 480 12 34, na 9 uur.", "480 12 34"),
    ("Mobiel 06 - 12 34 56 78 werkt ook.", "12 34 56 78"),
    ("Onze leverancier in Duitsland: +49 170 1234567.", "170 1234567"),
    ("Gewoon 06 12345678 bellen.", "12345678"),
    ("Ons KvK 1234 5678 staat in het register.", "1234 5678"),
    ("KvK-nummer 87654321.", "87654321"),
    ("Mijn BSN is 111222333, voor de eenmanszaak.", "111222333"),
    ("Ik heb ook BSN 123.456.782 opgegeven.", "456.782"),
    ("Kom langs op de Hengelosestraat 12 in Enschede.", "Hengelosestraat 12"),
    ("Het magazijn staat aan de Oude Markt 3a.", "Markt 3a"),
    ("Mijn collega Piet Jansen regelt de inkoop.", "Piet Jansen"),
    ("Vraag het mevrouw Van den Berg van de boekhouding.", "Van den Berg"),
    ("Onze webshop is www.bakkerij-kaptein.nl/bestellen.", "bakkerij-kaptein"),
    ("Mail naar els@bakkerij-kaptein.nl.", "els@"),
]
# Ordinary text that must come through unchanged.
KEPT = [
    "In 2024 de omzet steeg met 12 procent tot 1.250.000 euro.",
    "Een lening van 10 000 tot 50 000 euro, zie https://www.rvo.nl/subsidies-financiering/mit.",
    "Stap 2: maak in week 12 een planning voor 40 uur per week.",
    "De investering van 250000 euro verdient zich in 3 jaar terug.",
]


def test_eleven_test() -> None:
    assert eleven_test("111222333") and eleven_test("123456782")
    assert not eleven_test("123456789") and not eleven_test("000000000")


@pytest.mark.parametrize(("text", "secret"), CORPUS, ids=[s for _t, s in CORPUS])
def test_each_form_is_stripped(text: str, secret: str) -> None:
    out = anonymise(text, domains={"bakkerij-kaptein.nl"})
    assert secret not in out, out
    assert "[…]" in out


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_figures_and_public_links_stay(text: str) -> None:
    assert anonymise(text) == text


def _answered_case(session: Session, desk: Desk) -> tuple:
    advisor = add_member(session, desk, name="Olga Oosterhuis")
    question = " ".join(t for t, _s in CORPUS[:9]) + " Welke subsidie is er voor een lasrobot?"
    case = create_case(session, desk, email="els@bakkerij-kaptein.nl", name="Els Kaptein",
                       text=question, first_responded_at=utcnow())
    answer = " ".join(t for t, _s in CORPUS[9:]) + " Kijk naar de MIT-regeling."
    add_event(session, case, REPLY, actor="advisor", user_id=advisor.id, body=answer)
    return advisor, case


def test_the_draft_keeps_none_of_the_corpus(session: Session, desks: dict[str, Desk]) -> None:
    _advisor, case = _answered_case(session, desks["oost-nl"])
    draft = publish.draft_for(session, case)
    text = draft.title + " " + draft.body_md
    left = [secret for _t, secret in CORPUS if secret in text]
    assert left == [], left
    assert "lasrobot" in text and "MIT-regeling" in text and "Enschede" in text


def test_the_service_refuses_without_the_personal_data_check(
        session: Session, desks: dict[str, Desk]) -> None:
    pytest.importorskip("backend.content.service", reason="needs the knowledge base")
    advisor, case = _answered_case(session, desks["oost-nl"])
    body = "## Vraag\n\nEen lasrobot kopen.\n\n## Antwoord\n\nDe MIT-regeling past."
    with pytest.raises(Invalid) as refused:
        publish.publish_draft(session, case, as_principal(advisor), title="Een lasrobot",
                              body_md=body)
    assert "personal_data_checked" in refused.value.fields
    slug = publish.publish_draft(session, case, as_principal(advisor), title="Een lasrobot",
                                 body_md=body + " Bel 06 - 12 34 56 78.",
                                 personal_data_checked=True)
    from backend.content.models import ContentItem

    item = session.exec(select(ContentItem).where(ContentItem.slug == slug)).one()
    assert "12 34 56 78" not in item.body_md


def test_the_form_asks_for_the_check_and_keeps_the_text(
        client: LoketClient, session: Session, login, desks: dict[str, Desk]) -> None:
    pytest.importorskip("backend.content.service", reason="needs the knowledge base")
    advisor, case = _answered_case(session, desks["oost-nl"])
    session.commit()
    login(advisor)
    url = f"/werkplek/zaken/{case.reference}/kennis"
    assert 'name="personal_data_checked"' in client.get(url).text
    data = {"title": "Subsidie voor een lasrobot", "summary": "",
            "body_md": "## Vraag\n\nWelke subsidie?\n\n## Antwoord\n\nDe MIT-regeling past."}
    r = client.post(url, data=data)
    assert r.status_code == 422
    assert 'id="f-personal_data_checked-error"' in r.text and "persoonsgegevens" in r.text
    assert "De MIT-regeling past." in r.text
    from backend.content.models import ContentItem

    assert session.exec(select(ContentItem).where(ContentItem.type == "qa")).first() is None
    r = client.post(url, data={**data, "personal_data_checked": "1"})
    assert r.status_code == 303, r.text
