"""A served app answers before it has imported every domain (``backend.main``, issue 19 cold
start): the domains of ``LATER`` come in with the first use of one of their routes or
registries, or with the warm-up. In a fresh process (every test here starts one: this test
process has imported everything), such an app has the same routes in the same order, answers
every page as an app that imported everything, and whatever reads a registry those domains
fill imports them first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Match

from backend.core import domain as registrations
from backend.core import worker as worker_module
from backend.core.routing import LazyRoute, include_table, route_table
from backend.core.settings import ROOT
from backend.core.worker import Worker
from backend.domains import LATER, domains
from backend.main import create_app, read_route_table, source_digest, write_route_table
from tests.freshdb import FreshDatabase, fresh_db

__all__ = ["fresh_db"]

# A fresh process with a served app (``warm_up``: the lazy path) on the test's database, its
# route table read from TABLE; not started (no lifespan: no warm-up thread, no worker).
PRELUDE = """
import json, sys
from pathlib import Path
import backend.main as main
main.ROUTE_TABLE = Path({table!r})
import backend.cli
from backend.core.settings import Settings
from backend.domains import LATER, imported
settings = Settings(**json.loads({settings!r}))
app = main.create_app(settings, warm_up=True, start_worker=False)
out = {{"waiting": app.state.later is not None, "imported": imported(LATER)}}
"""

PATHS = ["/", "/regelingen", "/kennisbank", "/loketten", "/regelingen/zoeker", "/vraag",
         "/scan", "/groepen", "/inzicht", "/open-data", "/privacy", "/inloggen/demo",
         "/api/v1/schemes", "/api/v1/routing/desks", "/regelingen/", "/nergens",
         "/werkplek", "/mijn-groepen", "/api/v1/openapi.json"]


def _settings_json(fresh_db: FreshDatabase) -> str:
    values = fresh_db.settings().model_dump(mode="json")
    return json.dumps({k: values[k] for k in ("env", "secret_key", "base_url", "database_url",
                                               "var_dir", "search_path", "log_json")})


def _run(fresh_db: FreshDatabase, table: Path, body: str) -> dict[str, Any]:
    code = PRELUDE.format(table=str(table), settings=_settings_json(fresh_db)) + body + (
        "\nprint(json.dumps(out))\n")
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "LOKET_LOG_LEVEL": "ERROR"})
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return found


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "routes.json"
    assert write_route_table(path)
    return path


def _rows(app: FastAPI) -> list[list[Any]]:
    return [[type(r).__name__ if not isinstance(r, APIRoute) else "route", r.path,  # type: ignore[attr-defined]
             sorted(getattr(r, "methods", None) or ()), r.name,  # type: ignore[attr-defined]
             getattr(r, "include_in_schema", None)] for r in app.router.routes]


ROWS = """
def rows():
    from fastapi.routing import APIRoute
    return [[type(r).__name__ if not isinstance(r, APIRoute) else "route", r.path,
             sorted(getattr(r, "methods", None) or ()), r.name,
             getattr(r, "include_in_schema", None)] for r in app.router.routes]
"""


def test_a_served_app_answers_every_page_as_one_that_imported_everything(
        fresh_db: FreshDatabase, table: Path) -> None:
    out = _run(fresh_db, table, ROWS + f"PATHS = {PATHS!r}\n" + """
from fastapi.testclient import TestClient
out["rows"] = rows()
client = TestClient(app, follow_redirects=False)
for path in ("/", "/regelingen"):  # the menu asks whether /scan, /groepen ... exist
    out[path] = client.get(path).status_code
out["imported after the first pages"] = imported(LATER)
out["statuses"] = {p: client.get(p).status_code for p in PATHS}
out["imported"] = imported(LATER)
out["pending"] = sum(getattr(r, "is_pending", False) for r in app.router.routes)
out["rows after"] = rows()
""")
    assert out["waiting"] and out["/"] == 200 and out["/regelingen"] == 200
    assert not out["imported after the first pages"]
    assert out["imported"] and out["pending"] == 0
    eager = create_app(fresh_db.settings(), fresh_db.db, start_worker=False)
    assert out["rows"] == out["rows after"] == _rows(eager)
    client = TestClient(eager, follow_redirects=False)
    statuses = {p: client.get(p).status_code for p in PATHS}
    assert out["statuses"] == statuses
    assert statuses["/vraag"] == 200 and statuses["/nergens"] == 404


def test_the_first_page_of_each_later_domain_imports_them(
        fresh_db: FreshDatabase, table: Path) -> None:
    """Whichever later domain's page comes first, it is served (the import runs in a thread of
    its own, the event loop serving others meanwhile) and brings in all of them."""
    for path, status in (("/loketten", 200), ("/groepen", 200), ("/inzicht", 303)):
        out = _run(fresh_db, table, f"""
from fastapi.testclient import TestClient
client = TestClient(app, follow_redirects=False)
out["status"] = client.get({path!r}).status_code
out["imported"] = imported(LATER)
""")
        assert out["waiting"] and out["status"] == status and out["imported"], (path, out)


@pytest.mark.parametrize("reader", [
    "from backend.core.outbox import get_handler; get_handler('mail.send')",
    "from backend.core.outbox import registered_kinds; registered_kinds()",
    "from backend.core.worker import periodic_jobs; periodic_jobs()",
    "from backend.content.experts import introduction_desk; introduction_desk()",
    ("from backend.accounts.landing import workplaces\n"
     "from backend.accounts.principal import Principal\n"
     "try:\n"
     "    workplaces(None, Principal(user_id=1, email='a@b.nl', name='A', roles=frozenset()))\n"
     "except AttributeError:  # no session: the desks' and groups' checks need one\n"
     "    pass\n"),
    ("from backend.accounts.login import _offered_account\n"
     "try:\n"
     "    _offered_account(None, 'a@b.nl', None)\n"
     "except AttributeError:  # no session\n"
     "    pass\n"),
    ("from backend.content.searching import SearchParams, run_search\n"
     "from backend.search import Results\n"
     "class Engine:\n"
     "    def search(self, query):\n"
     "        return Results(hits=[], total=0, facets={}, took_ms=0.0)\n"
     "run_search(Engine(), SearchParams(q='subsidie'))\n"),
])
def test_reading_a_registry_imports_the_domains_that_fill_it(
        fresh_db: FreshDatabase, table: Path, reader: str) -> None:
    out = _run(fresh_db, table, reader + "\nout['after'] = imported(LATER)\n" + REGISTRIES)
    assert out["waiting"] and not out["imported"] and out["after"]
    # What a fresh process that imported every domain has registered (this test process has
    # the test suite's own handlers too).
    done = subprocess.run([sys.executable, "-W", "ignore", "-c",
                           "import json\n"
                           "from backend.main import register_handlers\n"
                           "register_handlers()\n"
                           "out = {}\n" + REGISTRIES + "print(json.dumps(out))\n"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    every = json.loads(done.stdout)
    assert {k: out[k] for k in every} == every
    assert every["listeners"] >= 1 and every["offers"] >= 1 and every["desks"] == 1
    assert "cases.sla" in every["jobs"] and "search.index" in every["kinds"]
    assert {"desk", "group"} <= set(every["workplaces"])


REGISTRIES = """
from backend.core.outbox import registered_kinds
from backend.core.worker import periodic_jobs
from backend.content import experts, searching
from backend.accounts import landing, login
out["kinds"] = registered_kinds()
out["jobs"] = [j.name for j in periodic_jobs()]
out["listeners"] = len(searching.search_listeners)
out["workplaces"] = sorted(landing._registry)
out["offers"] = len(login._account_offers)
out["desks"] = len(experts._desk)
"""


def test_a_stale_or_missing_route_table_means_importing_everything(
        fresh_db: FreshDatabase, tmp_path: Path) -> None:
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps({"digest": "0" * 64, "routers": {}}))
    for path in (stale, tmp_path / "missing.json"):
        out = _run(fresh_db, path, "")
        assert not out["waiting"] and out["imported"]
        assert read_route_table(path) is not None  # written for the next start
    assert json.loads(stale.read_text())["digest"] == source_digest()


def test_a_route_table_that_does_not_fit_the_routes_is_replaced_at_their_import(
        fresh_db: FreshDatabase, table: Path) -> None:
    """The table fits the code it was read from; should routes depend on more (the
    environment), the app includes every route anew when the later domains come in."""
    data = json.loads(table.read_text())
    rows = data["routers"]["routing"][0]
    rows[0][0] = "/loketten-oud"
    table.write_text(json.dumps(data))
    out = _run(fresh_db, table, ROWS + """
from fastapi.testclient import TestClient
client = TestClient(app, follow_redirects=False)
out["old"] = client.get("/loketten-oud").status_code
out["new"] = client.get("/loketten").status_code
out["rows"] = rows()
""")
    eager = create_app(fresh_db.settings(), fresh_db.db, start_worker=False)
    assert out["waiting"] and out["old"] == 404 and out["new"] == 200
    assert out["rows"] == _rows(eager)


def test_pending_routes_match_as_built_ones(app: FastAPI) -> None:
    """Routes added from their table match every request as the routes themselves: the same
    answer and path parameters (``answers`` too), without their module."""
    later = [r for d in domains(LATER) for r in (*d.routers, *d.routers_last)]
    resolved: list[bool] = []
    scratch = FastAPI()
    for router in later:
        include_table(scratch.router, route_table(router), lambda: resolved.append(True))
    pending = [r for r in scratch.router.routes if isinstance(r, LazyRoute)]
    built = {(r.path, frozenset(r.methods or ())): r for r in app.router.routes
             if isinstance(r, LazyRoute)}
    assert len(pending) > 150
    checked = 0
    for route in pending:
        twin = built[(route.path, frozenset(route.methods or ()))]
        filled = route.path.replace("{", "x").replace("}", "").replace(":path", "")
        for path in (filled, filled + "/y", route.path.split("{")[0], "/nergens"):
            for method in ("GET", "POST"):
                scope = {"type": "http", "path": path, "root_path": "", "method": method}
                match, child = route.matches(dict(scope))
                twin_match, twin_child = twin.matches(dict(scope))
                assert (match, child.get("path_params")) == (twin_match,
                                                             twin_child.get("path_params"))
                assert route.answers(dict(scope)) == match
                assert child.get("route", route) is route and "endpoint" not in child
                checked += 1
    assert checked > 1000 and resolved == [] and all(r.is_pending for r in pending)
    assert Match.FULL in {r.answers({"type": "http", "path": "/loketten", "root_path": "",
                                     "method": "GET"}) for r in pending}


def test_the_worker_waits_for_the_registrations_then_loads_them_itself(
        monkeypatch: pytest.MonkeyPatch, settings: Any, db: Any) -> None:
    loads: list[float] = []

    def load() -> None:
        loads.append(time.monotonic())
        registrations.registrations_done()

    worker = Worker(db, settings)
    try:
        registrations.defer_registrations(load)
        waiting = threading.Thread(target=worker._await_registrations)
        waiting.start()
        time.sleep(0.2)
        assert waiting.is_alive() and loads == []  # waits, imports nothing beside the start
        registrations.registrations_complete()  # as the warm-up or a visitor's page does
        waiting.join(5)
        assert not waiting.is_alive() and len(loads) == 1
        monkeypatch.setattr(worker_module, "REGISTRATIONS_WAIT", 0.1)
        registrations.defer_registrations(load)
        started = time.monotonic()
        worker._await_registrations()  # nobody else does: after the wait, itself
        assert len(loads) == 2 and loads[1] - started >= 0.1
    finally:
        registrations.registrations_done()


def test_serving_imports_none_of_the_later_domains_before_it_answers() -> None:
    code = ("import sys\n"
            "import backend.cli\n"
            "from backend.domains import LATER\n"
            "assert not [m for m in sys.modules\n"
            "            if m.split('.')[:2] in [['backend', n] for n in LATER]\n"
            "            or m in ('backend.demo', 'backend.models')], sorted(sys.modules)\n")
    subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=ROOT, check=True)


def test_the_warm_up_imports_the_later_domains_a_step_at_a_time(
        fresh_db: FreshDatabase, table: Path) -> None:
    """Before each domain's import the warm-up waits until no visitor's request is in flight
    (``core.visitors``): one import, not all of them, runs beside a request that comes in."""
    out = _run(fresh_db, table, """
seen = []
main.load_later(lambda: seen.append(sorted(n for n in LATER if imported([n]))))
out["seen"] = seen
out["after"] = imported(LATER)
out["pending"] = sum(getattr(r, "is_pending", False) for r in app.router.routes)
""")
    seen = out["seen"]
    assert len(seen) == len(LATER) + 1 and seen[0] == [] and seen[-1] == sorted(LATER)
    for n, now in enumerate(seen):  # the domain of each step is in by the next one
        assert set(LATER[:n]) <= set(now) and set(seen[n - 1] if n else ()) <= set(now)
    assert out["after"] and out["pending"] == 0
