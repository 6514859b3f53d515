"""/inzicht and /api/v1/insight: who sees what, filters, CSV, and no person ever."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from fastapi import FastAPI
from sqlmodel import Session

from backend.accounts import service as accounts
from backend.accounts.models import ANALYST
from backend.insight import service
from backend.insight.csvexport import safe_cell, to_csv
from backend.routing.models import COORDINATOR
from tests.client import LoketClient
from tests.factories import insight as f
from tests.factories.accounts import create_user
from tests.factories.routing import add_member

VIEW_PATHS = [f"/inzicht/{s}" for s in service.VIEW_SLUGS.values()]
API_PATHS = [f"/api/v1/insight/{v}" for v in service.VIEWS]
SECRETS = [f.SECRET_TEXT[:30], "kxqvraag", f.SECRET_NAME, f.SECRET_EMAIL, "98765432",
           "zeldzaam"]


@pytest.fixture
def world(session: Session) -> f.InsightWorld:
    w = f.build(session)
    f.freeze(session)
    return w


def _analyst(session: Session, province: str | None = None) -> Any:
    user = create_user(session, name="Beleid Medewerker")
    assert user.id is not None
    accounts.grant_role(session, user.id, ANALYST, province=province)
    return user


def _csv_paths(client: LoketClient, page: str) -> list[str]:
    html = client.get(page).text
    return [p.replace("&amp;", "&") for p in re.findall(r'href="(/inzicht/[^"]+\.csv\?[^"]+)"',
                                                        html)]


def test_an_analyst_reads_every_view_page_api_and_csv(session: Session, world: f.InsightWorld,
                                                       client: LoketClient, login: Any) -> None:
    login(_analyst(session))
    index = client.get("/inzicht")
    assert index.status_code == 200
    for path in VIEW_PATHS:
        page = client.get(path, params={"period": "2026-Q3"})
        assert page.status_code == 200, path
        assert "<svg" in page.text and "<caption" in page.text
        assert page.headers["cache-control"] == "private, no-store"
    demand = client.get("/api/v1/insight/demand", params={"period": "2026-Q3"}).json()
    by = {r["key"]: r["values"] for r in demand["tables"][0]["rows"]}
    # 72 regular questions; the lone one (rare theme, sector and size) is in no figure.
    assert by["PV23"]["questions"] == 48 and by["PV26"]["questions"] == 24
    assert demand["minimum_group"] == service.K
    for csv_path in _csv_paths(client, "/inzicht/vraag?period=2026-Q3"):
        r = client.get(csv_path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]


def test_a_province_analyst_cannot_read_another_province(
        session: Session, world: f.InsightWorld, client: LoketClient, login: Any) -> None:
    login(_analyst(session, province="PV23"))
    own = client.get("/api/v1/insight/demand", params={"period": "2026-Q3"})
    assert own.status_code == 200
    assert {r["key"] for r in own.json()["tables"][0]["rows"]} == {"PV23"}
    other = client.get("/api/v1/insight/demand", params={"province": "PV26"})
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "province_scope"
    assert client.get("/inzicht/vraag", params={"province": "PV26"}).status_code == 403
    assert client.get("/inzicht/vraag.csv", params={"province": "PV26"}).status_code == 403
    # A COROP region of another province gives nothing of it either.
    corop = client.get("/api/v1/insight/demand", params={"corop": "CR17"}).json()
    assert all(r["values"]["questions"] == 0 for r in corop["tables"][0]["rows"])


def test_a_coordinator_sees_only_their_own_desk(session: Session, world: f.InsightWorld,
                                                client: LoketClient, login: Any) -> None:
    coordinator = add_member(session, world.desks["oost-nl"], role=COORDINATOR)
    login(coordinator)
    r = client.get("/api/v1/insight/desks", params={"period": "2026-Q3"})
    assert r.status_code == 200
    rows = r.json()["tables"][0]["rows"]
    assert [row["key"] for row in rows] == ["oost-nl"]
    assert rows[0]["values"]["questions"] == 24
    assert client.get("/inzicht/loketten").status_code == 200
    for other in ("demand", "unmet", "outcomes", "scan"):
        assert client.get(f"/api/v1/insight/{other}").status_code == 403


def test_others_are_kept_out(session: Session, world: f.InsightWorld, app: FastAPI,
                             client: LoketClient, login: Any) -> None:
    for path in API_PATHS:
        assert client.get(path).status_code == 401
    page = client.get("/inzicht/vraag", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/inloggen")
    advisor = add_member(session, world.desks["oost-nl"])  # an advisor, not a coordinator
    login(advisor)
    for path in [*API_PATHS, *VIEW_PATHS, "/inzicht"]:
        assert client.get(path).status_code == 403, path


def test_bad_filters_are_refused_clearly(session: Session, world: f.InsightWorld,
                                         client: LoketClient, login: Any) -> None:
    login(_analyst(session))
    r = client.get("/api/v1/insight/demand", params={"period": "2026-13"})
    assert r.status_code == 422
    assert r.json()["error"]["fields"]["period"]
    page = client.get("/inzicht/vraag", params={"size": "reus"})
    assert page.status_code == 422
    assert "Onbekende bedrijfsgrootte" in page.text


def test_no_person_firm_or_question_text_in_any_insight_output(
        session: Session, world: f.InsightWorld, app: FastAPI, client: LoketClient,
        login: Any) -> None:
    """The no-leak crawl for /inzicht: every page, API view and CSV export, with several
    filter sets, never shows the private text, name, e-mail or phone of the askers."""
    login(_analyst(session))
    bodies: list[str] = []
    for params in ({}, {"period": "2026-Q3"}, {"period": "2026-08", "province": "PV23"},
                   {"theme": "export", "by": "sector"}, {"size": "groot", "by": "theme"}):
        for path in [*VIEW_PATHS, *API_PATHS, "/inzicht"]:
            r = client.get(path, params=params)
            assert r.status_code == 200, (path, params)
            bodies.append(r.text)
        for page in VIEW_PATHS:
            for csv_path in _csv_paths(client, page + "?" + "&".join(
                    f"{k}={v}" for k, v in params.items())):
                bodies.append(client.get(csv_path).text)
    assert len(bodies) > 60
    for body in bodies:
        for secret in SECRETS:
            assert secret.lower() not in body.lower(), secret
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", body.replace("@context", ""))


def test_csv_cells_cannot_start_a_formula() -> None:
    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    for bad in ("+1+1", "-cmd", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(bad) == "'" + bad
    assert safe_cell("-3") == "-3" and safe_cell("-0,5") == "-0,5"
    assert safe_cell(-3) == -3 and safe_cell(None) == "" and safe_cell("gewoon") == "gewoon"
    text = to_csv([["label", "n"], ["=1+1", 12], ["-2", -2]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["label", "n"], ["'=1+1", "12"], ["-2", "-2"]]


def test_the_api_is_documented(client: LoketClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    for view in service.VIEWS:
        op = spec["paths"][f"/api/v1/insight/{view}"]["get"]
        assert {"401", "403", "422"} <= set(op["responses"])
