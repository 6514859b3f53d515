"""All routes of the insight domain, for ``backend.main`` to include in one line."""

from __future__ import annotations

from fastapi import APIRouter

from backend.insight import (  # noqa: F401
    routes_api,
    routes_html,
    routes_open,
    searchlog,
    snapshot,
)

searchlog.install()  # count searches and finder misses from here on

router = APIRouter()
router.include_router(routes_html.router)
router.include_router(routes_api.router)
router.include_router(routes_open.router)
