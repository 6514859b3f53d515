"""Factories for municipalities, a small regional map of desks, and cases (desks and their
members: tests/factories/routing.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from backend.accounts.models import User
from backend.accounts.principal import Principal
from backend.cases import service
from backend.cases.models import RECEIVED, ROUTED, Case
from backend.cases.reference import next_reference
from backend.cases.workhours import add_working_hours
from backend.core.db import utcnow
from backend.core.limits import Door, Policy
from backend.core.settings import RATE_LIMITS
from backend.regions.models import Municipality, PostcodeArea
from backend.routing.models import Desk
from tests.factories.routing import create_desk


def fallback_desk(session: Session) -> Desk:
    return create_desk(session, "kvk", name="KvK", is_fallback=True,
                       themes=["starten-en-ondernemen", "regeldruk"])


def create_municipality(session: Session, code: str, name: str, *, province_code: str = "PV23",
                        province_name: str = "Overijssel", postcodes: tuple[str, ...] = (),
                        **kw: Any) -> Municipality:
    found = session.get(Municipality, code)
    if found is not None:
        return found
    m = Municipality(code=code, name=name, province_code=province_code,
                     province_name=province_name, valid_year=2026,
                     search_name=name.lower(), **kw)
    session.add(m)
    for pc in postcodes:
        session.add(PostcodeArea(postcode=pc, municipality_code=code, valid_year=2026))
    session.flush()
    return m


def regional_setup(session: Session) -> dict[str, Desk]:
    """A small map: Deventer and Enschede (Overijssel), Utrecht; KvK, RVO and Oost NL."""
    create_municipality(session, "GM0150", "Deventer", postcodes=("7411", "7412"))
    create_municipality(session, "GM0153", "Enschede", postcodes=("7511",))
    create_municipality(session, "GM0344", "Utrecht", province_code="PV26",
                        province_name="Utrecht", postcodes=("3511",))
    kvk = fallback_desk(session)
    oost = create_desk(session, "oost-nl", name="Oost NL", coverage=[("province", "PV23")],
                       themes=["financiering", "internationalisering"],
                       first_response_hours=16)
    rvo = create_desk(session, "rvo", name="RVO", themes=["financiering"], first_response_hours=24)
    return {"kvk": kvk, "oost-nl": oost, "rvo": rvo}


def create_case(session: Session, desk: Desk, *, text: str | None = None,
                email: str = "ondernemer@example.nl", name: str | None = "Jan de Vries",
                received_at: datetime | None = None, status: str = "new",
                language: str = "nl", **kw: Any) -> Case:
    """A case stored directly at ``desk`` (no routing), with its first timeline events."""
    assert desk.id is not None
    now = received_at or utcnow()
    case = Case(reference=next_reference(session, now), status=status, language=language,
                text=text or "Hoe kan ik mijn productie efficiënter organiseren met robots?",
                contact_email=email, contact_name=name, consent_at=now, desk_id=desk.id,
                received_at=now, updated_at=now,
                first_response_due_at=add_working_hours(now, desk.first_response_hours),
                escalate_at=add_working_hours(now, desk.escalation_hours()), **kw)
    session.add(case)
    session.flush()
    service.add_event(session, case, RECEIVED, actor="entrepreneur", at=now)
    service.add_event(session, case, ROUTED, at=now, desk=desk.slug, explanation=[])
    return case


def as_principal(user: User) -> Principal:
    assert user.id is not None
    return Principal(user_id=user.id, email=user.email, name=user.name)


def past(hours: float) -> datetime:
    return utcnow() - timedelta(hours=hours)


def raised_limits() -> dict[str, dict[str, str]]:
    """A ``rate_limits`` setting with every entry of the table raised out of reach (still
    counted): for tests that send thousands of requests from one address."""
    return {act: dict.fromkeys(row, "1000000/60") for act, row in RATE_LIMITS.items()}


def unlimited_door(address: str = "203.0.113.250", **kw: Any) -> Door:
    """A door for test set-up that calls the services many times: every limit of the table
    raised out of reach (the limits themselves are tested in tests/security/test_limits.py)."""
    return Door(address=address, policy=Policy(raised_limits(), secret="unlimited-door-" * 3),
                **kw)


def phone_consent(given_by: str = "Jan de Vries") -> Any:
    """Hand-off consent the entrepreneur gave by phone a minute ago (``offer_handoff``'s
    ``phone_consent``): recorded on the timeline before the offer."""
    from backend.cases.workspace import PhoneConsent

    return PhoneConsent(given_by=given_by, given_at=utcnow() - timedelta(minutes=1))
