"""The coverage matrix: for every province and labour-market region × every theme, which desk
takes the question, and where only the national fallback would answer.

It is computed **by the router itself**: for each municipality and each theme, the question
"(no text), topic = theme, business in this municipality" goes through ``RoutingContext.route``
(load left out: it only breaks ties between equal desks). The probe gives no sector, so a
branch desk (one limited to sectors) never answers it: a cell lists such desks separately as
"only for sector X" and they do not make it covered. Municipalities that the same desks
cover at the same level get the same answer from the router — for a question that names only
its topic, the desks that have that theme, a general remit or are the fallback — so one
municipality is routed per group (a few hundred router calls instead of 342 × 20);
``tests/routing/test_coverage.py`` routes every municipality for every theme and checks that
the matrix says the same.

The result is cached per routing context: a desk, region or taxonomy change builds a new
context (``service.routing_context``) and so a new matrix.
"""

from __future__ import annotations

import operator
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlmodel import Session

from backend.accounts.principal import Principal
from backend.core.errors import Forbidden
from backend.core.memo import Memo
from backend.regions.index import SPECIFICITY, MunicipalityInfo
from backend.regions.schemas import LABOUR_MARKET_REGION, PROVINCE
from backend.routing import service
from backend.routing.router import RoutingInput
from backend.routing.service import RoutingContext

# Cell status, from best to worst.
COVERED = "covered"  # a desk that handles the theme answers in every municipality of the area
GENERAL = "general"  # somewhere only a desk with a general remit (not for this theme) answers
PARTIAL = "partial"  # in some municipalities only the fallback answers
GAP = "gap"  # only the national fallback answers, everywhere in the area
STATUSES = (COVERED, GENERAL, PARTIAL, GAP)

AREA_KINDS = (PROVINCE, LABOUR_MARKET_REGION)


@dataclass(frozen=True, slots=True)
class DeskShare:
    slug: str
    name: str
    via: str  # specialism | theme | general_remit | fallback (as the router says)
    municipalities: int  # in how many of the area's municipalities this desk takes the question


@dataclass(frozen=True, slots=True)
class SectorDesk:
    """A branch desk that handles the theme in the area, but only for its sectors: the router
    gives it no question from a business of another sector or without one, so it does not
    make a cell covered (the matrix probes ask without a sector)."""

    slug: str
    name: str
    sectors: tuple[str, ...]  # sector slugs


@dataclass(frozen=True, slots=True)
class Cell:
    theme: str
    status: str
    desks: tuple[DeskShare, ...]  # most municipalities first; the fallback included if it answers
    fallback_municipalities: int  # municipalities where only the fallback answers
    municipalities: int
    sector_desks: tuple[SectorDesk, ...] = ()  # also there, only for their sectors


@dataclass(frozen=True, slots=True)
class AreaRow:
    kind: str  # province | labour_market_region
    code: str
    name: str
    municipalities: int
    cells: tuple[Cell, ...]  # one per theme, in ``CoverageMatrix.themes`` order


@dataclass
class CoverageMatrix:
    themes: tuple[str, ...]
    rows: tuple[AreaRow, ...]
    fallback_slug: str
    fallback_name: str
    router_calls: int
    seconds: float
    # (municipality code, theme) -> winning desk slug: what the router said, for the agreement
    # test and the API's detail.
    winners: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    def cells(self) -> Iterator[tuple[AreaRow, Cell]]:
        for row in self.rows:
            for cell in row.cells:
                yield row, cell

    def gaps(self) -> list[tuple[AreaRow, Cell]]:
        return [(r, c) for r, c in self.cells() if c.status in (GAP, PARTIAL)]

    def counts(self) -> Counter[str]:
        return Counter(c.status for _, c in self.cells())


def _groups(ctx: RoutingContext, theme: str,
            areas_of: dict[str, tuple[tuple[str, str], ...]]
            ) -> dict[tuple[tuple[str, int], ...], list[MunicipalityInfo]]:
    """Municipalities by the desks that could take a question on ``theme`` there (desks with
    the theme, with a general remit, the fallback) and the level they cover them at: all the
    router looks at for a question that only names its topic."""
    by_area: dict[tuple[str, str], list[str]] = defaultdict(list)
    for d in ctx.desks.desks:
        if d.sectors and not d.is_fallback:
            continue  # a branch desk takes no question without a sector (the probes')
        if theme in d.themes or d.general_remit or d.is_fallback:
            for area in d.coverage:
                by_area[area].append(d.slug)
    groups: dict[tuple[tuple[str, int], ...], list[MunicipalityInfo]] = defaultdict(list)
    for m in sorted(ctx.regions.municipalities.values(), key=lambda m: m.code):
        level: dict[str, int] = {}
        for area in areas_of[m.code]:
            for slug in by_area.get(area, ()):
                level.setdefault(slug, SPECIFICITY[area[0]])
        groups[tuple(sorted(level.items()))].append(m)
    return groups


def compute(ctx: RoutingContext) -> CoverageMatrix:
    start = time.perf_counter()
    themes = tuple(ctx.taxonomy.themes.themes)
    fallback = ctx.desks.fallback
    fb_slug = fallback.slug if fallback else ""
    names = {d.slug: d.name for d in ctx.desks.desks}
    winners: dict[tuple[str, str], str] = {}
    vias: dict[tuple[str, str], str] = {}
    calls = 0
    areas_of = {m.code: m.areas() for m in ctx.regions.municipalities.values()}
    for theme in themes:
        for members in _groups(ctx, theme, areas_of).values():
            decision = ctx.route(RoutingInput(text="", municipality_code=members[0].code,
                                              theme=theme), load=None)
            calls += 1
            for m in members:
                winners[(m.code, theme)] = decision.desk.slug
                vias[(m.code, theme)] = decision.via
    areas: dict[tuple[str, str], list[MunicipalityInfo]] = defaultdict(list)
    for m in ctx.regions.municipalities.values():
        areas[(PROVINCE, m.province_code)].append(m)
        if m.labour_market_code:
            areas[(LABOUR_MARKET_REGION, m.labour_market_code)].append(m)
    branch = [d for d in ctx.desks.desks if d.sectors and not d.is_fallback]
    rows = []
    for kind in AREA_KINDS:
        keys = sorted((k for k in areas if k[0] == kind),
                      key=lambda k: ctx.regions.area_name(*k))
        for key in keys:
            members = areas[key]
            cells = []
            for theme in themes:
                count: Counter[str] = Counter(winners[(m.code, theme)] for m in members)
                via_of = {winners[(m.code, theme)]: vias[(m.code, theme)] for m in members}
                shares = tuple(DeskShare(slug, names.get(slug, slug), via_of[slug], n)
                               for slug, n in sorted(count.items(),
                                                     key=lambda kv: (-kv[1], kv[0])))
                fb = count.get(fb_slug, 0)
                if fb == len(members):
                    status = GAP
                elif fb:
                    status = PARTIAL
                elif any(s.via == "general_remit" for s in shares):
                    status = GENERAL
                else:
                    status = COVERED
                sector_desks = tuple(
                    SectorDesk(d.slug, d.name, tuple(sorted(d.sectors))) for d in branch
                    if theme in d.themes
                    and any(d.coverage & set(areas_of[m.code]) for m in members))
                cells.append(Cell(theme, status, shares, fb, len(members), sector_desks))
            rows.append(AreaRow(kind, key[1], ctx.regions.area_name(*key), len(members),
                                tuple(cells)))
    return CoverageMatrix(themes, tuple(rows), fb_slug, names.get(fb_slug, fb_slug), calls,
                          time.perf_counter() - start, winners)


_matrix: Memo[RoutingContext, CoverageMatrix] = Memo(operator.is_)


def coverage_matrix(ctx: RoutingContext) -> CoverageMatrix:
    """The matrix for this routing context, computed once per context."""
    return _matrix.get(ctx, lambda: compute(ctx))


def may_see_coverage(session: Session, principal: Principal | None) -> bool:
    """Admins and the coordinators of any desk."""
    if principal is None:
        return False
    return principal.has("admin") or bool(service.coordinated_desks(session, principal))


def coverage_for(session: Session, principal: Principal | None) -> CoverageMatrix:
    """The coverage matrix of the current desks, for an admin or a desk coordinator (every
    door: the page and the API)."""
    if not may_see_coverage(session, principal):
        raise Forbidden()
    return coverage_matrix(service.routing_context(session))
