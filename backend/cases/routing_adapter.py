"""The thin seam between a question and the router (``backend.routing.router``).

Cases never decide where a question goes; the router does. This module turns a question into
the router's input, calls it with the routing context, and turns the decision into what a case
stores. When the router cannot answer (missing data, an error), the question still gets a desk:
the national fallback — an accepted question is never lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

import backend.cases.figures  # noqa: F401 - registers the open-case count as routing's load
from backend.cases.schemas import QuestionCreate
from backend.core.errors import Invalid
from backend.core.i18n import gettext_ as _
from backend.regions import service as regions
from backend.routing import queries as desks
from backend.routing import service as routing
from backend.routing.queries import DeskInfo
from backend.routing.router import RoutingInput

log = logging.getLogger("loket.cases")


@dataclass
class RouteResult:
    desk: DeskInfo
    explanation: list[dict[str, Any]]
    themes: list[str] = field(default_factory=list)
    municipality_code: str | None = None
    ranking: list[dict[str, Any]] = field(default_factory=list)


def fallback_desk(session: Session) -> DeskInfo:
    """The national fallback desk, as routing defines it (``routing.fallback_desk``)."""
    return desks.fallback(session)


def _fallback(session: Session, reason: str) -> RouteResult:
    desk = fallback_desk(session)
    return RouteResult(desk=desk, explanation=[{
        "criterion": "decision", "outcome": "info",
        "text": _("%(desk)s takes every question that no other desk takes.", desk=desk.name),
    }], ranking=[{"slug": desk.slug, "name": desk.name, "via": "fallback", "note": reason}])


def location_errors(session: Session, municipality: str | None,
                    postcode: str | None) -> dict[str, str]:
    """The field errors of the place alone (unknown municipality, malformed postcode), so a
    form can show them together with its other errors instead of after they are fixed."""
    if not len(regions.region_index(session)):
        return {}
    try:
        regions.locate(session, municipality=municipality, postcode=postcode)
    except Invalid as exc:
        return dict(exc.fields)
    return {}


def route_question(session: Session, data: QuestionCreate) -> RouteResult:
    """Where the question goes, and why. Raises ``Invalid`` for an unknown place."""
    if len(regions.region_index(session)):
        place = regions.resolve_location(session, data.municipality, data.postcode)
    else:  # no municipalities loaded (yet): route without a location rather than refuse
        place = None
    question = RoutingInput(text=data.text, municipality_code=place.code if place else None,
                            sector=data.sector, company_size=data.company_size,
                            theme=data.theme, language="en" if data.language == "en" else None)
    try:
        decision = routing.route_question(session, question)
    except Exception:
        log.exception("router failed; the question goes to the fallback desk")
        return _fallback(session, "router failed")
    desk = desks.desk_by_id(session, decision.desk.desk_id) if decision.desk.desk_id else None
    if desk is None:
        return _fallback(session, "routed desk not found")
    return RouteResult(
        desk=desk,
        explanation=[r.as_dict() for r in decision.explanation],
        themes=[t.theme for t in decision.recognised_themes],
        municipality_code=decision.municipality.code if decision.municipality else None,
        # Stored for advisors and coordinators, who may see the load figures.
        ranking=[d.as_dict(internal=True) for d in decision.ranking],
    )
