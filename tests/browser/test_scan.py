"""The productivity scan in a real browser (plain form posts): start, answer every statement
(going back once), and read the result with advice; axe on a question and on the result."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

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
    assert_no_axe_violations(page)
