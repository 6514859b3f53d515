"""Advisors of one desk never see another desk's cases: every workspace and API route that
names a case or a desk answers 404 and changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from sqlmodel import Session, col, select

from backend.cases import routes_api, routes_human, routes_workspace
from backend.cases.models import Case, CaseEvent, CaseHandoff, SavedAnswer
from backend.cases.models_human import AppointmentSlot, CaseReferral
from backend.core.db import utcnow
from backend.routing.models import Desk
from backend.scan import routes_advisor
from tests.client import LoketClient
from tests.factories.cases import as_principal, create_case, phone_consent
from tests.factories.routing import add_member, create_desk, info

WORKSPACE_ROUTES = [*routes_workspace.router.routes, *routes_api.router.routes,
                    *(r for r in [*routes_human.router.routes, *routes_advisor.router.routes]
                      if isinstance(r, APIRoute) and r.path.startswith("/werkplek/"))]
GUARDED = [r for r in WORKSPACE_ROUTES
           if isinstance(r, APIRoute) and ("{reference}" in r.path or "{desk}" in r.path)]
JSON_BODIES = {
    "replies": {"body": "x"}, "notes": {"body": "x"}, "close": {"outcome": "answered"},
    "assign": {"user_id": 1}, "handoffs": {"to_desk": "rvo", "note": "x", "consent": True},
    "decline": {"note": "x"},
}
FORM = {"body": "x", "note": "x", "outcome": "answered", "user_id": "1", "to_desk": "rvo",
        "handoff_note": "x", "consent": "1", "title": "Titel", "body_md": "x" * 30,
        "organisation_name": "Elders", "reason": "x", "channel": "telefoon",
        "text": "Een vraag van minstens twintig tekens", "email": "a@example.nl",
        "municipality": "GM0150", "consent_by": "A", "consent_at": "2026-01-01T10:00",
        "consent_how": "mondeling", "action": "register", "day": "2099-01-01",
        "start": "09:00", "end": "10:00", "minutes": "30", "location": "Kantoor"}


def test_every_case_and_desk_route_is_guarded() -> None:
    paths = {r.path for r in GUARDED}
    assert len(GUARDED) >= 20, paths
    for route in WORKSPACE_ROUTES:
        if isinstance(route, APIRoute) and route.path.startswith(("/werkplek/", "/api/v1/cases")):
            assert route in GUARDED, route.path


@pytest.fixture
def two_desks(session: Session, desks: dict[str, Desk]) -> dict[str, object]:
    desk_a, desk_b, desk_c = desks["oost-nl"], desks["rvo"], create_desk(session, "desk-c")
    advisor_a = add_member(session, desk_a, name="Advisor A")
    advisor_b = add_member(session, desk_b, name="Advisor B")
    case_b = create_case(session, desk_b, text="Geheime vraag van desk B over loonkosten.")
    from backend.cases import workspace

    handoff = workspace.offer_handoff(session, case_b, as_principal(advisor_b), desk_c.slug,
                                      "Naar C", phone_consent=phone_consent())
    saved = workspace.save_answer(session, desk_b, as_principal(advisor_b), "B-antwoord",
                                  "Tekst van B")
    from backend.cases import appointments
    from backend.routing.models import COORDINATOR
    from tests.factories.routing import add_member as member

    coordinator_b = member(session, desk_b, role=COORDINATOR)
    tomorrow = (utcnow() + timedelta(days=2)).date()
    (slot,) = appointments.add_slots(session, info(session, desk_b), as_principal(coordinator_b),
                                     day=tomorrow, start="09:00", end="09:30", minutes=30,
                                     location="Kantoor B")
    session.commit()
    return {"advisor_a": advisor_a, "case_b": case_b, "desk_b": desk_b, "handoff": handoff,
            "saved": saved, "slot": slot}


def _url(path: str, ctx: dict[str, object]) -> str:
    case_b = ctx["case_b"]
    values = {"reference": case_b.reference, "desk": ctx["desk_b"].slug,  # type: ignore[attr-defined]
              "handoff_id": str(ctx["handoff"].id),  # type: ignore[attr-defined]
              "answer_id": str(ctx["saved"].id),  # type: ignore[attr-defined]
              "slot_id": str(ctx["slot"].id)}  # type: ignore[attr-defined]
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def _state(session: Session, case_b: Case) -> tuple[object, ...]:
    session.expire_all()
    case = session.get(Case, case_b.id)
    assert case is not None
    n_events = len(session.exec(select(CaseEvent.id).where(CaseEvent.case_id == case.id)).all())
    handoffs = tuple(session.exec(select(CaseHandoff.status).order_by(col(CaseHandoff.id))).all())
    saved = len(session.exec(select(SavedAnswer.id)).all())
    human = (len(session.exec(select(Case.id)).all()),
             len(session.exec(select(AppointmentSlot.id)).all()),
             len(session.exec(select(CaseReferral.id)).all()))
    return case.status, case.desk_id, case.assigned_to, n_events, handoffs, saved, human


@pytest.mark.parametrize("route", GUARDED, ids=lambda r: f"{sorted(r.methods or ())[0]} {r.path}")
def test_advisor_of_desk_a_never_reaches_desk_b(route: APIRoute, client: LoketClient,
                                                session: Session, login,
                                                two_desks: dict[str, object]) -> None:
    login(two_desks["advisor_a"])
    before = _state(session, two_desks["case_b"])  # type: ignore[arg-type]
    url = _url(route.path, two_desks)
    method = sorted(route.methods or ())[0]
    if method == "GET":
        r = client.get(url)
    elif route.path.startswith("/api/"):
        last = route.path.rstrip("/").split("/")[-1]
        r = client.post(url, json=JSON_BODIES.get(last, {}))
    else:
        r = client.post(url, data=FORM)
    assert r.status_code == 404, (url, r.status_code, r.text[:300])
    assert "loonkosten" not in r.text and "B-antwoord" not in r.text
    assert _state(session, two_desks["case_b"]) == before  # type: ignore[arg-type]


def test_the_receiving_desk_sees_an_offered_case_but_cannot_act_on_it(
        client: LoketClient, session: Session, login, desks: dict[str, Desk]) -> None:
    from backend.cases import workspace

    sender = add_member(session, desks["oost-nl"])
    receiver = add_member(session, desks["rvo"])
    case = create_case(session, desks["oost-nl"])
    workspace.offer_handoff(session, case, as_principal(sender), "rvo", "Voor jullie",
                            phone_consent=phone_consent())
    session.commit()
    login(receiver)
    assert client.get(f"/werkplek/zaken/{case.reference}").status_code == 200
    for action in ("oppakken", "antwoord", "notitie", "sluiten"):
        r = client.post(f"/werkplek/zaken/{case.reference}/{action}", data=FORM)
        assert r.status_code == 404, action
    assert client.post(f"/api/v1/cases/{case.reference}/replies",
                       json={"body": "x"}).status_code == 404


def test_a_logged_in_non_member_sees_nothing(client: LoketClient, session: Session,
                                             login, desks: dict[str, Desk]) -> None:
    from tests.factories.accounts import create_user

    editor = create_user(session, roles=("editor",))
    case = create_case(session, desks["oost-nl"])
    session.commit()
    login(editor)
    assert client.get("/werkplek/oost-nl").status_code == 404
    assert client.get(f"/werkplek/zaken/{case.reference}").status_code == 404
    assert client.get(f"/api/v1/cases/{case.reference}").status_code == 404
