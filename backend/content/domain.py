"""The knowledge-base domain: taxonomy, items, search indexing. Declared once for the app
(``backend.core.domain``). Its pages and API have catch-all paths (``/regelingen/{slug}``,
``/api/v1/schemes/{slug}``), so they are included after every other domain's routes
(``/regelingen/zoeker`` and ``/api/v1/schemes/match`` belong to ``schemes``)."""

from __future__ import annotations

from backend.content import indexing, routes_api, routes_editor, routes_html
from backend.content.seed import load_seed
from backend.core.domain import Domain

DOMAIN = Domain("content",
                routers_last=(routes_api.router, routes_editor.router, routes_html.router),
                jobs=(indexing,), seed=load_seed)
