"""``GET /api/v1/schemes/match``: the scheme finder for integrations, with its reasons."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.core.db import SessionDep
from backend.core.routing import LazyRoute
from backend.schemes import service
from backend.schemes.eligibility import SchemeMatch
from backend.schemes.schemas import MatchResponse, ProfileOut, ReasonOut, SchemeMatchOut

router = APIRouter(prefix="/api/v1/schemes", tags=["schemes"], route_class=LazyRoute)

Short = Annotated[str | None, Query(max_length=100)]


def _reasons(items: list[object]) -> list[ReasonOut]:
    return [ReasonOut(**r.as_dict()) for r in items]  # type: ignore[attr-defined]


def match_out(m: SchemeMatch) -> SchemeMatchOut:
    s = m.scheme
    return SchemeMatchOut(
        slug=s.slug, title=s.title, url=s.url, kind=s.kind, verdict=m.verdict, status=m.status,
        opens_on=s.opens_on, closes_on=s.closes_on, days_left=m.days_left,
        budget_status=s.budget_status, first_come_first_served=s.first_come_first_served,
        funding_rate=s.funding_rate, min_amount=s.min_amount, max_amount=s.max_amount,
        provider=s.provider, source_url=s.source_url, terms_checked_on=s.terms_checked_on,
        terms_stale=s.terms_stale,
        why=_reasons(list(m.why)), why_not=_reasons(list(m.why_not)),
        unknown=_reasons(list(m.unknown)), info=_reasons(list(m.info)))


@router.get("/match", response_model=MatchResponse, summary="Schemes that fit a firm's profile")
def api_match(session: SessionDep, size: Short = None, sector: Short = None,
              municipality: Short = None,
              theme: Annotated[list[str] | None, Query(max_length=30)] = None,
              cost_kind: Short = None,
              amount: Annotated[int | None, Query(ge=0, le=service.MAX_AMOUNT)] = None,
              include_closed: bool = False) -> MatchResponse:
    """Every published scheme judged against the profile: ``fits``, ``near_miss`` (one
    criterion fails; ``why_not`` says which) or ``no_fit``, best first. Profile fields left
    out are ``unknown`` for schemes that limit on them, never a failure. ``theme`` is
    repeatable (what the firm wants to invest in); ``municipality`` is a CBS code or name and
    decides the province. Closed schemes are left out unless ``include_closed``."""
    params = service.ProfileParams.build(size=size, sector=sector, municipality=municipality,
                                         themes=theme, cost_kind=cost_kind, amount=amount)
    result = service.find_schemes(session, params, include_closed=include_closed,
                                  notify=True)
    p = result.profile
    return MatchResponse(
        profile=ProfileOut(size=p.size, sector=p.sector, municipality=p.municipality,
                           province=p.province, themes=list(p.themes), cost_kind=p.cost_kind,
                           amount=p.amount),
        on=result.on, fits=len(result.fits), near_misses=len(result.near_misses),
        hidden_closed=result.hidden_closed, items=[match_out(m) for m in result.matches])
