"""The schemes domain's routes: the finder page and its API."""

from fastapi import APIRouter

from backend.schemes import routes_api, routes_html

router = APIRouter()
router.include_router(routes_api.router)
router.include_router(routes_html.router)
