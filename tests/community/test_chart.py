"""The KPI chart (``backend/community/chart.py``): round axis values and a legend."""

from __future__ import annotations

import itertools

import pytest

from backend.community.chart import nice_ticks


@pytest.mark.parametrize("lo,hi,expected", [
    (3.7, 97.2, [0, 25, 50, 75, 100]),
    (1000.5, 1600.5, [1000, 1200, 1400, 1600, 1800]),
    (60, 75, [60, 65, 70, 75]),
    (-5.5, -0.2, [-6, -4, -2, 0]),
    (0.12, 0.31, [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]),
    (50, 50, [49, 49.5, 50, 50.5, 51]),
])
def test_nice_ticks_are_round_and_cover_the_values(lo: float, hi: float,
                                                   expected: list[float]) -> None:
    ticks = nice_ticks(lo, hi)
    assert ticks == expected
    assert ticks[0] <= lo and ticks[-1] >= hi
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1


def test_nice_ticks_refuse_a_non_finite_range() -> None:
    with pytest.raises(ValueError):
        nice_ticks(0, float("inf"))
