"""Routes are built at their first use (``backend.core.routing``, issue 19 cold start): nothing
at import or app creation, only the route a request hits, once even under concurrent first
requests; and an included router behaves as FastAPI's own ``include_router`` makes it."""

from __future__ import annotations

import subprocess
import sys
import threading
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel

from backend.core import routing
from backend.core.routing import LazyRoute, include
from backend.core.settings import ROOT
from backend.domains import DOMAINS


def _app_routes(app: FastAPI) -> list[LazyRoute]:
    return [r for r in app.router.routes if isinstance(r, APIRoute)]  # type: ignore[misc]


def test_the_app_builds_no_route_until_one_is_asked_for(app: FastAPI) -> None:
    routes = _app_routes(app)
    assert len(routes) > 300
    assert all(isinstance(r, LazyRoute) for r in routes)
    # Every domain router is lazy, so importing the domains built nothing either.
    for domain in DOMAINS:
        for router in (*domain.routers, *domain.routers_last):
            assert router.route_class is LazyRoute, router
            assert not any(r.built for r in router.routes)  # type: ignore[attr-defined]
    fresh = [r for r in routes if not r.built]
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
    built = [r.path for r in fresh if r.built]
    assert built == ["/healthz"]


def test_importing_the_app_builds_no_route_and_loads_no_heavy_package() -> None:
    code = ("import sys\n"
            "import fastapi.routing as r\n"
            "built = []\n"
            "orig = r.APIRoute.__init__\n"
            "r.APIRoute.__init__ = lambda self, *a, **k: (built.append(a[0]),\n"
            "                                          orig(self, *a, **k))[1]\n"
            "import backend.cli, backend.main\n"
            "assert built == ['/'], built  # backend.core.routing's probe\n"
            "heavy = {'fpdf', 'authlib', 'joserfc', 'redis', 'meilisearch', 'icalendar',\n"
            "         'holidays', 'httpx', 'rich', 'alembic', 'mako', 'pygments',\n"
            "         'aiosmtplib', 'markdown_it', 'yaml', 'babel.messages'}\n"
            "heavy &= set(sys.modules)\n"
            "assert not heavy, heavy\n")
    subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=ROOT, check=True)


class Thing(BaseModel):
    name: str
    size: int = 1


def _user(x_user: Annotated[str, Header()]) -> str:
    if x_user == "nobody":
        raise HTTPException(403, "no")
    return x_user


def _router() -> APIRouter:
    router = APIRouter(prefix="/things", tags=["things"], route_class=LazyRoute,
                       responses={418: {"description": "a teapot"}})

    @router.get("/{slug}", response_model=Thing)
    def get_thing(slug: str, user: Annotated[str, Depends(_user)], size: int = 2) -> dict:
        return {"name": f"{slug} for {user}", "size": size, "secret": "dropped"}

    @router.post("", status_code=201, summary="Make a thing")
    def make_thing(thing: Thing) -> Thing:
        return thing

    return router


def _app(lazy: bool) -> FastAPI:
    app = FastAPI(dependencies=[Depends(lambda: None)])
    if lazy:
        include(app.router, _router())
    else:
        app.include_router(_router())
    return app


def test_an_included_router_behaves_as_fastapis_own_include() -> None:
    lazy, eager = _app(True), _app(False)
    assert lazy.openapi() == eager.openapi()
    for app in (lazy, eager):
        app.dependency_overrides[_user] = lambda: "override"
    answers = []
    for app in (lazy, eager):
        client = TestClient(app)
        answers.append([
            (r.status_code, r.json()) for r in (
                client.get("/things/a", headers={"X-User": "ann"}, params={"size": "5"}),
                client.get("/things/a"),  # the override needs no header
                client.get("/things/a", params={"size": "x"}),
                client.post("/things", json={"name": "b"}),
                client.post("/things", json={"size": 3}),
                client.put("/things"),
                client.get("/nothing"),
            )])
        app.dependency_overrides.clear()
        answers.append([(r.status_code, r.json()) for r in (
            client.get("/things/a", headers={"X-User": "nobody"}),
            client.get("/things/a"))])
    assert answers[0] == answers[2] and answers[1] == answers[3]
    assert answers[0][0] == (200, {"name": "a for override", "size": 5})
    assert answers[1][0][0] == 403


def test_concurrent_first_requests_build_a_route_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    orig = APIRoute.__init__

    def counted(self: APIRoute, *args: object, **kwargs: object) -> None:
        calls.append(args[0])
        orig(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(routing.APIRoute, "__init__", counted)
    route = LazyRoute("/x/{n}", lambda n: n, methods=["GET"])
    assert not route.built and route.path_format == "/x/{n}" and calls == []
    start = threading.Barrier(8)
    seen = []

    def read() -> None:
        start.wait()
        seen.append(route.dependant)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["/x/{n}"] and route.built
    assert len({id(d) for d in seen}) == 1


def test_the_literal_check_matches_as_the_route_would(app: FastAPI) -> None:
    """``LazyRoute.matches`` turns a request away by the path's literal part before the
    regular expression; for every route and many paths it answers what ``APIRoute.matches``
    answers (the match, the endpoint and the path parameters)."""
    routes = _app_routes(app)
    paths = {"/", "", "/x", "/regelingen/", "/regelingen//x", "/static/css/a.css"}
    for route in routes:
        for fill in ("x", "a/b") if ":path}" in route.path else ("x",):
            filled = route.path
            while "{" in filled:
                start = filled.index("{")
                filled = filled[:start] + fill + filled[filled.index("}", start) + 1:]
            paths |= {filled, filled + "x", filled[:-1]}
    assert len(paths) > 300
    checked = 0
    for n, path in enumerate(sorted(paths)):
        for root_path, prefix in (("", ""), ("/loket", "/loket"))[:1 if n % 4 else 2]:
            scope = {"type": "http", "path": prefix + path, "root_path": root_path,
                     "method": "GET", "fastapi": {}}
            for route in routes:
                assert route.matches(dict(scope)) == APIRoute.matches(route, dict(scope)), (
                    route.path, path, root_path)
                checked += 1
    assert checked > 200_000


def test_building_routes_does_not_import_pydantic_v1_and_v1_models_are_still_refused() -> None:
    """FastAPI asks of each parameter whether it is a ``pydantic.v1`` model and imported
    ``pydantic.v1`` to ask; while it is not imported no class can be one
    (``backend.core.routing``). Once it is, a v1 model is refused as FastAPI refuses it."""
    code = ("import sys, warnings\n"
            "from fastapi.routing import APIRoute\n"
            "import backend.cli\n"
            "from backend.main import create_app\n"
            "from backend.core.settings import Settings\n"
            "app = create_app(Settings(env='test', secret_key='s' * 48,\n"
            "                          database_url='sqlite://'))\n"
            "routes = [r for r in app.router.routes if isinstance(r, APIRoute)]\n"
            "for r in routes:\n"
            "    r.dependant, r.response_field  # built\n"
            "assert len(routes) > 300\n"
            "assert 'pydantic.v1' not in sys.modules\n"
            "app.openapi()\n"
            "assert 'pydantic.v1' not in sys.modules\n"
            "with warnings.catch_warnings():\n"
            "    warnings.simplefilter('ignore')\n"
            "    from pydantic import v1\n"
            "class Old(v1.BaseModel):\n"
            "    name: str\n"
            "from fastapi.encoders import jsonable_encoder\n"
            "from fastapi.exceptions import PydanticV1NotSupportedError\n"
            "from fastapi.utils import create_model_field\n"
            "for refuse in (lambda: create_model_field('x', Old),\n"
            "               lambda: create_model_field('x', list[Old]),\n"
            "               lambda: jsonable_encoder(Old(name='a'))):\n"
            "    try:\n"
            "        refuse()\n"
            "    except PydanticV1NotSupportedError:\n"
            "        continue\n"
            "    raise AssertionError('a pydantic.v1 model was not refused')\n")
    subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=ROOT, check=True)
