"""Issue 13 in a real browser, checked with axe (WCAG 2.1 AA): the coverage matrix page, and
"Welk loket helpt mij?" asking where an ambiguous place in the question is."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_coverage_page_is_accessible(new_context: Callable[..., BrowserContext],
                                     live_server: LiveServer) -> None:
    from tests.factories.accounts import create_user
    from tests.factories.routing import seed_map

    seed_map(live_server.db, live_server.settings)
    with live_server.db.transaction() as s:
        admin = create_user(s, roles=("admin",))
        admin_id = admin.id
    context = new_context()
    live_server.log_in(context, admin_id)
    page = context.new_page()
    page.goto("/beheer/dekking")
    expect(page.get_by_role("heading", name="Dekking per thema en regio")).to_be_visible()
    table = page.get_by_role("table", name="Welk loket elk thema aanneemt, per provincie")
    expect(table.get_by_role("rowheader", name="Overijssel (25 gemeenten)")).to_be_visible()
    expect(page.get_by_text("Legenda")).to_be_visible()
    assert_no_axe_violations(page)


def test_which_desk_asks_where_an_ambiguous_place_is(new_context: Callable[..., BrowserContext],
                                                      live_server: LiveServer) -> None:
    from tests.factories.routing import seed_map

    seed_map(live_server.db, live_server.settings)
    page = new_context().new_page()
    page.goto("/welk-loket")
    page.get_by_label("Uw vraag").fill("Wij zijn een metaalbedrijf in Hengelo en zoeken personeel")
    with page.expect_response(lambda r: "/welk-loket?" in r.url):
        page.get_by_role("button", name="Toon het loket").click()
    choices = page.locator("#place-choices")
    expect(choices).to_contain_text("“Hengelo” kan zijn:")
    assert_no_axe_violations(page)
    with page.expect_response(lambda r: "/welk-loket" in r.url):
        choices.get_by_role("link", name="Bronckhorst (Gelderland)").click()
    expect(page.locator("#which-desk-results")).to_contain_text("Bronckhorst")
    expect(page.locator("#place-choices")).to_have_count(0)
