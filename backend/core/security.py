"""Security baseline: CSRF (signed double-submit cookie + origin check) and response headers.

The CSRF token works for plain form posts (hidden ``csrf_token`` field, no JavaScript needed)
and for HTMX (``X-CSRF-Token`` header set once on ``<body hx-headers>``). Every unsafe request
first passes the ``Origin`` / ``Sec-Fetch-Site`` refusal. Only then may it skip the token check,
and only when it carries no credential a browser attaches by itself: a valid ``Bearer`` API
token without the session cookie (a browser never adds a Bearer header on its own, but it does
add ``Basic``/``Negotiate`` behind HTTP or Kerberos authentication, so those count for nothing),
or JSON without any cookie (see ``_cookieless_json``).

On https the cookies carry the ``__Host-`` prefix (``cookie_name``): the browser then accepts
them only with ``Secure``, ``Path=/`` and no ``Domain``, so a sibling host cannot plant them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from backend.core.db import SAFE_METHODS
from backend.core.errors import Forbidden

CSRF_COOKIE = "loket_csrf"
SESSION_COOKIE = "loket_session"  # backend.accounts.sessions; core does not import domains
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
HOST_PREFIX = "__Host-"


def cookie_name(base: str, https: bool) -> str:
    """The name a cookie is set and read under: ``__Host-<base>`` on https."""
    return f"{HOST_PREFIX}{base}" if https else base


def bearer_token(request: Request) -> str | None:
    """The value of an ``Authorization: Bearer …`` header, or None (any other scheme)."""
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def new_csrf_secret() -> str:
    return secrets.token_urlsafe(32)


def csrf_token_for(secret_key: str, cookie_value: str) -> str:
    return hmac.new(secret_key.encode(), cookie_value.encode(), hashlib.sha256).hexdigest()


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def sha256_hex(value: str) -> str:
    """Hash for secrets stored at rest (session ids, link tokens, API tokens)."""
    return hashlib.sha256(value.encode()).hexdigest()


class CsrfFailed(Forbidden):
    code = "csrf_failed"
    message = ("This form has expired or did not come from this site. "
               "Reload the page and try again.")


def _allowed_origins(request: Request) -> set[str]:
    own = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
    return {origin_of(request.app.state.settings.base_url), own}


def _cookieless_json(request: Request) -> bool:
    """A JSON request that carries no cookies at all, from a client that is not a browser page.

    CSRF abuses the credentials a browser attaches by itself (cookies); a request without any
    cookie has none to abuse, so it acts as an anonymous caller and the routes' own rights
    checks apply. A browser cannot send ``application/json`` cross-site without a CORS
    preflight, which this app never grants, and a cross-site page is refused above by its
    ``Origin`` or ``Sec-Fetch-Site``. This lets integrations call public JSON endpoints
    (``POST /api/v1/routing/dry-run``, ``POST /api/v1/questions``) without a token.
    """
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return ctype == "application/json" and not request.headers.get("cookie")


async def _token_only(request: Request) -> bool:
    """Authenticated by a valid Bearer API token alone: no session cookie rides along.

    ``app.state.bearer_is_valid`` (set in ``create_app``; core does not import accounts)
    checks the token; without it no request is exempt.
    """
    token = bearer_token(request)
    if token is None:
        return False
    https = request.app.state.settings.is_https
    if cookie_name(SESSION_COOKIE, https) in request.cookies:
        return False
    check = getattr(request.app.state, "bearer_is_valid", None)
    return check is not None and bool(await run_in_threadpool(check, token))


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: refuse state-changing requests without a valid token.

    Order matters: the foreign-origin refusal runs for every unsafe request, whatever
    ``Authorization`` header it carries; the exemptions come after it.
    """
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    # "null" is what a browser sends when it withholds the origin (e.g. a page served with
    # Referrer-Policy: no-referrer, or a redirect chain): no information, not a foreign site.
    # The token check below still applies.
    if origin and origin != "null" and origin.lower() not in _allowed_origins(request):
        raise CsrfFailed("Request from a foreign origin refused.", code="csrf_origin")
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfFailed("Request from a foreign origin refused.", code="csrf_origin")
    if _cookieless_json(request) or await _token_only(request):
        return
    cookie = request.cookies.get(cookie_name(CSRF_COOKIE, request.app.state.settings.is_https))
    if not cookie:
        raise CsrfFailed()
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    expected = csrf_token_for(request.app.state.settings.secret_key, cookie)
    if not sent or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
])


def security_headers(https: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if https:
        headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return headers
