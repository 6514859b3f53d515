"""The scan run by an advisor with the client (issue 18, item 3): attached to the case,
visible through the private link, a re-scan shows before and after."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from backend.cases import service as cases
from backend.cases.models import SCAN_ATTACHED, CaseEvent
from backend.routing.models import Desk
from backend.scan.models import ScanAttachment, ScanResult
from tests.client import LoketClient
from tests.factories.cases import create_case
from tests.factories.routing import add_member


def answers_form(page: str, value: int | None) -> dict[str, str]:
    import re

    ids = sorted(set(re.findall(r'name="(q-[^"]+)"', page)))
    assert len(ids) == 24
    return {} if value is None else {i: str(value) for i in ids}


def test_advisor_runs_the_scan_with_the_client_and_rescans(
        client: LoketClient, session: Session, login: Any, scan_data: None) -> None:
    desk = session.exec(select(Desk).where(Desk.slug == "oost-nl")).one()
    advisor = add_member(session, desk, name="Adviseur Scan")
    case = create_case(session, desk, email="scan-klant@example.nl", company_size="klein")
    session.commit()
    login(advisor)
    case_page = client.get(f"/werkplek/zaken/{case.reference}").text
    assert f"/werkplek/zaken/{case.reference}/scan" in case_page
    form = client.get(f"/werkplek/zaken/{case.reference}/scan")
    assert form.status_code == 200

    partial = answers_form(form.text, 2)
    partial.pop(sorted(partial)[0])
    r = client.post(f"/werkplek/zaken/{case.reference}/scan", data=partial)
    assert r.status_code == 422 and "Beantwoord eerst alle vragen" in r.text
    assert session.exec(select(ScanResult)).first() is None

    r = client.post(f"/werkplek/zaken/{case.reference}/scan", data=answers_form(form.text, 2))
    assert r.status_code == 303
    r = client.post(f"/werkplek/zaken/{case.reference}/scan", data=answers_form(form.text, 4))
    assert r.status_code == 303
    session.expire_all()
    first, second = session.exec(select(ScanResult).order_by(col(ScanResult.id))).all()
    assert second.previous_id == first.id and second.company_size == "klein"
    attached = session.exec(select(ScanAttachment.result_id)
                            .where(ScanAttachment.case_id == case.id)).all()
    assert sorted(attached) == [first.id, second.id]
    events = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                  CaseEvent.kind == SCAN_ATTACHED)).all()
    assert [e.data["overall"] for e in events] == [2.0, 4.0]
    assert all(not e.internal for e in events)
    page = client.get(f"/werkplek/zaken/{case.reference}").text
    assert "Voor en na" in page and "+2" in page

    # The entrepreneur sees it through the private link.
    token = cases.issue_token(session, case)
    session.commit()
    entrepreneur = LoketClient(client.app)
    assert entrepreneur.post(f"/vraag/volgen/{token}").status_code == 303
    own = entrepreneur.get(f"/mijn-vraag/{case.reference}").text
    assert "Uw productiviteitsscan" in own and "Voor en na" in own and "+2" in own


def test_only_the_desk_the_case_is_at_runs_the_scan(client: LoketClient, session: Session,
                                                    login: Any, scan_data: None) -> None:
    desk = session.exec(select(Desk).where(Desk.slug == "oost-nl")).one()
    other = session.exec(select(Desk).where(Desk.slug == "rvo")).one()
    stranger = add_member(session, other)
    case = create_case(session, desk)
    session.commit()
    login(stranger)
    assert client.get(f"/werkplek/zaken/{case.reference}/scan").status_code == 404
    assert client.post(f"/werkplek/zaken/{case.reference}/scan",
                       data={"q-x": "3"}).status_code == 404
    assert session.exec(select(ScanResult)).first() is None
