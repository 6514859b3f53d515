"""Desk figures in SQL (SQLite and PostgreSQL): open cases, median time to first response in
working hours, share answered within target."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from backend.cases.figures import desk_figures, median_first_response_seconds, open_case_counts
from backend.cases.workhours import AMSTERDAM
from backend.routing.models import Desk
from tests.client import LoketClient
from tests.factories.cases import create_case


def answered(session: Session, desk: Desk, hours: float, *, late: bool = False) -> None:
    from datetime import datetime

    received = datetime(2026, 11, 23, 9, 0, tzinfo=AMSTERDAM)  # a Monday morning
    case = create_case(session, desk, received_at=received)
    case.first_responded_at = received + timedelta(hours=hours)
    case.first_response_desk_id = desk.id
    case.first_response_seconds = int(hours * 3600)
    case.status = "answered"
    if late:
        case.first_response_due_at = received + timedelta(hours=hours - 1)
    session.add(case)
    session.flush()


def test_median_odd_and_even(session: Session, desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    assert median_first_response_seconds(session, desk.id or 0) is None
    for h in (1, 2, 6):
        answered(session, desk, h)
    assert median_first_response_seconds(session, desk.id or 0) == 2 * 3600
    answered(session, desk, 7, late=True)
    assert median_first_response_seconds(session, desk.id or 0) == 4 * 3600


def test_figures(session: Session, desks: dict[str, Desk], client: LoketClient) -> None:
    desk = desks["oost-nl"]
    answered(session, desk, 2)
    answered(session, desk, 3)
    answered(session, desk, 7, late=True)
    create_case(session, desk)  # open, not yet due
    old = create_case(session, desk)  # open and overdue
    old.first_response_due_at = old.received_at - timedelta(hours=1)
    session.add(old)
    session.commit()
    f = desk_figures(session, desk.id or 0)
    assert f.open_cases == 5 and f.overdue_cases == 1 and f.answered_cases == 3
    assert f.median_first_response_hours == 3.0
    assert f.share_within_target == round(2 / 4, 3)
    assert open_case_counts(session)[desk.id or 0] == 5
    page = client.get("/loketten/oost-nl")
    assert page.status_code == 200 and "50%" in page.text
    api = client.get("/api/v1/desks/oost-nl/figures").json()
    assert api["open_cases"] == 5 and api["share_within_target"] == 0.5
    assert client.get("/loketten/bestaat-niet").status_code == 404
