"""The regions domain: municipalities, PC4, places, locating a business. Declared once for the
app (``backend.core.domain``)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.regions import routes_api, routes_html
from backend.regions.service import seed_regions

DOMAIN = Domain("regions", routers=(routes_api.router, routes_html.router), seed=seed_regions)
