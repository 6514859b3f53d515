"""Issue #13's evaluation sets: is the routed desk's own published remit right for the question?

- ``eval_questions.yaml``: the evaluation set the matcher was developed against;
- ``holdout_questions.yaml``: a fresh set written before the router's code and vocabulary were
  read (generalisation check; its first score is in docs/benchmarks.md);
- ``holdout2_questions.yaml`` (when present): a second fresh set written after the first round of
  fixes, before looking at how the router does on it;
- ``holdout3_questions.yaml`` (when present): a third fresh set, written by someone who had not
  read the router's code or vocabulary, run once before any fix (first score in
  docs/benchmarks.md, "third holdout");
- ``holdout4_questions.yaml`` (when present): a fourth fresh set, written the same way by another
  helper that had not read the router's code or vocabulary (first score 79/87 in
  docs/benchmarks.md, "fourth holdout"; held to 95 % since the general causes of its misses were
  fixed).
- ``holdout5_questions.yaml`` to ``holdout10_questions.yaml``: the fifth to tenth fresh sets,
  each written by a helper that had not read the router's code or vocabulary, from the desks'
  published remits and real situations; each was run once before any fix to it (first scores
  in docs/benchmarks.md, "Holdout rounds five to eleven"), then served to find general causes.
- ``holdout11_questions.yaml``: the eleventh, written the same way and measured once on the
  ninth session's final router (80.0 %), a strict xfail until the tenth session's general
  fixes (clause structure, domain concepts) lifted it.
- ``holdout12_questions.yaml``: the twelfth, written the same way (150 questions over the
  fifteen themes a desk takes, all twelve provinces); first run 128/150 (85.3 %) on main
  5f6004a, then served to find general causes (docs/benchmarks.md, "Holdout rounds twelve
  and thirteen").
- ``holdout13_questions.yaml``: the thirteenth, written the same way (142 questions) while the
  tenth session's router changed, and run once, blind, on its final router: 119/142 (83.8 %;
  main 5f6004a 115/142); then served to find general causes, 132/142 — a strict xfail until
  it reaches 95 %.
- ``holdout14_questions.yaml``: the fourteenth (156 questions, situations described mostly
  without the themes' words), written after the tenth session's last fixes and run once,
  blind, on its final router: 114/156 (73.1 %; main 5f6004a 109/156); not tuned to.
- A set that is measured once and not yet met is a strict xfail in ``NOT_YET_MET`` with its
  first score, so the mark cannot outlive the shortfall.

The same judge runs over every set.

The expected answer is stated in terms of the world — the main theme and where the business is —
so the check is the desks' data, not a desk slug: the routed desk must handle the theme (its
``themes``, taken from its source) and cover the location (its ``coverage``); the national
fallback is right only for general questions (registration, legal form, closing a business).
For a two-topic question the second topic must be handled by the chosen desk or shown as "also
relevant" with a desk that handles it and covers the location (when such a desk exists).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from backend.regions.index import RegionIndex
from backend.regions.models import NATIONAL, PROVINCE
from backend.routing.router import (
    DeskIndex,
    DeskProfile,
    RoutingDecision,
    RoutingInput,
    default_taxonomy,
    province_areas,
    route,
)
from backend.routing.understanding import understand
from tests.routing.conftest import seed_desk_index, seed_regions_index

HERE = Path(__file__).parent
EVAL_FILE = HERE / "eval_questions.yaml"
REQUIRED_ACCURACY = 0.95
KINDS = ("en", "noloc", "two", "colloquial", "postcode")
PROVINCES = {f"PV{n}" for n in range(20, 32)}
# Each set: (file, minimum size, minimum per kind).
SETS: dict[str, tuple[str, int, dict[str, int]]] = {
    "eval": ("eval_questions.yaml", 150,
             {"en": 30, "noloc": 30, "two": 30, "colloquial": 20, "postcode": 20}),
    "holdout": ("holdout_questions.yaml", 120,
                {"en": 30, "noloc": 25, "two": 25, "colloquial": 20, "postcode": 15}),
    "holdout2": ("holdout2_questions.yaml", 40,
                 {"en": 10, "noloc": 8, "two": 8, "colloquial": 6, "postcode": 5}),
    "holdout3": ("holdout3_questions.yaml", 80,
                 {"en": 15, "noloc": 15, "two": 8, "colloquial": 10, "postcode": 10}),
    "holdout4": ("holdout4_questions.yaml", 70,
                 {"en": 18, "noloc": 14, "two": 14, "colloquial": 14, "postcode": 11}),
    "holdout5": ("holdout5_questions.yaml", 120,
                 {"en": 30, "noloc": 25, "two": 25, "colloquial": 20, "postcode": 15}),
    "holdout6": ("holdout6_questions.yaml", 110,
                 {"en": 30, "noloc": 25, "two": 25, "colloquial": 20, "postcode": 15}),
    "holdout7": ("holdout7_questions.yaml", 110,
                 {"en": 30, "noloc": 25, "two": 25, "colloquial": 20, "postcode": 15}),
    "holdout8": ("holdout8_questions.yaml", 110,
                 {"en": 30, "noloc": 25, "two": 25, "colloquial": 20, "postcode": 15}),
    "holdout9": ("holdout9_questions.yaml", 110,
                 {"en": 30, "noloc": 25, "two": 25, "colloquial": 20, "postcode": 15}),
    "holdout10": ("holdout10_questions.yaml", 110,
                  {"en": 30, "noloc": 25, "two": 25, "colloquial": 20, "postcode": 15}),
    "holdout11": ("holdout11_questions.yaml", 120,
                  {"en": 30, "noloc": 25, "two": 25, "colloquial": 20, "postcode": 15}),
    "holdout12": ("holdout12_questions.yaml", 120,
                  {"en": 30, "noloc": 25, "two": 25, "colloquial": 20, "postcode": 15}),
    "holdout13": ("holdout13_questions.yaml", 120,
                  {"en": 30, "noloc": 25, "two": 25, "colloquial": 20, "postcode": 15}),
    "holdout14": ("holdout14_questions.yaml", 120,
                  {"en": 30, "noloc": 25, "two": 25, "colloquial": 20, "postcode": 15}),
}
PER_KIND_ASSERTED = {"eval", "holdout"}
PRESENT_SETS = [name for name, (file, _, _) in SETS.items() if (HERE / file).exists()]
# Sets measured once and not yet met: the router's general causes of their misses are the next
# round's work (docs/benchmarks.md). Strict: the test fails once the set passes, so the mark
# cannot outlive the shortfall.
NOT_YET_MET: dict[str, str] = {
    "holdout13": "first run 119/142 (83.8 %) blind, 2026-12-08 (main 5f6004a: 115/142); "
                 "132/142 (93.0 %) after its general fixes",
    "holdout14": "first run 114/156 (73.1 %) blind on this round's final router, 2026-12-08 "
                 "(main 5f6004a: 109/156); not tuned to",
}
SCORED_SETS = [pytest.param(name, marks=pytest.mark.xfail(reason=NOT_YET_MET[name], strict=True))
               if name in NOT_YET_MET else name for name in PRESENT_SETS]


@cache
def questions(name: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load((HERE / SETS[name][0]).read_text(encoding="utf-8")))


def eval_questions() -> list[dict[str, Any]]:
    return questions("eval")


def prepared(q: dict[str, Any], regions: RegionIndex) -> RoutingInput:
    """The router's input as the service builds it: only what the asker gave, then
    ``understand`` (language, place or province in the text, unknown postcode)."""
    m = regions.resolve(str(q["municipality"])) if q.get("municipality") else None
    if q.get("municipality"):
        assert m is not None, f"unknown municipality in the set: {q['municipality']}"
    base = RoutingInput(text=str(q["text"]), municipality_code=m.code if m else None,
                        postcode=str(q["postcode"]) if q.get("postcode") else None,
                        sector=q.get("sector"), company_size=q.get("company_size"),
                        theme=q.get("topic"))
    return understand(base, regions)


def expected_areas(q: dict[str, Any], regions: RegionIndex) -> frozenset[tuple[str, str]]:
    """The areas the business lies in, as the world has it (not as the router found it)."""
    if q.get("municipality") or q.get("place"):
        found = regions.resolve(str(q.get("municipality") or q.get("place")))
        assert found is not None, q
        return frozenset(found.areas())
    if q.get("postcode"):
        found = regions.by_postcode(str(q["postcode"]))
        assert found is not None, f"postcode not in the table: {q['postcode']}"
        return frozenset(found.areas())
    if q.get("province"):  # the province, and a region that is exactly the province
        return frozenset(province_areas(regions, str(q["province"])))
    return frozenset({(NATIONAL, "")})


def covers(desk: DeskProfile, areas: frozenset[tuple[str, str]]) -> bool:
    return bool(desk.coverage & areas)


def judge(q: dict[str, Any], decision: RoutingDecision, index: DeskIndex,
          regions: RegionIndex) -> str | None:
    """None when the routing is right for the world; else what is wrong."""
    desk = index.by_slug[decision.slug]
    areas = expected_areas(q, regions)
    theme = str(q["theme"])
    if q.get("general") and desk.is_fallback:
        pass
    elif desk.is_fallback and theme not in desk.themes:
        return "fallback for a question that is not general"
    elif theme not in desk.themes:
        return f"{desk.slug} does not handle {theme}"
    elif not covers(desk, areas):
        return f"{desk.slug} does not cover the location"
    also = q.get("also")
    if also and also not in desk.themes:
        # A branch desk (limited to sectors) is able only for a business in its sectors.
        family = (default_taxonomy().sector_family(str(q["sector"])) if q.get("sector")
                  else frozenset())
        able = [d for d in index.desks if also in d.themes and covers(d, areas)
                and (not d.sectors or d.sectors & family)]
        shown = [a for a in decision.also_relevant if a.theme == also]
        if able and not any(also in index.by_slug[a.desk.slug].themes
                            and covers(index.by_slug[a.desk.slug], areas) for a in shown):
            return f"second topic {also} not shown with a desk for it"
    return None


def test_every_set_is_present() -> None:
    assert {"eval", "holdout"} <= set(PRESENT_SETS)


@pytest.mark.parametrize("name", PRESENT_SETS)
def test_the_set_is_broad_enough(name: str) -> None:
    _, size, minimum = SETS[name]
    qs = questions(name)
    assert len(qs) >= size
    kinds = Counter(k for q in qs for k in q.get("kinds", ()))
    for kind, n in minimum.items():
        assert kinds[kind] >= n, (kind, kinds[kind])
    regions = seed_regions_index()
    provinces = {code for q in qs for kind, code in expected_areas(q, regions)
                 if kind == PROVINCE}
    assert provinces == PROVINCES
    taxonomy_themes = {d for desk in seed_desk_index().desks for d in desk.themes}
    for q in qs:
        assert q["theme"] in taxonomy_themes, q
        assert set(q.get("kinds", ())) <= set(KINDS), q
        if "postcode" in q.get("kinds", ()):
            assert q.get("postcode") and not q.get("municipality"), q


def accuracy(name: str) -> tuple[dict[str, list[bool]], list[str]]:
    """Per kind, whether each question was routed right; and the misses, described."""
    regions, index = seed_regions_index(), seed_desk_index()
    per_kind: dict[str, list[bool]] = defaultdict(list)
    misses = []
    for q in questions(name):
        decision = route(prepared(q, regions), index, regions)
        problem = judge(q, decision, index, regions)
        for kind in ("all", *q.get("kinds", ())):
            per_kind[kind].append(problem is None)
        if problem:
            misses.append(f"  {q['text']!r}: {problem} (got {decision.slug}, "
                          f"main {decision.main_theme}, themes "
                          f"{[t.theme for t in decision.recognised_themes]})")
    return per_kind, misses


@pytest.mark.parametrize("name", SCORED_SETS)
def test_routing_is_right_for_at_least_95_percent_of_every_kind(name: str) -> None:
    per_kind, misses = accuracy(name)
    print(f"\nrouting accuracy per kind ({SETS[name][0]}):")
    for kind in ("all", *KINDS):
        ok = per_kind[kind]
        print(f"  {kind:<11} {sum(ok) / len(ok):6.1%}  ({sum(ok)}/{len(ok)})")
    if misses:
        print("misses:\n" + "\n".join(misses))
    # Per kind for the sets whose kinds are large enough to measure a kind (20+ questions
    # each); the second to fourth holdout sets' kinds hold 8–30 questions, where one miss is
    # 3–12 points, so they are held to 95 % over all their questions.
    for kind in ("all", *KINDS) if name in PER_KIND_ASSERTED else ("all",):
        ok = per_kind[kind]
        assert sum(ok) / len(ok) >= REQUIRED_ACCURACY, (kind, "\n".join(misses))
