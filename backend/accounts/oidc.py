"""Login through any OpenID Connect provider, with Authlib's Starlette client.

The client is built once per app from its settings and cached on ``app.state`` (apps in
tests have different settings). Authlib keeps state, nonce and the PKCE verifier in
``request.session`` (our server-side session) and checks them on the callback: the state
must match a flow started in this browser, the id_token's signature, issuer, audience,
expiry and nonce are verified, and the provider checks the PKCE (S256) verifier.

Authlib, joserfc and httpx are imported when a login through the provider starts (a cold start
of a server without single sign-on, or before anyone uses it, should not pay their 0.1–0.2 s).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

if TYPE_CHECKING:
    from authlib.integrations.starlette_client import StarletteOAuth2App

CLIENT_NAME = "loket"
CALLBACK_PATH = "/inloggen/sso/callback"
_ERROR_CODE = re.compile(r"^[a-z_]{1,40}$")


def is_configured(request: Request) -> bool:
    settings = request.app.state.settings
    return bool(settings.oidc_discovery_url and settings.oidc_client_id)


def oidc_client(request: Request) -> StarletteOAuth2App | None:
    app = request.app
    client: StarletteOAuth2App | None = getattr(app.state, "oidc_client", None)
    if client is None and is_configured(request):
        # lazy: authlib (and httpx, joserfc) cost a cold start 0.1-0.2 s; only SSO needs them
        from authlib.integrations.starlette_client import OAuth

        settings = app.state.settings
        oauth = OAuth()
        oauth.register(
            CLIENT_NAME,
            server_metadata_url=settings.oidc_discovery_url,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256",
                           "timeout": 15},
        )
        client = oauth.create_client(CLIENT_NAME)
        app.state.oidc_client = client
    return client


def redirect_uri(request: Request) -> str:
    # From the configured base URL, never from the Host header.
    return request.app.state.settings.base_url.rstrip("/") + CALLBACK_PATH


@dataclass(frozen=True)
class Outcome:
    claims: dict[str, Any] | None = None
    reason: str | None = None  # audited code when the login failed
    provider_error: str | None = None


async def finish(request: Request, client: StarletteOAuth2App) -> Outcome:
    """Exchange the code, validate the id_token and read userinfo. Never raises."""
    # Loaded with the client (oidc_client), which the caller made before this.
    import httpx  # lazy: see oidc_client
    from authlib.integrations.base_client.errors import (  # lazy: see oidc_client
        MismatchingStateError,
        OAuthError,
    )
    from joserfc.errors import JoseError  # lazy: see oidc_client

    error = request.query_params.get("error")
    if error:
        code = error if _ERROR_CODE.match(error) else "other"
        return Outcome(reason="denied" if code == "access_denied" else "provider_error",
                       provider_error=code)
    try:
        token = await client.authorize_access_token(request)
    except MismatchingStateError:
        return Outcome(reason="state_mismatch")
    except JoseError as exc:
        # Bad signature, issuer, audience, expiry or nonce in the id_token.
        claim = getattr(exc, "claim", None)
        return Outcome(reason="nonce_mismatch" if claim == "nonce" else "invalid_id_token")
    except OAuthError as exc:
        code = exc.error if isinstance(exc.error, str) and _ERROR_CODE.match(exc.error) else ""
        return Outcome(reason="token_error", provider_error=code or None)
    except (httpx.HTTPError, ValueError, KeyError):
        return Outcome(reason="provider_unreachable")
    id_claims = token.get("userinfo")
    if not id_claims or not id_claims.get("sub"):
        return Outcome(reason="no_id_token")
    claims: dict[str, Any] = dict(id_claims)
    try:
        info = await client.userinfo(token=token)
    except (httpx.HTTPError, OAuthError, ValueError):
        return Outcome(reason="userinfo_error")
    # OIDC Core 5.3.2: userinfo must be about the same subject as the id_token.
    if info.get("sub") != claims["sub"]:
        return Outcome(reason="userinfo_subject_mismatch")
    claims.update({k: v for k, v in info.items() if v is not None})
    return Outcome(claims=claims)
