"""Property tests of the disclosure rules (docs/disclosure.md): ≥ 1,000 generated groups each."""

from __future__ import annotations

from collections.abc import Hashable
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.community import disclosure as dc
from backend.community.disclosure import ALL, CellStats, PeriodClosed, PeriodLedger, Reason

SECTORS = ("F", "C", "G")
SIZES = ("micro", "klein", "middel")

values = st.one_of(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=200).map(float),  # ties are common in real figures
    st.sampled_from([0.0, 1.0, 100.0]),
)


@st.composite
def groups(draw: st.DrawFn) -> tuple[dict[Hashable, float], dict[Hashable, tuple[str, str]]]:
    rows = draw(st.lists(st.tuples(values, st.sampled_from(SECTORS), st.sampled_from(SIZES)),
                         max_size=30))
    figures: dict[Hashable, float] = {i: v for i, (v, _s, _z) in enumerate(rows)}
    profile: dict[Hashable, tuple[str, str]] = {i: (s, z) for i, (_v, s, z) in enumerate(rows)}
    if rows and draw(st.booleans()):  # type: ignore[arg-type]
        figures[0] = draw(st.floats(min_value=1e7, max_value=1e9))
    return figures, profile


FAST = settings(max_examples=1000, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def passes_primary(vals: list[float]) -> bool:
    """The rule written out independently of the module."""
    if len(vals) < 5:
        return False
    mags = sorted((abs(Fraction(v)) for v in vals), reverse=True)
    total = sum(mags, Fraction(0))
    return total > 0 and (mags[0] + mags[1]) / total < Fraction(85, 100)


def assert_cell_ok(stats: CellStats, vals: list[float]) -> None:
    if stats.shown:
        assert passes_primary(vals)
        assert stats.n == len(vals) >= 5
        lo, hi = min(vals), max(vals)
        for s in (stats.q1, stats.median, stats.q3):
            assert s is not None
            assert lo < s < hi, "an extreme would be shown"
        assert stats.q1 <= stats.median <= stats.q3  # type: ignore[operator]
    else:
        assert stats.reason in dc.REASON_LABELS
        assert (stats.q1, stats.median, stats.q3) == (None, None, None)


@FAST
@given(groups())
def test_no_published_cell_breaks_a_rule_and_ranks_stay_inside(group: tuple[dict, dict]) -> None:
    figures, profile = group
    cells, lines = dc.group_cells(figures, profile)
    stats = dc.protect(cells, lines)
    assert set(stats) == set(cells)
    for key, contrib in cells.items():
        assert_cell_ok(stats[key], list(contrib.values()))
    # secondary suppression: nothing protected can be derived by subtraction
    for margin, parts in lines:
        assert sorted(repr(f) for p in parts for f in cells[p]) == sorted(map(repr, cells[margin]))
        if not stats[margin].shown:
            continue
        hidden = [v for p in parts if not stats[p].shown for v in cells[p].values()]
        assert not hidden or passes_primary(hidden), (margin, parts)
    # ranks: only with a shown group, and never at an end
    frozen = dc.freeze(figures, profile)
    assert frozen.cells == stats
    if not frozen.cells[ALL].shown:
        assert frozen.ranks == {}
        return
    assert set(frozen.ranks) == set(figures)
    for rank in frozen.ranks.values():
        assert 0 < rank < 100


events = st.lists(
    st.tuples(st.sampled_from(["submit", "leave", "close", "view"]),
              st.integers(min_value=0, max_value=12), values),
    max_size=30,
)


@FAST
@given(events, st.lists(st.tuples(st.sampled_from(SECTORS), st.sampled_from(SIZES)),
                        min_size=13, max_size=13))
def test_joining_or_leaving_never_yields_a_second_view(
    script: list[tuple[str, int, float]], profiles: list[tuple[str, str]]
) -> None:
    """An attacker records every view of a period while firms join, correct and leave. Two views
    with different populations would let them subtract; there is only ever one."""
    profile: dict[Hashable, tuple[str, str]] = dict(enumerate(profiles))
    ledger = PeriodLedger()
    seen: list[dc.FrozenPeriod] = []
    for action, firm, value in script:
        if action == "submit":
            if ledger.view() is None:
                ledger.submit(firm, value)
            else:
                with pytest.raises(PeriodClosed):
                    ledger.submit(firm, value)
        elif action == "leave":
            ledger.leave(firm)
        elif action == "close":
            ledger.close(profile)
        view = ledger.view()
        if view is not None:
            seen.append(view)
    assert len({repr(v) for v in seen}) <= 1


def test_reasons_on_small_examples() -> None:
    assert dc.cell_stats([1, 2, 3, 4]).reason is Reason.too_few
    assert dc.cell_stats([100, 100, 5, 5, 5]).reason is Reason.dominant
    assert dc.cell_stats([0, 0, 0, 0, 0]).reason is Reason.dominant
    assert dc.cell_stats([1, 1, 1, 2, 3]).reason is Reason.extreme
    shown = dc.cell_stats([10, 11, 12, 13, 14])
    assert (shown.q1, shown.median, shown.q3) == (11, 12, 13)
    # one suppressed part of a shown margin drags a second part with it
    cells: dict[tuple[str, ...], dict[Hashable, float]] = {ALL: {i: 10.0 + i for i in range(12)},
             ("a",): {i: 10.0 + i for i in range(2)},
             ("b",): {i: 10.0 + i for i in range(2, 7)},
             ("c",): {i: 10.0 + i for i in range(7, 12)}}
    stats = dc.protect(cells, [(ALL, [("a",), ("b",), ("c",)])])
    assert stats[("a",)].reason is Reason.too_few
    assert stats[("b",)].reason is Reason.secondary
    assert stats[ALL].shown and stats[("c",)].shown


closings = st.lists(  # groups closing one after another: (firm, value) pairs per group
    st.lists(st.tuples(st.integers(min_value=0, max_value=40), values), max_size=12),
    min_size=1, max_size=8,
)


@FAST
@given(closings)
def test_across_groups_each_version_adds_a_safe_block(script: list[list[tuple[int, float]]]
                                                      ) -> None:
    """Rule 5: groups close the same period one after another. Every new version adds firms
    that pass rule 1 on their own; a shown version passes rules 1 and 2 on the whole pool and,
    without any one group's firms, rule 1 again; a firm counts once."""
    contributions: list[dc.Contribution] = []
    published: frozenset[Hashable] = frozenset()
    published_firms: dict[Hashable, float] = {}
    for period, rows in enumerate(script):
        contributions += [dc.Contribution(group=period % 5, period=period, firm=f, value=v)
                          for f, v in dict(rows).items()]
        stats = dc.next_version(contributions, published)
        if stats is None:
            continue
        chosen = dc.pool(contributions, published)
        current = {firm: c.value for firm, c in chosen.items()}
        for firm, value in published_firms.items():  # what was published stays as it was
            assert current[firm] == value
        block = [v for firm, v in current.items() if firm not in published_firms]
        assert passes_primary(block)
        assert stats.n == len(current)
        assert_cell_ok(stats, list(current.values()))
        if stats.shown:
            for group in {c.group for c in contributions}:
                own = {c.firm for c in contributions if c.group == group}
                rest = [v for firm, v in current.items() if firm not in own]
                assert not rest or passes_primary(rest)
        published = frozenset(c.period for c in contributions)
        published_firms = current
