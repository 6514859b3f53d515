"""Agenda and experts without invention (issue 17, item 3): iCalendar import (file and a local
web server) and export, the opt-in expert directory with consent and editorial review,
introductions through the desk, and a seed without invented events or unconsented people."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import icalendar
import pytest
import yaml
from sqlmodel import Session, select

from backend.cases.models import Case
from backend.content import agenda, experts, service
from backend.content.models import ContentItem
from backend.content.seed import load_seed
from backend.core.db import Database
from backend.core.errors import Invalid
from backend.core.settings import ROOT, Settings
from tests.client import LoketClient
from tests.factories.cases import regional_setup
from tests.factories.content import create_item, create_organisation

SEED = ROOT / "seed"


START = (datetime.now(UTC) + timedelta(days=20)).replace(hour=9, minute=0, second=0,
                                                          microsecond=0)


def _ics(summary: str = "Cobotdag in de werkplaats") -> bytes:
    start = START  # fixed, so a second import of the same feed is the same feed
    past = START - timedelta(days=50)
    return f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//NL
X-WR-CALNAME:Fieldlab Agenda
BEGIN:VEVENT
UID:cobotdag-1@fieldlab.example
SUMMARY:{summary}
DTSTART:{start:%Y%m%dT%H%M%SZ}
DTEND:{start + timedelta(hours=3):%Y%m%dT%H%M%SZ}
LOCATION:Enschede
URL:https://fieldlab.example/agenda/cobotdag
DESCRIPTION:Zie cobots aan het werk.
ORGANIZER;CN=Fieldlab Voorbeeld:mailto:agenda@fieldlab.example
END:VEVENT
BEGIN:VEVENT
UID:webinar-2@fieldlab.example
SUMMARY:Webinar data in de fabriek
DTSTART:{start + timedelta(days=7):%Y%m%dT%H%M%SZ}
DTEND:{start + timedelta(days=7, hours=1):%Y%m%dT%H%M%SZ}
END:VEVENT
BEGIN:VEVENT
UID:oud-3@fieldlab.example
SUMMARY:Afgelopen bijeenkomst
DTSTART:{past:%Y%m%dT%H%M%SZ}
LOCATION:Zwolle
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n").encode()


def test_import_from_a_file_is_idempotent_and_skips_the_past(session: Session, taxonomy: None,
                                                             tmp_path: Path) -> None:
    feed = tmp_path / "agenda.ics"
    feed.write_bytes(_ics())
    data, url = agenda.read_source(str(feed))
    first = agenda.import_ics(session, data, feed_url=url)
    assert (first.created, first.skipped) == (2, 1)
    events = {e.title: e for e in session.exec(select(ContentItem).where(
        ContentItem.type == "event"))}
    cobot = events["Cobotdag in de werkplaats"]
    assert cobot.status == "published" and cobot.place == "Enschede" and not cobot.online
    assert cobot.registration_url == "https://fieldlab.example/agenda/cobotdag"
    assert cobot.organisation_name == "Fieldlab Voorbeeld"
    assert events["Webinar data in de fabriek"].online
    again = agenda.import_ics(session, data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = agenda.import_ics(session, _ics("Cobotdag in de werkplaats (vol)"))
    assert (changed.created, changed.updated) == (0, 1)
    with pytest.raises(Invalid):
        agenda.import_ics(session, b"not a calendar")


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "feed.ics").write_bytes(_ics())
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.ics"
    finally:
        server.shutdown()
        server.server_close()


def test_import_from_a_url(session: Session, taxonomy: None, feed_server: str) -> None:
    data, url = agenda.read_source(feed_server)
    result = agenda.import_ics(session, data, feed_url=url, publish=False)
    assert result.created == 2
    item = session.exec(select(ContentItem).where(ContentItem.type == "event")).first()
    assert item is not None and item.status == "draft" and item.source_url == feed_server


def test_the_agenda_exports_as_icalendar(client: LoketClient, session: Session,
                                         taxonomy: None) -> None:
    agenda.import_ics(session, _ics())
    session.commit()
    r = client.get("/agenda.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.content)
    titles = {str(e.get("SUMMARY")) for e in cal.walk("VEVENT")}
    assert titles == {"Cobotdag in de werkplaats", "Webinar data in de fabriek"}


def _registration(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Eva Testpersoon", "email": "eva@example.org", "role": "Adviseur roosteren",
        "summary": "Helpt mkb-bedrijven met roosters die passen.",
        "themes": ["leren-en-ontwikkelen"], "regions": ["overijssel"],
        "availability": "Eén gesprek per maand", "consent": True}
    data.update(extra)
    return data


def test_a_person_is_listed_only_after_consent_and_review(
        client: LoketClient, editor_client: LoketClient, session: Session,
        taxonomy: None) -> None:
    with pytest.raises(Invalid) as refused:
        service.create_item(session, "expert", {"title": "Zonder Toestemming",
                                                "kind": "person"}, "test", publish=True)
    assert "consent_at" in (refused.value.fields or {})
    with pytest.raises(Invalid) as no_consent:
        experts.register_expert(session, _registration(consent=False))
    assert "consent" in (no_consent.value.fields or {})
    session.commit()

    r = client.post("/experts/aanmelden", data={**_registration(), "consent": "1"})
    assert r.status_code == 200 and "redacteur" in r.text
    item = session.exec(select(ContentItem).where(ContentItem.title == "Eva Testpersoon")).one()
    assert item.status == "draft" and item.consent_at is not None
    assert item.availability == "Eén gesprek per maand"
    assert client.get(f"/experts/{item.slug}").status_code == 404  # not before review
    no_box = {k: v for k, v in _registration(name="Zonder Vinkje").items() if k != "consent"}
    bad = client.post("/experts/aanmelden", data=no_box)
    assert bad.status_code == 422

    r = editor_client.post(f"/api/v1/experts/{item.slug}/publish")
    assert r.status_code == 200, r.text
    page = client.get(f"/experts/{item.slug}").text
    assert "Eén gesprek per maand" in page and "eva@example.org" not in page
    assert client.get(f"/api/v1/experts/{item.slug}").json()["contact"]["email"] is None


def test_an_introduction_is_a_routed_question_naming_the_expert(
        client: LoketClient, session: Session, taxonomy: None) -> None:
    regional_setup(session)
    expert = create_item(session, "expert", title="Eva Testpersoon", kind="person",
                         email="eva@example.org", themes=["leren-en-ontwikkelen"])
    session.commit()
    r = client.post(f"/experts/{expert.slug}/introductie", data={
        "text": "Wij willen graag een gesprek over leren op de werkvloer in ons bedrijf.",
        "email": "ondernemer@example.org", "municipality": "Deventer", "consent": "1"},
        follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/mijn-vraag/")
    case = session.exec(select(Case).order_by(Case.id.desc())).first()  # type: ignore[union-attr]
    assert case is not None and "Eva Testpersoon" in case.text
    assert f"/experts/{expert.slug}" in case.text and case.desk_id is not None
    assert case.contact_email == "ondernemer@example.org"
    missing = client.post(f"/experts/{expert.slug}/introductie", data={
        "text": "Graag een introductie over leren op de werkvloer.", "email": "x@example.org"})
    assert missing.status_code == 422


def test_the_seed_holds_no_unconsented_people_nor_invented_events() -> None:
    experts_yaml = yaml.safe_load((SEED / "content" / "experts.yaml").read_text()) or []
    assert all(e.get("kind") == "organisation" for e in experts_yaml)
    assert not yaml.safe_load((SEED / "content" / "events.yaml").read_text())
    for name in ("experts.yaml", "events.yaml"):
        for entry in yaml.safe_load((SEED / "demo" / name).read_text()):
            assert entry["is_example"] is True
            assert (entry.get("title") or entry.get("name")).startswith("Voorbeeld: ")
            assert "organiser" not in entry  # never under a real organisation


def test_demo_only_in_development_and_withdrawn_elsewhere(db: Database, settings: Settings,
                                                          session: Session) -> None:
    dev = settings.model_copy(update={"env": "development"})
    load_seed(db, dev)
    demo = session.exec(select(ContentItem).where(ContentItem.is_example == True,  # noqa: E712
                                                  ContentItem.type.in_(["expert", "event"])  # type: ignore[attr-defined]
                                                  )).all()
    assert len(demo) == 4 and all(i.deleted_at is None and i.status == "published"
                                  for i in demo)
    out = load_seed(db, settings)  # env "test": the demo is withdrawn
    assert "4 removed" in out
    session.expire_all()
    assert all(i.deleted_at is not None for i in session.exec(select(ContentItem).where(
        ContentItem.is_example == True, ContentItem.type.in_(["expert", "event"]))))  # type: ignore[attr-defined]  # noqa: E712


def test_organisation_experts_keep_their_public_contact(client: LoketClient, session: Session,
                                                        taxonomy: None) -> None:
    create_organisation(session, title="AWVN", slug="awvn")
    org = create_item(session, "expert", title="Werkgeverslijn", kind="organisation",
                      organisation="awvn", email="lijn@example.org")
    session.commit()
    assert "lijn@example.org" in client.get(f"/experts/{org.slug}").text
