"""Server-side sessions as pure ASGI middleware.

The cookie holds only a random id (``HttpOnly``, ``SameSite=Lax``, ``Secure`` on https); the
row in ``web_session`` holds the data and is found by the id's SHA-256. A session row is only
written when there is something to keep, so anonymous browsing costs no writes. Sessions end
after ``session_idle_minutes`` without a request or ``session_absolute_hours`` after login,
whichever comes first; logout deletes the row.

Handlers change the session through ``request.session`` (a dict, as Starlette and Authlib
expect) and log in/out with :func:`login` / :func:`logout`, which rotate the id;
:func:`rotate` gives a new id to a session that gains a right without a login (a private link
exchanged), so a session id planted in the browser beforehand is worth nothing. A login or
logout also renews the CSRF cookie (``state["session_rotated"]``, read by the request
context); a rotation keeps it, so another open form still posts.
On https the cookie is ``__Host-loket_session``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import anyio
from sqlmodel import Session, col, delete, select
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.accounts.models import User, UserRole, WebSession
from backend.accounts.principal import Principal
from backend.core.db import Database, utcnow
from backend.core.middleware import _cookies, cookie_header
from backend.core.security import SESSION_COOKIE, cookie_name, sha256_hex
from backend.core.settings import Settings

__all__ = ["SESSION_COOKIE", "SessionMiddleware", "login", "logout", "rotate"]
TOUCH_EVERY = timedelta(seconds=60)


class TrackedDict(dict[str, Any]):
    """A dict that remembers whether it was changed."""

    modified = False

    def __setitem__(self, key: str, value: Any) -> None:
        self.modified = True
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.modified = True
        super().__delitem__(key)

    def pop(self, *args: Any) -> Any:
        self.modified = True
        return super().pop(*args)

    def clear(self) -> None:
        self.modified = True
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.modified = True
        super().update(*args, **kwargs)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self.modified = True
        return super().setdefault(key, default)


def login(request: Request, user_id: int) -> None:
    """Bind the session to a user; the middleware issues a fresh id (no session fixation)."""
    request.scope["state"]["session_action"] = ("login", user_id)


def logout(request: Request) -> None:
    request.scope["state"]["session_action"] = ("logout", None)


def rotate(request: Request) -> None:
    """Keep who is logged in and the data, under a new id (no session fixation)."""
    state = request.scope["state"]
    if not state.get("session_action"):
        state["session_action"] = ("rotate", None)


def _principal(s: Session, user_id: int) -> Principal | None:
    user = s.get(User, user_id)
    if user is None or not user.is_active:
        return None
    roles = s.exec(select(UserRole.role).where(UserRole.user_id == user_id)).all()
    return Principal(user_id=user.id, email=user.email, name=user.name,
                     roles=frozenset(roles))


def load_principal(db: Database, user_id: int) -> Principal | None:
    with db.transaction(write=False) as s:
        return _principal(s, user_id)


class SessionMiddleware:
    def __init__(self, app: ASGIApp, db: Database, settings: Settings) -> None:
        self.app = app
        self.db = db
        self.settings = settings
        self.idle = timedelta(minutes=settings.session_idle_minutes)
        self.absolute = timedelta(hours=settings.session_absolute_hours)
        self.cookie = cookie_name(SESSION_COOKIE, settings.is_https)

    def _load(self, token: str) -> tuple[WebSession | None, Principal | None]:
        now = utcnow()
        id_hash = sha256_hex(token)
        with self.db.transaction(write=False) as s:  # one read transaction for both
            row = s.get(WebSession, id_hash)
            live = row is not None and row.expires_at > now and row.last_seen_at + self.idle > now
            principal = _principal(s, row.user_id) if live and row and row.user_id else None
        if row is None:
            return None, None
        if not live:
            with self.db.transaction() as s:
                s.exec(delete(WebSession).where(col(WebSession.id_hash) == id_hash))
            return None, None
        if row.user_id and principal is None:  # user deactivated or deleted
            return None, None
        return row, principal

    def _must_save(self, row: WebSession | None, data: dict[str, Any], modified: bool,
                   action: tuple[str, int | None] | None) -> bool:
        """Whether ``_save`` has anything to write (else the thread hop is skipped)."""
        if action:
            return True
        if row is None:
            return modified and bool(data)
        return modified or utcnow() - row.last_seen_at > TOUCH_EVERY

    def _save(self, row: WebSession | None, data: dict[str, Any], modified: bool,
              action: tuple[str, int | None] | None) -> tuple[str | None, bool]:
        """Persist; returns (new cookie token or None, clear cookie?)."""
        now = utcnow()
        if action and action[0] == "logout":
            if row is not None:
                with self.db.transaction() as s:
                    s.exec(delete(WebSession).where(col(WebSession.id_hash) == row.id_hash))
            return None, True
        if action and action[0] in ("login", "rotate"):
            token = secrets.token_urlsafe(32)
            user_id = action[1] if action[0] == "login" else (row.user_id if row else None)
            # A rotation keeps the session's absolute end; a login starts a new one.
            expires = row.expires_at if row is not None and action[0] == "rotate" else (
                now + self.absolute)
            with self.db.transaction() as s:
                if row is not None:
                    s.exec(delete(WebSession).where(col(WebSession.id_hash) == row.id_hash))
                s.add(WebSession(id_hash=sha256_hex(token), user_id=user_id, data=dict(data),
                                 created_at=now, last_seen_at=now, expires_at=expires))
            return token, False
        if row is None:
            if not modified or not data:
                return None, False
            token = secrets.token_urlsafe(32)
            with self.db.transaction() as s:
                s.add(WebSession(id_hash=sha256_hex(token), data=dict(data), created_at=now,
                                 last_seen_at=now, expires_at=now + self.absolute))
            return token, False
        if modified or now - row.last_seen_at > TOUCH_EVERY:
            with self.db.transaction() as s:
                current = s.get(WebSession, row.id_hash)
                if current is not None:
                    if modified:
                        current.data = dict(data)
                    current.last_seen_at = now
                    s.add(current)
        return None, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        token = _cookies(scope).get(self.cookie)
        row, principal = (None, None)
        if token:
            row, principal = await anyio.to_thread.run_sync(self._load, token)
        data = TrackedDict(row.data if row else {})
        scope["session"] = data
        state = scope.setdefault("state", {})
        state["principal"] = principal
        https = self.settings.is_https
        had_cookie = token is not None

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                action = state.get("session_action")
                if action and action[0] == "login" and message.get("status", 200) >= 400:
                    # The handler failed after asking for a login: its audit and
                    # timestamps were rolled back, so the login must not happen either.
                    action = None
                if self._must_save(row, data, data.modified, action):
                    new_token, clear = await anyio.to_thread.run_sync(
                        self._save, row, data, data.modified, action)
                else:
                    new_token, clear = None, False
                headers = list(message.get("headers", []))
                if action and action[0] in ("login", "logout") and (new_token or clear):
                    # The CSRF cookie is renewed at login and logout. A rotation for a private
                    # link or a granted case keeps it: the token grants nothing by itself, and
                    # a form open in another tab (a second question) must still post.
                    state["session_rotated"] = True
                if new_token:
                    headers.append((b"set-cookie", cookie_header(self.cookie, new_token,
                                                                 https=https)))
                elif clear or (had_cookie and row is None):
                    headers.append((b"set-cookie", cookie_header(self.cookie, "",
                                                                 https=https, max_age=0)))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)
