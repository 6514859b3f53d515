"""SSO login against a real OpenID provider on loopback (oidc-provider-mock + PKCE check).

The whole round trip runs over HTTP: the app redirects to the provider, the test logs in
there as a browser would (posting the provider's form), follows the redirect back with the
code, and the app exchanges it for tokens, validates the id_token and reads userinfo.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI
from sqlmodel import Session, select

from backend.accounts.models import AuditEvent, User, WebSession
from backend.core.db import Database
from backend.core.security import sha256_hex
from tests.accounts.conftest import Provider
from tests.client import LoketClient
from tests.factories.accounts import create_user

SESSION = "loket_session"


def _start(client: LoketClient, next_url: str | None = None) -> tuple[str, dict[str, str]]:
    r = client.get("/inloggen/sso" + (f"?next={next_url}" if next_url else ""))
    assert r.status_code == 302, r.text
    location = r.headers["location"]
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    return location, params


def _flow_data(db: Database, client: LoketClient, state: str) -> dict[str, Any]:
    with db.transaction(write=False) as s:
        row = s.get(WebSession, sha256_hex(client.cookies[SESSION]))
        assert row is not None
        return dict(row.data[f"_state_loket_{state}"]["data"])


def _tamper(db: Database, client: LoketClient, state: str, **changes: Any) -> None:
    with db.transaction() as s:
        row = s.get(WebSession, sha256_hex(client.cookies[SESSION]))
        assert row is not None
        data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in row.data.items()}
        key = f"_state_loket_{state}"
        data[key] = {**data[key], "data": {**data[key]["data"], **changes}}
        row.data = data  # a new dict: JSON columns do not track in-place changes
        s.add(row)


def _failures(session: Session, reason: str) -> list[AuditEvent]:
    session.expire_all()
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")
                          ).all()
    return [e for e in events if e.details.get("method") == "oidc"
            and e.details.get("reason") == reason]


def _logged_in_user_id(db: Database, client: LoketClient) -> int | None:
    cookie = client.cookies.get(SESSION)
    if not cookie:
        return None
    with db.transaction(write=False) as s:
        row = s.get(WebSession, sha256_hex(cookie))
        return row.user_id if row else None


def test_full_round_trip_creates_an_account_without_roles(
        oidc_app: FastAPI, client_for: Any, oidc_provider: Provider, db: Database,
        session: Session) -> None:
    client = client_for(oidc_app)
    oidc_provider.set_user("alice-sub", email="alice@example.nl", email_verified=True,
                           name="Alice de Vries")
    authorize_url, params = _start(client, next_url="/toegankelijkheid")
    assert authorize_url.startswith(oidc_provider.url + "/oauth2/authorize")
    assert params["client_id"] == "loket-test"
    assert params["redirect_uri"] == "http://testserver/inloggen/sso/callback"
    assert params["response_type"] == "code"
    assert "openid" in params["scope"].split()
    assert params["state"] and params["nonce"]
    # PKCE: S256 of the verifier kept in our server-side session.
    assert params["code_challenge_method"] == "S256"
    verifier = _flow_data(db, client, params["state"])["code_verifier"]
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert params["code_challenge"] == digest.decode()
    before = client.cookies[SESSION]

    callback = oidc_provider.authorize(authorize_url, "alice-sub")
    assert callback.startswith("http://testserver/inloggen/sso/callback?")
    r = client.get(callback)

    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/toegankelijkheid"
    assert oidc_provider.wsgi.token_requests[-1]["code_verifier"] == [verifier]
    assert client.cookies[SESSION] != before  # the session id rotated at login
    user = session.exec(select(User).where(User.email == "alice@example.nl")).one()
    assert user.oidc_subject == "alice-sub"
    assert user.name == "Alice de Vries"
    assert _logged_in_user_id(db, client) == user.id
    from backend.accounts.service import roles_of

    assert roles_of(session, user.id or 0) == []  # signing in grants nothing
    actions = {(e.action, e.details.get("method")) for e in session.exec(
        select(AuditEvent).where(AuditEvent.target_id == str(user.id))).all()}
    assert ("auth.login", "oidc") in actions and ("user.created", "oidc") in actions
    page = client.get("/")
    assert "Alice de Vries" in page.text


def test_known_subject_logs_in_the_same_account(
        oidc_app: FastAPI, client_for: Any, oidc_provider: Provider, db: Database,
        session: Session) -> None:
    user = create_user(session, email="bob@example.nl", name="Bob", roles=("editor",),
                       oidc_subject="bob-sub")
    session.commit()
    oidc_provider.set_user("bob-sub", email="other-address@example.nl")
    client = client_for(oidc_app)
    authorize_url, _ = _start(client)
    r = client.get(oidc_provider.authorize(authorize_url, "bob-sub"))
    assert r.status_code == 303
    assert _logged_in_user_id(db, client) == user.id
    me = client.get("/api/v1/me").json()
    assert me["roles"] == ["editor"] and me["via"] == "session"


def test_existing_account_is_linked_only_on_a_verified_address(
        oidc_app: FastAPI, client_for: Any, oidc_provider: Provider, db: Database,
        session: Session) -> None:
    user = create_user(session, email="carla@example.nl", roles=("editor",))
    session.commit()
    # Unverified: must not take over the existing account.
    oidc_provider.set_user("mallory-sub", email="carla@example.nl")
    client = client_for(oidc_app)
    authorize_url, _ = _start(client)
    r = client.get(oidc_provider.authorize(authorize_url, "mallory-sub"))
    assert r.status_code == 403
    assert "niet geverifieerd" in r.text
    assert _logged_in_user_id(db, client) is None
    assert _failures(session, "email_unverified")
    session.refresh(user)
    assert user.oidc_subject is None
    # Verified: linked to the account.
    oidc_provider.set_user("carla-sub", email="carla@example.nl", email_verified=True)
    authorize_url, _ = _start(client)
    r = client.get(oidc_provider.authorize(authorize_url, "carla-sub"))
    assert r.status_code == 303
    session.refresh(user)
    assert user.oidc_subject == "carla-sub"
    assert _logged_in_user_id(db, client) == user.id


def test_wrong_state_is_refused(oidc_app: FastAPI, client_for: Any, oidc_provider: Provider,
                                db: Database, session: Session) -> None:
    oidc_provider.set_user("dave-sub", email="dave@example.nl", email_verified=True)
    client = client_for(oidc_app)
    authorize_url, params = _start(client)
    callback = oidc_provider.authorize(authorize_url, "dave-sub")
    forged = callback.replace(f"state={params['state']}", "state=forged-state")
    assert forged != callback
    r = client.get(forged)
    assert r.status_code == 400
    assert '<html lang="nl">' in r.text and "Inloggen is niet gelukt" in r.text
    assert _logged_in_user_id(db, client) is None
    assert _failures(session, "state_mismatch")
    assert session.exec(select(User).where(User.email == "dave@example.nl")).first() is None


def test_callback_from_another_browser_is_refused(
        oidc_app: FastAPI, client_for: Any, oidc_provider: Provider, db: Database,
        session: Session) -> None:
    """Login CSRF: an attacker's valid callback URL opened in the victim's browser."""
    oidc_provider.set_user("eve-sub", email="eve@example.nl", email_verified=True)
    attacker, victim = client_for(oidc_app), client_for(oidc_app)
    authorize_url, _ = _start(attacker)
    callback = oidc_provider.authorize(authorize_url, "eve-sub")
    victim.get("/")
    r = victim.get(callback)
    assert r.status_code == 400
    assert _logged_in_user_id(db, victim) is None
    assert _failures(session, "state_mismatch")


def test_wrong_nonce_is_refused(oidc_app: FastAPI, client_for: Any, oidc_provider: Provider,
                                db: Database, session: Session) -> None:
    """The id_token carries the nonce of the authorization request; ours no longer matches."""
    oidc_provider.set_user("frank-sub", email="frank@example.nl", email_verified=True)
    client = client_for(oidc_app)
    authorize_url, params = _start(client)
    _tamper(db, client, params["state"], nonce="a-different-nonce")
    r = client.get(oidc_provider.authorize(authorize_url, "frank-sub"))
    assert r.status_code == 400
    assert _logged_in_user_id(db, client) is None
    assert _failures(session, "nonce_mismatch")
    # The code exchange itself worked: only the id_token's nonce made the difference.
    assert oidc_provider.wsgi.token_requests


def test_wrong_pkce_verifier_is_refused_by_the_provider(
        oidc_app: FastAPI, client_for: Any, oidc_provider: Provider, db: Database,
        session: Session) -> None:
    oidc_provider.set_user("gina-sub", email="gina@example.nl", email_verified=True)
    client = client_for(oidc_app)
    authorize_url, params = _start(client)
    _tamper(db, client, params["state"], code_verifier="x" * 48)
    r = client.get(oidc_provider.authorize(authorize_url, "gina-sub"))
    assert r.status_code == 400
    assert _logged_in_user_id(db, client) is None
    failed = _failures(session, "token_error")
    assert failed and failed[-1].details.get("provider_error") == "invalid_grant"


def test_denied_consent_is_a_dutch_error_and_audited(
        oidc_app: FastAPI, client_for: Any, oidc_provider: Provider, db: Database,
        session: Session) -> None:
    client = client_for(oidc_app)
    authorize_url, _ = _start(client)
    callback = oidc_provider.deny(authorize_url)
    assert "error=access_denied" in callback
    r = client.get(callback)
    assert r.status_code == 400
    assert "geannuleerd" in r.text
    assert _logged_in_user_id(db, client) is None
    failed = _failures(session, "denied")
    assert failed and failed[-1].details["provider_error"] == "access_denied"


def test_deactivated_user_cannot_log_in(oidc_app: FastAPI, client_for: Any,
                                        oidc_provider: Provider, db: Database,
                                        session: Session) -> None:
    create_user(session, email="hans@example.nl", oidc_subject="hans-sub", is_active=False)
    session.commit()
    oidc_provider.set_user("hans-sub", email="hans@example.nl", email_verified=True)
    client = client_for(oidc_app)
    authorize_url, _ = _start(client)
    r = client.get(oidc_provider.authorize(authorize_url, "hans-sub"))
    assert r.status_code == 403
    assert _logged_in_user_id(db, client) is None
    assert _failures(session, "inactive")


def test_sso_is_off_without_configuration(client: LoketClient) -> None:
    assert client.get("/inloggen/sso").status_code == 404
    assert "/inloggen/sso" not in client.get("/inloggen").text


def test_login_page_offers_sso_when_configured(oidc_app: FastAPI, client_for: Any) -> None:
    r = client_for(oidc_app).get("/inloggen?next=/beheer")
    assert 'href="/inloggen/sso?next=/beheer"' in r.text or "/inloggen/sso?next=%2Fbeheer" in r.text
    assert "Test SSO" in r.text


def test_unreachable_provider_gives_503(app_with: Any, client_for: Any) -> None:
    app = app_with(oidc_discovery_url="http://127.0.0.1:9/.well-known/openid-configuration",
                   oidc_client_id="x", oidc_client_secret="y")
    r = client_for(app).get("/inloggen/sso")
    assert r.status_code == 503
    assert "niet bereikbaar" in r.text
