"""Hand-offs: offered with a note and the entrepreneur's consent, accepted or declined by the
receiving desk; the case keeps its reference, timeline and SLA clock."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from backend.accounts.models import AuditEvent
from backend.cases.models import Case, CaseEvent, CaseHandoff
from backend.cases.workhours import AMSTERDAM
from backend.core.db import utcnow
from backend.routing.models import Desk
from tests.cases.conftest import link_token, mails
from tests.client import LoketClient
from tests.factories.cases import create_case, phone_consent
from tests.factories.routing import add_member


def offer(client: LoketClient, case: Case, to: str = "rvo", consent: bool = True):
    if consent:  # the entrepreneur agreed by phone; the advisor records it first
        r = client.post(f"/werkplek/zaken/{case.reference}/toestemming/vastleggen",
                        data={"phone_desk": to, "given_by": "Jan de Vries",
                              "given_at": (utcnow() - timedelta(minutes=5)).astimezone(
                                  AMSTERDAM).strftime("%Y-%m-%dT%H:%M")})
        assert r.status_code == 303, r.text[:2000]
    data = {"to_desk": to, "handoff_note": "Dit gaat over de WBSO; RVO weet dat beter."}
    return client.post(f"/werkplek/zaken/{case.reference}/overdragen", data=data)


def test_handoff_needs_consent_and_a_note(client: LoketClient, session: Session, login,
                                          desks: dict[str, Desk]) -> None:
    sender = add_member(session, desks["oost-nl"])
    case = create_case(session, desks["oost-nl"])
    session.commit()
    login(sender)
    r = offer(client, case, consent=False)
    assert r.status_code == 422
    assert 'id="f-to_desk-error"' in r.text and "toestemming" in r.text
    assert "WBSO; RVO" in r.text  # typed note kept
    r = client.post(f"/werkplek/zaken/{case.reference}/overdragen",
                    data={"to_desk": "oost-nl", "handoff_note": ""})
    assert r.status_code == 422
    assert session.exec(select(CaseHandoff)).first() is None


def test_a_ticked_box_is_not_consent(client: LoketClient, session: Session, login,
                                     desks: dict[str, Desk]) -> None:
    """Issue 12 made ``consent=0`` refused; issue 15 makes the consent the entrepreneur's: no
    form value of the advisor's counts, only consent the entrepreneur gave (recorded)."""
    sender = add_member(session, desks["oost-nl"])
    case = create_case(session, desks["oost-nl"])
    session.commit()
    login(sender)
    note = "Dit gaat over de WBSO; RVO weet dat beter."
    for value in ("1", "on", "true"):
        r = client.post(f"/werkplek/zaken/{case.reference}/overdragen",
                        data={"to_desk": "rvo", "handoff_note": note, "consent": value})
        assert r.status_code == 422, value
    assert session.exec(select(CaseHandoff)).first() is None
    assert offer(client, case).status_code == 303


def test_accepted_handoff_moves_the_case_and_keeps_its_history(
        client: LoketClient, app, session: Session, login, desks: dict[str, Desk]) -> None:
    sender = add_member(session, desks["oost-nl"], name="Sanne Zender")
    receiver = add_member(session, desks["rvo"], name="Rik Ontvanger")
    case = create_case(session, desks["oost-nl"], email="door@example.nl")
    due, reference = case.first_response_due_at, case.reference
    session.commit()
    login(sender)
    client.post(f"/werkplek/zaken/{case.reference}/oppakken")
    assert offer(client, case).status_code == 303
    handoff = session.exec(select(CaseHandoff)).one()
    assert handoff.status == "offered" and handoff.consent
    assert any(m["to"] == receiver.email for m in mails(session))
    # The receiving desk can read it and decide; the case is still at the sender.
    login(receiver)
    page = client.get(f"/werkplek/zaken/{case.reference}")
    assert page.status_code == 200 and "accepteren" in page.text
    r = client.post(f"/werkplek/zaken/{case.reference}/overdracht/{handoff.id}/accepteren")
    assert r.status_code == 303
    session.expire_all()
    case = session.exec(select(Case).where(Case.reference == reference)).one()
    assert case.desk_id == desks["rvo"].id and case.assigned_to is None
    assert case.status == "new" and case.first_response_due_at == due
    assert session.get(CaseHandoff, handoff.id).status == "accepted"  # type: ignore[union-attr]
    kinds = list(session.exec(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)
                              .order_by(col(CaseEvent.id))).all())
    assert kinds == ["received", "routed", "assigned", "consent_given", "handoff_offered",
                     "handoff_accepted"]
    audit = set(session.exec(select(AuditEvent.action).where(
        AuditEvent.target_id == str(case.id))).all())
    assert {"case.handoff_offered", "case.handoff_accepted"} <= audit
    # The sender no longer sees it; the entrepreneur sees one timeline across both desks.
    login(sender)
    assert client.get(f"/werkplek/zaken/{case.reference}").status_code == 404
    told = mails(session, "door@example.nl")[-1]
    assert case.reference in told["subject"] and "RVO" in told["text"]
    from tests.client import LoketClient as Browser

    with Browser(app) as browser:
        browser.post(f"/vraag/volgen/{link_token(told)}")
        timeline = browser.get(f"/mijn-vraag/{case.reference}").text
    assert "Oost NL" in timeline and "RVO" in timeline
    assert "WBSO; RVO" not in timeline  # the hand-off note is internal


def test_declined_handoff_returns_to_the_sender(client: LoketClient, session: Session,
                                                login, desks: dict[str, Desk]) -> None:
    sender = add_member(session, desks["oost-nl"])
    receiver = add_member(session, desks["rvo"])
    case = create_case(session, desks["oost-nl"])
    session.commit()
    login(sender)
    offer(client, case)
    assert offer(client, case).status_code in (409, 422)  # one open offer at a time
    handoff = session.exec(select(CaseHandoff)).one()
    login(receiver)
    r = client.post(f"/werkplek/zaken/{case.reference}/overdracht/{handoff.id}/weigeren",
                    data={"decline_note": "Geen WBSO-vraag"})
    assert r.status_code == 303 and r.headers["location"] == "/werkplek/rvo"
    session.expire_all()
    assert session.get(CaseHandoff, handoff.id).status == "declined"  # type: ignore[union-attr]
    assert session.get(Case, case.id).desk_id == desks["oost-nl"].id  # type: ignore[union-attr]
    assert client.get(f"/werkplek/zaken/{case.reference}").status_code == 404
    assert any(m["to"] == sender.email and case.reference in m["subject"]
               for m in mails(session))
    login(sender)
    page = client.get(f"/werkplek/zaken/{case.reference}").text
    assert "Geen WBSO-vraag" in page
    # Deciding twice is refused.
    login(sender)
    again = client.post(f"/api/v1/cases/{case.reference}/handoffs/{handoff.id}/accept")
    assert again.status_code in (404, 409)


def test_handoff_through_the_api(client: LoketClient, session: Session, login,
                                 desks: dict[str, Desk]) -> None:
    sender = add_member(session, desks["oost-nl"])
    receiver = add_member(session, desks["rvo"])
    case = create_case(session, desks["oost-nl"])
    session.commit()
    login(sender)
    r = client.post(f"/api/v1/cases/{case.reference}/handoffs",
                    json={"to_desk": "rvo", "note": "Voor RVO", "consent": True})
    assert r.status_code == 422  # consent is recorded, not claimed
    assert "to_desk" in r.json()["error"]["fields"]
    r = client.post(f"/api/v1/cases/{case.reference}/handoffs",
                    json={"to_desk": "rvo", "note": "Voor RVO", "consent_given_by": "Jan",
                          "consent_given_at": utcnow().isoformat()})
    assert r.status_code == 201, r.text
    handoff_id = r.json()["id"]
    login(receiver)
    assert client.get(f"/api/v1/cases/{case.reference}").json()["desk"]["slug"] == "oost-nl"
    r = client.post(f"/api/v1/cases/{case.reference}/handoffs/{handoff_id}/accept")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert client.get(f"/api/v1/cases/{case.reference}").json()["desk"]["slug"] == "rvo"


def test_closing_withdraws_an_open_offer(session: Session, desks: dict[str, Desk]) -> None:
    from backend.cases import workspace
    from tests.factories.cases import as_principal

    sender = add_member(session, desks["oost-nl"])
    case = create_case(session, desks["oost-nl"])
    workspace.offer_handoff(session, case, as_principal(sender), "rvo", "note",
                            phone_consent=phone_consent())
    workspace.close(session, case, as_principal(sender), "referred", without_answer=True)
    assert session.exec(select(CaseHandoff)).one().status == "withdrawn"
