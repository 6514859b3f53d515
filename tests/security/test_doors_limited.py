"""Every door that creates a case or sends mail is limited, and a new door cannot forget.

The test walks the source (``tests/security/callgraph.py``, Python's ``ast``) for every route
handler from which a call path reaches an *act*: creating a case (``ask_question``, the
``Case`` model) or queueing mail (``send_mail``, the one caller of the outbox's mail kind).
Each such path must pass through a *guard*: a function that applies its row of the
rate-limit table (``limits.enforce``, ``limits.ceilings``, ``limits.staff_act``,
``limits.case_act``) — and the guard must come before the call that leads to the act. A
route added tomorrow that mails someone, or a service that creates a case without its
limits, fails here.

The routes are cross-checked against the app's real routing table, so a handler the walker
did not see (a new decorator style) fails too; and a synthetic forgetful door proves the
check can fail. The dynamic tests that each guard really refuses are in
``tests/cases/test_limits.py``, ``tests/scan/test_scan_limits.py`` and
``tests/accounts/test_login_limits.py``.
"""

from __future__ import annotations

import functools
from pathlib import Path

from fastapi.routing import APIRoute

from backend.core.db import Database
from tests.conftest import make_settings
from tests.security import callgraph
from tests.security.callgraph import Graph

ACTS = {
    "backend.cases.service:ask_question",  # creates a case (every question door)
    "backend.cases.models:Case",  # the case row itself, should anyone build one elsewhere
    "backend.core.mail:send_mail",  # queues mail (enqueue(MAIL_KIND) is called only there)
}
GUARDS = {"backend.core.limits:enforce", "backend.core.limits:ceilings",
          "backend.core.limits:staff_act", "backend.core.limits:case_act"}
# Doors the outside test of 2026-12 used, and the others known today: if the walker stops
# seeing one of these, the walker is broken, not the door fixed.
KNOWN_DOORS = {
    ("POST", "/vraag"), ("POST", "/questions"), ("POST", "/scan/resultaat/{token}/bespreken"),
    ("POST", "/mijn-vraag/{reference}/reactie"), ("POST", "/vraag/link-opnieuw"),
    ("POST", "/inloggen"), ("POST", "/zaken/{reference}/antwoord"),
    ("POST", "/cases/{reference}/replies"), ("POST", "/groepen/{slug}/uitnodigen"),
}


@functools.cache
def backend_graph() -> Graph:
    return callgraph.build()


def guarded_functions(graph: Graph) -> set[str]:
    return {f for f, callees in graph.calls.items() if callees & GUARDS}


def unlimited_doors(graph: Graph) -> list[str]:
    """Routes with a call path to an act that passes no guard, with that path."""
    stop = guarded_functions(graph)
    out = []
    for route in graph.routes:
        path = graph.reaches(route.function, ACTS, stop=stop)
        if path is not None:
            out.append(f"{route.method} {route.path}: " + " → ".join(path))
    return out


def doors(graph: Graph) -> set[tuple[str, str]]:
    return {(r.method, r.path) for r in graph.routes
            if graph.reaches(r.function, ACTS, stop=set()) is not None}


def late_guards(graph: Graph) -> list[str]:
    """Guarded functions that call towards an act *before* their guard."""
    reaching = {f for f in graph.functions
                if graph.reaches(f, ACTS, stop=GUARDS) is not None}
    out = []
    for f in guarded_functions(graph):
        sites = graph.sites.get(f, [])
        first_guard = min(line for callee, line in sites if callee in GUARDS)
        early = [f"{callee} (line {line})" for callee, line in sites
                 if line < first_guard and (callee in ACTS or callee in reaching)
                 and callee not in GUARDS]
        if early:
            out.append(f"{f}: {', '.join(early)} before its limit (line {first_guard})")
    return out


def test_every_door_to_an_act_is_limited() -> None:
    graph = backend_graph()
    found = doors(graph)
    assert found >= KNOWN_DOORS, f"the walker lost doors: {sorted(KNOWN_DOORS - found)}"
    assert len(found) >= 21  # measured 2026-12-07: 21 doors (6 anonymous, 15 for staff)
    assert unlimited_doors(graph) == []


def test_guards_come_before_the_act() -> None:
    assert late_guards(backend_graph()) == []


def test_the_acts_apply_their_own_limits() -> None:
    """The limits are in the services, not the routes: every door shares them."""
    guarded = guarded_functions(backend_graph())
    for service in ("backend.cases.service:ask_question",
                    "backend.cases.service:entrepreneur_reply",
                    "backend.cases.service:resend_link",
                    "backend.cases.service:exchange_token",
                    "backend.accounts.login:request_login_link",
                    "backend.accounts.login:password_login",
                    "backend.cases.workspace:reply", "backend.community.service:invite"):
        assert service in guarded, service
    assert not any(f.split(":")[0].rsplit(".", 1)[-1].startswith("routes") for f in guarded
                   if f.endswith(":ask_submit") or f.endswith(":scan_discuss"))


def test_a_forgetful_door_is_caught() -> None:
    """A new route that mails someone, or creates a case row, without a limit fails."""
    forgetful = '''
from fastapi import APIRouter
from backend.cases import notify
from backend.cases.models import Case
from backend.core.mail import send_mail

router = APIRouter()


@router.post("/nieuwe-deur")
def new_door(session, email: str) -> None:
    send_mail(session, to=email, subject="Hallo", text="Spam")


@router.post("/nog-een-deur")
def another_door(session, case) -> None:
    notify.link_again(session, case, "token", "")


def _make(session):
    return Case(reference="x")


@router.post("/derde-deur")
def third_door(session) -> None:
    _make(session)
'''
    graph = callgraph.build(extra={"backend.fake_doors": forgetful})
    caught = unlimited_doors(graph)
    assert any(c.startswith("POST /nieuwe-deur") for c in caught), caught
    assert any(c.startswith("POST /nog-een-deur") for c in caught), caught
    assert any(c.startswith("POST /derde-deur") for c in caught), caught
    late = '''
from backend.core import limits
from backend.core.mail import send_mail


def mail_first(session, door, email):
    send_mail(session, to=email, subject="x", text="y")
    limits.enforce(session, door.policy, "resend_link", address=door.address)
'''
    assert late_guards(callgraph.build(extra={"backend.fake_late": late})) != []


def test_the_walker_sees_every_route_of_the_app(tmp_path: Path, database_url: str,
                                                db: Database) -> None:
    """Cross-check with the app's routing table: every unsafe route's handler is a route
    the walker found, so a door cannot hide behind a decorator the walker does not know."""
    from backend.main import create_app

    app = create_app(make_settings(tmp_path, database_url), db, start_worker=False)
    graph = backend_graph()
    seen = {r.function for r in graph.routes}
    missing = []
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        if not (route.methods or set()) - {"GET", "HEAD", "OPTIONS"}:
            continue
        name = f"{route.endpoint.__module__}:{route.endpoint.__name__}"
        if name not in seen:
            missing.append(f"{sorted(route.methods or ())} {route.path} ({name})")
    assert missing == []
