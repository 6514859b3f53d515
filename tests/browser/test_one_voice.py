"""The privacy statement, the colophon, the footer and the main menu in a browser: axe clean in
both languages, and the menu still fits a phone (issue 15)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.axe import assert_no_axe_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("path", ["/privacy", "/colofon"])
def test_statement_pages_are_accessible(page: Page, path: str, lang: str) -> None:
    if lang == "en":
        page.goto("/taal/en?next=/")
    page.goto(path)
    expect(page.locator("h1")).to_have_count(1)
    assert_no_axe_violations(page)


def test_footer_leads_to_privacy_and_menu_to_every_door(page: Page) -> None:
    page.goto("/")
    footer = page.locator("footer")
    for name in ("Contact", "Privacyverklaring", "Toegankelijkheidsverklaring", "Colofon",
                 "API-documentatie"):
        expect(footer.get_by_role("link", name=name)).to_be_visible()
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    for name in ("Productiviteitsscan", "Regelingenwijzer", "Welk loket?", "Groepen"):
        expect(menu.get_by_role("link", name=name)).to_be_visible()
    footer.get_by_role("link", name="Privacyverklaring").click()
    expect(page.locator("h1")).to_have_text("Privacyverklaring")


def test_menu_fits_a_phone(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize("path", ["/vraag", "/inloggen"])
def test_forms_with_the_privacy_note_stay_accessible(page: Page, path: str) -> None:
    page.goto(path)
    expect(page.locator("main form").get_by_role("link", name="lees de privacyverklaring")
           ).to_be_visible()
    assert_no_axe_violations(page)
