"""All routes of the privacy domain, for ``backend.main`` to include in one line."""

from __future__ import annotations

from fastapi import APIRouter

from backend.privacy import routes_api, routes_html

router = APIRouter()
router.include_router(routes_html.router)
router.include_router(routes_api.router)
