"""Editors change the scan's questions, scoring and advice rules as YAML and publish a new
version; bad input is refused line by line with nothing lost, old results keep their version."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlmodel import Session, select

from backend.accounts.models import AuditEvent
from backend.content.models import Pillar, Theme
from backend.core.db import Database
from backend.core.settings import Settings
from backend.scan import editing, service
from backend.scan.models import ScanDraft, ScanResult, ScanVersion
from tests.client import LoketClient
from tests.factories.accounts import create_user
from tests.scan.test_scan_flow import run_scan


def add_advice_themes(session: Session) -> None:
    """The test taxonomy is small: add the themes the seeded advice rules name."""
    pillar = session.exec(select(Pillar)).first()
    assert pillar is not None and pillar.id is not None
    have = {t.slug for t in session.exec(select(Theme))}
    for rule in service.definition(session).data["advice"]:
        for slug in rule["themes"]:
            if slug not in have:
                session.add(Theme(slug=slug, name_nl=slug, name_en=slug, pillar_id=pillar.id))
                have.add(slug)
    session.flush()


@pytest.fixture
def editor(session: Session, login: Any, scan_data: None) -> Any:
    add_advice_themes(session)
    user = create_user(session, roles=("editor",))
    session.commit()
    login(user)
    return user


def _textarea(page: str) -> str:
    m = re.search(r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>', page, re.S)
    assert m, "no textarea"
    return html.unescape(m.group(1))


def _start(client: LoketClient) -> str:
    r = client.post("/redactie/scan/concept")
    assert r.status_code == 303 and r.headers["location"].startswith("/redactie/scan/concept")
    page = client.get("/redactie/scan/concept")
    assert page.status_code == 200
    return _textarea(page.text)


def test_only_editors(client: LoketClient, session: Session, login: Any,
                      scan_data: None) -> None:
    assert client.get("/redactie/scan").headers["location"].startswith("/inloggen")
    login(create_user(session))
    assert client.get("/redactie/scan").status_code == 403
    assert client.post("/redactie/scan/concept").status_code == 403
    assert session.exec(select(ScanDraft)).first() is None


def test_draft_starts_from_the_latest_version_with_comments(client: LoketClient,
                                                            editor: Any) -> None:
    overview = client.get("/redactie/scan")
    assert overview.status_code == 200 and "Versie 1" in overview.text
    text = _start(client)
    assert re.search(r"^version: 2$", text, re.M)
    assert "# Loket productivity scan" in text  # the seed file's comments are kept
    assert "Een nieuwe versie voorbereiden" not in client.get("/redactie/scan").text


def test_bad_yaml_is_refused_by_line_and_nothing_is_lost(client: LoketClient, session: Session,
                                                         editor: Any) -> None:
    original = _start(client)
    broken = original.replace("title_nl: Productiviteitsscan",
                              "title_nl: Productiviteitsscan\n  oeps: [niet: goed")
    line = broken.splitlines().index("  oeps: [niet: goed") + 1
    r = client.post("/redactie/scan/concept/bewerken", data={"text": broken, "actie": "opslaan"})
    assert r.status_code == 422
    assert "Dit is geen geldige YAML" in r.text
    assert re.search(rf"Regel {line - 1}|Regel {line}|Regel {line + 1}", r.text)
    assert _textarea(r.text) == broken  # what the editor typed is still there
    session.expire_all()
    draft = session.exec(select(ScanDraft)).one()
    assert draft.text == original  # the stored draft is unchanged
    assert [v.version for v in session.exec(select(ScanVersion))] == [1]


def test_structural_problems_name_line_and_field(client: LoketClient, session: Session,
                                                 editor: Any) -> None:
    text = _start(client)
    bad = text.replace("dimension: automatisering", "dimension: robotica", 1)
    bad = bad.replace("weak: 3.0", "weak: 9", 1)
    r = client.post("/redactie/scan/concept/bewerken", data={"text": bad, "actie": "publiceren"})
    assert r.status_code == 422
    line = next(i for i, s in enumerate(bad.splitlines(), 1) if "dimension: robotica" in s)
    assert f"Regel {line}" in r.text
    assert "Onbekende dimensie robotica" in r.text and re.search(r"questions\[\d+\]\.dimension",
                                                                 r.text)
    assert "scoring.weak" in r.text and "Geef een getal op de schaal (1 tot 5)" in r.text
    assert _textarea(r.text) == bad
    assert [v.version for v in session.exec(select(ScanVersion))] == [1]


def test_unknown_theme_in_an_advice_rule(session: Session, scan_data: None) -> None:
    add_advice_themes(session)
    text = editing.text_of(editing.get_version(session, 1))
    _data, problems = editing.parse(text.replace("robotisering-automatisering", "ruimtevaart",
                                                 1), editing.known_themes(session))
    assert problems and "ruimtevaart" in problems[0].message
    assert problems[0].where.startswith("advice[") and problems[0].line


def test_preview_writes_nothing(client: LoketClient, session: Session, editor: Any) -> None:
    text = _start(client)
    changed = text.replace("nl: Digitale werkprocessen", "nl: Digitaal werken", 1)
    r = client.post("/redactie/scan/concept/bewerken", data={"text": changed,
                                                             "actie": "voorbeeld"})
    assert r.status_code == 200 and "Voorbeeld van versie 2" in r.text
    assert "Digitaal werken" in r.text and _textarea(r.text) == changed
    session.expire_all()
    assert session.exec(select(ScanDraft)).one().text == text


def test_publish_new_version_and_old_results_stay_readable(
        client: LoketClient, session: Session, login: Any, editor: Any) -> None:
    old_path = run_scan(client, 2)
    text = _start(client)
    changed = text.replace("nl: Digitale werkprocessen", "nl: Digitaal werken", 1)
    saved = client.post("/redactie/scan/concept/bewerken", data={"text": changed,
                                                                 "actie": "opslaan"})
    assert saved.status_code == 303
    r = client.post("/redactie/scan/concept/bewerken", data={"text": changed,
                                                             "actie": "publiceren"})
    assert r.status_code == 303 and r.headers["location"].startswith("/redactie/scan/versies/2")
    assert client.get(r.headers["location"]).status_code == 200
    session.expire_all()
    v2 = session.get(ScanVersion, 2)
    assert v2 is not None and v2.source == "editor" and v2.source_text
    assert "version: 2" in v2.source_text
    assert session.exec(select(ScanDraft)).first() is None
    assert session.exec(select(AuditEvent).where(
        AuditEvent.action == "scan.version_published")).one().target_id == "2"

    # the old result is shown with version 1's names; a new scan uses version 2
    old = client.get(old_path).text
    assert "Digitale werkprocessen" in old and "Digitaal werken" not in old
    new = client.get(run_scan(client, 3)).text
    assert "Digitaal werken" in new
    versions = [r.version for r in session.exec(select(ScanResult).order_by(ScanResult.id))]  # type: ignore[arg-type]
    assert versions == [1, 2]
    assert "Digitaal werken" in client.get("/redactie/scan/versies/2").text
    assert "Digitale werkprocessen" in client.get("/redactie/scan/versies/1").text


def test_a_seed_file_never_replaces_an_editors_version(db: Database, settings: Settings,
                                                       session: Session, scan_data: None) -> None:
    data = service.definition(session).data
    row, what = service.store_version(session, {**data, "version": 2, "title_nl": "Redactie"},
                                      source="editor")
    assert what == "added"
    _row, what = service.store_version(session, {**data, "version": 2, "title_nl": "Seed"})
    assert what.startswith("kept") and row.definition["title_nl"] == "Redactie"


def test_discard_draft(client: LoketClient, session: Session, editor: Any) -> None:
    _start(client)
    r = client.post("/redactie/scan/concept/weggooien")
    assert r.status_code == 303
    assert session.exec(select(ScanDraft)).first() is None
    assert client.get("/redactie/scan/concept").status_code == 303


def test_the_kept_definition_follows_a_changed_version(session: Session,
                                                       scan_data: None) -> None:
    data = service.definition(session).data
    service.store_version(session, {**data, "version": 7, "title_nl": "Eerste"})
    assert service.definition(session).title == "Eerste"
    assert service.definition(session) is service.definition(session, 7)  # kept
    # A seed version without results may be replaced: a new digest, read again.
    service.store_version(session, {**data, "version": 7, "title_nl": "Tweede"})
    assert service.definition(session).title == "Tweede"
    assert service.definition(session, 7).data["title_nl"] == "Tweede"
