"""The site frame in a real browser: languages, a form with and without JavaScript, axe,
keyboard, reflow and the look (screenshots)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = Path(os.environ.get("LOKET_SCREENSHOT_DIR", "/tmp/loket-screenshots"))


def _log_in(context: BrowserContext, live_server: LiveServer, *, name: str) -> None:
    from backend.accounts import service

    with live_server.db.transaction() as s:
        user = service.create_user(s, f"{name.lower()}-{os.urandom(3).hex()}@example.nl",
                                   name=name, roles=())
        s.flush()
        user_id = user.id
    live_server.log_in(context, user_id)


def test_home_page_in_dutch_then_english_and_back(page: Page) -> None:
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Eén loket voor een productiever bedrijf")
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "One door to a more productive business")
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()
    expect(page.get_by_role("link", name="Skip to content")).to_be_attached()
    page.get_by_role("link", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("link", name="Ga direct naar de inhoud")).to_be_attached()


def test_language_switch_keeps_the_page(page: Page) -> None:
    page.goto("/toegankelijkheid")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(page.url.split("/toegankelijkheid")[0] + "/toegankelijkheid")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement")


def test_logout_form_with_javascript_goes_through_htmx(
        new_context: Callable[..., BrowserContext], live_server: LiveServer) -> None:
    context = new_context()
    _log_in(context, live_server, name="Henk")
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_text("Henk")).to_be_visible()
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/uitloggen")) as req:
        page.get_by_role("button", name="Uitloggen").click()
    headers = req.value.all_headers()
    assert headers.get("hx-request") == "true"  # HTMX sent it, not the browser's form post
    assert headers.get("x-csrf-token")  # the token from <body hx-headers>
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)
    page.reload()  # the session ended on the server, not only on the page
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()


def test_logout_form_without_javascript_is_a_plain_post(
        new_context: Callable[..., BrowserContext], live_server: LiveServer) -> None:
    context = new_context(java_script_enabled=False)
    _log_in(context, live_server, name="Fatima")
    page = context.new_page()
    page.goto("/toegankelijkheid")
    expect(page.get_by_text("Fatima")).to_be_visible()
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/uitloggen")) as req:
        page.get_by_role("button", name="Uitloggen").click()
    headers = req.value.all_headers()
    assert "hx-request" not in headers
    assert "csrf_token=" in (req.value.post_data or "")  # the hidden field
    page.wait_for_load_state()
    expect(page).to_have_url(live_server("/"))
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()


def _open_login_page(page: Page) -> None:
    response = page.goto("/inloggen")
    assert response is not None
    # A broken login page fails the test: it is never a reason to skip.
    assert response.status == 200, f"/inloggen answers {response.status}"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_login_link_form_works_with_and_without_javascript(
        new_context: Callable[..., BrowserContext], javascript: bool) -> None:
    page = new_context(java_script_enabled=javascript).new_page()
    _open_login_page(page)
    form = page.locator('form[action="/inloggen"]')
    form.locator('input[name="email"]').fill("not-an-address")
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    field = page.locator('input[name="email"]')
    expect(field).to_have_attribute("aria-invalid", "true")  # told what is wrong, in place
    if javascript:  # axe runs inside the page: it needs JavaScript
        assert_no_axe_violations(page)  # the error state is accessible too
    page.locator('input[name="email"]').fill(f"iemand-{javascript}@example.nl")
    page.locator('form[action="/inloggen"] button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/inloggen/link-verstuurd$"))
    if javascript:
        assert_no_axe_violations(page)


def test_site_search_box_is_a_plain_get_form(page_without_js: Page) -> None:
    page = page_without_js
    page.goto("/")
    box = page.get_by_role("searchbox", name="Zoeken in de kennisbank")
    box.fill("subsidie robot")
    with page.expect_request(lambda r: "/zoeken" in r.url) as req:
        box.press("Enter")
    assert req.value.url.endswith("/zoeken?q=subsidie+robot")
    assert req.value.method == "GET"


@pytest.mark.parametrize(("path", "lang"), [
    ("/", "nl"), ("/", "en"), ("/toegankelijkheid", "nl"), ("/bestaat-niet", "nl"),
    ("/bestaat-niet", "en"),
])
def test_pages_have_no_wcag_21_aa_violations(page: Page, path: str, lang: str) -> None:
    if lang != "nl":
        page.goto(f"/taal/{lang}?next=/")
    response = page.goto(path)
    assert response is not None
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert_no_axe_violations(page)


def test_login_page_has_no_wcag_21_aa_violations(page: Page) -> None:
    _open_login_page(page)
    assert_no_axe_violations(page)


def test_logged_in_frame_has_no_wcag_21_aa_violations(
        new_context: Callable[..., BrowserContext], live_server: LiveServer) -> None:
    context = new_context()
    _log_in(context, live_server, name="Sanne")
    page = context.new_page()
    page.goto("/")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    assert_no_axe_violations(page)


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page: Page) -> None:
    page.goto("/toegankelijkheid")  # has a link inside main
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, "
                            "document.activeElement.getAttribute('href')]")
    assert focused == ["skip-link", "#main"]
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 20  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside main, not back in the header
    assert page.evaluate("() => document.getElementById('main')"
                         ".contains(document.activeElement)")


def test_focus_is_clearly_visible(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the logo link
    style = page.evaluate("""() => {
        const s = getComputedStyle(document.activeElement);
        return [document.activeElement.className, s.outlineStyle, parseFloat(s.outlineWidth),
                s.outlineColor];
    }""")
    assert style[0] == "site-logo"
    assert style[1] == "solid" and style[2] >= 3
    assert style[3] == "rgb(11, 12, 12)"  # near-black ring, white inner ring: >= 3:1 anywhere


def test_no_csp_or_script_errors(page: Page) -> None:
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for path in ("/", "/toegankelijkheid"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert page.evaluate("() => typeof htmx") == "object"  # htmx loaded from /static
    assert errors == []


@pytest.mark.parametrize("width", [320, 375, 768, 1280])
def test_no_horizontal_scrolling(new_context: Callable[..., BrowserContext], width: int) -> None:
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    for path in ("/", "/toegankelijkheid", "/bestaat-niet"):
        page.goto(path)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways at {width}px"


@pytest.mark.parametrize("width", [1280, 375])
def test_home_page_screenshot(new_context: Callable[..., BrowserContext], width: int) -> None:
    """Screenshots to look at after changing the CSS (LOKET_SCREENSHOT_DIR)."""
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto("/")
    page.wait_for_load_state("networkidle")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"home-{width}.png"), full_page=True)
    fonts = page.evaluate("() => document.fonts.check('16px \"Noto Sans\"')")
    assert fonts  # the vendored font loaded
