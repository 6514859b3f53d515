"""Property tests of the disclosure rules (docs/disclosure.md): ≥ 1,000 generated groups each.

The adversary tests play the attacker of the threat model: a coalition that knows every
contribution except the target's (values chosen at will: ±10^12, the ends of the range, ties,
values next to the target) and sees everything Loket publishes — every cell of every period,
every rank, every version of the comparison across groups. It looks for the tightest bounds
on the target's value: a value ``t'`` is *possible* for the target when replacing the target's
value by ``t'`` (in every period at once) changes nothing that is published. The p %-rule
(p = 10) holds when some possible ``t'`` lies more than 10 % of |t| away from the true ``t``:
then the coalition's bounds are never tighter than ±10 %.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Hashable, Sequence
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backend.community import disclosure as dc
from backend.community.disclosure import ALL, CellStats, PeriodClosed, PeriodLedger, Reason

SECTORS = ("F", "C", "G")
SIZES = ("micro", "klein", "middel")
# declared ranges of real KPIs: none, 0–∞, percentages, days (a maximum inside a class),
# value added (negative allowed)
RANGES: tuple[tuple[float | None, float | None], ...] = (
    (None, None), (0, None), (0, 100), (0, 3650), (-10_000_000, 1_000_000_000))

values = st.one_of(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=200).map(float),  # ties are common in real figures
    st.sampled_from([0.0, 1.0, 100.0, 0.001, 0.002, 99.998, 99.999, 1e12, -1e12, 125.0]),
)

FAST = settings(max_examples=1000, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def clamp(v: float, rng: tuple[float | None, float | None]) -> float:
    lo, hi = rng
    if lo is not None and v < lo:
        v = lo
    if hi is not None and v > hi:
        v = hi
    return v


def alternatives(t: float, rng: tuple[float | None, float | None]) -> list[float]:
    """Values the target might have had instead, all more than 10 % of |t| away from t (or,
    for t = 0, any other value), inside the KPI's declared range."""
    out = [t * (1 + s * k / 100) for k in (11, 13, 16, 20, 25) for s in (-1, 1)]
    out += [t + 0.005, t - 0.005] if abs(t) < 0.05 else []
    lo, hi = rng
    return [v for v in out if abs(v - t) > 0.1 * abs(t) and v != t
            and (lo is None or v >= lo) and (hi is None or v <= hi)]


def pinned(publish: object, world: object, t: float,
           rng: tuple[float | None, float | None]) -> bool:
    """True when no alternative more than ±10 % away from ``t`` publishes the same."""
    seen = publish(world, t)  # type: ignore[operator]
    return not any(publish(world, alt) == seen for alt in alternatives(t, rng))  # type: ignore[operator]


@st.composite
def groups(draw: st.DrawFn) -> tuple[dict[Hashable, float], dict[Hashable, tuple[str, str]],
                                     tuple[float | None, float | None], int]:
    rng = draw(st.sampled_from(RANGES))
    n = draw(st.integers(min_value=5, max_value=16))
    rows = draw(st.lists(st.tuples(values, st.sampled_from(SECTORS), st.sampled_from(SIZES)),
                         min_size=n, max_size=n))
    figures: dict[Hashable, float] = {i: clamp(v, rng) for i, (v, _s, _z) in enumerate(rows)}
    profile: dict[Hashable, tuple[str, str]] = {i: (s, z) for i, (_v, s, z) in enumerate(rows)}
    target = draw(st.integers(min_value=0, max_value=n - 1))
    # the coalition's favourite trick: two values far below the target, two far above, so
    # that the target sits at the median of five
    if draw(st.booleans()):
        lo, hi = rng
        t = figures[target]
        below = lo if lo is not None else -1e12
        above = hi if hi is not None else 1e12
        others = [i for i in figures if i != target][:4]
        for i, v in zip(others, (below, below + 1e-3, above - 1e-3, above), strict=False):
            figures[i] = clamp(v, rng)
            profile[i] = profile[target]
        figures[target] = t
    return figures, profile, rng, target


def _freeze_view(figures: dict[Hashable, float], profile: dict[Hashable, tuple[str, str]],
                 rng: tuple[float | None, float | None], target: int, t: float) -> str:
    return repr(dc.freeze({**figures, target: t}, profile, *rng))


@FAST
@given(groups())
@example(({0: -1e12, 1: -1e12 + 1, 2: 123456.7, 3: 1e12 - 1, 4: 1e12},
          {i: ("F", "micro") for i in range(5)}, (None, None), 2))
@example(({0: 0.001, 1: 0.002, 2: 71.3, 3: 99.998, 4: 99.999},
          {i: ("F", "micro") for i in range(5)}, (0, 100), 2))
@example(({0: 420.0, 1: 100.0, 2: 101.0, 3: 102.0, 4: 103.0},
          {i: ("F", "micro") for i in range(5)}, (0, None), 3))
@example(({0: 3300.0, 1: 3650.0, 2: 3650.0, 3: 3650.0, 4: 3650.0},
          {i: ("F", "micro") for i in range(5)}, (0, 3650), 0))
def test_a_coalition_of_all_but_one_cannot_bound_the_target_within_ten_percent(
        group: tuple[dict[Hashable, float], dict[Hashable, tuple[str, str]],
                     tuple[float | None, float | None], int]) -> None:
    figures, profile, rng, target = group
    t = figures[target]

    def publish(world: None, value: float) -> str:
        return _freeze_view(figures, profile, rng, target, value)

    assert not pinned(publish, None, t, rng), (t, figures)


@FAST
@given(groups())
def test_every_published_statistic_is_a_class_never_a_point(
        group: tuple[dict[Hashable, float], dict[Hashable, tuple[str, str]],
                     tuple[float | None, float | None], int]) -> None:
    """A shown Q1, median or Q3 is a class at least 25 % wide (within the declared range,
    after merging): never a number a firm could have entered, never narrower than ±10 %."""
    figures, profile, rng, _target = group
    frozen = dc.freeze(figures, profile, *rng)
    cells, _lines = dc.group_cells(figures, profile)
    for key, stats in frozen.cells.items():
        if not stats.shown:
            assert (stats.q1, stats.median, stats.q3) == (None, None, None)
            continue
        assert stats.n == len(cells[key]) >= dc.MIN_FIRMS
        for q in (stats.q1, stats.median, stats.q3):
            assert q is not None
            b = dc.band(q, *rng)
            assert dc.canonical(q, *rng) == q  # stored as the class, not a value
            assert b.low < b.high and not dc._narrow(b.low, b.high), b
            members = [v for v in cells[key].values() if b.low <= v <= b.high]
            assert members, "a class nobody is in"
        assert stats.q1 <= stats.median <= stats.q3  # type: ignore[operator]


@FAST
@given(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False), st.sampled_from(RANGES))
@example(1.7976931348623157e308, (None, None))  # the largest float a member can enter
@example(-1.7976931348623157e308, (None, None))
@example(9.99e307, (0, None))
def test_classes_are_monotone_stable_and_wide(x: float,
                                             rng: tuple[float | None, float | None]) -> None:
    x = clamp(x, rng)
    b = dc.band(x, *rng)
    top = sys.float_info.max
    assert b.low <= x and (x < b.high or x == rng[1] or x == b.high == top)
    assert dc.band(dc.canonical(x, *rng), *rng) == b
    following = math.nextafter(x, math.inf)
    if following <= top and (rng[1] is None or following <= rng[1]):
        assert dc.canonical(following, *rng) >= dc.canonical(x, *rng)
    assert not dc._narrow(b.low, b.high)


def passes_primary(vals: list[float], lower: float | None) -> bool:
    """Rule 1 written out independently of the module, on class edges."""
    if len(vals) < 5:
        return False
    if lower is None and any(v < -dc.ZERO_CLASS for v in vals):
        return False
    base = Fraction(0 if lower is None else lower)
    mags = sorted((max(Fraction(v), base) - base for v in vals), reverse=True)
    total = sum(mags, Fraction(0))
    return total > 0 and (mags[0] + mags[1]) / total < Fraction(85, 100)


@FAST
@given(groups())
def test_suppression_is_consistent_and_nothing_is_derivable_by_subtraction(
        group: tuple[dict[Hashable, float], dict[Hashable, tuple[str, str]],
                     tuple[float | None, float | None], int]) -> None:
    figures, profile, rng, _target = group
    classes = {f: dc.canonical(v, *rng) for f, v in figures.items()}
    cells, lines = dc.group_cells(classes, profile)
    frozen = dc.freeze(figures, profile, *rng)
    assert set(frozen.cells) == set(cells)
    for key, contrib in cells.items():
        if frozen.cells[key].shown:
            assert passes_primary(list(contrib.values()), rng[0])
    for margin, parts in lines:
        assert sorted(repr(f) for p in parts for f in cells[p]) == sorted(map(repr, cells[margin]))
        if not frozen.cells[margin].shown:
            continue
        hidden = [v for p in parts if not frozen.cells[p].shown for v in cells[p].values()]
        assert not hidden or passes_primary(hidden, rng[0]), (margin, parts)
    if not frozen.cells[ALL].shown:
        assert frozen.ranks == {}
    else:
        assert set(frozen.ranks) == set(figures)
        assert all(0 < r < 100 for r in frozen.ranks.values())


# --- across periods and groups ----------------------------------------------------------------

@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[list[list[tuple[int, float]]]], int,
                                     tuple[float | None, float | None]]:
    """Periods × groups × (firm, value): firms join and leave between periods, some firms are
    in two groups; the target (firm 0) keeps the same value in every period (the worst case:
    every period is one more view of the same number)."""
    rng = draw(st.sampled_from(RANGES))
    n_periods = draw(st.integers(min_value=1, max_value=3))
    n_groups = draw(st.integers(min_value=1, max_value=3))
    t = clamp(draw(values), rng)
    periods = []
    for _ in range(n_periods):
        groups_ = []
        for g in range(n_groups):
            firms = draw(st.lists(st.integers(min_value=1, max_value=24), min_size=3,
                                  max_size=9, unique=True))
            rows = [(f, clamp(draw(values), rng)) for f in firms]
            if g == 0 or draw(st.booleans()):
                rows.append((0, t))
            groups_.append(rows)
        periods.append(groups_)
    return periods, 0, rng


def _world_view(world: list[list[list[tuple[int, float]]]], target: int, t: float,
                rng: tuple[float | None, float | None]) -> str:
    """Everything published: every group's frozen period and every version across groups
    (the groups close period by period, in order)."""
    out: list[object] = []
    for p, groups_ in enumerate(world):
        contributions: list[dc.Contribution] = []
        published: frozenset[Hashable] = frozenset()
        for g, rows in enumerate(groups_):
            figures: dict[Hashable, float] = {f: (t if f == target else v) for f, v in rows}
            profile: dict[Hashable, tuple[str, str]] = {f: ("F", "micro") for f in figures}
            out.append(dc.freeze(figures, profile, *rng))
            contributions += [dc.Contribution(group=g, period=(p, g), firm=f, value=v)
                              for f, v in figures.items()]
            version = dc.next_version(contributions, published, *rng)
            out.append(version)
            if version is not None:
                published = frozenset(c.period for c in contributions)
    return repr(out)


@FAST
@given(worlds())
@example(([[[(1, 60000.0), (2, 60001.0), (3, 60002.0), (4, 300000.0), (5, 300001.0)],
            [(0, 61000.5), (6, 62000.25), (7, 63000.75), (8, 64000.0), (9, 65000.0),
             (10, 66000.0)]]], 0, (0, 10_000_000)))
def test_no_coalition_pins_a_firm_across_periods_groups_and_versions(
        case: tuple[list[list[list[tuple[int, float]]]], int,
                    tuple[float | None, float | None]]) -> None:
    """The coalition is everyone but the target — in particular the party that knows every
    contribution of one whole group (the example: 60000, 60001, 60002, 300000, 300001 read
    another group's lowest firm as 2·Q1 − 60002 before the classes)."""
    world, target, rng = case
    t = next(v for groups_ in world for rows in groups_ for f, v in rows if f == target)

    def publish(w: list[list[list[tuple[int, float]]]], value: float) -> str:
        return _world_view(w, target, value, rng)

    assert not pinned(publish, world, t, rng)


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


# --- the attacks of the outside test (issue #12), as examples ---------------------------------

def _five(vals: Sequence[float], rng: tuple[float | None, float | None] = (None, None)
          ) -> CellStats:
    return dc.freeze(dict(enumerate(vals)), {i: ("F", "micro") for i in range(len(vals))},
                     *rng).cells[ALL]


def test_colluders_around_a_target_do_not_read_it_as_the_median() -> None:
    # ±10^12 on a KPI without a range: the negative values need a declared minimum
    assert _five([-1e12, -1e12 + 1, 123456.7, 1e12 - 1, 1e12]).reason is Reason.no_range
    # 0.001/0.002/99.998/99.999 on a 0–100 KPI: the median is the class 63–80, not 71.3
    stats = _five([0.001, 0.002, 71.3, 99.998, 99.999], (0, 100))
    assert stats.shown and stats.median != 71.3
    assert dc.band(stats.median, 0, 100) == dc.Band(63.0, 80.0)  # type: ignore[arg-type]


def test_an_honest_group_of_five_learns_classes_not_three_values() -> None:
    stats = _five([420, 100, 101, 102, 103], (0, None))
    assert stats.shown
    assert {stats.q1, stats.median, stats.q3} == {100.0}  # the class 100–125
    assert not {stats.q1, stats.median, stats.q3} & {101.0, 102.0, 103.0}


def test_negative_values_are_measured_from_the_declared_minimum() -> None:
    # |values| made the 900 look like 72 % of the total; from the minimum −100 it is all of it
    assert _five([900, -100, -100, -100, -95], (-100, None)).reason is Reason.dominant
    assert dc.primary_reason([900, -100, -100, -100, -95], -100) is Reason.dominant
    assert dc.primary_reason([900, -100, -100, -100, -95]) is Reason.no_range


def test_reasons_on_small_examples() -> None:
    assert dc.cell_stats([1, 2, 3, 4]).reason is Reason.too_few
    assert dc.cell_stats([100, 100, 5, 5, 5]).reason is Reason.dominant
    assert dc.cell_stats([0, 0, 0, 0, 0]).reason is Reason.dominant
    assert dc.cell_stats([1, 1, 1, 2, 3]).reason is Reason.extreme  # exact (scan) statistics
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
    that pass rule 1 on their own; a shown version passes rule 1 on the whole pool and,
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
        current = {firm: dc.canonical(c.value) for firm, c in chosen.items()}
        for firm, value in published_firms.items():  # what was published stays as it was
            assert current[firm] == value
        block = [v for firm, v in current.items() if firm not in published_firms]
        assert passes_primary(block, None)
        assert stats.n == len(current)
        if stats.shown:
            assert passes_primary(list(current.values()), None)
            for group in {c.group for c in contributions}:
                own = {c.firm for c in contributions if c.group == group}
                rest = [v for firm, v in current.items() if firm not in own]
                assert not rest or passes_primary(rest, None)
        published = frozenset(c.period for c in contributions)
        published_firms = current


def _same_band(a: dc.Band, b: dc.Band) -> bool:
    """Equal edges, of the same type and with the same sign of a zero (a `Band`'s `==` says
    -0.0 == 0.0, but the page writes "-0" for one of them)."""
    return all(type(p) is type(q) and p == q and math.copysign(1.0, p) == math.copysign(1.0, q)
               for p, q in ((a.low, b.low), (a.high, b.high)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(values, st.sampled_from(RANGES)), min_size=1, max_size=20))
def test_a_kept_class_is_the_class(calls: list[tuple[float, tuple[float | None, float | None]]]
                                   ) -> None:
    for x, rng in calls:
        x = clamp(x, rng)
        assert _same_band(dc.stored_band(x, *rng), dc.band(x, *rng))


def test_a_kept_class_tells_zeros_and_ints_apart() -> None:
    """The comparison page keeps classes of stored statistics (`stored_band`); -0.0 == 0.0
    and 0 == 0.0 as keys, so a plain cache would hand one the other's class."""
    for first, second in (((0.005, 0.0), (0.005, -0.0)), ((0.005, -0.0), (0.005, 0.0)),
                          ((0.0, None), (-0.0, None)), ((50.0, 0), (50.0, 0.0)),
                          ((0, 0.0), (0.0, 0.0))):
        dc.stored_band(*first)
        assert _same_band(dc.stored_band(*second), dc.band(*second)), second
