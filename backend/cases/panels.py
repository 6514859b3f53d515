"""Extra panels on the advisor's case page, contributed by other domains.

Cases do not import the domains that build on them (the scan asks questions through
``cases.service``); such a domain registers a panel instead. A panel is called with the
request's session and the case, after the advisor's access to the case has been checked, and
returns ``(template, context)`` or ``None`` when it has nothing to show. Panels only read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from backend.cases.models import Case


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any]


PanelFn = Callable[[Session, Case], Panel | None]
_PANELS: dict[str, PanelFn] = {}
# Panels on the entrepreneur's own page (``/mijn-vraag/{reference}``): only what the
# entrepreneur may see of their own case, after the private link was used in this browser.
_ENTREPRENEUR_PANELS: dict[str, PanelFn] = {}


def case_panel(name: str, *, entrepreneur: bool = False) -> Callable[[PanelFn], PanelFn]:
    """Register ``fn`` under ``name`` (registering the same name again replaces it);
    ``entrepreneur=True`` registers it on the entrepreneur's page instead."""

    def register(fn: PanelFn) -> PanelFn:
        (_ENTREPRENEUR_PANELS if entrepreneur else _PANELS)[name] = fn
        return fn

    return register


def panels_for(session: Session, case: Case, *, entrepreneur: bool = False) -> list[Panel]:
    out = []
    for fn in (_ENTREPRENEUR_PANELS if entrepreneur else _PANELS).values():
        panel = fn(session, case)
        if panel is not None:
            out.append(panel)
    return out
