"""A group's cycle in a real browser: post in the feed (with an attachment), define a KPI and a
period, submit figures, close the period and see the comparison (chart and table), take part
in the comparison across groups, make an API token; axe on every page."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, FilePayload, expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_group_cycle(new_context: Callable[..., BrowserContext], live_server: LiveServer) -> None:
    from backend.community import benchmarks as bm
    from backend.community import service
    from backend.community.models import KpiFigure
    from tests.factories.accounts import create_user
    from tests.factories.community import create_firm, create_group, join

    suffix = os.urandom(3).hex()
    with live_server.db.transaction() as s:
        group = create_group(s, slug=f"browsergroep-{suffix}", name="Browsergroep")
        coordinator = create_user(s, name="Cora Coördinator")
        firm = create_firm(s, name="Cora BV", people=(coordinator,))
        join(s, group, firm, coordinator=True)
        peers = [create_firm(s, name=f"Peer {i}") for i in range(6)]
        for peer in peers:
            join(s, group, peer)
        user_id = coordinator.id
        slug = group.slug
    context = new_context()
    live_server.log_in(context, user_id)
    page = context.new_page()

    page.goto(f"/groepen/{slug}/ruimte")
    assert_no_axe_violations(page)
    page.get_by_label("Uw bericht").fill("Wie heeft ervaring met **SMED**?")
    attachment: FilePayload = {"name": "omsteltijden.csv", "mimeType": "text/csv",
                               "buffer": b"machine,minuten\npers,42\n"}
    page.get_by_label("Bijlage").set_input_files(files=attachment)
    page.get_by_role("button", name="Bericht plaatsen").click()
    expect(page.get_by_role("status").first).to_contain_text("geplaatst")
    expect(page.locator("article strong")).to_have_text("SMED")
    expect(page.get_by_role("link", name="omsteltijden.csv")).to_be_visible()
    assert_no_axe_violations(page)

    page.goto(f"/groepen/{slug}/kengetallen")
    page.get_by_label("Kant-en-klaar kengetal").select_option("oee")
    page.get_by_role("button", name="Kengetal toevoegen").first.click()
    page.get_by_label("Nieuwe periode").fill("2026-K1")
    page.get_by_role("button", name="Periode toevoegen").click()
    expect(page.get_by_role("heading", name="Uw cijfers over 2026-K1")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("textbox", name="OEE (%)").fill("71,5")
    page.get_by_role("button", name="Cijfers opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("opgeslagen")

    with live_server.db.transaction() as s:
        period = bm.periods(s, service.get_group(s, slug))[0]
        kpi = bm.kpis(s, service.get_group(s, slug))[0]
        for i, peer in enumerate(peers):
            assert period.id is not None and peer.id is not None and kpi.id is not None
            s.add(KpiFigure(period_id=period.id, firm_id=peer.id, kpi_id=kpi.id,
                            value=60.0 + 3 * i))
    page.get_by_role("button", name="2026-K1 afsluiten…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026-K1 afsluiten?")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Ja, 2026-K1 afsluiten").click()
    expect(page.get_by_role("status").first).to_contain_text("afgesloten")
    expect(page.locator("svg.benchmark__chart")).to_have_count(1)
    expect(page.get_by_role("table")).to_contain_text("71,5")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Terug naar de ledenruimte").click()
    page.get_by_role("link", name="Instellingen").click()
    assert_no_axe_violations(page)
    page.get_by_label("Meedoen aan de vergelijking tussen groepen").check()
    page.get_by_role("button", name="Instellingen opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("opgeslagen")
    expect(page.get_by_label("Meedoen aan de vergelijking tussen groepen")).to_be_checked()

    page.goto("/groepen/sleutels")
    page.get_by_label("Naam").fill("Boekhoudpakket")
    page.get_by_role("button", name="Token aanmaken").click()
    expect(page.locator("code.token")).to_contain_text("lkt_")
    expect(page.get_by_role("table")).to_contain_text("Boekhoudpakket")
    assert_no_axe_violations(page)
