"""Issue 16 in a real browser, checked with axe (WCAG 2.1 AA): an analyst opens /inzicht and
each of its five views, changes a filter, and the public /open-data page."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def _world(live_server: LiveServer) -> int | None:
    from sqlmodel import col, select

    from backend.accounts import service as accounts
    from backend.accounts.models import ANALYST
    from backend.cases.models import Case
    from backend.cases.models_human import CaseFollowup, CaseFollowupAnswer
    from tests.factories import insight as f
    from tests.factories.accounts import create_user

    with live_server.db.transaction() as s:
        world = f.build(s)
        at = datetime(2026, 8, 14, 10, 0, tzinfo=UTC)
        cases = s.exec(select(Case).where(col(Case.id).in_(world.case_ids),
                                          Case.municipality_code == "GM0150",
                                          Case.theme == "financiering")).all()
        for i, case in enumerate(cases):
            fu = CaseFollowup(case_id=case.id or 0, round=3, answered_at=at,
                              sent_at=at - timedelta(days=1),
                              token_hash=hashlib.sha256(f"b-{case.id}".encode()).hexdigest())
            s.add(fu)
            s.flush()
            s.add(CaseFollowupAnswer(followup_id=fu.id or 0, question="acted",
                                     answer="yes" if i else "no"))
        f.freeze(s)
        user = create_user(s, name="Beleid Medewerker")
        assert user.id is not None
        accounts.grant_role(s, user.id, ANALYST)
        return user.id


def test_an_analyst_reads_every_insight_view_accessibly(
        new_context: Callable[..., BrowserContext], live_server: LiveServer) -> None:
    from backend.insight.service import VIEW_SLUGS

    user_id = _world(live_server)
    context = new_context()
    live_server.log_in(context, user_id)
    page = context.new_page()
    page.goto("/inzicht")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_axe_violations(page)
    for slug in VIEW_SLUGS.values():
        page.goto(f"/inzicht/{slug}")
        expect(page.locator("form.insight__filters")).to_be_visible()
        assert_no_axe_violations(page)
        page.locator("select[name=period]").select_option("2026-Q3")
        page.locator("select[name=province]").select_option("PV23")
        with page.expect_navigation():
            page.locator("form.insight__filters button[type=submit]").click()
        assert "period=2026-Q3" in page.url and "province=PV23" in page.url
        expect(page.locator("table").first).to_be_visible()
        if slug == "uitkomsten":
            expect(page.locator("#t-followup")).to_be_visible()
        assert_no_axe_violations(page)


def test_open_data_page_is_accessible(new_context: Callable[..., BrowserContext],
                                      live_server: LiveServer) -> None:
    page = new_context().new_page()
    page.goto("/open-data")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_axe_violations(page)
