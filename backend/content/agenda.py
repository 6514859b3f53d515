"""Agenda: import real events from iCalendar feeds and export the agenda as iCalendar.

``import_ics`` turns each VEVENT of a feed into an event item through the content service (so
validation, revisions and indexing are the same as for any other door). The slug comes from
the event's UID, so importing the same feed again updates the events instead of duplicating
them. Events that ended before now are skipped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from backend.content import service
from backend.content import taxonomy as tx
from backend.content.models import ContentItem
from backend.content.views import AMSTERDAM, item_url
from backend.core.errors import Invalid

IMPORT_AUTHOR = "agenda-import"
MAX_FEED_BYTES = 5_000_000


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.skipped} skipped (past or invalid)")
        return text + "".join(f"\n  {e}" for e in self.errors)


def read_source(source: str, timeout: float = 10.0) -> tuple[bytes, str | None]:
    """The feed's bytes from a web address (http/https) or a file; and its URL if any."""
    if source.startswith(("http://", "https://")):
        import httpx  # lazy: an import from a feed (the CLI, the worker), not the pages

        response = httpx.get(source, timeout=timeout, follow_redirects=True)
        response.raise_for_status()
        return response.content[:MAX_FEED_BYTES], source
    return Path(source).read_bytes()[:MAX_FEED_BYTES], None


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    dt = value.dt if hasattr(value, "dt") else value
    if isinstance(dt, datetime):
        return dt if dt.tzinfo else dt.replace(tzinfo=AMSTERDAM)
    if isinstance(dt, date):
        return datetime.combine(dt, time(0, 0), tzinfo=AMSTERDAM)
    return None


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def event_data(vevent: Any, *, calendar_name: str = "", feed_url: str | None = None
               ) -> dict[str, Any]:
    """One VEVENT as ``EventCreate`` data."""
    uid = _text(vevent.get("UID")) or _text(vevent.get("SUMMARY")) + _text(vevent.get("DTSTART"))
    title = _text(vevent.get("SUMMARY"))
    starts = _moment(vevent.get("DTSTART"))
    ends = _moment(vevent.get("DTEND"))
    place = _text(vevent.get("LOCATION"))
    url = _text(vevent.get("URL"))
    online = not place or place.lower().startswith(("http", "online"))
    organiser = vevent.get("ORGANIZER")
    organiser_name = (_text(organiser.params.get("CN")) if organiser is not None
                      and hasattr(organiser, "params") else "") or calendar_name
    digest = hashlib.sha256(uid.encode()).hexdigest()[:8]
    slug = f"{tx.slugify(title, max_length=100) or 'activiteit'}-{digest}"
    return {
        "slug": slug, "title": title[:300], "summary": _text(vevent.get("DESCRIPTION"))[:300],
        "body_md": _text(vevent.get("DESCRIPTION")),
        "kind": "webinar" if online else "workshop",
        "starts_at": starts, "ends_at": ends if ends and starts and ends >= starts else None,
        "online": online, "place": None if online and not place.lower().startswith("online")
        else (place[:300] or None),
        "organiser_name": organiser_name[:300] or None,
        "registration_url": url if url.startswith(("http://", "https://")) else None,
        "source_title": calendar_name or None, "source_url": feed_url,
    }


def import_ics(session: Session, data: bytes, *, feed_url: str | None = None,
               publish: bool = True, now: datetime | None = None) -> ImportResult:
    """Create or update an event per VEVENT (matched on its UID); skip past events."""
    import icalendar  # lazy: icalendar is 0.03 s of a cold start; few requests need it

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise Invalid(f"Not an iCalendar file: {exc}") from exc
    now = now or datetime.now(UTC)
    name = _text(calendar.get("X-WR-CALNAME"))
    result = ImportResult()
    for vevent in calendar.walk("VEVENT"):
        values = event_data(vevent, calendar_name=name, feed_url=feed_url)
        end = values["ends_at"] or values["starts_at"]
        if values["starts_at"] is None or not values["title"] or end < now:
            result.skipped += 1
            continue
        # The UID's digest ends the slug: a renamed event is still the same event.
        digest = values["slug"].rsplit("-", 1)[-1]
        existing = session.exec(select(ContentItem).where(
            ContentItem.type == "event",
            col(ContentItem.slug).like(f"%-{digest}"))).first()
        try:
            if existing is None:
                service.create_item(session, "event", values, IMPORT_AUTHOR, publish=publish,
                                    note="Imported from iCalendar")
                result.created += 1
            elif existing.deleted_at is not None:
                result.skipped += 1  # an editor deleted it: the import does not bring it back
            else:
                version = existing.version
                values["slug"] = existing.slug
                service.update_item(session, existing, values, IMPORT_AUTHOR,
                                    note="Updated from iCalendar", publish=publish)
                if existing.version != version:
                    result.updated += 1
                else:
                    result.unchanged += 1
        except Invalid as exc:
            result.skipped += 1
            result.errors.append(f"{values['title'] or values['slug']}: "
                                 f"{exc.fields or exc.message}")
    return result


def export_ics(session: Session, *, base_url: str = "", now: datetime | None = None) -> bytes:
    """The published agenda (events that have not ended) as an iCalendar feed."""
    import icalendar  # lazy: see import_ics

    now = now or datetime.now(UTC)
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//Loket//Agenda//NL")
    calendar.add("VERSION", "2.0")
    calendar.add("X-WR-CALNAME", "Loket agenda")
    items = session.exec(select(ContentItem).where(
        ContentItem.type == "event", ContentItem.status == "published",
        col(ContentItem.deleted_at).is_(None),
        col(ContentItem.starts_at) >= now - timedelta(days=1)).order_by(
        col(ContentItem.starts_at)))
    for item in items:
        if item.starts_at is None:
            continue
        event = icalendar.Event()
        event.add("UID", f"{item.type}-{item.slug}@loket")
        event.add("SUMMARY", item.title)
        event.add("DTSTART", item.starts_at)
        if item.ends_at:
            event.add("DTEND", item.ends_at)
        event.add("DTSTAMP", item.updated_at)
        if item.summary:
            event.add("DESCRIPTION", item.summary)
        place = "Online" if item.online and not item.place else (item.place or "")
        if place:
            event.add("LOCATION", place)
        event.add("URL", item.registration_url or f"{base_url}{item_url('event', item.slug)}")
        calendar.add_component(event)
    return calendar.to_ical()
