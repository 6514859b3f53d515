"""Branch organisations (sector desks) in the shipped desk map: OOM (metal training fund,
leren-en-ontwikkelen) and KHN Info & Advies (horeca, regeldruk) take a question only from a
business in their sector, and a regional desk with the theme still comes first."""

from __future__ import annotations

from backend.routing.router import RoutingDecision, RoutingInput, route
from backend.routing.understanding import understand
from tests.routing.conftest import seed_desk_index, seed_regions_index

TRAINING = "Onze medewerkers moeten bijgeschoold worden. Wie adviseert ons over opleidingen?"
RULES = "Wij verliezen veel tijd aan vergunningen en regels. Wie helpt ons met minder regeldruk?"


def routed(text: str, **kw: object) -> RoutingDecision:
    regions = seed_regions_index()
    return route(understand(RoutingInput(text, **kw), regions),  # type: ignore[arg-type]
                 seed_desk_index(), regions)


def test_the_branch_desks_carry_the_themes_their_sources_name() -> None:
    index = seed_desk_index()
    assert index.by_slug["oom-metaalbewerking"].themes == {"leren-en-ontwikkelen"}
    assert index.by_slug["oom-metaalbewerking"].sectors == {"metaal"}
    assert index.by_slug["khn-info-advies"].themes == {"regeldruk"}
    assert index.by_slug["khn-info-advies"].sectors == {"horeca"}


def test_a_horeca_training_question_without_location_does_not_go_to_oom() -> None:
    d = routed(TRAINING, sector="horeca")
    assert d.slug != "oom-metaalbewerking"
    assert "oom-metaalbewerking" not in [r.slug for r in d.ranking]
    assert any(r.criterion == "sector" and r.outcome == "mismatch" and "OOM" in r.text
               for r in d.explanation)
    # Nor a training question that gives no sector.
    assert routed(TRAINING).slug != "oom-metaalbewerking"


def test_a_metal_firm_without_location_goes_to_oom_a_regional_desk_still_wins() -> None:
    # Without a location only nationwide desks cover the business: OOM is the one with the
    # theme for a metal firm (and for its parent sector, industry).
    d = routed(TRAINING, sector="metaal")
    assert d.slug == "oom-metaalbewerking" and d.main_theme == "leren-en-ontwikkelen"
    sector = next(r for r in d.desk.reasons if r.criterion == "sector")
    assert sector.outcome == "match"
    # With a location, the labour-market region's desk with the theme is more specific.
    regional = routed(TRAINING, sector="metaal", municipality_code="GM0164")  # Hengelo
    assert regional.slug != "oom-metaalbewerking"
    assert regional.desk.coverage == ("labour_market_region", "AM05")
    assert "oom-metaalbewerking" in [r.slug for r in regional.ranking]


def test_khn_takes_regeldruk_from_a_horeca_business_kvk_from_others() -> None:
    horeca = routed(RULES, sector="horeca")
    assert horeca.slug == "khn-info-advies" and horeca.decided_by == "sector"
    assert routed(RULES, sector="bouw").slug == "kvk"
    assert routed(RULES).slug == "kvk"
    # In a municipality too: no regional desk has regeldruk, so KHN for horeca, KVK otherwise.
    assert routed(RULES, sector="horeca", municipality_code="GM0935").slug == "khn-info-advies"
    assert routed(RULES, sector="detailhandel", municipality_code="GM0935").slug == "kvk"


def test_naming_the_branch_desk_without_a_sector_reaches_it() -> None:
    d = routed("Ik ben lid van KHN, kan Koninklijke Horeca Nederland helpen met vergunningen?")
    assert d.slug == "khn-info-advies" and d.via == "specialism"
