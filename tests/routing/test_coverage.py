"""The coverage matrix (issue 13, item 3): computed by the router, agreeing with it, fast,
for admins and desk coordinators only."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import pytest
from sqlmodel import Session

from backend.regions.models import LABOUR_MARKET_REGION, NATIONAL, PROVINCE
from backend.routing import coverage
from backend.routing.models import COORDINATOR
from backend.routing.router import DeskIndex, DeskProfile, RoutingInput, default_taxonomy
from backend.routing.service import RoutingContext
from tests.client import LoketClient
from tests.factories.accounts import create_user
from tests.factories.routing import add_member, get_desk
from tests.routing.conftest import seed_desk_index, seed_regions_index

URL = "/api/v1/routing/coverage"


def seed_context() -> RoutingContext:
    return RoutingContext(seed_desk_index(), seed_regions_index(), default_taxonomy())


def assert_agrees_with_router(ctx: RoutingContext, matrix: coverage.CoverageMatrix) -> None:
    """Route every municipality for every theme: the matrix says what the router does."""
    themes = matrix.themes
    assert themes == tuple(ctx.taxonomy.themes.themes)
    disagree = []
    for m in ctx.regions.municipalities.values():
        for theme in themes:
            slug = ctx.route(RoutingInput(text="", municipality_code=m.code, theme=theme)).slug
            if matrix.winners[(m.code, theme)] != slug:
                disagree.append((m.name, theme, matrix.winners[(m.code, theme)], slug))
    assert disagree == []
    # And each cell adds up from those answers.
    by_area: dict[tuple[str, str], list[str]] = {}
    for m in ctx.regions.municipalities.values():
        by_area.setdefault((PROVINCE, m.province_code), []).append(m.code)
        by_area.setdefault((LABOUR_MARKET_REGION, m.labour_market_code or ""), []).append(m.code)
    for row, cell in matrix.cells():
        codes = by_area[(row.kind, row.code)]
        expected = Counter(matrix.winners[(c, cell.theme)] for c in codes)
        assert {d.slug: d.municipalities for d in cell.desks} == dict(expected)
        fb = expected.get(matrix.fallback_slug, 0)
        assert cell.fallback_municipalities == fb
        assert (cell.status == coverage.GAP) == (fb == len(codes))
        assert (cell.status == coverage.PARTIAL) == (0 < fb < len(codes))


def test_matrix_has_every_province_and_labour_market_region_and_theme() -> None:
    matrix = coverage.compute(seed_context())
    kinds = Counter(r.kind for r in matrix.rows)
    assert kinds == {PROVINCE: 12, LABOUR_MARKET_REGION: 35}
    assert len(matrix.themes) == 20
    assert all(len(r.cells) == 20 for r in matrix.rows)
    assert sum(r.municipalities for r in matrix.rows if r.kind == PROVINCE) == 342


def test_matrix_agrees_with_the_router_for_the_seeded_desks() -> None:
    ctx = seed_context()
    assert_agrees_with_router(ctx, coverage.compute(ctx))


def test_branch_desks_are_shown_only_for_their_sectors() -> None:
    """OOM (metal, leren-en-ontwikkelen) and KHN (horeca, regeldruk) take no question without
    a sector: they never make a cell covered, and each cell of their theme lists them apart."""
    matrix = coverage.compute(seed_context())
    slugs = {"oom-metaalbewerking": "leren-en-ontwikkelen", "khn-info-advies": "regeldruk"}
    for row, cell in matrix.cells():
        assert not {d.slug for d in cell.desks} & set(slugs), (row.name, cell.theme)
        listed = {d.slug: d.sectors for d in cell.sector_desks}
        for slug, theme in slugs.items():
            assert (slug in listed) == (cell.theme == theme), (row.name, cell.theme)
        if "oom-metaalbewerking" in listed:
            assert listed["oom-metaalbewerking"] == ("metaal",)
    # Regeldruk is KVK's (the fallback) everywhere: KHN does not change that.
    regeldruk = [c for _, c in matrix.cells() if c.theme == "regeldruk"]
    assert all(c.status == coverage.GAP for c in regeldruk)


def _synthetic_desks(ctx: RoutingContext) -> list[DeskProfile]:
    """About 160 desks of every coverage kind, themes spread over them, a few general remits."""
    themes = sorted(ctx.taxonomy.themes.themes)
    munis = sorted(ctx.regions.municipalities.values(), key=lambda m: m.code)
    desks = [DeskProfile("fallback", "Vangnet", coverage=frozenset({(NATIONAL, "")}),
                         general_remit=True, is_fallback=True)]
    provinces = sorted({m.province_code for m in munis})
    lmrs = sorted({m.labour_market_code for m in munis if m.labour_market_code})
    corops = sorted({m.corop_code for m in munis if m.corop_code})
    for i, pv in enumerate(provinces):
        desks.append(DeskProfile(f"pv-{pv}", f"Provincie {pv}",
                                 coverage=frozenset({(PROVINCE, pv)}),
                                 themes=frozenset(themes[i % 5::5]), general_remit=i % 3 == 0))
    for i, am in enumerate(lmrs):
        desks.append(DeskProfile(f"am-{am}", f"WSP {am}", coverage=frozenset(
            {(LABOUR_MARKET_REGION, am)}), themes=frozenset({"werving-en-arbeidsmarkt",
                                                             themes[i % len(themes)]})))
    for i, cr in enumerate(corops):
        desks.append(DeskProfile(f"cr-{cr}", f"COROP {cr}", coverage=frozenset({("corop", cr)}),
                                 themes=frozenset(themes[i % 7::7])))
    for i, m in enumerate(munis[::5]):
        desks.append(DeskProfile(f"gm-{m.code}", f"Gemeente {m.name}",
                                 coverage=frozenset({("municipality", m.code)}),
                                 themes=frozenset({themes[i % len(themes)]}),
                                 general_remit=i % 4 == 0))
    for t in themes[:6]:
        desks.append(DeskProfile(f"nl-{t}", f"Landelijk {t}",
                                 coverage=frozenset({(NATIONAL, "")}), themes=frozenset({t})))
    # Branch desks: only for their sectors, so never for the matrix's sector-less probes.
    for i, t in enumerate(themes[-4:]):
        desks.append(DeskProfile(f"branch-{t}", f"Branche {t}",
                                 coverage=frozenset({(NATIONAL, "")} if i % 2 else
                                                    {(PROVINCE, provinces[i])}),
                                 themes=frozenset({t}), sectors=frozenset({"metaal"})))
    return desks


def test_matrix_agrees_with_the_router_for_many_desks_and_is_fast() -> None:
    base = seed_context()
    desks = _synthetic_desks(base)
    assert len(desks) >= 150
    ctx = RoutingContext(DeskIndex(desks), base.regions, base.taxonomy)
    start = time.perf_counter()
    matrix = coverage.compute(ctx)
    seconds = time.perf_counter() - start
    assert_agrees_with_router(ctx, matrix)
    counts = matrix.counts()
    assert counts[coverage.COVERED] and counts[coverage.PARTIAL] and counts[coverage.GAP]
    # Measured: 0.06–0.16 s for 163 desks × 342 municipalities × 20 themes (731 router calls
    # instead of 6,840); cached per routing context afterwards.
    assert seconds < 5, seconds
    assert coverage.coverage_matrix(ctx) is coverage.coverage_matrix(ctx)


def test_cache_follows_the_routing_context(seeded: object, session: Session) -> None:
    from backend.routing import service
    from backend.routing.models import DeskUpdate

    first = coverage.coverage_matrix(service.routing_context(session))
    assert coverage.coverage_matrix(service.routing_context(session)) is first
    desk = service.get_desk(session, "kvk")
    service.update_desk(session, desk, DeskUpdate(summary="Nieuw"))
    assert coverage.coverage_matrix(service.routing_context(session)) is not first


@pytest.fixture
def admin_client(seeded: object, client: LoketClient, session: Session,
                 login: Callable[..., LoketClient]) -> LoketClient:
    admin = create_user(session, roles=("admin",))
    session.commit()
    return login(admin)


def test_api_for_admin(admin_client: LoketClient) -> None:
    r = admin_client.get(URL)
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["areas"]) == 47 and len(body["themes"]) == 20
    assert body["fallback"]["slug"] == "kvk"
    overijssel = next(a for a in body["areas"] if a["code"] == "PV23")
    assert overijssel["name"] == "Overijssel" and overijssel["municipalities"] == 25
    werving = overijssel["cells"][[t["slug"] for t in body["themes"]].index(
        "werving-en-arbeidsmarkt")]
    assert werving["status"] in ("covered", "partial", "general")
    assert any(d["slug"].startswith("wsp-") for d in werving["desks"])
    assert sum(body["counts"].values()) == 47 * 20


def test_page_for_admin(admin_client: LoketClient) -> None:
    r = admin_client.get("/beheer/dekking")
    assert r.status_code == 200
    assert "Dekking per thema en regio" in r.text and "Legenda" in r.text
    assert ('<th scope="row">Overijssel <span class="coverage-count">(25 gemeenten)'
            in r.text)
    assert "Bron: CBS" in r.text
    assert "alleen voor sector" in r.text


def test_desk_coordinator_may_see_it_others_not(seeded: object, client: LoketClient,
                                                 session: Session,
                                                 login: Callable[..., LoketClient]) -> None:
    assert client.get(URL).status_code == 401
    assert client.get("/beheer/dekking").status_code == 303  # to the login page
    user = create_user(session)
    advisor = add_member(session, get_desk(session, "oost-nl"))
    coordinator = add_member(session, get_desk(session, "oost-nl"), role=COORDINATOR,
                             name="Coördinator")
    session.commit()
    for who in (user, advisor):
        login(who)
        assert client.get(URL).status_code == 403
        assert client.get("/beheer/dekking").status_code == 403
    login(coordinator)
    assert client.get(URL).status_code == 200
    assert client.get("/beheer/dekking").status_code == 200
