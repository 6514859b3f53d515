"""The JSON API: search, reads per type, writes for editors and editor tokens."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from sqlmodel import Session

from tests.client import LoketClient
from tests.content.test_pages import _Down, _seed
from tests.factories.accounts import create_token


def test_search_shape(client: LoketClient, session: Session, taxonomy: None,
                      drain: Callable[[], int]) -> None:
    _seed(session)
    drain()
    r = client.get("/api/v1/search", params={"q": "robots", "per_page": 2})
    assert r.status_code == 200
    body = r.json()
    assert {"hits", "facets", "total", "took_ms"} <= set(body)
    assert body["total"] >= 2 and len(body["hits"]) == 2
    assert set(body["hits"][0]) == {"id", "type", "title", "url", "snippet"}
    assert all(isinstance(v, int) for counts in body["facets"].values() for v in counts.values())
    assert "scheme" in body["facets"]["type"]
    r = client.get("/api/v1/search", params=[("q", "robots"), ("type", "scheme"),
                                             ("status", "open"), ("size", "micro")])
    assert [h["id"] for h in r.json()["hits"]] == ["scheme:robots"]
    r = client.get("/api/v1/search", params={"q": "robotz"})
    assert r.status_code == 200


def test_invalid_parameters_are_named(client: LoketClient) -> None:
    for params, name in (({"type": "blog"}, "type"), ({"page": 0}, "page"),
                         ({"per_page": 500}, "per_page"), ({"sort": "random"}, "sort"),
                         ({"status": "maybe"}, "status"), ({"theme": "Geen Slug!"}, "theme"),
                         ({"q": "x" * 300}, "q")):
        r = client.get("/api/v1/search", params=params)
        assert r.status_code == 422, params
        error = r.json()["error"]
        assert any(key.split(".")[0] == name for key in error["fields"]), error
        assert name in error["message"]


def test_engine_down_is_a_503(app: FastAPI, client: LoketClient) -> None:
    app.state.search_backend = _Down()
    r = client.get("/api/v1/search", params={"q": "robots"})
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "search_unavailable"
    ready = client.get("/readyz").json()
    assert ready["checks"]["search"]["ok"] is False


def test_read_endpoints_per_type(client: LoketClient, session: Session, taxonomy: None) -> None:
    _seed(session)
    r = client.get("/api/v1/schemes")
    assert r.status_code == 200
    page = r.json()
    assert page["total"] == 1 and page["items"][0]["slug"] == "robots"
    scheme = client.get("/api/v1/schemes/robots").json()
    assert scheme["funding_rate"] == 40 and scheme["provider"]["slug"] == "rvo"
    assert scheme["scheme_status"] == "open" and "<strong>robots</strong>" in scheme["body_html"]
    practice = client.get("/api/v1/practices/cobots-installateur").json()
    assert practice["source"]["title"] == "Expeditie Werkkracht (2026)"
    assert [t["slug"] for t in practice["pillars"]] == ["technologie"]
    assert client.get("/api/v1/practices/geheime-robotplannen").status_code == 404
    assert client.get("/api/v1/practices", params={"status": "draft"}).status_code == 401 or \
        client.get("/api/v1/practices", params={"status": "draft"}).status_code == 403
    assert client.get("/api/v1/events").json()["total"] == 1
    assert client.get("/api/v1/organisations/rvo").json()["kind"] == "knowledge_institution"
    assert client.get("/api/v1/taxonomy").json()["themes"][0]["pillar"] == "technologie"


def test_write_endpoints_for_editor_tokens(client: LoketClient, session: Session,
                                           taxonomy: None, drain: Callable[[], int]) -> None:
    token = create_token(session, role="editor")
    session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    body = {"title": "Webinar AI voor het mkb", "summary": "Online kennismaking.",
            "body_md": "Wat kan **AI** voor u doen?", "kind": "webinar",
            "starts_at": "2027-03-01T10:00:00+01:00", "online": True,
            "themes": ["digitalisering"]}
    assert client.post("/api/v1/events", json=body).status_code in (401, 403)
    r = client.post("/api/v1/events", json=body, headers=auth)
    assert r.status_code == 201, r.text
    event = r.json()
    assert event["status"] == "draft" and event["slug"] == "webinar-ai-voor-het-mkb"
    assert client.get(f"/api/v1/events/{event['slug']}").status_code == 404  # a draft
    assert client.get(f"/api/v1/events/{event['slug']}", headers=auth).status_code == 200

    r = client.patch(f"/api/v1/events/{event['slug']}", json={"place": "Zwolle"}, headers=auth)
    assert r.status_code == 200 and r.json()["place"] == "Zwolle"
    r = client.patch(f"/api/v1/events/{event['slug']}", json={"ends_at": "2027-02-01T10:00:00Z"},
                     headers=auth)
    assert r.status_code == 422 and "ends_at" in r.json()["error"]["fields"]
    r = client.patch(f"/api/v1/events/{event['slug']}", json={"colour": "red"}, headers=auth)
    assert r.status_code == 422

    r = client.post(f"/api/v1/events/{event['slug']}/publish", headers=auth)
    assert r.status_code == 200 and r.json()["status"] == "published"
    drain()
    hits = client.get("/api/v1/search", params={"q": "webinar"}).json()["hits"]
    assert [h["id"] for h in hits] == [f"event:{event['slug']}"]
    revisions = client.get(f"/api/v1/events/{event['slug']}/revisions", headers=auth).json()
    assert [r["number"] for r in revisions] == [3, 2, 1]

    assert client.post(f"/api/v1/events/{event['slug']}/unpublish",
                       headers=auth).json()["status"] == "draft"
    assert client.delete(f"/api/v1/events/{event['slug']}", headers=auth).status_code == 204
    drain()
    assert client.get("/api/v1/search", params={"q": "webinar"}).json()["total"] == 0


def test_write_validation_names_fields(client: LoketClient, session: Session,
                                       taxonomy: None) -> None:
    token = create_token(session, role="editor")
    session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    r = client.post("/api/v1/schemes", headers=auth, json={
        "title": "Regeling", "kind": "gift", "funding_rate": 120, "themes": ["bestaat-niet"]})
    assert r.status_code == 422
    assert {"kind", "funding_rate"} <= set(r.json()["error"]["fields"])
    r = client.post("/api/v1/schemes", headers=auth, json={"title": "Regeling",
                                                           "themes": ["bestaat-niet"]})
    assert r.status_code == 422 and "themes" in r.json()["error"]["fields"]


def test_openapi_lists_precise_models(client: LoketClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/search" in spec["paths"] and "/api/v1/schemes/{slug}" in spec["paths"]
    schemas = spec["components"]["schemas"]
    assert "SchemePublic" in schemas and "funding_rate" in schemas["SchemePublic"]["properties"]
    assert "SchemeCreate" in schemas
