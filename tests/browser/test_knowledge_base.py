"""The knowledge base in a real browser: search as you type (HTMX) and without JavaScript,
facets, browse and detail pages, the editor form, and axe on each of them."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from backend.content import indexing
from backend.search import SearchQuery
from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

SCHEME = "Browsertest: subsidie voor cobots"
PRACTICE = "Browsertest: cobots bij een installateur"


@pytest.fixture(scope="module")
def content(live_server: LiveServer) -> Iterator[None]:
    """A few published items, indexed by the live server's own worker."""
    from tests.factories.content import create_item, create_organisation, create_scheme

    with live_server.db.transaction() as s:
        org = create_organisation(s, title="Browsertest Rijksdienst", slug="browsertest-rvo")
        create_scheme(s, title=SCHEME, slug="browsertest-cobots", provider=org.slug,
                      body_md="Geld voor **cobots** in de werkplaats.", funding_rate=40,
                      max_amount=20000)
        create_item(s, title=PRACTICE, slug="browsertest-cobots-installateur",
                    themes=["robotisering-automatisering"], sectors=["installatie"],
                    related=["scheme:browsertest-cobots"])
    backend = indexing.backend_for(live_server.settings)
    deadline = time.monotonic() + 20
    while len(backend.search(SearchQuery(q="browsertest", per_page=10)).hits) < 3:
        if time.monotonic() > deadline:
            raise RuntimeError("the worker did not index the test content")
        time.sleep(0.1)
    yield


def test_search_as_you_type_keeps_the_page_and_the_url(page: Page, content: None) -> None:
    page.goto("/zoeken")
    assert_no_axe_violations(page)
    page.evaluate("window.__kb_marker = 1")  # gone if the page reloaded
    page.get_by_label("Zoekwoorden").press_sequentially("cobots", delay=40)
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name=SCHEME)).to_be_visible()
    expect(results.get_by_role("link", name=PRACTICE)).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=cobots"))
    assert page.evaluate("window.__kb_marker") == 1
    expect(results.locator("mark").first).to_be_visible()

    # A facet narrows the results in place, and typing afterwards keeps the facet.
    results.locator("aside").get_by_role("link", name="Regelingen").click()
    expect(results.get_by_role("link", name=PRACTICE)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"type=scheme"))
    box = page.get_by_label("Zoekwoorden")
    box.focus()
    box.press("End")
    box.press_sequentially(" werkplaats", delay=40)
    expect(results.get_by_role("link", name=SCHEME)).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=cobots(%20|\+)werkplaats.*type=scheme"))
    assert page.evaluate("window.__kb_marker") == 1
    assert_no_axe_violations(page)


def test_search_without_javascript(page_without_js: Page, content: None) -> None:
    page = page_without_js
    page.goto("/zoeken")
    page.get_by_label("Zoekwoorden").fill("cobots")
    page.locator("#search-form").get_by_role("button", name="Zoeken").click()
    expect(page).to_have_url(re.compile(r"q=cobots"))
    expect(page.get_by_role("link", name=SCHEME)).to_be_visible()
    page.locator("aside").get_by_role("link", name="Goede voorbeelden").click()
    expect(page.get_by_role("link", name=SCHEME)).to_have_count(0)
    expect(page.get_by_role("link", name=PRACTICE)).to_be_visible()
    page.get_by_role("link", name=PRACTICE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PRACTICE)


def test_browse_and_detail_pages_are_accessible(page: Page, content: None) -> None:
    page.goto("/regelingen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Regelingen")
    assert_no_axe_violations(page)
    page.get_by_role("link", name=SCHEME).click()
    expect(page.get_by_role("heading", name="Voorwaarden in het kort")).to_be_visible()
    expect(page.get_by_role("row", name="Subsidiepercentage 40%")).to_be_visible()
    assert_no_axe_violations(page)
    page.goto("/kennisbank")
    assert_no_axe_violations(page)


def test_editor_form_works_and_is_accessible(new_context: Callable[..., BrowserContext],
                                             live_server: LiveServer, content: None) -> None:
    from backend.accounts import service

    with live_server.db.transaction() as s:
        user = service.create_user(s, f"redacteur-{os.urandom(3).hex()}@example.nl",
                                   name="Rita Redacteur", roles=("editor",))
        s.flush()
        user_id = user.id
    context = new_context()
    live_server.log_in(context, user_id)
    page = context.new_page()
    page.goto("/redactie/nieuw/practice")
    assert_no_axe_violations(page)
    page.get_by_label("Samenvatting", exact=True).fill("Blijft staan na een fout.")
    page.get_by_role("button", name="Opslaan als concept").click()
    expect(page.get_by_role("alert").first).to_contain_text("Er is een probleem")
    expect(page.get_by_label("Samenvatting", exact=True)).to_have_value("Blijft staan na een fout.")
    assert_no_axe_violations(page)
    page.get_by_label("Titel", exact=True).fill("Browsertest: redactie")
    page.get_by_role("button", name="Opslaan en publiceren").click()
    expect(page.get_by_role("status").first).to_contain_text("gepubliceerd")
    page.get_by_role("link", name="Openbare pagina bekijken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Browsertest: redactie")
