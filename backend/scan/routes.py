"""The scan domain's routes."""

from fastapi import APIRouter

from backend.scan import routes_html

router = APIRouter()
router.include_router(routes_html.router)
