"""Fixtures for the accounts tests: a real OpenID provider on loopback, Redis, app variants."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from backend.core.db import Database
from backend.core.settings import Settings
from tests.conftest import make_settings
from tests.freshdb import fresh_db

__all__ = ["fresh_db"]

REDIS_URL = "redis://127.0.0.1:6379/0"


class PkceCheckingProvider:
    """WSGI middleware in front of oidc-provider-mock that verifies PKCE as real providers do.

    The mock accepts any ``code_verifier``; this layer remembers the S256 ``code_challenge`` of
    each authorization request and refuses (``invalid_grant``) a token request whose verifier
    does not hash to it. It also records token requests, so tests can see what the client sent.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.challenges: dict[str, tuple[str | None, str | None]] = {}
        self.token_requests: list[dict[str, list[str]]] = []
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/oauth2/authorize" and method == "POST":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            challenge = (query.get("code_challenge") or [""])[0] or None
            challenge_method = (query.get("code_challenge_method") or [""])[0] or None

            def remember(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                for name, value in headers:
                    if name.lower() == "location":
                        code = (parse_qs(urlsplit(value).query).get("code") or [""])[0]
                        if code:
                            with self.lock:
                                self.challenges[code] = (challenge, challenge_method)
                return start_response(status, headers, exc_info)

            return self.app(environ, remember)
        if path == "/oauth2/token" and method == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            form = parse_qs(body.decode())
            with self.lock:
                self.token_requests.append(form)
                challenge, challenge_method = self.challenges.pop(
                    (form.get("code") or [""])[0], (None, None))
            verifier = (form.get("code_verifier") or [None])[0]
            if challenge:
                digest = hashlib.sha256((verifier or "").encode()).digest()
                expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                if challenge_method != "S256" or not verifier or expected != challenge:
                    payload = json.dumps({"error": "invalid_grant",
                                          "error_description": "PKCE verification failed"})
                    start_response("400 Bad Request", [("Content-Type", "application/json")])
                    return [payload.encode()]
            environ["wsgi.input"] = BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)


class Provider:
    def __init__(self, url: str, wsgi: PkceCheckingProvider) -> None:
        self.url = url
        self.wsgi = wsgi

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def set_user(self, sub: str, **claims: Any) -> None:
        r = httpx.put(f"{self.url}/users/{quote(sub, safe='')}", json=claims)
        assert r.status_code == 204, r.text

    def authorize(self, authorize_url: str, sub: str) -> str:
        """Log in at the provider as ``sub``; returns the redirect back to the app."""
        r = httpx.post(authorize_url, data={"sub": sub})
        assert r.status_code == 302, r.text
        return r.headers["location"]

    def deny(self, authorize_url: str) -> str:
        r = httpx.post(authorize_url, data={"action": "deny"})
        assert r.status_code == 302, r.text
        return r.headers["location"]


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    import oidc_provider_mock
    import werkzeug.serving

    wsgi = PkceCheckingProvider(oidc_provider_mock.app(require_nonce=True))
    server = werkzeug.serving.make_server("localhost", 0, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield Provider(f"http://localhost:{server.server_port}", wsgi)
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture
def app_with(tmp_path: Path, database_url: str, db: Database
             ) -> Callable[..., FastAPI]:
    """An app with settings overrides: ``app_with(rate_limit_login="2/60")``."""
    from backend.main import create_app

    def build(**overrides: Any) -> FastAPI:
        settings: Settings = make_settings(tmp_path, database_url, **overrides)
        return create_app(settings, db, start_worker=False)

    return build


@pytest.fixture
def oidc_app(app_with: Callable[..., FastAPI], oidc_provider: Provider) -> FastAPI:
    return app_with(oidc_discovery_url=oidc_provider.discovery_url,
                    oidc_client_id="loket-test", oidc_client_secret="s3cret-" + "x" * 20,
                    oidc_name="Test SSO")


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    import redis

    prefix = f"loket-test:{secrets.token_hex(6)}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


def pytest_configure(config: pytest.Config) -> None:
    # Noise from the provider mock's own use of Authlib's server side, not from Loket.
    config.addinivalue_line(
        "filterwarnings", "ignore:get_jwt_config:DeprecationWarning")
    config.addinivalue_line("filterwarnings", "ignore::authlib.deprecate.AuthlibDeprecationWarning")
