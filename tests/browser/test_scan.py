"""The productivity scan in a real browser (plain form posts): start, answer every statement
(going back once), and read the result with advice; axe on a question and on the result."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def _setup(live_server: LiveServer) -> None:
    from backend.scan.service import load_seed
    from tests.factories.cases import create_municipality

    with live_server.db.transaction() as s:
        create_municipality(s, "GM0150", "Deventer", postcodes=("7411", "7412"))
    load_seed(live_server.db, live_server.settings)


def test_full_scan(page: Page, live_server: LiveServer) -> None:
    _setup(live_server)
    page.goto("/scan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Productiviteitsscan")
    page.get_by_label("Gemeente waar uw bedrijf gevestigd is").fill("Deventer")
    page.get_by_role("button", name="Start de scan").click()
    expect(page.get_by_text("Vraag 1 van 24")).to_be_visible()
    assert_no_axe_violations(page)
    for n in range(1, 25):
        expect(page.get_by_text(f"Vraag {n} van 24")).to_be_visible()
        value = "1" if n in (4, 5, 6) else "4"
        page.locator(f"#answer-{value}").check()
        if n == 2:  # back to question 1: its answer is still there
            page.get_by_role("button", name="Vorige").click()
            expect(page.locator("#answer-4")).to_be_checked()
            page.get_by_role("button", name="Volgende").click()
            page.locator(f"#answer-{value}").check()
        label = "Toon mijn uitkomst" if n == 24 else "Volgende"
        page.get_by_role("button", name=label).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw scanuitkomst")
    assert "/scan/resultaat/" in page.url
    expect(page.get_by_role("heading", name=re.compile("^Automatisering en robotisering"))
           ).to_be_visible()
    expect(page.get_by_role("button", name="Bespreek dit met een adviseur")).to_be_visible()
    expect(page.get_by_role("img", name="Score per dimensie (1–5)")).to_be_visible()
    expect(page.get_by_role("link", name="Download als pdf")).to_be_visible()
    assert_no_axe_violations(page)
    # on paper: the chart and scores, not the forms, downloads, menu or footer
    page.emulate_media(media="print")
    expect(page.get_by_role("img", name="Score per dimensie (1–5)")).to_be_visible()
    expect(page.get_by_role("button", name="Bespreek dit met een adviseur")).to_be_hidden()
    expect(page.get_by_role("link", name="Download als pdf")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    page.emulate_media(media="screen")


def test_full_scan_without_javascript_and_discuss_it(page_without_js: Page,
                                                     live_server: LiveServer) -> None:
    """The same scan with JavaScript off, then "Bespreek dit met een adviseur": the question
    is routed and the entrepreneur follows it, the scan summary in the question."""
    from tests.factories.cases import regional_setup

    _setup(live_server)
    with live_server.db.transaction() as s:
        regional_setup(s)
    page = page_without_js
    page.goto("/scan")
    page.get_by_label("Gemeente waar uw bedrijf gevestigd is").fill("Deventer")
    page.get_by_role("button", name="Start de scan").click()
    for n in range(1, 25):
        expect(page.get_by_text(f"Vraag {n} van 24")).to_be_visible()
        page.locator(f"#answer-{'2' if n > 21 else '4'}").check()
        page.get_by_role("button", name="Toon mijn uitkomst" if n == 24 else "Volgende").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw scanuitkomst")
    expect(page.get_by_role("heading", name="Vergeleken met andere bedrijven")).to_be_visible()
    page.get_by_role("textbox", name="E-mailadres").fill("ondernemer@example.nl")
    page.get_by_label(re.compile("^Ik ga ermee akkoord")).check()
    page.get_by_role("button", name="Bespreek dit met een adviseur").click()
    assert "/mijn-vraag/" in page.url
    expect(page.get_by_text(re.compile("Productiviteitsscan \\(versie 1\\)"))).to_be_visible()


def test_editor_prepares_and_previews_a_new_version(new_context: Callable[..., BrowserContext],
                                                    live_server: LiveServer) -> None:
    """Bad YAML is refused with its line and kept in the textarea; the preview shows the
    questions; axe on both. Nothing is published (other tests use version 1)."""
    from backend.accounts import service
    from tests.factories.content import create_taxonomy
    from tests.scan.test_editor import add_advice_themes

    _setup(live_server)
    with live_server.db.transaction() as s:
        create_taxonomy(s)
        add_advice_themes(s)
        user = service.create_user(s, f"scan-redacteur-{os.urandom(3).hex()}@example.nl",
                                   name="Rita Redacteur", roles=("editor",))
        s.flush()
        user_id = user.id
    context = new_context()
    live_server.log_in(context, user_id)
    page = context.new_page()
    page.goto("/redactie/scan")
    page.get_by_role("button", name="Een nieuwe versie voorbereiden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Concept van de volgende scanversie")
    assert_no_axe_violations(page)
    textbox = page.get_by_label("Scandefinitie (YAML)")
    original = textbox.input_value()
    broken = original.replace("pillars:", "pillars: [", 1)
    textbox.fill(broken)
    page.get_by_role("button", name="Concept opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Regel ")
    expect(page.get_by_label("Scandefinitie (YAML)")).to_have_value(broken)
    assert_no_axe_violations(page)
    page.get_by_label("Scandefinitie (YAML)").fill(original)
    page.get_by_role("button", name="Voorbeeld bekijken").click()
    expect(page.get_by_role("heading", name=re.compile("^Voorbeeld van versie 2"))).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Gooi het concept weg").click()
    expect(page.get_by_role("status")).to_contain_text("weggegooid")


def test_enter_moves_forward(page: Page, live_server: LiveServer) -> None:
    """Enter in a question submits with the form's default button: "Volgende", not "Vorige"
    (which stays on the left)."""
    _setup(live_server)
    page.goto("/scan")
    page.get_by_label("Gemeente waar uw bedrijf gevestigd is").fill("Deventer")
    page.get_by_role("button", name="Start de scan").click()
    for n in (1, 2):
        expect(page.get_by_text(f"Vraag {n} van 24")).to_be_visible()
        page.locator("#answer-3").check()
        page.locator("#answer-3").press("Enter")
    expect(page.get_by_text("Vraag 3 van 24")).to_be_visible()
    back = page.get_by_role("button", name="Vorige").bounding_box()
    forward = page.get_by_role("button", name="Volgende").bounding_box()
    assert back is not None and forward is not None and back["x"] < forward["x"]
