"""API tokens and the accounts API: /api/v1/me and the admin endpoints."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from sqlalchemy import inspect
from sqlmodel import Session, col, select

from backend.accounts.models import ApiToken, AuditEvent, User, UserRole
from backend.core.db import utcnow
from backend.core.security import sha256_hex
from tests.client import LoketClient
from tests.factories.accounts import create_admin, create_token, create_user


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _events(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)
                             .order_by(col(AuditEvent.id))).all())


# --- tokens --------------------------------------------------------------------------------

def test_tokens_are_hashed_at_rest(session: Session) -> None:
    plain = create_token(session, role="editor", name="export")
    row = session.exec(select(ApiToken).where(ApiToken.name == "export")).one()
    assert row.token_hash == sha256_hex(plain)
    assert row.prefix == plain[:10] and len(plain) > 40
    stored = [str(getattr(row, c.key)) for c in inspect(ApiToken).columns]
    assert not any(plain in value for value in stored)


def test_me_with_a_token_and_with_a_session(client: LoketClient, session: Session,
                                            login: Any) -> None:
    owner = create_user(session, name="Olga", roles=("editor",))
    plain = create_token(session, role="editor", user=owner, name="olga-script")
    session.commit()
    r = client.get("/api/v1/me", headers=_bearer(plain))
    assert r.status_code == 200
    body = r.json()
    assert body["via"] == "token" and body["roles"] == ["editor"] and body["id"] == owner.id
    assert body["token_id"] is not None

    with LoketClient(client.app) as browser:
        login(owner, browser)
        body = browser.get("/api/v1/me").json()
        assert body == {"id": owner.id, "name": "Olga", "roles": ["editor"], "via": "session",
                        "token_id": None}


def test_anonymous_me_is_401_json(client: LoketClient) -> None:
    r = client.get("/api/v1/me")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "not_authenticated"


def test_revoked_expired_or_orphaned_tokens_are_401(client: LoketClient,
                                                   session: Session) -> None:
    revoked = create_token(session, name="revoked")
    expired = create_token(session, name="expired")
    owner = create_user(session)
    orphaned = create_token(session, name="orphaned", user=owner)
    for row in session.exec(select(ApiToken)).all():
        if row.name == "revoked":
            row.revoked_at = utcnow()
        if row.name == "expired":
            row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    owner.is_active = False
    session.add(owner)
    session.commit()
    for token in (revoked, expired, orphaned, "lkt_not-a-token", "garbage"):
        r = client.get("/api/v1/me", headers=_bearer(token))
        assert r.status_code == 401, token
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.json()["error"]["code"] == "invalid_token"


def test_role_is_enforced(client: LoketClient, session: Session) -> None:
    editor = create_token(session, role="editor")
    admin = create_token(session, role="admin")
    session.commit()
    assert client.get("/api/v1/admin/users", headers=_bearer(editor)).status_code == 403
    assert client.get("/api/v1/admin/users").status_code == 401
    assert client.get("/api/v1/admin/users", headers=_bearer(admin)).status_code == 200


def test_token_use_is_recorded(client: LoketClient, session: Session) -> None:
    plain = create_token(session, role="admin", name="reader")
    session.commit()
    client.get("/api/v1/me", headers=_bearer(plain))
    client.get("/api/v1/me", headers=_bearer(plain))  # within a minute: recorded once
    [used] = _events(session, "token.used")
    row = session.exec(select(ApiToken).where(ApiToken.name == "reader")).one()
    session.refresh(row)
    assert row.last_used_at is not None
    assert used.actor_token_id == row.id and used.target_id == str(row.id)
    # A POST records in its own request transaction.
    row.last_used_at = utcnow() - timedelta(minutes=5)
    session.add(row)
    session.commit()
    r = client.post("/api/v1/admin/users", headers=_bearer(plain),
                    json={"email": "made-by-token@example.nl"})
    assert r.status_code == 201
    assert len(_events(session, "token.used")) == 2
    created = _events(session, "user.created")[-1]
    assert created.actor_token_id == row.id


def test_token_writes_on_a_real_database_do_not_wait_for_themselves(fresh_db: Any) -> None:
    """On SQLite a POST holds the write lock; noting the token's use must not need a second
    writer (that would wait for the busy timeout and fail)."""
    from backend.main import create_app

    with fresh_db.db.transaction() as s:
        plain = create_token(s, role="admin", name="fresh")
    app = create_app(fresh_db.settings(), fresh_db.db, start_worker=False)
    with LoketClient(app) as client:
        started = time.monotonic()
        r = client.post("/api/v1/admin/users", headers=_bearer(plain),
                        json={"email": "fresh@example.nl", "roles": ["editor"]})
        assert r.status_code == 201, r.text
        assert time.monotonic() - started < 10
        r = client.get("/api/v1/admin/users?q=fresh", headers=_bearer(plain))
        assert r.json()["count"] == 1
    with fresh_db.db.transaction(write=False) as s:
        token = s.exec(select(ApiToken).where(ApiToken.name == "fresh")).one()
        assert token.last_used_at is not None


# --- admin endpoints -----------------------------------------------------------------------

def test_admin_users_api(client: LoketClient, session: Session) -> None:
    token = create_token(session, role="admin", name="admin-api")
    for i in range(3):
        create_user(session, email=f"zeta{i}@example.nl", name=f"Zeta {i}")
    session.commit()
    h = _bearer(token)
    r = client.get("/api/v1/admin/users", params={"q": "zeta", "limit": 2}, headers=h)
    body = r.json()
    assert body["count"] == 3 and len(body["data"]) == 2
    assert set(body["data"][0]) >= {"id", "email", "name", "roles", "is_active", "created_at"}
    assert "password_hash" not in body["data"][0] and "oidc_subject" not in body["data"][0]

    r = client.post("/api/v1/admin/users", headers=h,
                    json={"email": "New.Person@Example.nl", "name": "New", "roles": ["editor"]})
    assert r.status_code == 201
    new = r.json()
    assert new["email"] == "new.person@example.nl" and new["roles"] == ["editor"]
    dup = client.post("/api/v1/admin/users", headers=h, json={"email": "new.person@example.nl"})
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "user_exists"
    bad = client.post("/api/v1/admin/users", headers=h, json={"email": "x@example.nl",
                                                              "roles": ["pope"]})
    assert bad.status_code == 422

    r = client.post(f"/api/v1/admin/users/{new['id']}/roles", headers=h, json={"role": "admin"})
    assert r.status_code == 200 and r.json()["roles"] == ["admin", "editor"]
    r = client.delete(f"/api/v1/admin/users/{new['id']}/roles/editor", headers=h)
    assert r.status_code == 200 and r.json()["roles"] == ["admin"]
    assert client.post("/api/v1/admin/users/999999/roles", headers=h,
                       json={"role": "admin"}).status_code == 404
    granted = _events(session, "role.granted")[-1]
    assert granted.details == {"role": "admin"} and granted.target_id == str(new["id"])
    assert granted.actor_token_id is not None
    assert _events(session, "role.revoked")[-1].details == {"role": "editor"}


def test_last_admin_keeps_the_role(client: LoketClient, session: Session, login: Any) -> None:
    admin = create_admin(session)
    session.commit()
    login(admin)
    others = session.exec(select(UserRole).where(UserRole.role == "admin",
                                                 UserRole.user_id != admin.id)).all()
    assert others == []
    r = client.delete(f"/api/v1/admin/users/{admin.id}/roles/admin")
    assert r.status_code == 409 and r.json()["error"]["code"] == "last_admin"


def test_admin_tokens_api(client: LoketClient, session: Session) -> None:
    token = create_token(session, role="admin", name="root-token")
    owner = create_user(session, roles=("editor",))  # a token's role is at most its owner's
    session.commit()
    h = _bearer(token)
    r = client.post("/api/v1/admin/tokens", headers=h,
                    json={"name": "ci", "role": "editor", "user_id": owner.id,
                          "expires_at": (utcnow() + timedelta(days=30)).isoformat()})
    assert r.status_code == 201
    assert r.headers["cache-control"] == "no-store"
    created = r.json()
    assert created["token"].startswith("lkt_") and created["prefix"] == created["token"][:10]
    assert client.get("/api/v1/me", headers=_bearer(created["token"])).json()["roles"] == [
        "editor"]

    listed = client.get("/api/v1/admin/tokens", headers=h).json()
    assert {t["name"] for t in listed} >= {"ci", "root-token"}
    assert all("token" not in t and "token_hash" not in t for t in listed)

    naive = client.post("/api/v1/admin/tokens", headers=h,
                        json={"name": "naive", "role": "editor",
                              "expires_at": "2030-01-01T00:00:00"})
    assert naive.status_code == 422

    r = client.delete(f"/api/v1/admin/tokens/{created['id']}", headers=h)
    assert r.status_code == 204
    assert client.get("/api/v1/me", headers=_bearer(created["token"])).status_code == 401
    assert client.delete("/api/v1/admin/tokens/999999", headers=h).status_code == 404
    assert _events(session, "token.revoked")[-1].target_id == str(created["id"])


def test_a_token_loses_the_role_its_owner_loses(client: LoketClient, session: Session,
                                               login: Any) -> None:
    """Issue 12: an editor token still created content (201) after its owner's editor role
    was revoked. The role is re-checked at every use."""
    editor = create_user(session, roles=("editor",))
    admin = create_admin(session)
    plain = create_token(session, role="editor", user=editor)
    ownerless = create_token(session, role="admin", minted_by=admin)  # made at /beheer/tokens
    session.commit()
    body = {"title": "Snel omstellen", "summary": "Kortere omsteltijden."}
    assert client.post("/api/v1/practices", headers=_bearer(plain), json=body
                       ).status_code == 201
    login(admin)
    r = client.delete(f"/api/v1/admin/users/{editor.id}/roles/editor")
    assert r.status_code == 200, r.text
    client.cookies.clear()
    refused = client.post("/api/v1/practices", headers=_bearer(plain),
                          json={**body, "title": "Nog een"})
    assert refused.status_code == 403
    assert client.get("/api/v1/me", headers=_bearer(plain)).json()["roles"] == []
    # A token without owner answers to the admin who made it: demoted, it is no admin token.
    assert client.get("/api/v1/admin/users", headers=_bearer(ownerless)).status_code == 200
    other = create_admin(session)
    session.commit()
    login(other)
    assert client.delete(f"/api/v1/admin/users/{admin.id}/roles/admin").status_code == 200
    client.cookies.clear()
    assert client.get("/api/v1/admin/users", headers=_bearer(ownerless)).status_code == 403


def test_only_the_owner_makes_a_token_that_acts_as_them(client: LoketClient, session: Session,
                                                       login: Any) -> None:
    """Issue 12: an admin made a token owned by an advisor and read the advisor's desk cases
    with it. A token acts as its owner (desk, group, own data) only when the owner made it."""
    admin = create_admin(session)
    owner = create_user(session, roles=("editor",))
    session.commit()
    login(admin)
    made = client.post("/api/v1/admin/tokens", json={"name": "voor een ander", "role": "admin",
                                                      "user_id": owner.id})
    assert made.status_code == 201, made.text
    for_other = made.json()["token"]
    own = client.post("/api/v1/admin/tokens", json={"name": "eigen", "role": "admin",
                                                    "user_id": admin.id}).json()["token"]
    client.cookies.clear()
    me = client.get("/api/v1/me", headers=_bearer(for_other)).json()
    assert me["id"] is None and me["roles"] == []  # not the owner, and the owner is no admin
    assert client.get("/api/v1/me/data", headers=_bearer(for_other)).status_code in (401, 403)
    assert client.get("/api/v1/me", headers=_bearer(own)).json()["id"] == admin.id


def test_session_writes_to_the_api_need_the_csrf_header(client: LoketClient, session: Session,
                                                        login: Any) -> None:
    admin = create_admin(session)
    session.commit()
    login(admin)
    r = client.post("/api/v1/admin/users", json={"email": "csrf@example.nl"}, csrf=False)
    assert r.status_code == 403
    assert client.post("/api/v1/admin/users", json={"email": "csrf@example.nl"}
                       ).status_code == 201
    assert session.exec(select(User).where(User.email == "csrf@example.nl")).one()


def test_openapi_describes_the_models(client: LoketClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert {"UserPublic", "UsersPublic", "ApiTokenPublic", "ApiTokenCreated", "MePublic",
            "RoleGrant", "UserCreate", "ApiTokenCreate"} <= set(schemas)
    ok = spec["paths"]["/api/v1/admin/tokens"]["post"]["responses"]["201"]
    assert ok["content"]["application/json"]["schema"]["$ref"].endswith("/ApiTokenCreated")
    assert "403" in spec["paths"]["/api/v1/admin/users"]["get"]["responses"]
    assert "/beheer" not in spec["paths"]  # pages stay out of the API description
