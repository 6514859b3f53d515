"""The insight domain: /inzicht, search logging, open data, the quarterly report. Declared
once for the app (``backend.core.domain``)."""

from __future__ import annotations

from backend.core.domain import Domain
from backend.insight import routes_api, routes_html, routes_open, searchlog, snapshot

DOMAIN = Domain("insight", routers=(routes_html.router, routes_api.router, routes_open.router),
                jobs=(searchlog, snapshot),
                setup=searchlog.install,  # count searches and finder misses from here on
                start=searchlog.start_flusher)  # writes the counts out every few seconds
