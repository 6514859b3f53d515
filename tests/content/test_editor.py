"""Editors manage content end to end in the browser pages; others cannot."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlmodel import Session, select

from backend.content.models import ContentItem, Sector, Theme
from backend.search import SearchBackend, SearchQuery
from tests.client import LoketClient, hidden_csrf
from tests.factories.accounts import create_user
from tests.factories.content import create_item, create_organisation


def _item(session: Session, slug: str) -> ContentItem:
    session.expire_all()
    return session.exec(select(ContentItem).where(ContentItem.slug == slug)).one()


def test_anonymous_goes_to_login_and_others_get_403(client: LoketClient, session: Session,
                                                    taxonomy: None, login: object) -> None:
    item = create_item(session)
    session.commit()
    for path in ("/redactie", "/redactie/nieuw/practice", f"/redactie/items/{item.id}",
                 "/redactie/taxonomie"):
        r = client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/inloggen"), path
    r = client.post(f"/redactie/items/{item.id}/depubliceren")
    assert r.status_code == 303 and r.headers["location"].startswith("/inloggen")
    user = create_user(session, roles=())
    session.commit()
    login(user)  # type: ignore[operator]
    assert client.get("/redactie").status_code == 403
    assert client.post(f"/redactie/items/{item.id}/depubliceren").status_code == 403
    assert client.post("/redactie/nieuw/practice", data={"title": "Hack"}).status_code == 403
    assert _item(session, item.slug).status == "published"


def test_editor_flow_end_to_end(editor_client: LoketClient, session: Session, taxonomy: None,
                                drain: Callable[[], int], index: SearchBackend) -> None:
    c = editor_client
    assert 'href="/redactie"' in c.get("/").text  # the menu leads editors to their desk
    page = c.get("/redactie/nieuw/practice")
    assert page.status_code == 200 and hidden_csrf(page.text)

    # Preview renders the Markdown without saving anything.
    form = {"title": "Cobots op de werkvloer", "summary": "Een installateur zet cobots in.",
            "body_md": "## Aanpak\n\nMet **cobots** <script>alert(1)</script>",
            "themes": ["robotisering-automatisering"], "regions": ["overijssel"],
            "lang": "nl", "action": "preview"}
    r = c.post("/redactie/nieuw/practice", data=form)
    assert r.status_code == 200
    assert "<h3>Aanpak</h3>" in r.text and "<strong>cobots</strong>" in r.text
    assert "<script>alert(1)</script>" not in r.text
    assert session.exec(select(ContentItem)).all() == []

    # Save as a draft: 303 to the edit page, not found publicly nor in search.
    r = c.post("/redactie/nieuw/practice", data={**form, "action": "save"})
    assert r.status_code == 303
    edit_url = r.headers["location"].split("?")[0]
    item = _item(session, "cobots-op-de-werkvloer")
    assert item.status == "draft" and edit_url == f"/redactie/items/{item.id}"
    assert c.get("/kennisbank/goede-voorbeelden/cobots-op-de-werkvloer").status_code == 404
    page = c.get(r.headers["location"])
    assert "Cobots op de werkvloer" in page.text and 'name="version" value="1"' in page.text
    dash = c.get("/redactie")
    assert "Cobots op de werkvloer" in dash.text

    # Edit and publish in one go; the search index follows through the outbox.
    r = c.post(edit_url, data={**form, "title": "Cobots op de bouwplaats", "action": "publish",
                               "version": "1", "note": "titel aangepast"})
    assert r.status_code == 303 and "gedaan=published" in r.headers["location"]
    drain()
    hits = index.search(SearchQuery(q="bouwplaats")).hits
    assert [h.id for h in hits] == ["practice:cobots-op-de-werkvloer"]
    assert c.get("/kennisbank/goede-voorbeelden/cobots-op-de-werkvloer").status_code == 200

    # History: two revisions, author and note, and the old one can be viewed and restored.
    history = c.get(f"{edit_url}/versies")
    assert "Eva Editor" in history.text and "titel aangepast" in history.text
    old = c.get(f"{edit_url}/versies/1")
    assert old.status_code == 200 and "Cobots op de werkvloer" in old.text
    r = c.post(f"{edit_url}/versies/1/herstellen")
    assert r.status_code == 303
    assert _item(session, "cobots-op-de-werkvloer").title == "Cobots op de werkvloer"

    # Preview page of the saved item, unpublish, delete.
    assert c.get(f"{edit_url}/voorbeeld").status_code == 200
    assert c.post(f"{edit_url}/depubliceren").status_code == 303
    drain()
    assert index.search(SearchQuery(q="cobots")).hits == []
    assert c.post(f"{edit_url}/verwijderen").status_code == 303
    assert c.get(edit_url).status_code == 404


def test_validation_errors_keep_what_was_typed(editor_client: LoketClient, session: Session,
                                               taxonomy: None) -> None:
    create_organisation(session, title="RVO", slug="rvo")
    session.commit()
    form = {"title": "", "summary": "Mijn samenvatting blijft staan",
            "body_md": "Tekst die ik **niet** kwijt wil", "kind": "subsidy", "provider": "rvo",
            "budget_status": "open", "min_amount": "5000", "max_amount": "1000",
            "funding_rate": "abc", "opens_on": "2027-13-01", "themes": ["financiering"],
            "lang": "nl", "action": "save"}
    r = editor_client.post("/redactie/nieuw/scheme", data=form)
    assert r.status_code == 422
    html = r.text
    assert "Mijn samenvatting blijft staan" in html and "Tekst die ik **niet** kwijt wil" in html
    assert 'value="financiering" checked' in html and 'value="rvo" selected' in html
    errors = dict(re.findall(r'id="f-(\w+)-error"><span class="visually-hidden">[^<]*</span> '
                             r'([^<]+)</p>', html))
    assert errors["title"].strip() == "Dit veld is verplicht."
    assert "getal" in errors["funding_rate"]
    assert "datum" in errors["opens_on"]
    assert session.exec(select(ContentItem).where(ContentItem.type == "scheme")).all() == []


def test_a_stale_edit_is_refused_without_losing_it(editor_client: LoketClient,
                                                   session: Session, taxonomy: None) -> None:
    item = create_item(session, title="Lean in de bouw")
    session.commit()
    r = editor_client.post(f"/redactie/items/{item.id}", data={
        "title": "Mijn versie", "summary": "x", "body_md": "y", "lang": "nl", "version": "0"})
    assert r.status_code == 409
    assert 'value="Mijn versie"' in r.text
    assert _item(session, item.slug).title == "Lean in de bouw"


def test_editors_edit_the_taxonomy(editor_client: LoketClient, session: Session,
                                   taxonomy: None) -> None:
    c = editor_client
    assert c.get("/redactie/taxonomie").status_code == 200
    theme = session.exec(select(Theme).where(Theme.slug == "digitalisering")).one()
    r = c.post(f"/redactie/taxonomie/themas/{theme.id}", data={
        "name_nl": "Digitaal werken", "name_en": "Digital work", "pillar": "organisatie",
        "keywords": "software, erp", "description_nl": ""})
    assert r.status_code == 303
    session.expire_all()
    saved = session.get(Theme, theme.id)
    assert saved is not None and saved.name_nl == "Digitaal werken"
    assert saved.keywords == ["software", "erp"] and saved.slug == "digitalisering"
    r = c.post("/redactie/taxonomie/themas", data={"name_nl": "Slim roosteren",
                                                   "pillar": "organisatie"})
    assert r.status_code == 303
    assert session.exec(select(Theme).where(Theme.slug == "slim-roosteren")).one()
    r = c.post("/redactie/taxonomie/themas", data={"name_nl": "", "pillar": "organisatie"})
    assert r.status_code == 422
    r = c.post("/redactie/taxonomie/sectoren", data={"name_nl": "Elektrotechniek",
                                                     "parent": "installatie"})
    assert r.status_code == 303
    sector = session.exec(select(Sector).where(Sector.slug == "elektrotechniek")).one()
    assert sector.parent_id is not None
    installatie = session.exec(select(Sector).where(Sector.slug == "installatie")).one()
    r = c.post(f"/redactie/taxonomie/sectoren/{installatie.id}", data={
        "name_nl": "Installatie", "parent": "elektrotechniek"})  # a cycle
    assert r.status_code == 422


def test_forms_need_the_csrf_token(editor_client: LoketClient, session: Session,
                                   taxonomy: None) -> None:
    r = editor_client.post("/redactie/nieuw/practice", data={"title": "Zonder token"},
                           csrf=False)
    assert r.status_code == 403
