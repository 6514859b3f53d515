"""Smoke tests of the platform plumbing: pages, headers, CSRF, sessions, errors."""

from __future__ import annotations

from sqlmodel import Session, select

from backend.accounts.models import User
from tests.client import LoketClient
from tests.factories.accounts import create_user


def test_home_renders_in_dutch_with_security_headers(client: LoketClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert '<html lang="nl">' in r.text
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in r.headers  # only on https
    assert r.headers["x-request-id"]


def test_pages_for_a_session_or_a_token_are_never_cached(client: LoketClient) -> None:
    assert "cache-control" not in client.get("/").headers  # public: the browser may keep it
    client.cookies.set("loket_session", "whatever-id")
    assert client.get("/").headers["cache-control"] == "no-store"
    client.cookies.clear()
    api = client.get("/api/v1/me", headers={"Authorization": "Bearer lkt_unknown"})
    assert api.status_code == 401
    assert api.headers["cache-control"] == "no-store"


def test_unknown_page_is_a_dutch_404_without_trace(client: LoketClient) -> None:
    r = client.get("/bestaat-niet")
    assert r.status_code == 404
    assert "Traceback" not in r.text
    api = client.get("/api/v1/bestaat-niet")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "http_404"


def test_post_without_csrf_token_is_refused(client: LoketClient) -> None:
    client.get("/")
    r = client.post("/uitloggen", csrf=False)
    assert r.status_code == 403
    r = client.post("/uitloggen", csrf=False, headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403


def test_post_from_foreign_origin_is_refused(client: LoketClient) -> None:
    token = client.csrf_token()
    r = client.post("/uitloggen", headers={"X-CSRF-Token": token, "Origin": "https://evil.example"})
    assert r.status_code == 403
    assert "foreign origin" in r.text or "origin" in r.text.lower()


def test_session_middleware_loads_the_principal(client: LoketClient, session: Session,
                                                login) -> None:
    user = create_user(session, name="Anna Admin", roles=("admin",))
    session.commit()
    login(user)
    r = client.get("/")
    assert "Uitloggen" in r.text or "Log out" in r.text
    assert session.exec(select(User).where(User.id == user.id)).one().email == user.email


def test_origin_null_falls_back_to_the_token_check(client: LoketClient) -> None:
    # Browsers send "Origin: null" when they withhold it; the token still decides.
    token = client.csrf_token()
    refused = client.post("/uitloggen", csrf=False, headers={"Origin": "null"})
    assert refused.status_code == 403
    accepted = client.post("/uitloggen", headers={"X-CSRF-Token": token, "Origin": "null"})
    assert accepted.status_code == 303
