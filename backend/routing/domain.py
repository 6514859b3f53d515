"""The routing domain: desks, coverage, members, the router. Declared once for the app
(``backend.core.domain``)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.routing import routes_admin, routes_api, routes_coverage, routes_html
from backend.routing.seed import seed_desks
from backend.routing.service import warm_up

DOMAIN = Domain("routing", routers=(routes_api.router, routes_coverage.router,
                                     routes_html.router, routes_admin.router), seed=seed_desks,
                warm_up=warm_up)
