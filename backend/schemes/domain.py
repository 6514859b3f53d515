"""The schemes domain: the scheme finder page, its API and alerts. Declared once for the app
(``backend.core.domain``)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.schemes import alerts, routes_api, routes_html

DOMAIN = Domain("schemes", routers=(routes_api.router, routes_html.router), jobs=(alerts,))
