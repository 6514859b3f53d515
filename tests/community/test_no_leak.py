"""No firm's raw figures ever leave the database except to that firm.

Firm Y stores distinctive figures; firm X (a member, then a coordinator) crawls every group
route (HTML, API, CSV, error pages of its own submissions) and the logs: Y's values never
appear, in any notation."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlmodel import Session

from backend.community import benchmarks as bm
from tests.client import LoketClient
from tests.community.test_benchmarks import _access
from tests.factories.accounts import create_token
from tests.factories.community import create_group, figures_for, member_with_person

Y_OEE = 87.654321
Y_VALUE_ADDED, Y_HOURS = 123456.789, 1000.0  # per hour: 123.456789
FORBIDDEN = ["87.654", "87,654", "87.65", "87,65", "123456", "123.456", "123,456",
             "123.45", "123,45", "123.46", "123,46"]


def _group_get_routes(app: FastAPI) -> list[str]:
    paths: list[str] = []

    def walk(routes: Any, prefix: str) -> None:
        for r in routes:
            inner = getattr(r, "original_router", None)
            if inner is not None:  # FastAPI includes routers lazily
                walk(inner.routes, prefix + r.include_context.prefix)
            elif isinstance(r, APIRoute) and "GET" in (r.methods or set()):
                path = prefix + r.path
                if path.startswith(("/groepen", "/api/v1/groups")):
                    paths.append(path)
    walk(app.routes, "")
    assert len(paths) >= 6, paths
    return sorted(set(paths))


@pytest.mark.parametrize("as_coordinator", [False, True])
def test_firm_y_figures_never_reach_firm_x(session: Session, app: FastAPI,
                                            client: LoketClient, login: Any,
                                            caplog: pytest.LogCaptureFixture,
                                            as_coordinator: bool) -> None:
    group = create_group(session)
    coord_firm, coordinator = member_with_person(session, group, coordinator=True)
    x_firm, x_user = member_with_person(session, group, coordinator=as_coordinator)
    y_firm, y_user = member_with_person(session, group, sector="industrie", size_class="middel")
    peers = [member_with_person(session, group)[0] for _ in range(5)]
    bm.add_template(session, group, "oee")
    bm.add_template(session, group, "value_added_per_hour")
    closed = bm.add_period(session, group, "2025")
    open_ = bm.add_period(session, group, "2026")
    assert closed.id is not None and open_.id is not None
    for pid in (closed.id, open_.id):
        figures_for(session, group, pid, y_firm, {"oee": Y_OEE, "value_added": Y_VALUE_ADDED,
                                                  "hours_worked": Y_HOURS})
        figures_for(session, group, pid, x_firm, {"oee": 41.0, "value_added": 70000,
                                                  "hours_worked": 1000})
        for i, firm in enumerate([coord_firm, *peers]):
            figures_for(session, group, pid, firm, {"oee": 50 + 3 * i,
                                                    "value_added": 100000 + 1000 * i,
                                                    "hours_worked": 1000})
    bm.close_period(session, _access(session, group, coordinator), closed.id)
    session.flush()

    caplog.set_level(logging.DEBUG)
    login(x_user)
    token = create_token(session, role="editor", user=x_user)
    bodies: list[tuple[str, str]] = []
    for path in _group_get_routes(app):
        if "{token}" in path or "{post_id}" in path:  # invitations; feed files
            continue
        url = path.replace("{slug}", group.slug)
        headers = {"Authorization": f"Bearer {token}"} if url.startswith("/api/") else {}
        response = client.get(url, headers=headers)
        assert response.status_code in (200, 403), (url, response.status_code)
        bodies.append((url, response.text))
    # the member's own error pages (bad form, bad CSV) render the comparison too
    base = f"/groepen/{group.slug}/kengetallen/perioden/{open_.id}"
    bodies.append(("form", client.post(base, data={"kpi-1": "abc"}).text))
    bodies.append(("csv", client.post(f"{base}/csv", files={
        "file": ("f.csv", b"kpi,value\nnope,1\n", "text/csv")}).text))
    bodies.append(("logs", caplog.text))
    # the search knows nothing of the figures (the page repeats the query itself: left out;
    # after the logs, where the test client itself notes the URL)
    for q in ("87.654321", "87,654321", "123456.789"):
        found = client.get("/zoeken", params={"q": q})
        assert found.status_code == 200
        bodies.append((f"search {q}", found.text.replace(q, "")))

    crawled = {url for url, _ in bodies}
    assert f"/groepen/{group.slug}/kengetallen" in crawled
    assert f"/groepen/{group.slug}/kengetallen/export.csv" in crawled
    assert f"/api/v1/groups/{group.slug}/comparisons" in crawled
    own_page = dict(bodies)[f"/groepen/{group.slug}/kengetallen"]
    assert "41" in own_page and "70" in own_page  # X does see its own figures
    for url, text in bodies:
        for needle in FORBIDDEN:
            assert needle not in text, f"{needle!r} of firm Y appears in {url}"
    # the needles do match how figures are shown: firm Y sees its own
    login(y_user)
    y_page = client.get(f"/groepen/{group.slug}/kengetallen").text
    assert any(needle in y_page for needle in FORBIDDEN)
    y_token = create_token(session, role="editor", user=y_user)
    y_api = client.get(f"/api/v1/groups/{group.slug}/figures",
                       headers={"Authorization": f"Bearer {y_token}"}).text
    assert any(needle in y_api for needle in FORBIDDEN)
