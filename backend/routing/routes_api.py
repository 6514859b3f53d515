"""Routing API: the public dry run and the public desk list."""

from __future__ import annotations

from fastapi import APIRouter

from backend.core.db import SessionDep
from backend.core.openapi import error_responses
from backend.core.routing import LazyRoute
from backend.routing import service
from backend.routing.models import DeskPublic
from backend.routing.schemas import DryRunRequest, DryRunResponse

router = APIRouter(prefix="/api/v1", tags=["routing"], route_class=LazyRoute)


@router.post("/routing/dry-run", response_model=DryRunResponse,
             summary="Which desk would take this question? (stores nothing)",
             responses=error_responses(409))  # no national fallback desk configured
def api_dry_run(body: DryRunRequest, session: SessionDep) -> DryRunResponse:
    """Route a question without storing it: the chosen desk, the explanation per criterion
    and the ranking. Public; an unknown ``municipality``, ``sector`` or ``theme`` or a malformed
    ``postcode`` is a 422 naming the field. A well-formed postcode that is not in the CBS table
    means "location unknown" (``location.postcode_known`` false; routed on the rest); without a
    location, a place named in the text is used, and an ambiguous one ("Hengelo") is returned
    with its ``location.candidates``.

    Send it as JSON without cookies (as any API client does) and no CSRF token is needed; a
    browser page sends its token like for any other form.
    """
    decision, location = service.dry_run_located(
        session, text=body.text, municipality=body.municipality, postcode=body.postcode,
        sector=body.sector, company_size=body.company_size, theme=body.theme)
    return DryRunResponse.of(decision, location)


@router.get("/desks", response_model=list[DeskPublic], summary="Active desks")
def api_desks(session: SessionDep) -> list[DeskPublic]:
    return [service.desk_public(session, d) for d in service.list_desks(session,
                                                                        active_only=True)]


@router.get("/desks/{slug}", response_model=DeskPublic, summary="One desk")
def api_desk(slug: str, session: SessionDep) -> DeskPublic:
    return service.desk_public(session, service.get_desk(session, slug))
