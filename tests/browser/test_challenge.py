"""Beyond a rate ceiling the question form asks a sum in words: usable without JavaScript,
accessible (axe), and a person who answers it gets their question through."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import LiveServer
from tests.browser.test_question_flow import _setup

pytestmark = pytest.mark.browser

LEGEND = "Een vraag om te laten zien dat een mens dit verstuurt"


def _answer(question: str) -> str:
    from backend.core.challenge import WORDS

    numbers = {w: i for i, w in enumerate(WORDS["nl"])}
    a, op, b = re.findall(r"Hoeveel is (\w+) (plus|min) (\w+)\?", question)[0]
    return str(numbers[a] + numbers[b] if op == "plus" else numbers[a] - numbers[b])


def _ask(page: Page) -> None:
    page.goto("/vraag")
    page.get_by_label("Wat is uw vraag?").fill(
        "Wij willen onze planning digitaliseren. Welke regeling helpt een klein bedrijf "
        "daarbij?")
    page.locator("#f-municipality").fill("Deventer")
    page.get_by_label("E-mailadres").fill("drukte@bakkerij.example")
    page.get_by_label("Ik geef toestemming", exact=False).check()
    page.get_by_role("button", name="Verstuur mijn vraag").click()


def test_the_challenge_works_without_javascript(
        new_context: Callable[..., BrowserContext], live_server: LiveServer) -> None:
    from backend.accounts.service import record_limit_alert
    from backend.core.challenge import WAIT
    from backend.core.limits import Policy

    _setup(live_server)
    app = live_server.app
    before = getattr(app.state, "limits_policy", None)
    table = {**live_server.settings.limits_table(), "ask_question": {
        "address": "1000/3600", "email": "1000/3600", "desk": "1/3600", "site": "1000/3600"}}
    app.state.limits_policy = Policy(table, live_server.settings.secret_key, None,
                                     record_limit_alert)
    try:
        page = new_context(java_script_enabled=False).new_page()
        page.set_default_timeout(15000)
        challenged = False
        for _ in range(3):  # the desk may have had no question yet in this session
            _ask(page)
            if page.locator("#challenge").count():
                challenged = True
                break
        assert challenged
        expect(page.get_by_role("group", name=LEGEND)).to_be_visible()
        # axe needs JavaScript: the same page in a browser with it passes too.
        js_page = new_context().new_page()
        _ask(js_page)
        expect(js_page.get_by_role("group", name=LEGEND)).to_be_visible()
        assert_no_axe_violations(js_page)
        # What was typed is still there; the person reads the sums and answers them.
        expect(page.get_by_label("E-mailadres")).to_have_value("drukte@bakkerij.example")
        for _ in range(4):  # the level may rise while traffic goes on; it stops at three
            questions = page.locator("#challenge label").all_inner_texts()
            for i, question in enumerate(questions, start=1):
                page.locator(f"#f-challenge-{i}").fill(_answer(question))
            page.wait_for_timeout(WAIT[len(questions)] * 1000 + 300)
            page.get_by_role("button", name="Verstuur mijn vraag").click()
            if "/mijn-vraag/" in page.url:
                break
        expect(page).to_have_url(re.compile(r"/mijn-vraag/LK-\d{4}-\d{6}"))
    finally:
        if before is None:
            del app.state.limits_policy
        else:
            app.state.limits_policy = before
