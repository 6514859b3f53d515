"""The accounts domain: users, sessions, login, API tokens, audit. Declared once for the app
(``backend.core.domain``)."""

from __future__ import annotations

from backend.accounts import jobs, routes_admin, routes_api, routes_html
from backend.core.domain import Domain

DOMAIN = Domain("accounts", routers=(routes_html.router, routes_admin.router, routes_api.router),
                jobs=(jobs,))
