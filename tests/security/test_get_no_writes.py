"""Crawling every GET route changes no row.

A populated world (``site_world``); admin, editor, advisor (desk coordinator) and group member
in turn request every GET route, as a full page and as an HTMX request, with the path
parameters filled from the world. Before and after, every table is fingerprinted (row count and
a hash of every row, ordered by primary key); nothing may differ.

Tables left out, each for a reason:

- ``web_session``: the session store itself. Reading a page as a logged-in user may refresh the
  session's ``last_seen_at`` (idle timeout) and starting SSO stores the OIDC state and nonce in
  the session; that is access bookkeeping, not a change of what Loket holds.
- ``rate_counter``: rate-limit windows. Counting a request is the point of a rate limit, and the
  counter is written in its own transaction on purpose (refused attempts stay counted).

No other table is excluded: a GET that writes anything else (an audit row, a spent token, an
outbox message, a "last used" stamp of a cookie session) fails this test.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import sqlalchemy as sa
from fastapi import FastAPI
from httpx import Response
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel

from backend.core.db import Database
from backend.core.settings import Settings
from tests.client import LoketClient
from tests.security.site_world import all_routes, build_world

EXCLUDED_TABLES = {"web_session", "rate_counter"}
# Routes the crawl does not request, with the reason.
SKIPPED: dict[str, str] = {
    "/inloggen/sso": "redirects to the identity provider (none configured in tests)",
    "/inloggen/sso/callback": "the identity provider's return (needs its state); refuses",
}


def fingerprint(conn: Connection) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in EXCLUDED_TABLES:
            continue
        order = list(table.primary_key.columns) or list(table.columns)
        rows = conn.execute(sa.select(table).order_by(*order)).all()
        digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
        out[table.name] = (len(rows), digest)
    return out


def _get(client: LoketClient, url: str, errors: list[str],
         headers: dict[str, str] | None = None) -> Response:
    try:
        r = client.get(url, headers=headers or {})
    except Exception as exc:  # the server's exception, raised through the test client
        errors.append(f"{url} {headers or ''}: {type(exc).__name__}: {exc}")
        return Response(500)
    if r.status_code >= 500:
        errors.append(f"{url} {headers or ''}: {r.status_code}")
    return r


def test_crawling_every_get_route_changes_no_row(
        app: FastAPI, session: Session, db: Database, settings: Settings,
        login: Callable[..., LoketClient]) -> None:
    world = build_world(session, db, settings)
    session.flush()
    conn = session.connection()
    paths = [p for m, p in all_routes(app) if m == "GET" and p not in SKIPPED]
    assert len(paths) > 80, paths
    urls = [world.fill(p) for p in paths]

    before = fingerprint(conn)
    assert before["question_case"][0] >= 1 and before["group_post"][0] >= 1
    statuses: dict[int, int] = {}
    errors: list[str] = []
    for user in (world.admin, world.editor, world.advisor, world.member):
        with LoketClient(app) as client:
            login(user, client)
            # The member also follows the case through its private link (a POST, before the
            # crawl starts), so the entrepreneur's pages are crawled with access.
            if user is world.member:
                client.post(f"/vraag/volgen/{world.tokens['follow']}")
                before = fingerprint(conn)
            for url in urls:
                r = _get(client, url, errors)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                if r.status_code == 200 and "text/html" in r.headers.get("content-type", ""):
                    _get(client, url, errors, {"HX-Request": "true"})
            after = fingerprint(conn)
            changed = {t: (before[t], after.get(t)) for t in before if before[t] != after.get(t)}
            assert not changed, f"GET requests as {user.name} changed rows: {sorted(changed)}"
    assert not errors, "\n".join(errors)
    # The crawl really reached the pages: most requests succeeded.
    assert statuses.get(200, 0) > len(urls) * 2, statuses
