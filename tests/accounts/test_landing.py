"""Navigation by role (issue 15): each person's workplaces are in the main menu, in Dutch and
English, and logging in without a page to return to lands on the role's start page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlmodel import Session

from backend.accounts.models import User
from tests.client import LoketClient
from tests.factories.accounts import create_login_link, create_user
from tests.factories.cases import regional_setup
from tests.factories.community import create_group, member_with_person
from tests.factories.routing import add_member


def _nav(html: str) -> list[tuple[str, str]]:
    """(href, text) of the main menu's links."""
    menu = re.search(r'<nav class="site-nav".*?</nav>', html, re.S)
    assert menu, html[:500]
    return [(h, re.sub(r"\s+", " ", t).strip())
            for h, t in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', menu.group(0), re.S)]


def _people(session: Session) -> dict[str, User]:
    desks = regional_setup(session)
    group = create_group(session)
    _, member = member_with_person(session, group)
    people = {
        "advisor": add_member(session, desks["rvo"], create_user(session, name="Adviseur")),
        "member": member,
        "editor": create_user(session, roles=("editor",)),
        "admin": create_user(session, roles=("admin",)),
        "analyst": create_user(session, roles=("analist",)),
        "nobody": create_user(session),
    }
    session.commit()
    return people


WORK_LINKS = {"/werkplek", "/mijn-groepen", "/redactie", "/beheer", "/inzicht"}


@pytest.mark.parametrize(("who", "dutch", "english"), [
    ("advisor", [("/werkplek", "Werkplek")], [("/werkplek", "Workspace")]),
    ("member", [("/mijn-groepen", "Mijn groepen")], [("/mijn-groepen", "My groups")]),
    ("editor", [("/redactie", "Redactie")], [("/redactie", "Editorial dashboard")]),
    ("analyst", [("/inzicht", "Inzicht")], [("/inzicht", "Insight")]),
    ("admin", [("/inzicht", "Inzicht"), ("/redactie", "Redactie"), ("/beheer", "Beheer")],
     [("/inzicht", "Insight"), ("/redactie", "Editorial dashboard"), ("/beheer", "Admin")]),
    ("nobody", [], []),
])
def test_the_menu_offers_each_role_its_workplace(
        client: LoketClient, session: Session, login: Callable[..., LoketClient], who: str,
        dutch: list[tuple[str, str]], english: list[tuple[str, str]]) -> None:
    login(_people(session)[who])
    work = [link for link in _nav(client.get("/").text) if link[0] in WORK_LINKS]
    assert work == dutch
    client.cookies.set("loket_lang", "en")
    work = [link for link in _nav(client.get("/").text) if link[0] in WORK_LINKS]
    assert work == english


def test_anonymous_visitors_get_no_workplaces(client: LoketClient) -> None:
    assert not [link for link in _nav(client.get("/").text) if link[0] in WORK_LINKS]


@pytest.mark.parametrize(("who", "start"), [
    ("advisor", "/werkplek"), ("member", "/mijn-groepen"), ("editor", "/redactie"),
    ("admin", "/beheer"), ("analyst", "/inzicht"), ("nobody", "/"),
])
def test_login_without_next_lands_on_the_roles_start_page(
        client: LoketClient, session: Session, who: str, start: str) -> None:
    user = _people(session)[who]
    token = create_login_link(session, user)
    session.commit()
    r = client.post(f"/inloggen/link/{token}")
    assert r.status_code == 303 and r.headers["location"] == start
    assert client.get(start).status_code == 200


def test_login_with_next_still_returns_there(client: LoketClient, session: Session) -> None:
    user = _people(session)["advisor"]
    token = create_login_link(session, user)
    session.commit()
    r = client.post(f"/inloggen/link/{token}", data={"next": "/zoeken"})
    assert r.headers["location"] == "/zoeken"


def test_my_groups_lists_the_firms_groups(client: LoketClient, session: Session,
                                          login: Callable[..., LoketClient]) -> None:
    people = _people(session)
    login(people["member"])
    html = client.get("/mijn-groepen").text
    assert "Testgroep" in html and "/ruimte" in html
    login(people["nobody"])
    assert "nog geen lid van een groep" in client.get("/mijn-groepen").text
