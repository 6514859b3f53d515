"""Appointments: a desk publishes slots; the entrepreneur books, moves or cancels one from the
case's private page; both sides get a confirmation with an iCalendar file and a reminder the
day before (the periodic job ``cases.appointment_reminders``).

No double booking: ``appointment_booking.slot_id`` is unique, so of any number of
simultaneous bookings of one slot the database lets exactly one insert (or move) through;
the others get ``Conflict("slot_taken")``. The insert runs in a savepoint so the caller's
transaction stays usable.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.accounts import queries as accounts_q
from backend.accounts.principal import Principal
from backend.cases import access, notify
from backend.cases.models import (
    APPOINTMENT_BOOKED,
    APPOINTMENT_CANCELLED,
    APPOINTMENT_MOVED,
    Case,
)
from backend.cases.models_human import AppointmentBooking, AppointmentSlot
from backend.cases.service import add_event, audit
from backend.cases.workhours import AMSTERDAM
from backend.core import limits
from backend.core.db import utcnow
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.i18n import gettext_ as _
from backend.core.mail import send_mail
from backend.core.outbox import WorkerContext
from backend.core.worker import periodic
from backend.routing import queries as desks
from backend.routing.queries import DeskInfo

log = logging.getLogger("loket.cases.appointments")

SLOT_MIN_MINUTES, SLOT_MAX_MINUTES = 10, 8 * 60
REMIND_BEFORE = timedelta(hours=24)
ICS_PRODID = "-//Loket//Afspraken//NL"


# --- slots (the desk's side) ---------------------------------------------------------------

def _require_coordinator(session: Session, desk: DeskInfo, principal: Principal) -> None:
    assert desk.id is not None
    if not access.is_coordinator(session, desk.id, principal.user_id):
        raise access.DeskNotFound()


def add_slots(session: Session, desk: DeskInfo, principal: Principal, *, day: date | None,
              start: str, end: str, minutes: int, location: str = "", video_url: str = "",
              advisor_id: int | None = None) -> list[AppointmentSlot]:
    """Publish the slots of one day from ``start`` to ``end`` (HH:MM, Amsterdam time), each
    ``minutes`` long: one slot when ``minutes`` spans the whole period."""
    _require_coordinator(session, desk, principal)
    assert desk.id is not None
    fields: dict[str, str] = {}
    location, video_url = location.strip(), video_url.strip()
    starts = ends = None
    if day is None:
        fields["day"] = _("Choose a day.")
    try:
        starts = datetime.strptime(start.strip(), "%H:%M").time()
        ends = datetime.strptime(end.strip(), "%H:%M").time()
    except ValueError:
        fields["start"] = _("Give the times as HH:MM, such as 09:30.")
    if starts and ends and ends <= starts:
        fields["end"] = _("The end must be after the start.")
    if not SLOT_MIN_MINUTES <= minutes <= SLOT_MAX_MINUTES:
        fields["minutes"] = _("A slot lasts %(min)s to %(max)s minutes.", min=SLOT_MIN_MINUTES,
                              max=SLOT_MAX_MINUTES)
    if not location and not video_url:
        fields["location"] = _("Give a place, a video link, or both.")
    if len(location) > 200:
        fields["location"] = _("The place is too long (at most 200 characters).")
    if video_url and (not video_url.startswith("https://") or len(video_url) > 500):
        fields["video_url"] = _("A video link starts with https:// (at most 500 characters).")
    if advisor_id is not None and not access.is_member(session, desk.id, advisor_id):
        fields["advisor_id"] = _("Choose a member of this desk.")
    if fields:
        raise Invalid(fields=fields)
    assert day is not None and starts is not None and ends is not None
    first = datetime.combine(day, starts, tzinfo=AMSTERDAM)
    last = datetime.combine(day, ends, tzinfo=AMSTERDAM)
    if first <= utcnow():
        raise Invalid(fields={"day": _("Publish slots in the future only.")})
    out: list[AppointmentSlot] = []
    at = first
    while at + timedelta(minutes=minutes) <= last and len(out) < 48:
        slot = AppointmentSlot(desk_id=desk.id, starts_at=at, ends_at=at + timedelta(
            minutes=minutes), location=location or None, video_url=video_url or None,
            advisor_id=advisor_id, created_by=principal.user_id)
        session.add(slot)
        out.append(slot)
        at += timedelta(minutes=minutes)
    if not out:
        raise Invalid(fields={"minutes": _("No slot fits between start and end.")})
    session.flush()
    return out


def delete_slot(session: Session, desk: DeskInfo, principal: Principal, slot_id: int) -> None:
    _require_coordinator(session, desk, principal)
    slot = session.get(AppointmentSlot, slot_id)
    if slot is None or slot.desk_id != desk.id:
        raise NotFound()
    if session.exec(select(AppointmentBooking.id)
                    .where(AppointmentBooking.slot_id == slot_id)).first() is not None:
        raise Conflict(_("This slot has been booked; it can only be removed after the "
                         "entrepreneur cancelled it."), code="slot_booked")
    session.delete(slot)
    session.flush()


@dataclass(frozen=True)
class SlotRow:
    slot: AppointmentSlot
    booked_case: str | None  # reference


def desk_slots(session: Session, desk_id: int, *, since: datetime | None = None
               ) -> list[SlotRow]:
    """The desk's slots from ``since`` (now) on, with the case that booked each."""
    since = since or utcnow()
    rows = session.exec(
        select(AppointmentSlot, Case.reference)
        .join(AppointmentBooking, col(AppointmentBooking.slot_id) == col(AppointmentSlot.id),
              isouter=True)
        .join(Case, col(Case.id) == col(AppointmentBooking.case_id), isouter=True)
        .where(AppointmentSlot.desk_id == desk_id, col(AppointmentSlot.ends_at) > since)
        .order_by(col(AppointmentSlot.starts_at), col(AppointmentSlot.id)).limit(500)).all()
    return [SlotRow(slot, ref) for slot, ref in rows]


def free_slots(session: Session, desk_id: int, *, now: datetime | None = None,
               limit: int = 60) -> list[AppointmentSlot]:
    now = now or utcnow()
    booked = select(AppointmentBooking.slot_id)
    return list(session.exec(
        select(AppointmentSlot)
        .where(AppointmentSlot.desk_id == desk_id, col(AppointmentSlot.starts_at) > now,
               col(AppointmentSlot.id).not_in(booked))
        .order_by(col(AppointmentSlot.starts_at), col(AppointmentSlot.id)).limit(limit)).all())


def todays_appointments(session: Session, desk_id: int, *, now: datetime | None = None
                        ) -> list[tuple[AppointmentSlot, str]]:
    """(slot, case reference) of the desk's bookings today (Amsterdam), earliest first."""
    now = (now or utcnow()).astimezone(AMSTERDAM)
    start = datetime.combine(now.date(), datetime.min.time(), tzinfo=AMSTERDAM)
    rows = session.exec(
        select(AppointmentSlot, Case.reference)
        .join(AppointmentBooking, col(AppointmentBooking.slot_id) == col(AppointmentSlot.id))
        .join(Case, col(Case.id) == col(AppointmentBooking.case_id))
        .where(AppointmentSlot.desk_id == desk_id, col(AppointmentSlot.starts_at) >= start,
               col(AppointmentSlot.starts_at) < start + timedelta(days=1))
        .order_by(col(AppointmentSlot.starts_at))).all()
    return [(slot, ref) for slot, ref in rows]


# --- bookings (the entrepreneur's side) ----------------------------------------------------

def booking_of(session: Session, case: Case) -> tuple[AppointmentBooking, AppointmentSlot] | None:
    booking = session.exec(select(AppointmentBooking)
                           .where(AppointmentBooking.case_id == case.id)).first()
    if booking is None:
        return None
    slot = session.get(AppointmentSlot, booking.slot_id)
    assert slot is not None
    return booking, slot


def _bookable(session: Session, case: Case, slot_id: int, now: datetime) -> AppointmentSlot:
    slot = session.get(AppointmentSlot, slot_id) if slot_id else None
    if slot is None or slot.desk_id != case.desk_id or slot.starts_at <= now:
        raise Invalid(fields={"slot_id": _("Choose one of the times offered.")})
    if case.status == "closed":
        raise Conflict(_("This question is closed."), code="case_closed")
    return slot


def _taken() -> Conflict:
    return Conflict(_("Someone else has just booked this time. Please choose another one."),
                    code="slot_taken")


def book(session: Session, case: Case, slot_id: int, *, base_url: str = "",
         ip: str | None = None, now: datetime | None = None) -> AppointmentBooking:
    """Book ``slot_id`` for the case, or move the case's appointment there."""
    now = now or utcnow()
    assert case.id is not None
    limits.case_act(session, "appointment", case.id)  # mails the entrepreneur and the desk
    slot = _bookable(session, case, slot_id, now)
    current = booking_of(session, case)
    assert case.id is not None and slot.id is not None
    if current is not None and current[0].slot_id == slot.id:
        return current[0]
    try:
        with session.begin_nested():
            if current is None:
                booking = AppointmentBooking(case_id=case.id, slot_id=slot.id, booked_at=now)
            else:
                booking = current[0]
                booking.slot_id, booking.booked_at, booking.reminded_at = slot.id, now, None
            session.add(booking)
            session.flush()
    except sa.exc.IntegrityError as exc:
        raise _taken() from exc
    desk = desks.desk_by_id(session, case.desk_id)
    assert desk is not None
    if current is None:
        add_event(session, case, APPOINTMENT_BOOKED, actor="entrepreneur", slot_id=slot.id,
                  starts_at=slot.starts_at.isoformat())
        audit(session, "case.appointment_booked", case, ip=ip, slot_id=slot.id)
        _confirm(session, case, desk, slot, "booked", base_url)
    else:
        old = current[1]
        add_event(session, case, APPOINTMENT_MOVED, actor="entrepreneur", slot_id=slot.id,
                  starts_at=slot.starts_at.isoformat(), previous=old.starts_at.isoformat())
        audit(session, "case.appointment_moved", case, ip=ip, slot_id=slot.id,
              previous_slot_id=old.id)
        _confirm(session, case, desk, slot, "moved", base_url)
    return booking


def cancel(session: Session, case: Case, *, base_url: str = "", ip: str | None = None) -> None:
    assert case.id is not None
    limits.case_act(session, "appointment", case.id)  # mails the entrepreneur and the desk
    current = booking_of(session, case)
    if current is None:
        raise Conflict(_("There is no appointment to cancel."), code="no_appointment")
    booking, slot = current
    session.delete(booking)
    session.flush()
    add_event(session, case, APPOINTMENT_CANCELLED, actor="entrepreneur", slot_id=slot.id,
              starts_at=slot.starts_at.isoformat())
    audit(session, "case.appointment_cancelled", case, ip=ip, slot_id=slot.id)
    desk = desks.desk_by_id(session, case.desk_id)
    assert desk is not None
    _confirm(session, case, desk, slot, "cancelled", base_url)


# --- iCalendar and mails -------------------------------------------------------------------

def ics_for(case: Case, desk: DeskInfo, slot: AppointmentSlot, *, cancelled: bool = False) -> str:
    """An RFC 5545 file for the case's appointment. The UID is the case's (a case holds one
    appointment at a time) and SEQUENCE grows with the clock, so a calendar that imported the
    booking moves the entry on a "moved" file and removes it on a cancellation."""
    # lazy: icalendar is 0.03 s of a cold start; only a booking's mail needs it
    from icalendar import Calendar, Event, vText

    cal = Calendar()
    cal.add("prodid", ICS_PRODID)
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"{case.reference}-afspraak@loket")
    event.add("dtstamp", utcnow())
    event.add("dtstart", slot.starts_at)
    event.add("dtend", slot.ends_at)
    event.add("summary", _("Appointment with %(desk)s about %(reference)s", desk=desk.name,
                           reference=case.reference))
    where = slot.location or slot.video_url or ""
    if where:
        event.add("location", vText(where))
    if slot.video_url:
        event.add("url", slot.video_url)
    event.add("description", _("Question %(reference)s.", reference=case.reference))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", int(utcnow().timestamp()))
    cal.add_component(event)
    return cal.to_ical().decode()


def _when(slot: AppointmentSlot) -> str:
    return notify._when(slot.starts_at)


def _advisor_to(session: Session, desk: DeskInfo, slot: AppointmentSlot, case: Case) -> list[str]:
    for user_id in (slot.advisor_id, case.assigned_to):
        email = accounts_q.active_email(session, user_id)
        if email is not None:
            return [email]
    assert desk.id is not None
    return notify.member_emails(session, desk.id)


def _confirm(session: Session, case: Case, desk: DeskInfo, slot: AppointmentSlot, what: str,
             base_url: str) -> None:
    """Mails with the .ics to the entrepreneur and the advisor (booked, moved, cancelled,
    reminder)."""
    cancelled = what == "cancelled"
    attachment = {"filename": "afspraak.ics", "content_type": "text/calendar",
                  "content": ics_for(case, desk, slot, cancelled=cancelled)}
    where = ", ".join(x for x in (slot.location, slot.video_url) if x)
    if case.contact_email:
        with notify.language(case.language):
            subjects = {"booked": _("Your appointment about %(reference)s is booked",
                                    reference=case.reference),
                        "moved": _("Your appointment about %(reference)s has moved",
                                   reference=case.reference),
                        "cancelled": _("Your appointment about %(reference)s is cancelled",
                                       reference=case.reference),
                        "reminder": _("Reminder: your appointment about %(reference)s",
                                      reference=case.reference)}
            lines = [_("Appointment with %(desk)s on %(when)s.", desk=desk.name,
                       when=_when(slot))]
            if where and not cancelled:
                lines.append(_("Where: %(where)s", where=where))
            lines += ["", _("Move or cancel it on the page of your question: %(url)s",
                            url=f"{base_url}/mijn-vraag/{case.reference}")]
            send_mail(session, to=case.contact_email, subject=subjects[what],
                      text="\n".join(lines) + notify._signature(), attachments=[attachment],
                      dedupe_key=(f"appointment:{case.id}:{slot.id}:reminder"
                                  if what == "reminder" else None))
    with notify.language(notify.STAFF_LANGUAGE):
        subjects = {"booked": _("Appointment booked for %(reference)s", reference=case.reference),
                    "moved": _("Appointment moved for %(reference)s", reference=case.reference),
                    "cancelled": _("Appointment cancelled for %(reference)s",
                                   reference=case.reference),
                    "reminder": _("Tomorrow: appointment for %(reference)s",
                                  reference=case.reference)}
        lines = [_("Appointment with the entrepreneur of %(reference)s on %(when)s.",
                   reference=case.reference, when=_when(slot))]
        if where:
            lines.append(_("Where: %(where)s", where=where))
        lines += ["", f"{base_url}/werkplek/zaken/{case.reference}"]
        for address in _advisor_to(session, desk, slot, case):
            send_mail(session, to=address, subject=subjects[what],
                      text="\n".join(lines) + notify._signature(), attachments=[attachment],
                      dedupe_key=(f"appointment:{case.id}:{slot.id}:reminder:{address}"[:200]
                                  if what == "reminder" else None))


def send_reminders(session: Session, *, now: datetime | None = None, base_url: str = ""
                   ) -> int:
    """Remind both sides of every appointment that starts within a day and was not reminded
    yet. Returns how many appointments were reminded."""
    now = now or utcnow()
    rows = session.exec(
        select(AppointmentBooking, AppointmentSlot)
        .join(AppointmentSlot, col(AppointmentSlot.id) == col(AppointmentBooking.slot_id))
        .where(col(AppointmentBooking.reminded_at).is_(None),
               col(AppointmentSlot.starts_at) > now,
               col(AppointmentSlot.starts_at) <= now + REMIND_BEFORE)
        .order_by(col(AppointmentSlot.starts_at)).limit(500)).all()
    for booking, slot in rows:
        case = session.get(Case, booking.case_id)
        desk = desks.desk_by_id(session, slot.desk_id)
        if case is None or desk is None:
            continue
        booking.reminded_at = now
        session.add(booking)
        _confirm(session, case, desk, slot, "reminder", base_url)
    session.flush()
    return len(rows)


@periodic("cases.appointment_reminders", every=timedelta(minutes=15))
def run_reminders(ctx: WorkerContext) -> None:
    with ctx.db.transaction() as session:
        n = send_reminders(session, base_url=ctx.settings.base_url)
    if n:
        log.info("appointment reminders sent", extra={"appointments": n})
