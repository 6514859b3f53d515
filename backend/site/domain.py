"""The site domain: home page, accessibility statement, language switch, the API docs.
Declared once for the app (``backend.core.domain``)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.site import api_docs, routes_html

DOMAIN = Domain("site", routers=(routes_html.router, api_docs.router))
