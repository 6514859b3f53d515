"""The insight disclosure rules, played by an adversary who can filter arbitrarily.

The adversary knows every question except one and can ask for the count of any combination
of filters (period, province, COROP, labour-market region, theme, sector, size, desk). If
two combinations whose populations differ by a single question both gave a number, the
difference would reveal that question's attributes. The atoms make every population (and so
every difference of two) a union of groups of at least K questions."""

from __future__ import annotations

import itertools
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.insight.disclosure import (
    HIDDEN,
    LADDER,
    AtomFilter,
    AtomKey,
    K,
    build_atoms,
    protect_row,
    safe_median,
    safe_share,
    shown_count,
)

FAST = settings(max_examples=1000, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

QUARTERS = ("2026-Q3",)
MONTHS = ("2026-07", "2026-08", "2026-09")
REGIONS = (("PV23", "CR22", "AM24"), ("PV23", "CR23", "AM23"), ("PV26", "CR17", "AM17"))
THEMES = ("financiering", "export", "digitalisering")
SECTORS = ("industrie", "bouw", "?")
SIZES = ("micro", "klein", "groot")
DESKS = (1, 2, 3)

record_st = st.tuples(st.sampled_from(MONTHS), st.sampled_from(REGIONS),
                      st.sampled_from(THEMES), st.sampled_from(SECTORS),
                      st.sampled_from(SIZES), st.sampled_from(DESKS))


def _key(rec: tuple[Any, ...]) -> AtomKey:
    month, (prov, corop, lmr), theme, sector, size, desk = rec
    return AtomKey("2026-Q3", month, prov, corop, lmr, theme, sector, size, desk)


filter_st = st.builds(
    AtomFilter,
    quarters=st.sampled_from([None, frozenset(QUARTERS)]),
    month=st.sampled_from([None, *MONTHS]),
    province=st.sampled_from([None, "PV23", "PV26"]),
    corop=st.sampled_from([None, "CR22", "CR23", "CR17"]),
    lmr=st.sampled_from([None, "AM23", "AM24"]),
    theme=st.sampled_from([None, *THEMES]),
    sector=st.sampled_from([None, *SECTORS]),
    size=st.sampled_from([None, *SIZES]),
    desk_ids=st.sampled_from([None, frozenset({1}), frozenset({2, 3})]),
)


def population(atoms: dict[AtomKey, list[int]], f: AtomFilter) -> set[int]:
    return {rid for key, ids in atoms.items() if f.matches(key) for rid in ids}


@FAST
@given(st.lists(record_st, min_size=0, max_size=80))
def test_every_atom_holds_at_least_k_records_and_none_is_counted_twice(
        records: list[tuple[Any, ...]]) -> None:
    atoms, left_out = build_atoms((_key(r), i) for i, r in enumerate(records))
    ids = [i for group in atoms.values() for i in group]
    assert all(len(group) >= K for group in atoms.values())
    assert len(ids) == len(set(ids))
    assert sorted(ids + left_out) == list(range(len(records)))
    # Left out only when even the coarsest group is too small.
    assert len(left_out) < K or not records


@FAST
@given(st.lists(record_st, min_size=0, max_size=80), st.lists(filter_st, min_size=2,
                                                              max_size=6))
def test_no_two_filter_combinations_differ_by_fewer_than_k_questions(
        records: list[tuple[Any, ...]], filters: list[AtomFilter]) -> None:
    """Any two (and so any nested pair, or a filter and its refinement) of the adversary's
    populations are equal or differ by at least K: a single question is never isolated, so
    its value or attribute is never revealed by subtraction. The same holds for a filter
    and the same filter with one condition added."""
    atoms, _left = build_atoms((_key(r), i) for i, r in enumerate(records))
    pops = [population(atoms, f) for f in filters]
    for f in filters:  # refine every filter by one more condition
        for extra in ({"size": "groot"}, {"theme": "export"}, {"month": "2026-08"}):
            pops.append(population(atoms, AtomFilter(**{**f.__dict__, **extra})))
    for a, b in itertools.combinations(pops, 2):
        for diff in (a - b, b - a, a ^ b, a & b):
            assert len(diff) == 0 or len(diff) >= K, (len(a), len(b), len(diff))


def test_the_naive_table_by_table_suppression_would_leak() -> None:
    """Why atoms: hiding cells below K in each table separately lets the adversary subtract.
    Twelve questions in one cell and a thirteenth that differs only in its size: "all sizes"
    shows 13, "micro" shows 12, so the lone question is of another size."""
    records = [("2026-07", REGIONS[0], "export", "bouw", "micro", 1)] * 12 + [
        ("2026-07", REGIONS[0], "export", "bouw", "groot", 1)]
    naive_all = len(records)
    naive_micro = sum(1 for r in records if r[4] == "micro")
    assert naive_all - naive_micro == 1  # the leak this module prevents
    atoms, left_out = build_atoms((_key(r), i) for i, r in enumerate(records))
    f_all = AtomFilter(province="PV23", theme="export")
    f_micro = AtomFilter(province="PV23", theme="export", size="micro")
    # The lone question fits no group of K at any step: it is in no figure at all.
    assert left_out == [12]
    assert len(population(atoms, f_all)) == len(population(atoms, f_micro)) == 12


def test_a_rare_combination_is_coarsened_step_by_step() -> None:
    rng = random.Random(7)
    records = [("2026-07", REGIONS[0], "export", "bouw", rng.choice(SIZES), 1)
               for _ in range(12)]
    atoms, left_out = build_atoms((_key(r), i) for i, r in enumerate(records))
    assert left_out == []
    (key,) = atoms  # sizes differ: size hidden, month hidden, the rest kept
    assert key.size == HIDDEN and key.month is None and key.theme == "export"
    assert len(LADDER) == 7


def test_attribute_counts_and_statistics() -> None:
    assert shown_count(0) == 0 and shown_count(K - 1) is None and shown_count(K) == K
    # Exactly one hidden part of a shown total would be the total minus the rest.
    row = protect_row({"answered": 30, "referred": 3, "scheme_applied": 12, "none": 0})
    assert row == {"answered": 30, "referred": None, "scheme_applied": None, "none": 0}
    assert protect_row({"a": 3, "b": 4, "c": 20}) == {"a": None, "b": None, "c": 20}
    assert safe_median([1.0] * 9) is None  # too few
    assert safe_median([float(i) for i in range(10)]) == 4.5
    assert safe_median([1.0] * 6 + [2.0] * 4) is None  # would equal the lowest value
    assert safe_share(10, 20) == 0.5
    assert safe_share(19, 20) is None  # the one that was not: 20 - 19 = 1
    assert safe_share(20, 20) == 1.0
