"""All routes of the cases domain, for ``backend.main`` to include in one line."""

from __future__ import annotations

from fastapi import APIRouter

from backend.cases import routes_api, routes_html, routes_human, routes_workspace

router = APIRouter()
router.include_router(routes_html.router)
router.include_router(routes_human.router)
router.include_router(routes_workspace.router)
router.include_router(routes_api.router)
