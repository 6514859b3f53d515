"""The advisor sees the attached scan on the case page; only advisors who may see the case."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from backend.cases.models import Case
from backend.routing.models import Desk
from tests.client import LoketClient
from tests.factories.cases import create_case
from tests.factories.routing import add_member
from tests.scan.test_scan_flow import run_scan


def test_advisor_of_the_routed_desk_sees_the_scores(client: LoketClient, session: Session,
                                                    login: Any, scan_data: None) -> None:
    path = run_scan(client, lambda n: 1 if n in (22, 23, 24) else 4)
    r = client.post(f"{path}/bespreken", data={"email": "ondernemer@example.nl",
                                               "consent": "1"})
    assert r.status_code == 303
    case = session.exec(select(Case)).one()
    desk = session.get(Desk, case.desk_id)
    other = session.exec(select(Desk).where(Desk.id != case.desk_id)).first()
    assert desk is not None and other is not None
    advisor = add_member(session, desk, name="Adviseur hier")
    stranger = add_member(session, other, name="Adviseur elders")
    plain = create_case(session, desk, text="Een vraag zonder scan")
    session.commit()

    login(advisor)
    page = client.get(f"/werkplek/zaken/{case.reference}")
    assert page.status_code == 200
    text = page.text
    assert "Bijgevoegde productiviteitsscan" in text
    # pillar and dimension scores of the result's own version, the weak point marked
    for label in ("Technologie", "Organisatie", "Personeel", "Leren en vitaliteit"):
        assert label in text
    assert "<strong>2,5</strong>" in text  # pillar Personeel: (4 + 1) / 2
    assert "zwak punt" in text
    # a case without a scan has no panel
    assert "Bijgevoegde productiviteitsscan" not in client.get(
        f"/werkplek/zaken/{plain.reference}").text

    login(stranger)
    denied = client.get(f"/werkplek/zaken/{case.reference}")
    assert denied.status_code == 404
    assert "Leren en vitaliteit" not in denied.text
