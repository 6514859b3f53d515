""""Welk loket helpt mij?" in a real browser: with HTMX, without JavaScript, and axe."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def _map(live_server: LiveServer) -> None:
    """Deventer and the national fallback (idempotent: other browser tests share the DB)."""
    from tests.factories.cases import create_municipality, fallback_desk

    with live_server.db.transaction() as s:
        create_municipality(s, "GM0150", "Deventer", postcodes=("7411", "7412"))
        fallback_desk(s)


def test_which_desk_with_htmx(page: Page, live_server: LiveServer) -> None:
    _map(live_server)
    page.goto("/welk-loket")
    assert_no_axe_violations(page)
    page.get_by_label("Uw vraag").fill("Ik wil een eigen bedrijf starten")
    page.get_by_label("Gemeente waar uw bedrijf gevestigd is").fill("Deventer")
    with page.expect_response(lambda r: "/welk-loket?" in r.url):
        page.get_by_role("button", name="Toon het loket").click()
    results = page.locator("#which-desk-results")
    expect(results).to_contain_text("Uw vraag gaat naar")
    expect(results).to_contain_text("Waarom dit loket")
    assert "vraag=" in page.url  # the address can be shared
    assert_no_axe_violations(page)


def test_which_desk_without_javascript(new_context: Callable[..., BrowserContext],
                                       live_server: LiveServer) -> None:
    _map(live_server)
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/welk-loket")
    page.get_by_label("Uw vraag").fill("Hoe schrijf ik mijn bedrijf in?")
    page.get_by_label("Of uw postcode").fill("7411 AB")
    page.get_by_role("button", name="Toon het loket").click()
    expect(page.locator("#which-desk-results")).to_contain_text("Uw vraag gaat naar")
    expect(page.locator("#which-desk-results")).to_contain_text("Deventer")
