"""Appointments (issue 18, item 2): slots published by a coordinator; the entrepreneur books,
moves and cancels from the case's private page; confirmations carry an iCalendar file; a
reminder goes out the day before (the job's clock as a parameter); the advisor's inbox shows
today's appointments; 20 simultaneous bookings of one slot: exactly one wins."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import Session, select

from backend.cases import appointments
from backend.cases.deps import grant_case  # noqa: F401 - documents how the page is reached
from backend.cases.models import (
    APPOINTMENT_BOOKED,
    APPOINTMENT_CANCELLED,
    APPOINTMENT_MOVED,
    Case,
    CaseEvent,
)
from backend.cases.models_human import AppointmentBooking, AppointmentSlot
from backend.cases.workhours import AMSTERDAM
from backend.core.db import Database, utcnow
from backend.core.errors import Conflict
from backend.core.settings import Settings
from backend.core.worker import Worker
from backend.routing.models import COORDINATOR, Desk
from tests.cases.conftest import mails
from tests.client import LoketClient
from tests.factories.cases import as_principal, create_case, regional_setup
from tests.factories.routing import add_member, info
from tests.freshdb import FreshDatabase, fresh_db
from tests.smtp import SmtpServer

__all__ = ["fresh_db"]
PARALLEL = 20


def tomorrow() -> date:
    return (datetime.now(AMSTERDAM) + timedelta(days=2)).date()


def make_slots(session: Session, desk: Desk, n: int = 3, *, day: date | None = None
               ) -> list[AppointmentSlot]:
    coordinator = add_member(session, desk, role=COORDINATOR, name="Coördinator")
    slots = appointments.add_slots(session, info(session, desk), as_principal(coordinator),
                                   day=day or tomorrow(), start="09:00",
                                   end=f"{9 + n // 2:02d}:{30 * (n % 2):02d}", minutes=30,
                                   location="Hengelosestraat 1, Enschede",
                                   video_url="https://video.example.nl/loket")
    assert len(slots) == n
    return slots


def open_page(client: LoketClient, session: Session, case: Case) -> None:
    """This browser holds the case, as after using the private link."""
    from backend.cases import service

    token = service.issue_token(session, case)
    session.commit()
    assert client.post(f"/vraag/volgen/{token}").status_code == 303


def test_book_move_cancel_with_ics_for_both_sides(client: LoketClient, session: Session,
                                                  desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    advisor = add_member(session, desk, name="Adviseur Afspraak")
    case = create_case(session, desk, email="afspraak@example.nl", assigned_to=advisor.id)
    first, second, _third = make_slots(session, desk)
    open_page(client, session, case)
    page = client.get(f"/mijn-vraag/{case.reference}")
    assert f'value="{first.id}"' in page.text

    r = client.post(f"/mijn-vraag/{case.reference}/afspraak", data={"slot_id": str(first.id)})
    assert r.status_code == 303
    booked = mails(session, "afspraak@example.nl")[-1]
    (ics,) = booked["attachments"]
    assert ics["content_type"] == "text/calendar" and ics["filename"].endswith(".ics")
    event = next(iter(Calendar.from_ical(ics["content"]).walk("VEVENT")))
    assert event.decoded("dtstart") == first.starts_at
    assert str(event["location"]) == "Hengelosestraat 1, Enschede"
    assert case.reference in str(event["summary"])
    assert mails(session, advisor.email)[-1]["attachments"][0]["content_type"] == "text/calendar"

    r = client.post(f"/mijn-vraag/{case.reference}/afspraak", data={"slot_id": str(second.id)})
    assert r.status_code == 303
    session.expire_all()
    booking = session.exec(select(AppointmentBooking)).one()
    assert booking.slot_id == second.id
    moved = mails(session, "afspraak@example.nl")[-1]
    assert "verplaatst" in moved["subject"]
    moved_event = next(iter(Calendar.from_ical(moved["attachments"][0]["content"])
                            .walk("VEVENT")))
    # the same calendar entry, moved: same UID, later start, higher SEQUENCE
    assert str(moved_event["uid"]) == str(event["uid"])
    assert moved_event.decoded("dtstart") == second.starts_at
    assert int(str(moved_event["sequence"])) >= int(str(event["sequence"]))

    r = client.post(f"/mijn-vraag/{case.reference}/afspraak/annuleren")
    assert r.status_code == 303
    assert session.exec(select(AppointmentBooking)).first() is None
    cancelled = mails(session, "afspraak@example.nl")[-1]
    cal = Calendar.from_ical(cancelled["attachments"][0]["content"])
    assert str(cal["method"]) == "CANCEL"
    assert str(next(iter(cal.walk("VEVENT")))["uid"]) == str(event["uid"])
    kinds = session.exec(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert [k for k in kinds if k.startswith("appointment")] == [
        APPOINTMENT_BOOKED, APPOINTMENT_MOVED, APPOINTMENT_CANCELLED]


def test_a_taken_slot_is_refused_with_a_clear_message(client: LoketClient, session: Session,
                                                      desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    (slot,) = make_slots(session, desk, 1)
    other = create_case(session, desk, email="eerst@example.nl")
    appointments.book(session, other, slot.id or 0)
    case = create_case(session, desk)
    open_page(client, session, case)
    r = client.post(f"/mijn-vraag/{case.reference}/afspraak", data={"slot_id": str(slot.id)})
    assert r.status_code == 409 and "Iemand anders heeft deze tijd net geboekt" in r.text
    with pytest.raises(Conflict) as exc:
        appointments.book(session, case, slot.id or 0)
    assert exc.value.code == "slot_taken"


def test_only_the_desks_own_future_slots_can_be_booked(session: Session,
                                                       desks: dict[str, Desk]) -> None:
    (slot,) = make_slots(session, desks["rvo"], 1)
    case = create_case(session, desks["oost-nl"])
    from backend.core.errors import Invalid

    with pytest.raises(Invalid):
        appointments.book(session, case, slot.id or 0)


def test_reminder_the_day_before_once(session: Session, desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    (slot,) = make_slots(session, desk, 1)
    case = create_case(session, desk, email="herinner@example.nl")
    appointments.book(session, case, slot.id or 0)
    before = len(mails(session, "herinner@example.nl"))
    two_days_before = slot.starts_at - timedelta(hours=48)
    assert appointments.send_reminders(session, now=two_days_before) == 0
    day_before = slot.starts_at - timedelta(hours=20)
    assert appointments.send_reminders(session, now=day_before) == 1
    assert appointments.send_reminders(session, now=day_before + timedelta(hours=1)) == 0
    got = mails(session, "herinner@example.nl")[before:]
    assert len(got) == 1 and "Herinnering" in got[0]["subject"]
    assert got[0]["attachments"][0]["content_type"] == "text/calendar"


def test_inbox_shows_todays_appointments(client: LoketClient, session: Session, login,
                                         desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    advisor = add_member(session, desk)
    case = create_case(session, desk)
    now = utcnow()
    slot = AppointmentSlot(desk_id=desk.id or 0, starts_at=now + timedelta(minutes=5),
                           ends_at=now + timedelta(minutes=35), location="Balie")
    session.add(slot)
    session.flush()
    session.add(AppointmentBooking(slot_id=slot.id or 0, case_id=case.id or 0))
    session.commit()
    login(advisor)
    page = client.get("/werkplek/oost-nl").text
    today = page.split('id="today-title"')[1].split("</section>")[0]
    assert case.reference in today


def test_slots_page_is_for_coordinators(client: LoketClient, session: Session, login,
                                        desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    advisor = add_member(session, desk)
    coordinator = add_member(session, desk, role=COORDINATOR)
    session.commit()
    login(advisor)
    assert client.get("/werkplek/oost-nl/afspraken").status_code == 404
    login(coordinator)
    assert client.get("/werkplek/oost-nl/afspraken").status_code == 200
    r = client.post("/werkplek/oost-nl/afspraken", data={
        "day": tomorrow().isoformat(), "start": "13:00", "end": "15:00", "minutes": "60",
        "location": "", "video_url": ""})
    assert r.status_code == 422 and "videolink" in r.text.lower()
    r = client.post("/werkplek/oost-nl/afspraken", data={
        "day": tomorrow().isoformat(), "start": "13:00", "end": "15:00", "minutes": "60",
        "location": "Kantoor Oost NL"})
    assert r.status_code == 303
    assert len(session.exec(select(AppointmentSlot)).all()) == 2


def test_confirmation_reaches_a_real_smtp_server_with_the_ics(
        db: Database, session: Session, settings: Settings, desks: dict[str, Desk]) -> None:
    server = SmtpServer().start()
    try:
        desk = desks["oost-nl"]
        (slot,) = make_slots(session, desk, 1)
        case = create_case(session, desk, email="smtp-afspraak@example.nl")
        appointments.book(session, case, slot.id or 0)
        session.commit()
        smtp_settings = settings.model_copy(update={"smtp_url": server.url})
        asyncio.run(Worker(db, smtp_settings).drain())
        got = [m for m in server.recorder.messages if m["To"] == "smtp-afspraak@example.nl"]
        assert len(got) == 1
        parts = [p for p in got[0].iter_attachments()]
        assert [p.get_content_type() for p in parts] == ["text/calendar"]
        assert parts[0].get_filename() == "afspraak.ics"
        assert "BEGIN:VEVENT" in parts[0].get_content()
    finally:
        server.stop()


# --- no double booking under concurrency ---------------------------------------------------

@pytest.fixture
def one_slot(fresh_db: FreshDatabase) -> Iterator[tuple[FreshDatabase, int, list[int]]]:
    with fresh_db.db.transaction() as s:
        desks = regional_setup(s)
        (slot,) = make_slots(s, desks["oost-nl"], 1)
        cases = [create_case(s, desks["oost-nl"], email=f"p{i}@example.nl").id
                 for i in range(PARALLEL)]
        assert slot.id is not None
        slot_id = slot.id
    yield fresh_db, slot_id, [c for c in cases if c is not None]


def test_twenty_parallel_bookings_of_one_slot_exactly_one_wins(
        one_slot: tuple[FreshDatabase, int, list[int]]) -> None:
    fresh, slot_id, case_ids = one_slot
    barrier = threading.Barrier(PARALLEL)
    results: dict[int, str] = {}

    def attempt(case_id: int) -> None:
        barrier.wait()
        try:
            with fresh.db.transaction() as s:
                case = s.get(Case, case_id)
                assert case is not None
                appointments.book(s, case, slot_id)
            results[case_id] = "booked"
        except Conflict as exc:
            results[case_id] = exc.code
        except Exception as exc:
            results[case_id] = f"error: {exc!r}"

    threads = [threading.Thread(target=attempt, args=(c,)) for c in case_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == PARALLEL
    outcomes = sorted(results.values())
    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("slot_taken") == PARALLEL - 1, outcomes
    with fresh.db.transaction(write=False) as s:
        rows = s.exec(select(AppointmentBooking)).all()
        assert len(rows) == 1 and rows[0].slot_id == slot_id
        winner = next(c for c, r in results.items() if r == "booked")
        assert rows[0].case_id == winner
        booked = s.exec(select(CaseEvent).where(CaseEvent.kind == APPOINTMENT_BOOKED)).all()
        assert [e.case_id for e in booked] == [winner]
