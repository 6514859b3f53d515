"""The privacy domain: export and erasure of a person, retention. Declared once for the app
(``backend.core.domain``)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.privacy import retention, routes_api, routes_html

DOMAIN = Domain("privacy", routers=(routes_html.router, routes_api.router), jobs=(retention,))
