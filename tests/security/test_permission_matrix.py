"""The permission matrix: every route × method × actor × own/other object (issue 7).

The world (``world.py``) is built once for this module in a transaction that is rolled back at
the end; every request runs in a savepoint of its own that is rolled back afterwards, so an
allowed "delete" never changes what the next cell sees. One test per actor walks the whole
table (``permission_table.py``) and reports every wrong cell at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from tests.client import LoketClient
from tests.conftest import undone
from tests.security.conftest import Env
from tests.security.permission_table import EVERYONE, ROWS, SCOPES, Row
from tests.security.world import ACTORS, Actor, Target, World

DENIED_STATUSES = {401, 403, 404}
MAX_REPORTED = 60


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, static mounts excepted."""
    found: set[tuple[str, str]] = set()
    for ctx in iter_route_contexts(app.routes):
        if isinstance(ctx.original_route, Mount) or ctx.path is None:
            continue
        for method in (ctx.methods or set()) - {"HEAD"}:
            found.add((method, ctx.path))
    return found


def test_every_route_is_in_the_table(env: Env) -> None:
    served = app_routes(env.app)
    in_table = {row.key for row in ROWS}
    missing = sorted(served - in_table, key=lambda k: (k[1], k[0]))
    stale = sorted(in_table - served, key=lambda k: (k[1], k[0]))
    assert not missing, ("routes missing from tests/security/permission_table.py (add a Row; "
                         "see the top of that file):\n"
                         + "\n".join(f"  {m} {p}" for m, p in missing))
    assert not stale, "rows for routes that do not exist:\n" + "\n".join(
        f"  {m} {p}" for m, p in stale)


def test_every_target_kind_exists(env: Env) -> None:
    unknown = {row.obj for row in ROWS if row.obj and row.obj not in env.world.targets}
    assert not unknown, f"rows name target kinds that world.py does not build: {unknown}"
    for row in ROWS:
        for target in env.world.targets.get(row.obj or "", []):
            needed = set(re.findall(r"\{(\w+)(?::\w+)?\}", row.path))
            assert needed <= set(target.params), (row.method, row.path, target.name)


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        # only known names: other braces (YAML, JSON in a text field) stay as they are
        return re.sub(r"\{(\w+)\}", lambda m: names.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {_fill(k, names): _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


def _url(row: Row, target: Target | None, names: dict[str, str]) -> str:
    params = target.params if target else {}
    path = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: params[m.group(1)], row.path)
    return path + (f"?{_fill(row.query, names)}" if row.query else "")


def expected(row: Row, actor: str, target: Target | None) -> str:
    """"allowed", "denied" or "either" (a scoped token on a public route)."""
    allow = set(row.allow)
    scope = SCOPES.get(actor)
    if scope is not None and not scope(row.path):
        return "either" if allow >= EVERYONE else "denied"
    if actor in allow or (target is not None and target.relations_of(actor) & allow):
        return "allowed"
    return "denied"


def verdict(row: Row, status: int, location: str) -> str:
    """"allowed", "denied" or "unexpected" for a response status."""
    if status in row.ok:
        return "allowed"
    if 200 <= status < 300:
        return "allowed"
    if 300 <= status < 400:
        to_login = location == "/inloggen" or location.startswith("/inloggen?")
        return "denied" if to_login else "allowed"
    if status in DENIED_STATUSES:
        return "denied"
    return "unexpected"


def request(client: LoketClient, actor: Actor, row: Row, url: str,
            names: dict[str, str]) -> Any:
    client.cookies.clear()
    for name, value in actor.cookies.items():
        client.cookies.set(name, value)
    kwargs: dict[str, Any] = {"headers": {**actor.headers, **(row.headers or {})}}
    if row.json is not None:
        kwargs["json"] = _fill(row.json, names)
    if row.form is not None:
        kwargs["data"] = _fill(row.form, names)
    if row.files is not None:
        kwargs["files"] = row.files
        kwargs.setdefault("data", {})
    return client.request(row.method, url, **kwargs)


def check_cell(env: Env, client: LoketClient, actor: Actor, row: Row,
               target: Target | None) -> str | None:
    """Run one cell; a description of what is wrong, or None."""
    world = env.world
    names = {**world.vars, **(target.params if target else {})}
    url = _url(row, target, names)
    with undone(env.connection):
        response = request(client, actor, row, url, names)
    where = f"{row.method} {url} [{target.name if target else '-'}]"
    status = response.status_code
    got = verdict(row, status, response.headers.get("location", ""))
    want = expected(row, actor.name, target)
    body = response.text
    leaked = world.leaked_to(actor.name, body)
    if leaked:
        return f"{where}: {status} shows {leaked} (not meant for {actor.name})"
    if got != want and not (want == "either" and got in ("allowed", "denied")):
        return f"{where}: expected {want}, got {status} {body[:160]!r}"
    if got == "denied" and status == 403 and target is not None and target.missing:
        twin = Target(f"missing {target.name}", {**target.params, **target.missing})
        with undone(env.connection):
            other = request(client, actor, row, _url(row, twin, names), names).status_code
        if other != status:
            return f"{where}: {status}, but {other} when it does not exist (confirms it does)"
    if got == "denied" and url.startswith("/api/") and status != 303:
        error = response.json().get("error") if response.headers.get(
            "content-type", "").startswith("application/json") else None
        if not isinstance(error, dict) or "code" not in error:
            return f"{where}: API denial without a JSON error body: {body[:160]!r}"
    return None


def cells(world: World) -> Iterator[tuple[Row, Target | None]]:
    for row in ROWS:
        if row.obj is None:
            yield row, None
        else:
            for target in world.targets.get(row.obj, []):
                yield row, target


@pytest.mark.parametrize("actor_name", ACTORS)
def test_permission_matrix(env: Env, actor_name: str) -> None:
    actor = env.world.actors[actor_name]
    failures: list[str] = []
    checked = 0
    with LoketClient(env.app) as client:
        for row, target in cells(env.world):
            problem = check_cell(env, client, actor, row, target)
            checked += 1
            if problem:
                failures.append(problem)
    assert checked > 200
    shown = "\n".join(failures[:MAX_REPORTED])
    more = f"\n… and {len(failures) - MAX_REPORTED} more" if len(failures) > MAX_REPORTED else ""
    assert not failures, f"{len(failures)} wrong cells for {actor_name}:\n{shown}{more}"


def test_personal_token_stays_in_the_groups_api(env: Env) -> None:
    """Found by the matrix: ``/api/v1/me`` was a prefix, so a token made for submitting
    figures read its owner's whole data export at ``/api/v1/me/data``."""
    from backend.accounts.models import personal_token_may_use

    token = env.world.actors["member_token"]
    with LoketClient(env.app) as client:
        assert client.get("/api/v1/me", headers=token.headers).status_code == 200
        r = client.get("/api/v1/me/data", headers=token.headers)
        assert r.status_code == 403 and r.json()["error"]["code"] == "token_scope"
    assert personal_token_may_use("/api/v1/groups/groep-een/figures")
    assert not personal_token_may_use("/api/v1/me/data")
    assert not personal_token_may_use("/api/v1/meetings")
    assert not personal_token_may_use("/api/v1/groups")


def test_desk_coordinator_changes_only_the_coordinator_fields(env: Env) -> None:
    """The matrix lets a desk's coordinator post the desk form; the fields for admins only
    (name, capacity, coverage, fallback, contact) stay as they were."""
    from sqlmodel import select

    from backend.routing.models import Desk, DeskCoverage

    world = env.world
    slug = world.vars["desk_a"]
    with undone(env.connection):
        with LoketClient(env.app) as client:
            for name, value in world.actors["desk_coordinator"].cookies.items():
                client.cookies.set(name, value)
            r = client.post(f"/beheer/loketten/{slug}", data={
                "name": "Overgenomen", "summary": "Nieuwe samenvatting", "capacity": "999",
                "first_response_hours": "8", "languages": "nl", "coverage": "national",
                "is_fallback": "on", "general_remit": "on", "contact_email": "x@example.nl",
                "is_active": "on"})
            assert r.status_code == 303, r.text[:300]
        session = env.db.session()
        try:
            desk = session.exec(select(Desk).where(Desk.slug == slug)).one()
            assert (desk.summary, desk.first_response_hours) == ("Nieuwe samenvatting", 8)
            assert desk.name == "Oost NL" and desk.capacity != 999
            assert not desk.is_fallback and not desk.general_remit
            assert desk.contact_email != "x@example.nl"
            kinds = {c.kind for c in session.exec(
                select(DeskCoverage).where(DeskCoverage.desk_id == desk.id))}
            assert kinds == {"province"}
        finally:
            session.close()
