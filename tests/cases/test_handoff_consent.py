"""Hand-off consent is the entrepreneur's (issue 15): the desk asks through the private link
and the entrepreneur answers yes or no on the page of the question, or the advisor records
consent given by phone (who, when). No hand-off without recorded consent to that desk — the
rule is in ``cases.workspace.offer_handoff``. The timeline shows the consent before the
hand-off, and after it the entrepreneur reads "In behandeling bij …", not "Nieuw"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from backend.cases import workspace
from backend.cases.display import timeline_view
from backend.cases.models import CaseHandoff
from backend.cases.workhours import AMSTERDAM
from backend.core.db import utcnow
from backend.core.errors import Invalid
from backend.routing.models import Desk
from tests.cases.conftest import link_token, mails
from tests.client import LoketClient
from tests.factories.cases import as_principal, create_case, phone_consent
from tests.factories.routing import add_member

NOTE = {"handoff_note": "Dit gaat over de WBSO; RVO weet dat beter."}


def _local(minutes_ago: int) -> str:
    return (utcnow() - timedelta(minutes=minutes_ago)).astimezone(AMSTERDAM).strftime(
        "%Y-%m-%dT%H:%M")


def test_the_entrepreneur_agrees_through_the_private_link(
        client: LoketClient, session: Session, login: Callable[..., LoketClient],
        client_for: Callable[..., LoketClient], app, desks: dict[str, Desk]) -> None:
    sender = add_member(session, desks["oost-nl"], name="Sanne Zender")
    receiver = add_member(session, desks["rvo"], name="Rik Ontvanger")
    case = create_case(session, desks["oost-nl"], email="toestemming@example.nl")
    session.commit()
    login(sender)
    url = f"/werkplek/zaken/{case.reference}"
    # Without consent the offer is refused, naming the desk; nothing is offered.
    r = client.post(url + "/overdragen", data={"to_desk": "rvo", **NOTE})
    assert r.status_code == 422 and "RVO mag deze vraag alleen krijgen met toestemming" in r.text
    assert session.exec(select(CaseHandoff)).first() is None

    assert client.post(url + "/toestemming/vragen", data={"ask_desk": "rvo"}).status_code == 303
    [mail] = [m for m in mails(session, "toestemming@example.nl") if "doorsturen" in m["subject"]]
    assert "Oost NL denkt dat RVO u beter kan helpen" in mail["text"]

    entrepreneur = client_for(app)
    entrepreneur.get(f"/vraag/volgen/{link_token(mail)}")
    entrepreneur.post(f"/vraag/volgen/{link_token(mail)}")
    page = entrepreneur.get(f"/mijn-vraag/{case.reference}").text
    assert "Mag Oost NL uw vraag doorsturen naar RVO?" in page
    assert 'value="ja"' in page and 'value="nee"' in page
    r = entrepreneur.post(f"/mijn-vraag/{case.reference}/doorsturen", data={"answer": "ja"})
    assert r.status_code == 303
    assert "Mag Oost NL uw vraag" not in entrepreneur.get(f"/mijn-vraag/{case.reference}").text
    assert any("Toestemming om vraag" in m["subject"] for m in mails(session, sender.email))
    # Answering again is refused: the question has been answered.
    again = entrepreneur.post(f"/mijn-vraag/{case.reference}/doorsturen", data={"answer": "nee"})
    assert again.status_code == 409

    assert client.post(url + "/overdragen", data={"to_desk": "rvo", **NOTE}).status_code == 303
    handoff = session.exec(select(CaseHandoff)).one()
    login(receiver)
    client.post(f"{url}/overdracht/{handoff.id}/accepteren")

    session.refresh(case)
    titles = [e.title for e in timeline_view(session, case, for_entrepreneur=True)]
    asked = titles.index("Oost NL vroeg of uw vraag naar RVO mag")
    agreed = titles.index("U gaf toestemming om uw vraag door te sturen naar RVO")
    handed = titles.index("Doorgegeven van Oost NL aan RVO")
    assert asked < agreed < handed
    page = entrepreneur.get(f"/mijn-vraag/{case.reference}").text
    assert "In behandeling bij RVO" in page
    assert '<span class="status status--new">Nieuw</span>' not in page


def test_no_means_no(client: LoketClient, session: Session, login, client_for, app,
                     desks: dict[str, Desk]) -> None:
    sender = add_member(session, desks["oost-nl"])
    case = create_case(session, desks["oost-nl"], email="nee@example.nl")
    session.commit()
    login(sender)
    url = f"/werkplek/zaken/{case.reference}"
    client.post(url + "/toestemming/vragen", data={"ask_desk": "rvo"})
    [mail] = [m for m in mails(session, "nee@example.nl") if "doorsturen" in m["subject"]]
    entrepreneur = client_for(app)
    entrepreneur.post(f"/vraag/volgen/{link_token(mail)}")
    assert entrepreneur.post(f"/mijn-vraag/{case.reference}/doorsturen",
                             data={"answer": "nee"}).status_code == 303
    r = client.post(url + "/overdragen", data={"to_desk": "rvo", **NOTE})
    assert r.status_code == 422
    assert "gaf geen toestemming" in client.get(url).text
    assert session.exec(select(CaseHandoff)).first() is None


def test_consent_given_by_phone_is_recorded_with_who_and_when(
        client: LoketClient, session: Session, login, desks: dict[str, Desk]) -> None:
    sender = add_member(session, desks["oost-nl"])
    case = create_case(session, desks["oost-nl"])
    session.commit()
    login(sender)
    url = f"/werkplek/zaken/{case.reference}/toestemming/vastleggen"
    r = client.post(url, data={"phone_desk": "rvo", "given_by": "", "given_at": _local(-60)})
    assert r.status_code == 422
    assert "Vul in wie toestemming gaf." in r.text
    assert "Toestemming kan niet in de toekomst gegeven zijn." in r.text
    r = client.post(url, data={"phone_desk": "rvo", "given_by": "Jan de Vries",
                               "given_at": _local(10)})
    assert r.status_code == 303
    titles = [e.title for e in timeline_view(session, case, for_entrepreneur=True)]
    assert any(t.startswith("Toestemming om de vraag door te sturen naar RVO, telefonisch "
                            "gegeven door Jan de Vries op ") for t in titles), titles
    # Consent to RVO is not consent to KvK.
    r = client.post(f"/werkplek/zaken/{case.reference}/overdragen",
                    data={"to_desk": "kvk", **NOTE})
    assert r.status_code == 422
    r = client.post(f"/werkplek/zaken/{case.reference}/overdragen",
                    data={"to_desk": "rvo", **NOTE})
    assert r.status_code == 303


def test_the_service_refuses_a_hand_off_without_recorded_consent(
        session: Session, desks: dict[str, Desk]) -> None:
    sender = add_member(session, desks["oost-nl"])
    case = create_case(session, desks["oost-nl"])
    with pytest.raises(Invalid) as refused:
        workspace.offer_handoff(session, case, as_principal(sender), "rvo", "Voor RVO")
    assert set(refused.value.fields) == {"to_desk"}
    handoff = workspace.offer_handoff(session, case, as_principal(sender), "rvo", "Voor RVO",
                                      phone_consent=phone_consent("Piet"))
    assert handoff.consent
    kinds = [e.kind for e in timeline_view(session, case, for_entrepreneur=False)]
    assert kinds.index("consent_given") < kinds.index("handoff_offered")
