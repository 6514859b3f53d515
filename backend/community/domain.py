"""The community domain: ecosystem groups, feed, KPIs and figures. Declared once for the app
(``backend.core.domain``)."""

from __future__ import annotations

from backend.community import (
    feed,
    routes_api,
    routes_bench,
    routes_feed,
    routes_html,
    routes_tokens,
)
from backend.community.seed import load_groups
from backend.core.domain import Domain

DOMAIN = Domain("community", routers=(
    routes_tokens.router,  # before /groepen/{slug}
    routes_html.router, routes_feed.router, routes_bench.router, routes_api.router),
    jobs=(feed,), seed=load_groups)
