"""Security baseline: CSRF (signed double-submit cookie + origin check) and response headers.

The CSRF token works for plain form posts (hidden ``csrf_token`` field, no JavaScript needed)
and for HTMX (``X-CSRF-Token`` header set once on ``<body hx-headers>``). Requests that carry
an ``Authorization`` header are API-token calls a browser cannot forge cross-site, so they skip
the token check; so do JSON requests without any cookie (see ``_cookieless_json``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request

from backend.core.db import SAFE_METHODS
from backend.core.errors import Forbidden

CSRF_COOKIE = "loket_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


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


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: refuse state-changing requests without a valid token."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("authorization"):
        return
    origin = request.headers.get("origin")
    # "null" is what a browser sends when it withholds the origin (e.g. a page served with
    # Referrer-Policy: no-referrer, or a redirect chain): no information, not a foreign site.
    # The token check below still applies.
    if origin and origin != "null" and origin.lower() not in _allowed_origins(request):
        raise CsrfFailed("Request from a foreign origin refused.", code="csrf_origin")
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfFailed("Request from a foreign origin refused.", code="csrf_origin")
    if _cookieless_json(request):
        return
    cookie = request.cookies.get(CSRF_COOKIE)
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
