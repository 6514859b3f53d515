"""The doors of the portal, shown on the home page and in the menu — only those that exist."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from starlette.routing import Match

from backend.core.i18n import gettext_ as _


@dataclass(frozen=True)
class Door:
    path: str
    title: str
    text: str
    in_menu: bool = False

    @property
    def href(self) -> str:
        return self.path


def _all_doors() -> list[Door]:
    return [
        Door("/zoeken", _("Search the knowledge base"),
             _("Best practices, case studies, subsidy schemes, experts and events."), True),
        Door("/vraag", _("Ask a question"),
             _("One question, one place: we route it to the support desk that can help you."),
             True),
        Door("/welk-loket", _("Which desk can help me?"),
             _("Find the regional support desk for your question and your region.")),
        Door("/scan", _("Productivity scan"),
             _("Answer a few questions and get advice tailored to your business.")),
        Door("/regelingen/zoeker", _("Scheme finder"),
             _("Which subsidies and financing schemes fit your plans?")),
        Door("/groepen", _("Ecosystem groups"),
             _("Share practices and compare figures with peers, without revealing any firm.")),
    ]


def _page_exists(request: Request, path: str) -> bool:
    # Included routers are not flattened into ``app.routes`` (FastAPI includes them lazily),
    # so ask every route whether it serves a GET of ``path``.
    scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    return any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes)


def available_doors(request: Request) -> list[Door]:
    return [d for d in _all_doors() if _page_exists(request, d.path)]


def nav_items(request: Request) -> list[Door]:
    return [d for d in available_doors(request) if d.in_menu]
