"""Issue #13 items 4–6: explanations that are true for the data and show no load figures to the
public, the second topic as "also relevant", English preferring an English-speaking desk among
equals, desks' sources on their public page, and the seam between cases and routing."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlmodel import Session

from backend.core import i18n
from backend.core.settings import ROOT
from backend.regions.index import SPECIFICITY, RegionIndex
from backend.routing import service
from backend.routing.router import (
    VIA_GENERAL,
    DeskIndex,
    DeskProfile,
    RoutingDecision,
    RoutingInput,
    default_taxonomy,
    province_areas,
    route,
)
from tests.conftest import LoketClient
from tests.routing.conftest import seed_desk_index, seed_regions_index
from tests.routing.test_eval import eval_questions, prepared
from tests.routing.test_router_rules import DEVENTER, FALLBACK, REGIONS, desk


def _covering(decision: RoutingDecision, index: DeskIndex,
              regions: RegionIndex) -> list[DeskProfile]:
    m = decision.municipality
    areas = set(m.areas()) if m else (set(province_areas(regions, decision.province_code))
                                      if decision.province_code else {("national", "")})
    return [d for d in index.desks if d.coverage & areas]


def test_every_decision_sentence_is_true_for_the_data() -> None:
    """Over the whole evaluation set: "the only desk" only when it is; "closest" only when the
    runner-up is less specific; "no desk handles the theme" only when none does."""
    regions, index = seed_regions_index(), seed_desk_index()
    checked = 0
    for q in eval_questions():
        d = route(prepared(q, regions), index, regions)
        covering = _covering(d, index, regions)
        if d.decided_by == "only" and d.main_theme:
            # Desks that handle the theme for this business: a branch desk only for its
            # sectors (the explanation says so of the others).
            family = (default_taxonomy().sector_family(q["sector"]) if q.get("sector")
                      else frozenset())
            handling = [x for x in covering if d.main_theme in x.themes
                        and (not x.sectors or x.sectors & family)]
            assert [x.slug for x in handling] == [d.slug], q["text"]
            checked += 1
        if d.decided_by == "coverage":
            first, second = d.ranking[0], d.ranking[1]
            assert first.coverage and second.coverage
            assert SPECIFICITY[first.coverage[0]] < SPECIFICITY[second.coverage[0]], q["text"]
            checked += 1
        if d.via == VIA_GENERAL:
            recognised = {t.theme for t in d.recognised_themes}
            assert not any(recognised & x.themes for x in covering), q["text"]
        for a in d.also_relevant:
            also_desk = index.by_slug[a.desk.slug]
            assert a.theme in also_desk.themes and also_desk in covering, q["text"]
    assert checked > 50


def test_the_only_desk_sentence_names_the_location_and_theme_in_dutch() -> None:
    wsp = desk("wsp", {("labour_market_region", "AM06")},
               themes=frozenset({"werving-en-arbeidsmarkt"}))
    other = desk("town", {("municipality", "GM0150")}, themes=frozenset({"financiering"}))
    token = i18n.set_language("nl")
    try:
        d = route(RoutingInput("Wij zoeken personeel", DEVENTER.code), [FALLBACK, wsp, other],
                  REGIONS)
    finally:
        i18n.reset_language(token)
    assert d.slug == "wsp" and d.decided_by == "only"
    text = d.explanation[-1].text
    # Another desk covers Deventer: the sentence says "for your location that handles <theme>",
    # never "het enige loket voor uw vestigingsplaats".
    assert "vestigingsplaats" not in text
    assert text == "WSP is het enige loket voor uw locatie dat Werving en arbeidsmarkt behandelt."


def test_no_capacity_or_load_figures_in_public_explanations() -> None:
    busy = desk("busy", {("province", "PV23")}, themes=frozenset({"financiering"}),
                capacity=20, open_cases=1)
    d = route(RoutingInput("Wij zoeken financiering", DEVENTER.code), [FALLBACK, busy], REGIONS)
    texts = " ".join(r.text for r in d.explanation) + " ".join(
        r.text for x in d.ranking for r in x.reasons)
    assert "capacity" not in texts and "20" not in texts and "open questions" not in texts
    public = d.as_dict()
    assert all("load" not in r and "load_detail" not in r for r in public["ranking"])
    internal = d.as_dict(internal=True)  # for advisors and coordinators
    assert internal["ranking"][0]["load_detail"] == "1 open / capacity 20"


def test_english_question_prefers_an_english_speaking_desk_among_equals() -> None:
    nl_only = desk("a-nl", {("province", "PV23")}, themes=frozenset({"financiering"}))
    bilingual = desk("b-en", {("province", "PV23")}, themes=frozenset({"financiering"}),
                     languages=frozenset({"nl", "en"}))
    q = RoutingInput("We are looking for funding for a new machine", DEVENTER.code,
                     language="en")
    d = route(q, [FALLBACK, nl_only, bilingual], REGIONS)
    assert d.slug == "b-en" and d.decided_by == "language"
    # The same question in Dutch: the tie goes to the name order.
    d = route(RoutingInput(FINANCE_NL, DEVENTER.code), [FALLBACK, nl_only, bilingual], REGIONS)
    assert d.slug == "a-nl"


FINANCE_NL = "Wij zoeken financiering voor een nieuwe machine"


def test_two_topics_route_on_the_main_ask_and_show_the_second() -> None:
    regions, index = seed_regions_index(), seed_desk_index()
    q = RoutingInput("Wij willen exporteren naar Duitsland en zoeken daarvoor ook personeel.",
                     regions.resolve("Venlo").code)  # type: ignore[union-attr]
    d = route(q, index, regions)
    assert d.main_theme == "internationalisering" and d.slug == "liof"
    assert [(a.theme, a.desk.slug) for a in d.also_relevant] == [
        ("werving-en-arbeidsmarkt", "wsp-noord-limburg")]
    assert any(r.criterion == "also" and "Werkgeversservicepunt Noord-Limburg" in r.text
               for r in d.explanation)


def test_knowledge_base_votes_decide_when_no_word_names_a_theme() -> None:
    regions, index = seed_regions_index(), seed_desk_index()
    code = regions.resolve("Enschede").code  # type: ignore[union-attr]
    text = "Hoe pakken andere bedrijven dit aan?"
    assert route(RoutingInput(text, code), index, regions).via == "fallback"
    voted = route(RoutingInput(text, code, kb_votes=(("werving-en-arbeidsmarkt", 0.6),)),
                  index, regions)
    assert voted.slug == "wsp-twente" and voted.recognised_themes[0].votes == 0.6


def test_dry_run_api_shows_also_relevant_and_no_load(seeded: object,
                                                     client: LoketClient) -> None:
    r = client.post("/api/v1/routing/dry-run", json={
        "text": "We want to export to Germany and we also need to hire staff.",
        "municipality": "Venlo"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["desk"]["slug"] == "liof" and body["main_theme"] == "internationalisering"
    assert body["also_relevant"][0]["desk"]["slug"] == "wsp-noord-limburg"
    assert all("load" not in d for d in body["ranking"])
    capacity_free = client.get("/api/v1/desks/kvk").json()
    assert "capacity" not in capacity_free and capacity_free["source_url"]


def test_public_desk_page_shows_its_source_languages_and_loket_default(
        seeded: object, client: LoketClient) -> None:
    page = client.get("/loketten/qredits")
    assert page.status_code == 200
    assert "https://qredits.nl/veel-gestelde-vragen/" in page.text
    assert "gecontroleerd op" in page.text and "Beantwoordt vragen in" in page.text
    # Qredits publishes no response target of its own: the page says it is Loket's default.
    assert "geen belofte die Qredits Microfinanciering Nederland" in page.text
    assert "Open vragen" not in page.text  # no load figures to the public
    demo = client.get("/loketten/fieldlab-industrial-robotics")
    assert "Demonstratieloket: dit is geen echte organisatie." in demo.text


def test_every_seeded_desk_carries_a_source_and_date() -> None:
    from backend.routing.seed import read_desks

    for e in read_desks():
        if e.get("is_demo"):
            assert "DEMO" in e["source_note"]
            continue
        assert str(e.get("source_url", "")).startswith("https://"), e["slug"]
        assert e.get("source_checked") and e.get("source_note"), e["slug"]
        assert e.get("languages"), e["slug"]


def test_production_seed_leaves_out_demo_desks() -> None:
    from backend.core.settings import Settings
    from backend.routing.seed import entries_for, read_desks

    entries = read_desks()
    prod = entries_for(Settings(env="production", secret_key="x" * 40), entries)
    assert "fieldlab-industrial-robotics" not in {e["slug"] for e in prod}
    assert len(prod) == len(entries) - 1


def test_routing_imports_nothing_from_cases_and_cases_has_no_fallback_rule() -> None:
    for path in sorted((ROOT / "backend" / "routing").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("backend.cases"), path
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("backend.cases") for a in node.names), path
    for path in sorted((ROOT / "backend" / "cases").glob("*.py")):
        assert '"kvk"' not in Path(path).read_text(encoding="utf-8"), path


def test_load_comes_through_the_registry_that_cases_fills(seeded: object,
                                                          session: Session) -> None:
    import backend.cases.figures as figures

    assert service._load_source == [figures.open_case_counts]
    assert service.fallback_desk(session).slug == "kvk"
    loads = service.desk_loads(session)
    assert loads == {} or set(loads) <= {d.slug for d in service.list_desks(session)}
