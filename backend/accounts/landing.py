"""Where a person works: the role's start page after logging in and the menu's work items.

Roles live in several domains (global roles here; desk membership in routing, group
membership in community), so the domains that know a role register a *workplace* here instead
of accounts importing them (as ``cases.panels`` does for the case page). Each workplace
answers, for a principal, whether it is theirs. ``workplaces`` lists all of a person's, in
menu order; ``start_page`` is the first in *landing* order (``rank``), or ``/`` for a person
without a workplace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from sqlmodel import Session, select

from backend.accounts.models import ADMIN, ANALYST, EDITOR, User, UserRole
from backend.accounts.principal import Principal
from backend.core.domain import registrations_complete
from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _
from backend.core.templating import env


@dataclass(frozen=True)
class Workplace:
    path: str
    title: str  # translated when listed


@dataclass(frozen=True)
class _Entry:
    key: str
    path: str
    title: str  # message id
    rank: int  # landing order: the lowest of a person's workplaces is their start page
    menu: int  # menu order
    applies: Callable[[Session, Principal], bool]


_registry: dict[str, _Entry] = {}


def register_workplace(key: str, path: str, title: str, *, rank: int, menu: int,
                       applies: Callable[[Session, Principal], bool]) -> None:
    """``title`` is an English message id (``N_``), translated when the menu is drawn."""
    _registry[key] = _Entry(key, path, title, rank, menu, applies)


def _mine(session: Session, principal: Principal | None) -> list[_Entry]:
    if principal is None or principal.user_id is None:
        return []
    registrations_complete()  # desks and groups register theirs
    return [e for e in _registry.values() if e.applies(session, principal)]


def workplaces(session: Session, principal: Principal | None) -> list[Workplace]:
    return [Workplace(e.path, _(e.title))
            for e in sorted(_mine(session, principal), key=lambda e: e.menu)]


def start_page(session: Session, principal: Principal | None) -> str:
    mine = sorted(_mine(session, principal), key=lambda e: e.rank)
    return mine[0].path if mine else "/"


def start_page_for(session: Session, user_id: int) -> str:
    """The start page of a user who has just logged in (no principal on the request yet)."""
    user = session.get(User, user_id)
    if user is None:
        return "/"
    roles = session.exec(select(UserRole.role).where(UserRole.user_id == user_id)).all()
    return start_page(session, Principal(user_id=user_id, email=user.email, name=user.name,
                                         roles=frozenset(roles)))


# The global roles are accounts' own.
# An admin holds every role (``Principal.has``) and so sees every global workplace.
register_workplace(ADMIN, "/beheer", N_("Admin"), rank=10, menu=90,
                   applies=lambda s, p: ADMIN in p.roles)
register_workplace(EDITOR, "/redactie", N_("Editorial dashboard"), rank=20, menu=80,
                   applies=lambda s, p: p.has(EDITOR))
register_workplace(ANALYST, "/inzicht", N_("Insight"), rank=30, menu=70,
                   applies=lambda s, p: p.has(ANALYST))


def menu_workplaces(request: Request) -> list[Workplace]:
    """The logged-in person's workplaces for the main menu (a Jinja global), read once per
    request in a short read transaction of its own (the page may be rendered by any handler)."""
    state = request.scope.setdefault("state", {})
    principal = state.get("principal")
    if principal is None or principal.user_id is None:
        return []
    cached: list[Workplace] | None = state.get("workplaces")
    if cached is None:
        with request.app.state.db.transaction(write=False) as session:
            cached = workplaces(session, principal)
        state["workplaces"] = cached
    return cached


env.globals["workplaces"] = menu_workplaces
