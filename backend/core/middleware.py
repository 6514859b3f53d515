"""Request context as pure ASGI middleware (cheaper than BaseHTTPMiddleware).

Per request: a request id (kept from ``X-Request-ID`` when sane), the language, the CSRF
cookie and token, and the security headers on every response.

The CSRF cookie is never set on ``/api/`` responses but the HTML docs page (an API client
that keeps cookies must stay cookieless, or its next JSON POST would need a token it never
saw) and is replaced by a
fresh one whenever the session id changes (login, logout, a private link exchanged: the
session middleware sets ``state["session_rotated"]``), so a token read before cannot be
replayed into the new session.
"""

from __future__ import annotations

import itertools
import os
import re
from urllib.parse import parse_qs

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core import i18n
from backend.core.i18n import N_
from backend.core.logging import request_id_var
from backend.core.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    cookie_name,
    csrf_token_for,
    new_csrf_secret,
    security_headers,
)
from backend.core.settings import Settings
from backend.core.visitors import WARM_UP_SCOPE_KEY, Visitors

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
BODY_TOO_LARGE = N_("The request is too large.")
BODY_TOO_SLOW = N_("The request took too long to arrive.")
CLOSE = {"Connection": "close"}  # the unread rest of the body must not become a next request


# A request id is a reference in logs and on error pages, not a secret: a random prefix per
# process and a counter (unique per process, 16 hex characters like before) instead of a call
# to the system's random source on every request (issue 19: ``secrets.token_hex`` showed in
# the profile of the mixed load).
_RID_PREFIX = os.urandom(4).hex()
_RID_COUNTER = itertools.count(1)


def _new_prefix() -> None:
    global _RID_PREFIX, _RID_COUNTER
    _RID_PREFIX, _RID_COUNTER = os.urandom(4).hex(), itertools.count(1)


os.register_at_fork(after_in_child=_new_prefix)  # a forked worker starts its own series


def new_request_id() -> str:
    return f"{_RID_PREFIX}{next(_RID_COUNTER) & 0xFFFFFFFF:08x}"


def _cookies(scope: Scope) -> dict[str, str]:
    """The request's cookies, parsed as ``request.cookies`` does (Starlette's parser: lenient
    like browsers, ten times cheaper than ``http.cookies``)."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return cookie_parser(value.decode("latin-1"))
    return {}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def cookie_header(name: str, value: str, *, https: bool, max_age: int | None = None,
                  http_only: bool = True) -> bytes:
    parts = [f"{name}={value}", "Path=/", "SameSite=Lax"]
    if http_only:
        parts.append("HttpOnly")
    if https:
        parts.append("Secure")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts).encode()


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings, visitors: Visitors | None = None) -> None:
        self.app = app
        self.settings = settings
        self.visitors = visitors  # requests in flight, for the warm-up (core/visitors.py)
        self.static_headers = security_headers(settings.is_https)
        self.csrf_cookie = cookie_name(CSRF_COOKIE, settings.is_https)
        self.session_cookie = cookie_name(SESSION_COOKIE, settings.is_https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else new_request_id()
        cookies = _cookies(scope)
        query_lang = None
        qs = scope.get("query_string", b"").decode("latin-1")
        if "lang=" in qs:
            query_lang = (parse_qs(qs).get("lang") or [None])[0]
        lang = i18n.pick_language(cookies.get(i18n.LANG_COOKIE), query_lang)
        csrf_secret = cookies.get(self.csrf_cookie)
        new_csrf = csrf_secret is None or len(csrf_secret) < 32
        if new_csrf:
            csrf_secret = new_csrf_secret()
        assert csrf_secret is not None
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["csrf_token"] = csrf_token_for(self.settings.secret_key, csrf_secret)
        state["lang"] = lang
        state["cookies"] = cookies  # parsed once; the page cache reads them
        https = self.settings.is_https
        # What a logged-in user, an entrepreneur behind a private link or a token sees is theirs
        # alone: no browser or proxy cache may keep it (ASVS 8.2.1). Handlers may set their own.
        credentialed = (self.session_cookie in cookies
                        or _header(scope, b"authorization") is not None)
        api = scope["path"].startswith("/api/")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers.extend(h for h in self.static_headers if h[0] not in present)
                if credentialed and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                headers.append((b"x-request-id", request_id.encode()))
                rotated = state.get("session_rotated", False)
                # Under /api/ only an HTML page (the API docs) gets the cookie, never JSON.
                page = not api or dict(headers).get(b"content-type", b"").startswith(
                    b"text/html")
                if rotated and page:
                    headers.append((b"set-cookie", cookie_header(
                        self.csrf_cookie, new_csrf_secret(), https=https)))
                elif new_csrf and page:
                    headers.append((b"set-cookie", cookie_header(self.csrf_cookie, csrf_secret,
                                                                 https=https)))
                message["headers"] = headers
            await send(message)

        lang_token = i18n.set_language(lang)
        rid_token = request_id_var.set(request_id)
        visitors = None if WARM_UP_SCOPE_KEY in scope else self.visitors
        if visitors is not None:
            visitors.enter()
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if visitors is not None:
                visitors.leave()
            request_id_var.reset(rid_token)
            i18n.reset_language(lang_token)


class RequestGuardMiddleware:
    """A request body is at most ``max_body_bytes`` and arrives within
    ``body_timeout_seconds`` (issue 12: the server parsed a 50 MB body, and a client that sent
    its body a byte at a time held a worker thread forever).

    A declared ``Content-Length`` above the limit is refused when the app first asks for the
    body, before a byte of it is read; a chunked body is counted as it comes. Both raise
    ``HTTPException`` from ``receive``, which FastAPI passes on to the error handlers (413 or
    408, JSON under ``/api/``, a translated page elsewhere). The server closes a connection
    whose body was not read to the end.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.max_bytes = settings.max_body_bytes
        self.timeout = settings.body_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        too_large = declared is not None and declared.strip().isdigit() and (
            int(declared) > self.max_bytes)
        received = 0
        deadline: float | None = None
        body_done = False

        async def guarded_receive() -> Message:
            nonlocal received, deadline, body_done
            if body_done:  # e.g. a streaming response waiting for the client to disconnect
                return await receive()
            if too_large:
                raise HTTPException(413, BODY_TOO_LARGE, headers=CLOSE)
            if deadline is None:
                deadline = anyio.current_time() + self.timeout
            try:
                with anyio.fail_after(max(deadline - anyio.current_time(), 0.001)):
                    message = await receive()
            except TimeoutError:
                raise HTTPException(408, BODY_TOO_SLOW, headers=CLOSE) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, BODY_TOO_LARGE, headers=CLOSE)
                body_done = not message.get("more_body", False)
            else:
                body_done = True
            return message

        await self.app(scope, guarded_receive, send)


_CRLF = re.compile(rb"%0D%0A", re.IGNORECASE)
_FORM = b"application/x-www-form-urlencoded"


class LineBreakMiddleware:
    """A line break is one character, as the browser counts it (issue 15).

    A textarea counts a line break as one character for ``maxlength`` and for what a person
    sees, but a browser sends each one as CRLF (HTML's form encoding), so a 4,990-character
    question with a dozen line breaks arrived as more than 5,000 and was refused. Every form
    door gets LF instead: in the query string and in an url-encoded body, ``%0D%0A`` becomes
    ``%0A`` before any route, limit or service counts. Multipart bodies (uploads) and JSON
    are left alone; API clients send what they count.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope.get("query_string", b"")
        if b"%0" in query:
            scope = {**scope, "query_string": _CRLF.sub(b"%0A", query)}
        content_type = (_header(scope, b"content-type") or "").encode("latin-1")
        if not content_type.startswith(_FORM):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        passed_on = False

        async def normalised_receive() -> Message:
            nonlocal more, passed_on
            if passed_on:
                return await receive()
            while more:  # the body is small (RequestGuardMiddleware caps it): read it whole
                message = await receive()
                if message["type"] != "http.request":
                    return message
                chunks.append(message.get("body", b""))
                more = message.get("more_body", False)
            passed_on = True
            return {"type": "http.request", "body": _CRLF.sub(b"%0A", b"".join(chunks)),
                    "more_body": False}

        await self.app(scope, normalised_receive, send)
