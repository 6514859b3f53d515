"""Demo accounts for every role, and a one-click login page for them: development only.

A newcomer who runs ``make run`` can look at the portal as an advisor, a desk coordinator, an
editor, an analyst, an administrator and a member or coordinator of each example ("Voorbeeld")
group. The accounts are made by the seed (``seed_demo_accounts``, the last loader of
``backend.seeding``) only when ``LOKET_ENV=development``; the page ``/inloggen/demo`` answers 404
in every other environment, so neither exists in test or production.

Demo accounts are recognisable: their names start with "Demo-" and their addresses end in
``@demo.loket.test`` (``.test`` is reserved and never delivers mail). This module sits at the
app level (like ``seeding.py``): it composes the domains through their service functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from backend.accounts import login as login_rules
from backend.accounts import service as accounts
from backend.accounts import sessions
from backend.accounts.deps import client_ip
from backend.accounts.models import User
from backend.community import service as community
from backend.community.models import COORDINATOR as GROUP_COORDINATOR
from backend.community.models import Firm, Group
from backend.core.db import Database, SessionDep
from backend.core.errors import NotFound
from backend.core.i18n import gettext_ as _
from backend.core.routing import LazyRoute
from backend.core.settings import Settings
from backend.core.templating import render
from backend.routing import service as routing
from backend.routing.models import ADVISOR, COORDINATOR

DOMAIN = "demo.loket.test"
# A few seeded desks get an advisor and a coordinator: the fallback desk, a national and a
# regional one (those that exist; LOKET_ENV decides which desks the seed loads).
DESKS = ("kvk", "rvo", "oost-nl")

router = APIRouter(include_in_schema=False, route_class=LazyRoute)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: str  # what the account shows, for the demo page
    start: str  # the page the one-click login opens


def enabled(settings: Settings) -> bool:
    return settings.env == "development"


def demo_accounts(session: Session) -> list[DemoAccount]:
    """Every demo account, derived from the seeded desks and example groups (so the seed and
    the page agree without a table of their own)."""
    result = [
        DemoAccount(f"redacteur@{DOMAIN}", "Demo-redacteur", _("Editor"), "/redactie"),
        DemoAccount(f"analist@{DOMAIN}", "Demo-analist", _("Analyst"), "/inzicht"),
        DemoAccount(f"beheerder@{DOMAIN}", "Demo-beheerder", _("Administrator"), "/beheer"),
    ]
    desks = {d.slug: d for d in routing.list_desks(session)}
    for slug in DESKS:
        desk = desks.get(slug)
        if desk is None:
            continue
        result.append(DemoAccount(f"adviseur.{slug}@{DOMAIN}", f"Demo-adviseur {desk.name}",
                                  _("Advisor at %(desk)s", desk=desk.name),
                                  f"/werkplek/{slug}"))
        result.append(DemoAccount(f"coordinator.{slug}@{DOMAIN}",
                                  f"Demo-coördinator {desk.name}",
                                  _("Desk coordinator at %(desk)s", desk=desk.name),
                                  f"/werkplek/{slug}"))
    for group, firm, role, n in _example_firms(session):
        coordinator = role == GROUP_COORDINATOR
        label = (_("Group coordinator of %(group)s (%(firm)s)", group=group.name, firm=firm.name)
                 if coordinator else
                 _("Group member of %(group)s (%(firm)s)", group=group.name, firm=firm.name))
        result.append(DemoAccount(
            f"{group.slug}.{n}@{DOMAIN}",
            f"Demo-{'coördinator' if coordinator else 'lid'} {firm.name}", label,
            f"/groepen/{group.slug}/ruimte"))
    return result


def _example_firms(session: Session) -> list[tuple[Group, Firm, str, int]]:
    rows = []
    for group, _count in community.list_groups(session):
        if not group.is_example:
            continue
        for n, (firm, member) in enumerate(community.members(session, group), start=1):
            rows.append((group, firm, member.role, n))
    return rows


def seed_demo_accounts(db: Database, settings: Settings) -> str:
    """The seed loader: creates what is missing, changes nothing that exists."""
    if not enabled(settings):
        return "demo accounts: none (only in development)"
    created = 0
    with db.transaction() as session:
        specs = {a.email: a for a in demo_accounts(session)}

        def user(email: str, roles: tuple[str, ...] = ()) -> User:
            nonlocal created
            found = accounts.get_user_by_email(session, email)
            if found is not None:
                return found
            created += 1
            return accounts.create_user(session, email, name=specs[email].name, roles=roles,
                                        method="demo_seed")

        user(f"redacteur@{DOMAIN}", ("editor",))
        user(f"analist@{DOMAIN}", ("analist",))
        user(f"beheerder@{DOMAIN}", ("admin",))
        desks = {d.slug: d for d in routing.list_desks(session)}
        for slug in DESKS:
            desk = desks.get(slug)
            if desk is None:
                continue
            for prefix, role in (("adviseur", ADVISOR), ("coordinator", COORDINATOR)):
                person = user(f"{prefix}.{slug}@{DOMAIN}")
                if not any(u.id == person.id for _m, u in routing.members_of(session, desk)):
                    routing.add_member(session, desk, person, role)
        for group, firm, _role, n in _example_firms(session):
            person = user(f"{group.slug}.{n}@{DOMAIN}")
            if community.firm_of_user(session, person.id) is None:
                assert person.id is not None
                community.add_person(session, firm, person.id)
    return f"demo accounts: {created} added (log in at /inloggen/demo)"


# --- the one-click login page ----------------------------------------------------------------

def _check_enabled(request: Request) -> None:
    if not enabled(request.app.state.settings):
        raise NotFound()


@router.get("/inloggen/demo", response_class=HTMLResponse, name="login_demo")
def demo_page(request: Request, session: SessionDep) -> HTMLResponse:
    _check_enabled(request)
    available = [a for a in demo_accounts(session)
                 if accounts.get_user_by_email(session, a.email) is not None]
    return render(request, "accounts/login_demo.html", {"accounts": available},
                  headers={"Cache-Control": "no-store"})


@router.post("/inloggen/demo", name="login_demo_post")
def demo_login(request: Request, session: SessionDep,
               email: Annotated[str, Form()] = "") -> RedirectResponse:
    _check_enabled(request)
    account = next((a for a in demo_accounts(session) if a.email == email.strip().lower()), None)
    user = accounts.get_user_by_email(session, account.email) if account else None
    if account is None or user is None or not user.is_active:
        raise NotFound()  # only the demo accounts: never any other account
    login_rules.complete_login(session, user, method="demo", ip=client_ip(request))
    assert user.id is not None
    sessions.login(request, user.id)
    return RedirectResponse(account.start, status_code=303)
