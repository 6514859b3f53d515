"""The scan domain: the productivity scan, its editor and the advisor's scan with a client.
Declared once for the app (``backend.core.domain``)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.scan import aggregates, case_panel, routes_advisor, routes_editor, routes_html
from backend.scan.service import load_seed

DOMAIN = Domain("scan", routers=(routes_html.router, routes_advisor.router, routes_editor.router),
                # case_panel puts the scan on the advisor's case page (cases.panels)
                jobs=(aggregates, case_panel), seed=load_seed)
