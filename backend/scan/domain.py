"""The scan domain's routes (and its panel on the advisor's case page)."""

from fastapi import APIRouter

from backend.scan import case_panel as _case_panel  # noqa: F401 - registers the panel
from backend.scan import routes_advisor, routes_editor, routes_html

router = APIRouter()
router.include_router(routes_html.router)
router.include_router(routes_advisor.router)
router.include_router(routes_editor.router)
