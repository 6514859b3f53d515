"""The router's rules, one by one, on a small hand-made map."""

from __future__ import annotations

import random
import time

import pytest

from backend.core import i18n
from backend.regions.index import MunicipalityInfo, RegionIndex
from backend.routing.router import (
    DeskIndex,
    DeskProfile,
    NoDeskAvailable,
    RoutingInput,
    route,
)

DEVENTER = MunicipalityInfo("GM0150", "Deventer", "PV23", "Overijssel", "CR11",
                            "Zuidwest-Overijssel", "AM06", "Stedendriehoek en Noordwest Veluwe",
                            2025, ("Bathmen",))
ENSCHEDE = MunicipalityInfo("GM0153", "Enschede", "PV23", "Overijssel", "CR12", "Twente",
                            "AM05", "Twente", 2025)
UTRECHT = MunicipalityInfo("GM0344", "Utrecht", "PV26", "Utrecht", "CR17", "Utrecht", "AM13",
                           "Midden-Utrecht", 2025)
REGIONS = RegionIndex.from_rows([DEVENTER, ENSCHEDE, UTRECHT], {"7411": "GM0150"})

NL = frozenset({("national", "")})


def desk(slug: str, coverage: set[tuple[str, str]] | frozenset[tuple[str, str]] = NL,
         **kw: object) -> DeskProfile:
    return DeskProfile(slug=slug, name=slug.upper(), coverage=frozenset(coverage), **kw)  # type: ignore[arg-type]


FALLBACK = desk("kvk", themes=frozenset({"starten-en-ondernemen"}), general_remit=True,
                is_fallback=True)
FINANCE = "Wij zoeken financiering voor een nieuwe machine"


def test_most_specific_coverage_wins() -> None:
    desks = [
        FALLBACK,
        desk("national", themes=frozenset({"financiering"})),
        desk("province", {("province", "PV23")}, themes=frozenset({"financiering"})),
        desk("amr", {("labour_market_region", "AM06")}, themes=frozenset({"financiering"})),
        desk("town", {("municipality", "GM0150")}, themes=frozenset({"financiering"})),
    ]
    d = route(RoutingInput(FINANCE, "GM0150"), desks, REGIONS)
    assert d.slug == "town" and d.decided_by == "coverage"
    assert [r.slug for r in d.ranking][:4] == ["town", "amr", "province", "national"]
    # Elsewhere in Overijssel the province desk is the most specific one.
    assert route(RoutingInput(FINANCE, "GM0153"), desks, REGIONS).slug == "province"
    # Outside Overijssel only the national desk covers the business.
    assert route(RoutingInput(FINANCE, "GM0344"), desks, REGIONS).slug == "national"


def test_theme_is_required() -> None:
    desks = [FALLBACK, desk("town", {("municipality", "GM0150")},
                            themes=frozenset({"werving-en-arbeidsmarkt"})),
             desk("national", themes=frozenset({"financiering"}))]
    d = route(RoutingInput(FINANCE, "GM0150"), desks, REGIONS)
    assert d.slug == "national"  # the town desk covers Deventer but not the theme
    assert "town" not in [r.slug for r in d.ranking if r.via == "theme"]


def test_general_remit_takes_what_no_desk_handles() -> None:
    desks = [FALLBACK,
             desk("province-general", {("province", "PV23")}, general_remit=True),
             desk("town-general", {("municipality", "GM0150")}, general_remit=True),
             desk("other", themes=frozenset({"financiering"}), coverage={("province", "PV26")})]
    d = route(RoutingInput("Wij willen lean werken in de werkplaats", "GM0150"), desks, REGIONS)
    assert d.slug == "town-general" and d.via == "general_remit"
    assert [r.slug for r in d.ranking] == ["town-general", "province-general", "kvk"]
    assert d.ranking[-1].via == "fallback"


def test_the_chain_always_ends_at_the_national_fallback() -> None:
    desks = [FALLBACK, desk("utrecht", {("province", "PV26")}, themes=frozenset({"financiering"}))]
    for text, place in [("Wij willen lean werken", "GM0150"), ("???", None),
                        ("", "GM0153"), (FINANCE, None)]:
        d = route(RoutingInput(text, place), desks, REGIONS)
        assert d.slug == "kvk"
        assert d.ranking[-1].slug == "kvk"


def test_a_fallback_is_required() -> None:
    with pytest.raises(NoDeskAvailable):
        route(RoutingInput(FINANCE), [desk("x", themes=frozenset({"financiering"}))], REGIONS)


def test_without_a_location_only_nationwide_desks_cover() -> None:
    desks = [FALLBACK, desk("province", {("province", "PV23")}, themes=frozenset({"financiering"})),
             desk("national", themes=frozenset({"financiering"}))]
    d = route(RoutingInput(FINANCE), desks, REGIONS)
    assert d.slug == "national"
    first = d.explanation[0]
    assert (first.criterion, first.outcome) == ("location", "info")
    assert first.text == i18n.gettext_(
        "No location given: only desks that work nationwide are considered.")


def test_postcode_locates_the_business() -> None:
    desks = [FALLBACK,
             desk("town", {("municipality", "GM0150")}, themes=frozenset({"financiering"}))]
    assert route(RoutingInput(FINANCE, postcode="7411 AB"), desks, REGIONS).slug == "town"


def test_sector_then_size_rank_desks_of_equal_coverage() -> None:
    a = desk("a", {("province", "PV23")}, themes=frozenset({"financiering"}))
    b = desk("b", {("province", "PV23")}, themes=frozenset({"financiering"}),
             sectors=frozenset({"industrie"}))
    c = desk("c", {("province", "PV23")}, themes=frozenset({"financiering"}),
             company_sizes=frozenset({"klein"}))
    desks = [FALLBACK, a, b, c]
    # A desk that names the sector (or its parent) goes before open ones.
    d = route(RoutingInput(FINANCE, "GM0150", sector="metaal"), desks, REGIONS)
    assert d.slug == "b" and d.decided_by == "sector"
    # A desk that names other sectors does not take the question at all, and the
    # explanation says why.
    d = route(RoutingInput(FINANCE, "GM0150", sector="horeca", company_size="klein"), desks,
              REGIONS)
    assert d.slug == "c" and d.decided_by == "size"
    assert [r.slug for r in d.ranking][:3] == ["c", "a", "kvk"]
    left_out = [r for r in d.explanation if r.criterion == "sector" and r.outcome == "mismatch"]
    assert len(left_out) == 1 and left_out[0].text.startswith("B ")
    # Coverage still comes first: a municipal desk without the sector beats b.
    town = desk("town", {("municipality", "GM0150")}, themes=frozenset({"financiering"}))
    assert route(RoutingInput(FINANCE, "GM0150", sector="metaal"), [*desks, town],
                 REGIONS).slug == "town"


def test_load_breaks_a_tie_only_when_all_else_is_equal() -> None:
    busy = desk("aaa-busy", {("province", "PV23")}, themes=frozenset({"financiering"}),
                capacity=10, open_cases=9)
    calm = desk("zzz-calm", {("province", "PV23")}, themes=frozenset({"financiering"}),
                capacity=10, open_cases=1)
    d = route(RoutingInput(FINANCE, "GM0150"), [FALLBACK, busy, calm], REGIONS)
    assert d.slug == "zzz-calm" and d.decided_by == "load"
    # Live figures override the profiles' own.
    d = route(RoutingInput(FINANCE, "GM0150"), [FALLBACK, busy, calm], REGIONS,
              load={"aaa-busy": 0, "zzz-calm": 5})
    assert d.slug == "aaa-busy"
    # Load never beats a better criterion: the busy desk that serves the sector still wins.
    busy_sector = desk("busy-sector", {("province", "PV23")}, themes=frozenset({"financiering"}),
                       sectors=frozenset({"industrie"}), capacity=10, open_cases=10)
    d = route(RoutingInput(FINANCE, "GM0150", sector="industrie"),
              [FALLBACK, calm, busy_sector], REGIONS)
    assert d.slug == "busy-sector"
    # Equal load: the slug decides, so the result is still total.
    twin = desk("aaa-twin", {("province", "PV23")}, themes=frozenset({"financiering"}),
                capacity=10, open_cases=1)
    d = route(RoutingInput(FINANCE, "GM0150"), [FALLBACK, calm, twin], REGIONS)
    assert d.slug == "aaa-twin" and d.decided_by == "name"


def test_specialism_named_in_the_question_goes_first() -> None:
    rvo = desk("rvo", themes=frozenset({"financiering"}), keywords=("wbso", "subsidie"))
    rom = desk("rom", {("province", "PV23")}, themes=frozenset({"financiering"}))
    d = route(RoutingInput("Hoe vraag ik WBSO aan?", "GM0150"), [FALLBACK, rvo, rom], REGIONS)
    assert d.slug == "rvo" and d.via == "specialism"
    assert any("wbso" in r.text for r in d.explanation if r.criterion == "theme")
    # Without the specialism, the more specific desk wins.
    assert route(RoutingInput(FINANCE, "GM0150"), [FALLBACK, rvo, rom], REGIONS).slug == "rom"


def test_picked_topic_counts_as_a_theme() -> None:
    wsp = desk("wsp", {("labour_market_region", "AM06")},
               themes=frozenset({"werving-en-arbeidsmarkt"}))
    d = route(RoutingInput("Ik wil graag hulp", "GM0150", theme="werving-en-arbeidsmarkt"),
              [FALLBACK, wsp], REGIONS)
    assert d.slug == "wsp"
    assert d.recognised_themes[0].picked


def test_routing_is_deterministic() -> None:
    desks = [FALLBACK] + [desk(f"d{i:02d}", {("province", "PV23")},
                               themes=frozenset({"financiering"}), open_cases=i % 3,
                               capacity=10) for i in range(20)]
    first = route(RoutingInput(FINANCE, "GM0150"), desks, REGIONS)
    rng = random.Random(4)
    for _ in range(10):
        rng.shuffle(desks)
        again = route(RoutingInput(FINANCE, "GM0150"), desks, REGIONS)
        assert again.as_dict() == first.as_dict()


def test_explanation_per_criterion_in_dutch() -> None:
    rom = desk("rom", {("province", "PV23")}, themes=frozenset({"financiering"}),
               sectors=frozenset({"industrie"}), capacity=60, open_cases=3)
    token = i18n.set_language("nl")
    try:
        d = route(RoutingInput("Wij zoeken financiering voor een lasrobot", "GM0150",
                               sector="metaal", company_size="klein"), [FALLBACK, rom], REGIONS)
    finally:
        i18n.reset_language(token)
    criteria = [r.criterion for r in d.explanation]
    for c in ("location", "theme", "sector", "size", "load", "decision"):
        assert c in criteria
    text = " ".join(r.text for r in d.explanation)
    assert "Deventer" in text and "Overijssel" in text
    assert "“financiering” → Financiering en subsidies" in text
    assert "werkt in de provincie Overijssel" in text  # Dutch, from routing.po
    assert [t.theme for t in d.recognised_themes][:2] == ["robotisering-automatisering",
                                                          "financiering"] or \
        {"financiering", "robotisering-automatisering"} <= {t.theme for t in d.recognised_themes}
    assert d.as_dict()["desk"] == {"slug": "rom", "name": "ROM"}


def test_routing_is_fast_with_many_desks() -> None:
    from tests.routing.conftest import seed_desk_index, seed_regions_index

    regions = seed_regions_index()
    base = list(seed_desk_index().desks)
    extra = [desk(f"gen-{i}", {("municipality", code)}, themes=frozenset({"financiering"}))
             for i, code in enumerate(sorted(regions.municipalities)[:200 - len(base)])]
    index = DeskIndex([*base, *extra])
    assert len(index) == 200
    questions = [RoutingInput(FINANCE + f" nummer {i}", code)
                 for i, code in enumerate(sorted(regions.municipalities))]
    route(questions[0], index, regions)  # warm the caches
    start = time.perf_counter()
    for q in questions:
        route(q, index, regions)
    per_question = (time.perf_counter() - start) / len(questions)
    assert per_question < 0.005, f"{per_question * 1000:.2f} ms per question"


def test_a_branch_desk_takes_only_its_own_sector() -> None:
    """A desk limited to sectors (a branch organisation) qualifies only for a business in its
    sector family; without a sector only when its specialism is named."""
    branch = desk("branch", {("national", "")}, themes=frozenset({"financiering"}),
                  sectors=frozenset({"metaal"}), keywords=("metaalfonds",))
    desks = [FALLBACK, branch]
    # Its own sector, or the parent sector: it takes the question.
    assert route(RoutingInput(FINANCE, sector="metaal"), desks, REGIONS).slug == "branch"
    assert route(RoutingInput(FINANCE, sector="industrie"), desks, REGIONS).slug == "branch"
    # Another sector, or none: the fallback, with the reason in the explanation.
    for sector in ("horeca", None):
        d = route(RoutingInput(FINANCE, sector=sector), desks, REGIONS)
        assert d.slug == "kvk", sector
        assert "branch" not in [r.slug for r in d.ranking]
        assert any(r.criterion == "sector" and r.outcome == "mismatch" and "BRANCH" in r.text
                   for r in d.explanation), sector
    # Without a sector, naming its specialism lets it qualify; another sector never does.
    named = "Kan het metaalfonds onze investering financieren?"
    assert route(RoutingInput(named), desks, REGIONS).slug == "branch"
    assert route(RoutingInput(named, sector="horeca"), desks, REGIONS).slug == "kvk"
