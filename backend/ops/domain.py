"""The ops domain: health, readiness and metrics probes, admin pages for the outbox and kept
mail. Declared once for the app (``backend.core.domain``)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.ops import routes_admin, routes_probes

DOMAIN = Domain("ops", routers=(routes_probes.router, routes_admin.router))
