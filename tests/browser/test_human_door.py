"""The human door in a real browser (issue 18): a phone question registered by an advisor and
followed by the entrepreneur through the link; an appointment booked, moved and cancelled;
the productivity scan run by an advisor with the client and attached to the case. Every page
passes axe (WCAG 2.1 AA) with 0 violations."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import select

from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import LiveServer, mailed

pytestmark = pytest.mark.browser


def _people(live_server: LiveServer, desk_slug: str = "rvo", *, coordinator: bool = False
            ) -> int:
    """The small regional map and one advisor (or coordinator) of ``desk_slug``."""
    from backend.routing.models import ADVISOR, COORDINATOR
    from tests.factories.accounts import create_user
    from tests.factories.cases import regional_setup
    from tests.factories.routing import add_member

    with live_server.db.transaction() as s:
        desks = regional_setup(s)
        user = add_member(s, desks[desk_slug], create_user(
            s, name="Bram Balie", email=f"bram-{os.urandom(3).hex()}@loket.example"),
            role=COORDINATOR if coordinator else ADVISOR)
        assert user.id is not None
        return user.id


def _mail_link(live_server: LiveServer, to: str) -> str:
    return mailed(live_server, to, r"https?://\S+/vraag/volgen/\S+")


def _open_link(page: Page, link: str) -> None:
    page.goto(link)
    page.get_by_role("button", name="Mijn vraag openen").click()
    expect(page).to_have_url(re.compile(r"/mijn-vraag/LK-\d{4}-\d{6}$"))


def test_phone_question_registered_and_followed_through_the_link(
        page: Page, new_context: Callable[..., BrowserContext], live_server: LiveServer) -> None:
    advisor_id = _people(live_server)
    email = f"beller-{os.urandom(3).hex()}@example.nl"
    live_server.log_in(page.context, advisor_id)

    page.goto("/werkplek/rvo")
    page.get_by_role("link", name="Vraag registreren", exact=False).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vraag registreren")
    assert_no_axe_violations(page)
    page.get_by_label("Kanaal").select_option("telefoon")
    page.get_by_label("Vraag", exact=True).fill(
        "Een bakker belt: welke lening past bij een nieuwe oven voor zijn bedrijf?")
    page.locator("#f-municipality").fill("Deventer")
    page.get_by_label("Onderwerp").select_option("financiering")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("De ondernemer gaf toestemming", exact=False).check()
    page.get_by_label("Wie gaf toestemming").fill("Bakker Bart")
    page.get_by_role("button", name="Toon de routering").click()
    expect(page.get_by_role("heading", name="Routering: Oost NL")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Registreer de vraag").click()
    # Sent on to Oost NL, where this advisor of RVO is no member: back to the intake.
    expect(page).to_have_url(re.compile(r"/werkplek/rvo/intake\?geregistreerd=LK-\d{4}-\d{6}"))
    expect(page.get_by_text("is geregistreerd en doorgestuurd naar Oost NL")).to_be_visible()
    assert_no_axe_violations(page)
    reference = re.search(r"LK-\d{4}-\d{6}", page.url).group(0)  # type: ignore[union-attr]
    entrepreneur = new_context().new_page()
    _open_link(entrepreneur, _mail_link(live_server, email))
    expect(entrepreneur.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(entrepreneur.get_by_role("heading", name="Vraag ontvangen (telefoon)")).to_be_visible()
    expect(entrepreneur.get_by_role("heading", name="Doorgestuurd naar Oost NL")).to_be_visible()
    assert_no_axe_violations(entrepreneur)


def test_book_move_and_cancel_an_appointment(
        page: Page, new_context: Callable[..., BrowserContext], live_server: LiveServer) -> None:
    from backend.cases import service
    from backend.routing.models import Desk
    from tests.factories.cases import create_case

    coordinator_id = _people(live_server, "oost-nl", coordinator=True)
    live_server.log_in(page.context, coordinator_id)
    page.goto("/werkplek/oost-nl/afspraken")
    assert_no_axe_violations(page)
    day = (datetime.now() + timedelta(days=3 + int.from_bytes(os.urandom(1), "big") % 200))
    page.get_by_label("Dag").fill(day.strftime("%Y-%m-%d"))
    page.get_by_label("Van", exact=False).fill("10:00")
    page.get_by_label("Tot").fill("11:30")
    page.get_by_label("Minuten per afspraak").fill("30")
    page.get_by_label("Plaats").fill("Kantoor Oost NL, Enschede")
    page.get_by_role("button", name="Publiceren").click()
    expect(page.locator("tbody tr")).not_to_have_count(0)
    assert_no_axe_violations(page)

    with live_server.db.transaction() as s:
        desk = s.exec(select(Desk).where(Desk.slug == "oost-nl")).one()
        case = create_case(s, desk, email=f"afspraak-{os.urandom(3).hex()}@example.nl")
        token = service.issue_token(s, case)
        reference = case.reference
    entrepreneur = new_context().new_page()
    _open_link(entrepreneur, f"{live_server.url}/vraag/volgen/{token}")
    when = day.strftime("%-d")
    options = entrepreneur.locator("#f-slot_id option")
    first_label = options.first.inner_text()
    assert when in first_label
    entrepreneur.get_by_role("button", name="Deze tijd boeken").click()
    expect(entrepreneur.get_by_text("Uw afspraak is geboekt.")).to_be_visible()
    assert_no_axe_violations(entrepreneur)

    second = entrepreneur.locator("#f-slot_id option").nth(1)
    entrepreneur.get_by_label("Verplaatsen naar een andere tijd").select_option(
        second.get_attribute("value"))
    entrepreneur.get_by_role("button", name="Afspraak verplaatsen").click()
    expect(entrepreneur.locator(".event--appointment_moved")).to_have_count(1)

    entrepreneur.get_by_role("button", name="Afspraak annuleren").click()
    expect(entrepreneur.get_by_text("Uw afspraak is geannuleerd.")).to_be_visible()
    expect(entrepreneur.locator(".event--appointment_cancelled")).to_have_count(1)
    assert_no_axe_violations(entrepreneur)
    # the coordinator sees the slots free again
    page.goto("/werkplek/oost-nl/afspraken")
    expect(page.get_by_role("link", name=reference)).to_have_count(0)


def test_advisor_runs_the_scan_with_the_client(
        page: Page, new_context: Callable[..., BrowserContext], live_server: LiveServer) -> None:
    from backend.cases import service
    from backend.routing.models import Desk
    from backend.scan.service import load_seed
    from tests.factories.cases import create_case

    advisor_id = _people(live_server, "oost-nl")
    load_seed(live_server.db, live_server.settings)
    with live_server.db.transaction() as s:
        desk = s.exec(select(Desk).where(Desk.slug == "oost-nl")).one()
        case = create_case(s, desk, email=f"scan-{os.urandom(3).hex()}@example.nl",
                           company_size="klein")
        token = service.issue_token(s, case)
        reference = case.reference
    live_server.log_in(page.context, advisor_id)
    page.goto(f"/werkplek/zaken/{reference}")
    page.get_by_role("link", name="Doe de productiviteitsscan samen met de klant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Productiviteitsscan met de klant")
    assert_no_axe_violations(page)
    radios = page.locator('input[type="radio"][value="3"]')
    for i in range(radios.count()):
        radios.nth(i).check()
    page.get_by_role("button", name="Opslaan en bij de vraag voegen").click()
    expect(page).to_have_url(re.compile(rf"/werkplek/zaken/{reference}"))
    expect(page.get_by_role("heading", name="Bijgevoegde productiviteitsscan")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Productiviteitsscan samen ingevuld"))
           ).to_be_visible()
    assert_no_axe_violations(page)

    entrepreneur = new_context().new_page()
    _open_link(entrepreneur, f"{live_server.url}/vraag/volgen/{token}")
    expect(entrepreneur.get_by_role("heading", name="Uw productiviteitsscan")).to_be_visible()
    assert_no_axe_violations(entrepreneur)
