"""The cases domain: questions, cases, the advisor's workspace, the human door, SLA.
Declared once for the app (``backend.core.domain``)."""

from __future__ import annotations

from backend.cases import (
    appointments,
    figures,
    followup,
    routes_api,
    routes_html,
    routes_human,
    routes_workspace,
    sla,
)
from backend.core.domain import Domain

DOMAIN = Domain("cases", routers=(routes_html.router, routes_human.router,
                                   routes_workspace.router, routes_api.router),
                # figures registers the open-case count as routing's load figure
                jobs=(appointments, followup, sla, figures))
