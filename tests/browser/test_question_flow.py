"""One question end to end in a real browser: asked through the form, answered by an advisor
in the workspace, read by the entrepreneur through the private link from the e-mail."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import LiveServer, mailed

pytestmark = pytest.mark.browser


def _setup(live_server: LiveServer) -> int:
    """Deventer, the fallback desk and Oost NL with one advisor; returns the advisor's id."""
    from tests.factories.accounts import create_user
    from tests.factories.cases import regional_setup
    from tests.factories.routing import add_member

    with live_server.db.transaction() as s:
        desks = regional_setup(s)
        advisor = add_member(s, desks["oost-nl"], create_user(
            s, name="Olga Oost", email=f"olga-{os.urandom(3).hex()}@oost.example"))
        assert advisor.id is not None
        return advisor.id


def _link_from_mail(live_server: LiveServer, to: str, subject_part: str) -> str:
    return mailed(live_server, to, r"https?://\S+/vraag/volgen/\S+", subject=subject_part)


def test_ask_answer_and_read_through_the_private_link(
        page: Page, new_context: Callable[..., BrowserContext], live_server: LiveServer) -> None:
    advisor_id = _setup(live_server)
    email = f"ondernemer-{os.urandom(3).hex()}@bakkerij.example"

    # 1. The entrepreneur asks, without an account.
    page.goto("/vraag")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stel een vraag")
    assert_no_axe_violations(page)
    page.get_by_label("Wat is uw vraag?").fill(
        "Wij willen investeren in een nieuwe oven. Welke financiering of lening past bij "
        "ons als klein bedrijf?")
    page.locator("#f-municipality").fill("Deventer")  # label text from the regions domain
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Ik geef toestemming", exact=False).check()
    page.get_by_role("button", name="Verstuur mijn vraag").click()
    expect(page).to_have_url(re.compile(r"/mijn-vraag/LK-\d{4}-\d{6}"))
    reference = page.url.rsplit("/", 1)[-1].split("?")[0]
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.get_by_role("heading", name="Doorgestuurd naar Oost NL")).to_be_visible()
    assert_no_axe_violations(page)

    # 2. The advisor answers in the workspace.

    advisor = new_context()
    live_server.log_in(advisor, advisor_id)
    desk_page = advisor.new_page()
    desk_page.goto("/werkplek/oost-nl")
    desk_page.get_by_role("link", name=reference).click()
    expect(desk_page.get_by_role("heading", level=1)).to_contain_text(reference)
    desk_page.get_by_label("Antwoord", exact=True).fill(
        "Kijk naar het **Innovatiekrediet** en de regionale leningen van Oost NL.")
    desk_page.get_by_role("button", name="Antwoord versturen").click()
    expect(desk_page.locator(".event--answer strong")).to_have_text("Innovatiekrediet")

    # 3. The entrepreneur opens the link from the e-mail in another browser.
    link = _link_from_mail(live_server, email, "beantwoord")
    reader = new_context().new_page()
    reader.goto(link)
    reader.get_by_role("button", name="Mijn vraag openen").click()
    expect(reader).to_have_url(re.compile(rf"/mijn-vraag/{reference}$"))
    assert "/vraag/volgen/" not in reader.url
    expect(reader.locator(".event--answer strong")).to_have_text("Innovatiekrediet")
    expect(reader.get_by_text("Olga")).to_have_count(0)
    # The link was spent: a second browser is refused.
    other = new_context().new_page()
    other.goto(link)
    other.get_by_role("button", name="Mijn vraag openen").click()
    expect(other.get_by_role("heading", level=1)).to_have_text(
        "Deze link is al gebruikt of verlopen")
