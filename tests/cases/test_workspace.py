"""The advisor workspace: inbox and filters, claim and assign, answer, notes, saved answers,
close with an outcome, audit events and publishing as knowledge."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, col, select

from backend.accounts.models import AuditEvent
from backend.cases.models import Case, CaseEvent
from backend.routing.models import COORDINATOR, Desk
from tests.cases.conftest import mails
from tests.client import LoketClient
from tests.factories.cases import create_case, past
from tests.factories.routing import add_member


def actions(session: Session, case: Case) -> list[str]:
    return list(session.exec(select(AuditEvent.action).where(
        AuditEvent.target_type == "case", AuditEvent.target_id == str(case.id))
        .order_by(col(AuditEvent.id))).all())


def events(session: Session, case: Case) -> list[str]:
    return list(session.exec(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)
                             .order_by(col(CaseEvent.id))).all())


def test_workspace_lists_my_desks(client: LoketClient, session: Session, login,
                                  desks: dict[str, Desk]) -> None:
    advisor = add_member(session, desks["oost-nl"])
    session.commit()
    login(advisor)
    r = client.get("/werkplek")
    assert r.status_code == 200 and "/werkplek/oost-nl" in r.text and "/werkplek/rvo" not in r.text


def test_workspace_needs_a_login(client: LoketClient, desks: dict) -> None:
    r = client.get("/werkplek/oost-nl?status=new")
    assert r.status_code == 303
    assert r.headers["location"] == "/inloggen?next=%2Fwerkplek%2Foost-nl%3Fstatus%3Dnew"
    assert client.get("/api/v1/desks/oost-nl/cases").status_code == 401


def test_inbox_filters(client: LoketClient, session: Session, login,
                       desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    advisor = add_member(session, desk)
    fresh = create_case(session, desk, theme="financiering")
    late = create_case(session, desk, received_at=past(24 * 14), theme="internationalisering")
    closed = create_case(session, desk, status="closed")
    session.commit()
    login(advisor)
    page = client.get("/werkplek/oost-nl")
    assert fresh.reference in page.text and late.reference in page.text
    assert closed.reference not in page.text
    assert "row--overdue" in page.text
    overdue = client.get("/werkplek/oost-nl?overdue=1").text
    assert late.reference in overdue and fresh.reference not in overdue
    themed = client.get("/werkplek/oost-nl?theme=financiering").text
    assert fresh.reference in themed and late.reference not in themed
    assert closed.reference in client.get("/werkplek/oost-nl?status=closed").text
    fragment = client.get("/werkplek/oost-nl?status=all", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="inbox"')
    api = client.get("/api/v1/desks/oost-nl/cases?overdue=true").json()
    assert [c["reference"] for c in api] == [late.reference] and api[0]["overdue"]


def test_inbox_pages_through_every_open_case_due_soonest_first(
        client: LoketClient, session: Session, login, desks: dict[str, Desk]) -> None:
    """50 rows a page over all open statuses, in due order across them; a closed case stays
    out; the API keeps its single list of up to 200."""
    desk = desks["oost-nl"]
    advisor = add_member(session, desk)
    statuses = ("new", "assigned", "answered")
    # Received an hour apart, oldest first, the statuses interleaved: the due dates interleave
    # too, so a page must merge the statuses rather than list one after the other.
    cases = [create_case(session, desk, received_at=past(200 - k),
                         status=statuses[k % 3]) for k in range(120)]
    closed = create_case(session, desk, received_at=past(300), status="closed")
    session.commit()
    expected = [c.reference for c in sorted(cases, key=lambda c: (c.first_response_due_at, c.id))]
    login(advisor)
    seen: list[str] = []
    for page in (1, 2, 3):
        text = client.get(f"/werkplek/oost-nl?pagina={page}").text
        seen += re.findall(r'href="/werkplek/zaken/([A-Z0-9-]+)"', text)
    assert seen == expected and closed.reference not in seen
    first = client.get("/werkplek/oost-nl").text
    assert "Vragen 1–50 van 120" in first and 'rel="next"' in first
    assert 'href="/werkplek/oost-nl?pagina=2"' in first
    last = client.get("/werkplek/oost-nl?pagina=3").text
    assert "Vragen 101–120 van 120" in last and 'rel="next"' not in last
    # Beyond the last page: the last page; filters are kept in the links.
    assert "Vragen 101–120 van 120" in client.get("/werkplek/oost-nl?pagina=99").text
    mine = client.get("/werkplek/oost-nl?status=new").text
    assert "40 vragen" in mine
    api = client.get("/api/v1/desks/oost-nl/cases").json()
    assert [c["reference"] for c in api] == expected


def test_claim_assign_answer_note_close(client: LoketClient, session: Session, login,
                                        desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    anna = add_member(session, desk, name="Anna")
    bram = add_member(session, desk, name="Bram")
    case = create_case(session, desk, email="ondernemer@example.nl")
    session.commit()
    login(anna)
    url = f"/werkplek/zaken/{case.reference}"
    assert client.get(url).status_code == 200
    assert client.post(url + "/oppakken").status_code == 303
    session.refresh(case)
    assert case.assigned_to == anna.id and case.status == "assigned"
    assert client.post(url + "/toewijzen", data={"user_id": str(bram.id)}).status_code == 303
    session.refresh(case)
    assert case.assigned_to == bram.id
    assert any(m["to"] == bram.email for m in mails(session))
    # A non-member cannot be assigned.
    outsider = add_member(session, desks["rvo"])
    session.commit()
    r = client.post(url + "/toewijzen", data={"user_id": str(outsider.id)})
    assert r.status_code == 422
    assert client.post(url + "/notitie", data={"note": "Eerst KvK-nummer checken"}
                       ).status_code == 303
    r = client.post(url + "/antwoord", data={"body": "Zie <script>alert(1)</script> en "
                                             "[de WBSO](https://www.rvo.nl/wbso)."})
    assert r.status_code == 303
    session.refresh(case)
    assert case.status == "answered" and case.first_responded_at is not None
    assert case.first_response_desk_id == desk.id
    page = client.get(url).text
    assert "<script>alert(1)" not in page and 'href="https://www.rvo.nl/wbso"' in page
    assert "Eerst KvK-nummer checken" in page  # notes are for desk members
    assert client.post(url + "/sluiten", data={"outcome": "verkeerd"}).status_code == 422
    assert client.post(url + "/sluiten", data={"outcome": "scheme_applied"}).status_code == 303
    session.refresh(case)
    assert case.status == "closed" and case.outcome == "scheme_applied"
    assert events(session, case) == ["received", "routed", "assigned", "assigned", "note",
                                     "reply", "closed"]
    assert actions(session, case) == ["case.assigned", "case.assigned", "case.note_added",
                                      "case.answered", "case.closed"]
    assert any(m["to"] == "ondernemer@example.nl" and "beantwoord" in m["subject"]
               for m in mails(session))


def test_claiming_a_colleagues_case_is_refused(client: LoketClient, session: Session,
                                               login, desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    anna = add_member(session, desk, name="Anna")
    bram = add_member(session, desk, name="Bram")
    case = create_case(session, desk, status="assigned", assigned_to=anna.id)
    session.commit()
    login(bram)
    r = client.post(f"/werkplek/zaken/{case.reference}/oppakken")
    assert r.status_code == 409
    api = client.post(f"/api/v1/cases/{case.reference}/claim")
    assert api.status_code == 409 and api.json()["error"]["code"] == "already_assigned"


def test_empty_answer_keeps_the_form(client: LoketClient, session: Session, login,
                                     desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    advisor = add_member(session, desk)
    case = create_case(session, desk)
    session.commit()
    login(advisor)
    r = client.post(f"/werkplek/zaken/{case.reference}/antwoord", data={"body": " "})
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text


def test_saved_answers_insert_into_the_reply(client: LoketClient, session: Session, login,
                                             desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    advisor = add_member(session, desk)
    case = create_case(session, desk)
    session.commit()
    login(advisor)
    r = client.post("/werkplek/oost-nl/standaardantwoorden",
                    data={"title": "Innovatiekrediet", "body": "Het **Innovatiekrediet** ..."})
    assert r.status_code == 303
    listing = client.get("/werkplek/oost-nl/standaardantwoorden").text
    assert "Innovatiekrediet" in listing
    from backend.cases.models import SavedAnswer

    saved = session.exec(select(SavedAnswer).where(SavedAnswer.desk_id == desk.id)).one()
    page = client.get(f"/werkplek/zaken/{case.reference}?standaardantwoord={saved.id}")
    assert "Het **Innovatiekrediet** ..." in page.text
    assert client.post(f"/werkplek/oost-nl/standaardantwoorden/{saved.id}/verwijderen"
                       ).status_code == 303
    assert "Innovatiekrediet" not in client.get("/werkplek/oost-nl/standaardantwoorden").text


def test_publish_as_knowledge_strips_personal_data(client: LoketClient, session: Session,
                                                   login, desks: dict[str, Desk]) -> None:
    pytest.importorskip("backend.content.service", reason="needs the knowledge base")
    desk = desks["oost-nl"]
    advisor = add_member(session, desk, name="Olga Oosterhuis")
    case = create_case(session, desk, email="piet@jansen.example", name="Piet Jansen",
                       kvk_number="12345678", contact_phone="0612345678",
                       text="Ik ben Piet Jansen (KvK 12345678, bel 06 12345678 of mail "
                            "piet@jansen.example). Welke subsidie is er voor een lasrobot?")
    session.commit()
    login(advisor)
    url = f"/werkplek/zaken/{case.reference}"
    assert client.get(url + "/kennis").status_code == 409  # not answered yet
    client.post(url + "/antwoord", data={"body": "Beste Piet, kijk naar de MIT-regeling. "
                                         "Groet, Olga Oosterhuis"})
    form = client.get(url + "/kennis")
    assert form.status_code == 200
    draft = " ".join(re.findall(r"<textarea[^>]*>(.*?)</textarea>", form.text, re.S))
    draft += " ".join(re.findall(r'id="f-title"[^>]*value="([^"]*)"', form.text))
    for secret in ("Piet", "Jansen", "12345678", "06 12345678", "piet@jansen.example",
                   "Oosterhuis", "Olga"):
        assert secret not in draft, secret
    assert "lasrobot" in draft and "MIT-regeling" in draft
    r = client.post(url + "/kennis", data={
        "title": "Subsidie voor een lasrobot",
        "body_md": "## Vraag\n\nPiet Jansen vraagt naar subsidie voor een lasrobot.\n\n"
                   "## Antwoord\n\nDe MIT-regeling past.",
        "summary": "", "personal_data_checked": "1"})
    assert r.status_code == 303, r.text
    from backend.content.models import ContentItem

    item = session.exec(select(ContentItem).where(ContentItem.type == "qa")).one()
    assert item.status == "draft" and "Piet" not in item.body_md and "MIT" in item.body_md
    assert "case.published_as_knowledge" in actions(session, case)


def test_coordinator_sees_desk_figures(client: LoketClient, session: Session, login,
                                       desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    coordinator = add_member(session, desk, role=COORDINATOR)
    advisor = add_member(session, desk)
    create_case(session, desk)
    session.commit()
    login(coordinator)
    assert "Mediane" in client.get("/werkplek/oost-nl").text or \
        "Median" in client.get("/werkplek/oost-nl").text
    login(advisor)
    page = client.get("/werkplek/oost-nl").text
    assert "figures-title" not in page
