"""The doors of the portal, shown on the home page and in the menu — only those that exist."""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from fastapi import Request
from starlette.routing import Match
from starlette.types import ASGIApp

from backend.core.i18n import gettext_ as _
from backend.core.routing import answers


@dataclass(frozen=True)
class Door:
    path: str
    title: str
    text: str
    in_menu: bool = False
    menu_title: str = ""  # shorter for the menu; the title when empty

    @property
    def href(self) -> str:
        return self.path


def _all_doors() -> list[Door]:
    """Every door is in the main menu (issue 15: the menu offered only search and ask)."""
    return [
        Door("/zoeken", _("Search the knowledge base"),
             _("Best practices, case studies, subsidy schemes, experts and events."), True,
             _("Knowledge base")),
        Door("/vraag", _("Ask a question"),
             _("One question, one place: we route it to the support desk that can help you."),
             True),
        Door("/welk-loket", _("Which desk can help me?"),
             _("Find the regional support desk for your question and your region."), True,
             _("Which desk?")),
        Door("/scan", _("Productivity scan"),
             _("Answer a few questions and get advice tailored to your business."), True),
        Door("/regelingen/zoeker", _("Scheme finder"),
             _("Which subsidies and financing schemes fit your plans?"), True),
        Door("/groepen", _("Ecosystem groups"),
             _("Share practices and compare figures with peers, without revealing any firm."),
             True, _("Groups")),
    ]


# Per app: (number of routes when checked, {door path: page exists}). Asking every route costs
# about a millisecond per door, on every page (the menu); the routes are fixed once the app is
# built, and a route added later changes the count, which starts the cache afresh.
_exists: WeakKeyDictionary[ASGIApp, tuple[int, dict[str, bool]]] = WeakKeyDictionary()


def _page_exists(request: Request, path: str) -> bool:
    routes = request.app.router.routes
    cached = _exists.get(request.app)
    if cached is None or cached[0] != len(routes):
        cached = (len(routes), {})
        _exists[request.app] = cached
    known = cached[1].get(path)
    if known is None:
        # Included routers are not flattened into ``app.routes`` (FastAPI includes them
        # lazily), so ask every route whether it serves a GET of ``path`` (``answers``: a
        # route whose module a served app imports later is not imported for the menu).
        scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
        known = any(answers(route, scope) == Match.FULL for route in routes)
        cached[1][path] = known
    return known


def available_doors(request: Request) -> list[Door]:
    return [d for d in _all_doors() if _page_exists(request, d.path)]


def nav_items(request: Request) -> list[Door]:
    return [d for d in available_doors(request) if d.in_menu]
