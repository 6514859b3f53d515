"""The routing test set: realistic questions with their correct desk; ≥ 95 % must be right."""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session

from backend.routing import service
from backend.routing.router import RoutingInput, route
from backend.routing.seed import read_desks
from tests.routing.conftest import load_questions, seed_desk_index, seed_regions_index

REQUIRED_ACCURACY = 0.95
PROVINCES = {"PV20", "PV21", "PV22", "PV23", "PV24", "PV25", "PV26", "PV27", "PV28", "PV29",
             "PV30", "PV31"}


def _input(q: dict[str, object]) -> RoutingInput:
    regions = seed_regions_index()
    m = regions.resolve(str(q["municipality"])) if q.get("municipality") else None
    if q.get("municipality"):
        assert m is not None, f"unknown municipality in the test set: {q['municipality']}"
    return RoutingInput(text=str(q["text"]), municipality_code=m.code if m else None,
                        postcode=str(q["postcode"]) if q.get("postcode") else None,
                        sector=q.get("sector"), company_size=q.get("company_size"),  # type: ignore[arg-type]
                        theme=q.get("theme"))  # type: ignore[arg-type]


def test_the_set_is_broad_enough() -> None:
    questions = load_questions()
    assert len(questions) >= 60
    expected = Counter(str(q["expected"]) for q in questions)
    assert {d["slug"] for d in read_desks()} <= set(expected), "every seeded desk at least once"
    regions = seed_regions_index()
    provinces = set()
    for q in questions:
        place = (regions.resolve(str(q["municipality"])) if q.get("municipality")
                 else regions.by_postcode(str(q["postcode"])) if q.get("postcode") else None)
        if place:
            provinces.add(place.province_code)
    assert provinces == PROVINCES


def test_router_gets_at_least_95_percent_right() -> None:
    regions, desks = seed_regions_index(), seed_desk_index()
    questions = load_questions()
    misses = []
    for q in questions:
        decision = route(_input(q), desks, regions)
        if decision.slug != q["expected"]:
            misses.append(f"  {q['text']!r} ({q.get('municipality') or q.get('postcode')}): "
                          f"got {decision.slug} ({decision.decided_by}), expected "
                          f"{q['expected']}; themes "
                          f"{[t.theme for t in decision.recognised_themes]}")
    accuracy = 1 - len(misses) / len(questions)
    print(f"\nrouting accuracy: {accuracy:.1%} ({len(questions) - len(misses)}/{len(questions)})")
    if misses:
        print("misses:\n" + "\n".join(misses))
    assert accuracy >= REQUIRED_ACCURACY, "\n".join(misses)


def test_seeded_database_routes_like_the_seed_files(seeded: object, session: Session) -> None:
    """The context built from the database gives the same answers as the pure inputs."""
    ctx = service.routing_context(session)
    regions, desks = seed_regions_index(), seed_desk_index()
    for q in load_questions()[::5]:
        question = _input(q)
        assert ctx.route(question).slug == route(question, desks, regions).slug, q["text"]
