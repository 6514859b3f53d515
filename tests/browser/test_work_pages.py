"""The work pages in a real browser (issue 15): each role finds its workplace in the menu and
lands there after logging in; the advisor's case page (two columns on a wide screen, one on a
phone); closing with an explicit outcome; the entrepreneur's consent to a hand-off. Every page
passes axe (WCAG 2.1 AA) with 0 violations."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("LOKET_SCREENSHOTS", "var/screenshots"))


def _mail_text(live_server: LiveServer, to: str, pattern: str) -> str:
    """The first match of ``pattern`` in the newest mail to ``to`` that has one."""
    from backend.core.mail import MAIL_KIND
    from backend.core.outbox import OutboxMessage

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with live_server.db.transaction(write=False) as s:
            for row in s.exec(select(OutboxMessage).where(OutboxMessage.kind == MAIL_KIND)
                              .order_by(col(OutboxMessage.id).desc())).all():
                if row.payload["to"] == to:
                    match = re.search(pattern, row.payload["text"])
                    if match:
                        return match.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to} matching {pattern}")


def _advisor(live_server: LiveServer, desk_slug: str = "rvo") -> tuple[int, str]:
    from tests.factories.accounts import create_user
    from tests.factories.cases import add_member, regional_setup

    email = f"adviseur-{os.urandom(3).hex()}@loket.example"
    with live_server.db.transaction() as s:
        desks = regional_setup(s)
        user = add_member(s, desks[desk_slug], create_user(s, name="Anna Advies", email=email))
        assert user.id is not None
        return user.id, email


def test_an_advisor_logs_in_lands_on_the_workspace_and_finds_it_in_the_menu(
        page: Page, live_server: LiveServer) -> None:
    _, email = _advisor(live_server)
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_role("button", name=re.compile("link", re.I)).click()
    link = _mail_text(live_server, email, r"https?://\S+/inloggen/link/\S+")
    page.goto(link)
    page.locator("main").get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(r"/werkplek$"))
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu.get_by_role("link", name="Werkplek")).to_have_attribute("aria-current", "page")
    assert_no_axe_violations(page)
    page.goto("/taal/en?next=/")
    expect(page.get_by_role("navigation", name="Main menu")
           .get_by_role("link", name="Workspace")).to_be_visible()


def test_a_group_member_finds_my_groups(page: Page, live_server: LiveServer) -> None:
    from tests.factories.community import create_group, member_with_person

    with live_server.db.transaction() as s:
        group = create_group(s, name="Installateurs Oost")
        _, person = member_with_person(s, group)
        user_id = person.id
    live_server.log_in(page.context, user_id)
    page.goto("/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Mijn groepen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn groepen")
    expect(page.get_by_role("link", name="Installateurs Oost")).to_be_visible()
    assert_no_axe_violations(page)
