"""Scan scoring, strong and weak points, advice rules and before/after: pure functions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from backend.core.settings import ROOT
from backend.scan.definition import Definition, validate
from backend.scan.scoring import compare, score, strongest, weakest

SEED = ROOT / "seed" / "scan" / "scan-v1.yaml"


@pytest.fixture(scope="module")
def d() -> Definition:
    data = yaml.safe_load(Path(SEED).read_text(encoding="utf-8"))
    return Definition(int(data["version"]), data)


def answers(d: Definition, default: int = 4, **per_dimension: int) -> dict[str, int]:
    return {q["id"]: per_dimension.get(q["dimension"].replace("-", "_"), default)
            for q in d.questions}


def test_seed_definition_is_valid_and_complete(d: Definition) -> None:
    assert validate(d.data) == []
    assert 20 <= len(d.questions) <= 30
    assert {p["slug"] for p in d.pillars} == {"technologie", "organisatie", "personeel"}
    schijf = {dim["schijf"] for dim in d.dimensions}
    assert schijf == {"technologie", "zelforganisatie", "dienend-leiderschap", "slimmer-werken",
                      "co-creatie"}
    assert [v for v, _ in d.scale] == [1, 2, 3, 4, 5]
    assert all(q.get("en") for q in d.questions)
    # every dimension has an advice rule with themes
    assert all(d.advice_themes(dim["slug"]) for dim in d.dimensions)


def test_validate_finds_problems(d: Definition) -> None:
    broken = {**d.data, "questions": [*d.questions, {"id": "t1", "dimension": "nope"}]}
    problems = validate(broken)
    assert any("unique" in p for p in problems)
    assert any("Unknown dimension nope" in p for p in problems)


def test_scores_per_dimension_and_pillar(d: Definition) -> None:
    a = answers(d, 4, automatisering=1, data_en_ai=2)
    a["t1"], a["t2"], a["t3"] = 5, 4, 3  # digitalisering: mean 4.0
    s = score(d, a)
    assert s.dimensions["digitalisering"] == 4.0
    assert s.dimensions["automatisering"] == 1.0
    assert s.pillars["technologie"] == round((4.0 + 1.0 + 2.0) / 3, 1)
    assert s.pillars["organisatie"] == 4.0
    assert s.overall == round((4 + 1 + 2 + 4 * 5) / 8, 1)
    with pytest.raises(ValueError):
        score(d, {**a, "t1": 9})


def test_weakest_and_strongest(d: Definition) -> None:
    s = score(d, answers(d, 4, automatisering=1, data_en_ai=2, co_creatie=5))
    assert weakest(d, s) == ["automatisering", "data-en-ai"]
    assert strongest(d, s)[0] == "co-creatie"
    # nothing below the threshold: still one point to work on, the lowest
    even = score(d, answers(d, 4, zelforganisatie=3))
    assert weakest(d, even) == ["zelforganisatie"]


def test_advice_rules_map_weak_dimensions_to_themes(d: Definition) -> None:
    assert "robotisering-automatisering" in d.advice_themes("automatisering")
    assert d.advice_text("automatisering")


def test_before_after_comparison(d: Definition) -> None:
    before = score(d, answers(d, 2))
    after = score(d, answers(d, 2, automatisering=4))
    changes = {c.dimension: c for c in compare(before, after)}
    assert changes["automatisering"].delta == 2.0
    assert changes["digitalisering"].delta == 0.0
    # a dimension only the older version had is kept, without a delta
    older = type(before)(dimensions={**before.dimensions, "oud": 3.0}, pillars={}, overall=0)
    assert {c.dimension: c.delta for c in compare(older, after)}["oud"] is None


def test_seed_advice_rules_name_themes_of_the_seeded_taxonomy(d: Definition) -> None:
    """What an editor's publish checks against the database, checked for the seed files."""
    import yaml

    from backend.core.settings import ROOT
    from backend.scan.definition import check

    taxonomy = yaml.safe_load((ROOT / "seed" / "taxonomy.yaml").read_text(encoding="utf-8"))
    themes = {t["slug"] for t in taxonomy["themes"]}
    assert check(d.data, themes) == []
