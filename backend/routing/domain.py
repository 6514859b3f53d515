"""All routing routes in one router (``backend.main`` includes it with one line)."""

from fastapi import APIRouter

from backend.routing import routes_admin, routes_api, routes_coverage, routes_html

router = APIRouter()
router.include_router(routes_api.router)
router.include_router(routes_coverage.router)
router.include_router(routes_html.router)
router.include_router(routes_admin.router)
