"""A TestClient that behaves like a browser page: it sends the CSRF token it was given."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from backend.core.security import CSRF_COOKIE, cookie_name, csrf_token_for

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class LoketClient(TestClient):
    def __init__(self, app: Any, **kwargs: Any) -> None:
        kwargs.setdefault("base_url", "http://testserver")
        kwargs.setdefault("follow_redirects", False)
        super().__init__(app, **kwargs)

    def csrf_token(self) -> str:
        """The token a page would carry; fetches a page first if no cookie is set yet."""
        settings = self.app.state.settings  # type: ignore[attr-defined]
        name = cookie_name(CSRF_COOKIE, settings.is_https)  # __Host-loket_csrf on https
        if name not in self.cookies:
            self.get("/healthz")
        return csrf_token_for(settings.secret_key, self.cookies[name])

    def request(self, method: str, url: Any, *args: Any, csrf: bool = True,
                **kwargs: Any) -> Any:
        if csrf and method.upper() in UNSAFE:
            headers = dict(kwargs.pop("headers", None) or {})
            if not any(k.lower() in ("authorization", "x-csrf-token") for k in headers):
                data = kwargs.get("data")
                if isinstance(data, dict) and "csrf_token" not in data:
                    kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
                else:
                    headers["X-CSRF-Token"] = self.csrf_token()
            kwargs["headers"] = headers
        return super().request(method, url, *args, **kwargs)


def hidden_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def _verb(method: str) -> Any:
    def call(self: LoketClient, url: Any, *, csrf: bool = True, **kwargs: Any) -> Any:
        return self.request(method, url, csrf=csrf, **kwargs)

    call.__name__ = method.lower()
    return call


for _method in UNSAFE:
    setattr(LoketClient, _method.lower(), _verb(_method))
