"""All routes of the community domain, for ``backend.main`` to include in one line."""

from __future__ import annotations

from fastapi import APIRouter

from backend.community import (
    routes_api,
    routes_bench,
    routes_feed,
    routes_html,
    routes_tokens,
)

router = APIRouter()
router.include_router(routes_tokens.router)  # before /groepen/{slug}
router.include_router(routes_html.router)
router.include_router(routes_feed.router)
router.include_router(routes_bench.router)
router.include_router(routes_api.router)
