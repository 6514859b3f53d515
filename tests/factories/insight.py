"""A small world for /inzicht: two provinces, desks, questions and scans in an ended quarter,
with distinctive private text that must never show in an aggregate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from backend.cases.models import CaseHandoff, CaseRating
from backend.insight import snapshot
from backend.routing.models import Desk
from backend.scan.models import ScanResult, ScanVersion
from tests.factories.cases import create_case, create_municipality, fallback_desk
from tests.factories.routing import create_desk

QUARTER = "2026-Q3"
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
SECRET_TEXT = "Geheimezinsnede kxqvraag: onze proefboerderij wil uitbreiden met zonnepanelen"
SECRET_NAME = "Bartholomeus Zeldzaamnaam"
SECRET_EMAIL = "zeldzaam.persoon@voorbeeld.nl"
SECRET_PHONE = "+31 6 98765432"


@dataclass
class InsightWorld:
    desks: dict[str, Desk] = field(default_factory=dict)
    case_ids: list[int] = field(default_factory=list)


def build(session: Session, *, per_cell: int = 12, loner: bool = True) -> InsightWorld:
    """Questions in July–September 2026: ``per_cell`` per (municipality, theme) at the
    regional desk and at the fallback, plus one lone question (a rare combination)."""
    create_municipality(session, "GM0150", "Deventer", corop_code="CR23",
                        corop_name="Zuidwest-Overijssel", labour_market_code="AM23",
                        labour_market_name="Stedendriehoek")
    create_municipality(session, "GM0153", "Enschede", corop_code="CR22", corop_name="Twente",
                        labour_market_code="AM24", labour_market_name="Twente")
    create_municipality(session, "GM0344", "Utrecht", province_code="PV26",
                        province_name="Utrecht", corop_code="CR17", corop_name="Utrecht",
                        labour_market_code="AM17", labour_market_name="Midden-Utrecht")
    world = InsightWorld()
    kvk = fallback_desk(session)
    oost = create_desk(session, "oost-nl", name="Oost NL", coverage=[("province", "PV23")],
                       themes=["financiering"])
    utr = create_desk(session, "roz-utrecht", name="ROM Utrecht",
                      coverage=[("province", "PV26")], themes=["financiering"])
    world.desks = {"kvk": kvk, "oost-nl": oost, "roz-utrecht": utr}
    start = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    i = 0
    for muni, desk in (("GM0150", oost), ("GM0153", oost), ("GM0344", utr)):
        for theme, at in (("financiering", desk), ("digitalisering", kvk)):
            for j in range(per_cell):
                received = start + timedelta(days=(i * 7) % 85, hours=j % 5)
                closed = j % 3 != 0
                case = create_case(
                    session, at, received_at=received, text=SECRET_TEXT,
                    email=SECRET_EMAIL, name=SECRET_NAME, contact_phone=SECRET_PHONE,
                    municipality_code=muni, theme=theme, sector="industrie",
                    company_size="klein" if j % 2 else "micro",
                    status="closed" if closed else "assigned",
                    outcome=("answered" if j % 4 else "referred") if closed else None,
                    closed_at=received + timedelta(days=3) if closed else None,
                    first_responded_at=received + timedelta(hours=2 + j % 7),
                    first_response_desk_id=at.id,
                    first_response_seconds=3600 * (2 + j % 7))
                case.routing = {"desk": at.slug}
                assert case.id is not None
                world.case_ids.append(case.id)
                if closed:
                    session.add(CaseRating(case_id=case.id, desk_id=at.id, score=3 + j % 3))
                if j % 6 == 1 and at.id != kvk.id:
                    assert kvk.id is not None and at.id is not None
                    session.add(CaseHandoff(case_id=case.id, from_desk_id=kvk.id,
                                            to_desk_id=at.id, note="x", status="accepted"))
                i += 1
    if loner:
        lone = create_case(session, oost, received_at=start + timedelta(days=40),
                           text=SECRET_TEXT, email=SECRET_EMAIL, name=SECRET_NAME,
                           municipality_code="GM0153", theme="export", sector="landbouw",
                           company_size="groot", status="closed", outcome="scheme_applied",
                           closed_at=start + timedelta(days=45))
        assert lone.id is not None
        world.case_ids.append(lone.id)
    if session.get(ScanVersion, 1) is None:
        session.add(ScanVersion(version=1, definition={}, digest="insight-test"))
        session.flush()
    for j in range(3 * per_cell):
        session.add(ScanResult(version=1, scores={"overall": 2.0 + (j % 7) / 3},
                               company_size="klein", sector="industrie",
                               municipality_code="GM0150" if j % 2 else "GM0344",
                               created_at=start + timedelta(days=j % 80)))
    session.flush()
    return world


def freeze(session: Session) -> list[str]:
    return snapshot.refresh(session, now=NOW)
