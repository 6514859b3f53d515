"""HTMX forms show their errors with JavaScript exactly as without (issue 15).

Every HTMX form that can answer 400/422 is filled with invalid input twice: once in a
browser without JavaScript (a plain GET, the page re-renders) and once with htmx. Both must
show the same error summary and the same field errors, and with JavaScript the summary has
the focus (so it is scrolled to and read out).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def _map(live_server: LiveServer) -> None:
    from tests.factories.cases import create_municipality, fallback_desk

    with live_server.db.transaction() as s:
        create_municipality(s, "GM0164", "Hengelo", postcodes=("7551",))
        create_municipality(s, "GM0150", "Deventer", postcodes=("7411", "7412"))
        fallback_desk(s)


def _which_desk(page: Page, *, vraag: str, gemeente: str = "", postcode: str = "") -> None:
    page.goto("/welk-loket")
    page.get_by_label("Uw vraag").fill(vraag)
    if gemeente:
        page.get_by_label("Gemeente waar uw bedrijf gevestigd is").fill(gemeente)
    if postcode:
        page.get_by_label("Of uw postcode").fill(postcode)
    page.get_by_role("button", name="Toon het loket").click()


def _finder(page: Page, *, amount: str) -> None:
    page.goto("/regelingen/zoeker")
    page.get_by_label("Bedrag van uw plan in euro’s (niet verplicht)").fill(amount)
    page.get_by_role("button", name="Regelingen zoeken").click()


def _errors(page: Page) -> tuple[str, list[str]]:
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    fields = page.locator(".form-field__error").all_inner_texts()
    return summary.inner_text(), [" ".join(t.split()) for t in fields]


FORMS: dict[str, tuple[Callable[[Page], None], str]] = {
    "postcode": (lambda p: _which_desk(p, vraag="Wie helpt mij met personeel?",
                                       postcode="ABCD 12"), "postcode"),
    "municipality": (lambda p: _which_desk(p, vraag="Wie helpt mij met personeel?",
                                           gemeente="Hengeloo"), "gemeente"),
    "amount": (lambda p: _finder(p, amount="veel geld"), "amount"),
}


@pytest.mark.parametrize("case", sorted(FORMS))
def test_htmx_form_shows_errors_as_without_javascript(
        case: str, page: Page, new_context: Callable[..., BrowserContext],
        live_server: LiveServer) -> None:
    _map(live_server)
    fill, field = FORMS[case]
    plain = new_context(java_script_enabled=False).new_page()
    fill(plain)
    expected = _errors(plain)

    with page.expect_response(lambda r: r.status == 422):
        fill(page)
    got = _errors(page)
    assert got == expected
    expect(page.locator(f"#f-{field}")).to_have_attribute("aria-invalid", "true")
    # The summary has the focus: the browser scrolled to it and a screen reader reads it.
    expect(page.locator(".error-summary")).to_be_focused()
    # One page, not a page inside the results block.
    assert page.locator("main").count() == 1
    assert page.locator("h1").count() == 1
    if case == "municipality":  # a near miss is offered, with a link that fills it in
        expect(page.locator("#f-gemeente-error")).to_contain_text("Bedoelt u Hengelo?")
        expect(page.locator("#gemeente-suggestions").get_by_role("link", name="Hengelo")
               ).to_be_visible()
    assert_no_axe_violations(page)


def _scan_result(page: Page, live_server: LiveServer) -> None:
    from tests.browser.test_scan import _setup

    _setup(live_server)
    page.goto("/scan")
    page.get_by_label("Gemeente waar uw bedrijf gevestigd is").fill("Deventer")
    page.get_by_role("button", name="Start de scan").click()
    for n in range(1, 25):
        expect(page.get_by_text(f"Vraag {n} van 24")).to_be_visible()
        page.locator("#answer-3").check()
        page.get_by_role("button", name="Toon mijn uitkomst" if n == 24 else "Volgende").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw scanuitkomst")


def _in_view(page: Page, selector: str) -> bool:
    return bool(page.evaluate(
        """sel => { const r = document.querySelector(sel).getBoundingClientRect();
                    return r.top >= 0 && r.top < window.innerHeight; }""", selector))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_scan_discuss_form_shows_every_error_at_once_where_the_form_is(
        javascript: bool, new_context: Callable[..., BrowserContext],
        live_server: LiveServer) -> None:
    """Before: a bad e-mail address came first and the missing consent only on the second
    try, and the page re-rendered at the top while the errors were 3,400 px down."""
    page = new_context(java_script_enabled=javascript).new_page()
    _scan_result(page, live_server)
    page.get_by_role("textbox", name="E-mailadres").fill("geen-adres")
    page.get_by_role("button", name="Bespreek dit met een adviseur").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("e-mailadres")
    expect(summary).to_contain_text("toestemming")
    if javascript:  # the summary has the focus (and so is scrolled to)
        expect(summary).to_be_focused()
    assert page.evaluate("window.scrollY") > 500  # not the top of the page
    assert _in_view(page, ".error-summary") or _in_view(page, "#discuss")
    if javascript:
        assert_no_axe_violations(page)


def test_long_text_fields_show_a_character_counter(page: Page, live_server: LiveServer) -> None:
    """The counter counts as the server does: a line break is one character."""
    _map(live_server)
    page.goto("/welk-loket")
    counter = page.locator("#f-vraag-counter")
    expect(counter).to_be_visible()
    expect(counter).to_have_text("Nog 5.000 van 5.000 tekens")
    expect(page.locator("#f-vraag")).to_have_attribute(
        "aria-describedby", re.compile(r"\bf-vraag-counter\b"))
    page.get_by_label("Uw vraag").fill("Wie helpt\nmij?")
    expect(counter).to_have_text("Nog 4.986 van 5.000 tekens")
    assert counter.get_attribute("aria-live") == "polite"
    assert_no_axe_violations(page)


def test_counter_is_hidden_without_javascript(page_without_js: Page,
                                              live_server: LiveServer) -> None:
    page_without_js.goto("/welk-loket")
    expect(page_without_js.locator("#f-vraag-counter")).to_be_hidden()
