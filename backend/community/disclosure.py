"""Disclosure control for peer benchmarks (DESIGN.md §6, docs/disclosure.md).

Pure functions, no database: the benchmark service hands in the frozen figures of a closed
period and stores what comes out. The threat model and the guarantees are in
docs/disclosure.md; in short, the adversary is a coalition of members that knows its own
figures (up to all but one firm of a cell, values chosen at will) or a party that knows every
figure of one whole group, across periods and versions. The rules:

0. **Classes, not values** (the peer benchmarks, :func:`freeze` and :func:`next_version`).
   Before anything is computed, every figure is replaced by its *class* on one fixed grid
   (:func:`band`): the preferred numbers 1 – 1.25 – 1.6 – 2 – 2.5 – 3.15 – 4 – 5 – 6.3 – 8 – 10
   times a power of ten, mirrored for negative values, with one class (−0.01, 0.01) around
   zero. Each class is at least 25 % wide (upper edge ≥ 1.25 × lower edge), so it never fits
   inside ±10 % of any value in it. Everything published — statistics, suppression decisions,
   ranks, versions across groups — is a function of the firms' classes only, so even a
   coalition that knows every other figure learns at most the class of the one it lacks.
   Quartiles and medians are nearest-rank order statistics of the classes (a class, shown as
   "100–125"), never an interpolation that could be solved for a value.
1. **Primary suppression.** A cell's statistics are shown only when at least ``MIN_FIRMS``
   firms contribute and the two largest contributions are less than ``DOMINANCE`` of the
   total, both measured from the KPI's declared minimum (values shifted to the range, so a
   negative figure cannot hide a dominant one). A KPI without a declared minimum publishes
   no cell that holds a negative figure (``no_range``).
2. **No extremes.** Minimum and maximum are never computed for display; the nearest-rank
   positions of Q1 and Q3 are never the first or the last firm of a cell of five or more.
   (The exact statistics used by the productivity scan also suppress a quartile that *equals*
   an extreme.)
3. **Secondary suppression.** Cells form lines ``margin = part + part + …`` (the group and its
   sectors, a sector and its size classes, …). For every published margin, the suppressed parts
   of a line taken together must themselves pass rule 1, so that what can be derived by
   subtraction (margin minus the published parts) is never a protected aggregate. Parts are
   suppressed additionally (the smallest first) until that holds.
4. **No differencing across joins and leaves.** Statistics are computed once, when a period is
   closed, from the figures frozen at that moment, and stored. A closed period's figures cannot
   be changed, and a firm joining or leaving later does not change what was published. So the
   figures of one period are published with exactly one population and there are never two
   views to subtract. While a period is open nothing but the firm's own figures is shown.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Hashable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import TypeVar

from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _

MIN_FIRMS = 5
DOMINANCE = Fraction(85, 100)


class Reason(StrEnum):
    too_few = "too_few"
    dominant = "dominant"
    extreme = "extreme"
    secondary = "secondary"
    not_published = "not_published"
    no_range = "no_range"


REASON_LABELS: dict[Reason, str] = {
    Reason.too_few: N_("too few participants"),
    Reason.dominant: N_("one participant too dominant"),
    Reason.extreme: N_("would show the highest or lowest value"),
    Reason.secondary: N_("hidden to protect another cell"),
    Reason.not_published: N_("period not yet closed"),
    Reason.no_range: N_("the KPI has no declared minimum"),
}


def reason_label(reason: str | None) -> str:
    """Why a cell is hidden, in the reader's language ("te weinig deelnemers"); "" when shown."""
    if reason is None:
        return ""
    try:
        return _(REASON_LABELS[Reason(reason)])
    except ValueError:
        return reason


@dataclass(frozen=True, slots=True)
class CellStats:
    """What may be shown of one cell. Statistics are ``None`` whenever ``reason`` is set."""

    n: int
    reason: Reason | None = None
    q1: float | None = None
    median: float | None = None
    q3: float | None = None

    @property
    def shown(self) -> bool:
        return self.reason is None

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason)

    def suppressed(self, reason: Reason) -> CellStats:
        return CellStats(n=self.n, reason=reason)


def primary_reason(values: Sequence[float], lower: float | None = None) -> Reason | None:
    """Rule 1: ``None`` when the cell may be shown. Contributions are measured from ``lower``
    (the KPI's declared minimum; 0 when none is declared), so a value below 0 never shrinks
    the total the way an absolute value would; a value below ``lower`` (only possible without
    a declared minimum) refuses the cell."""
    if len(values) < MIN_FIRMS:
        return Reason.too_few
    base = 0.0 if lower is None else lower
    if any(v < base for v in values):
        return Reason.no_range
    magnitudes = sorted((v - base for v in values), reverse=True)
    top, total = magnitudes[0] + magnitudes[1], math.fsum(magnitudes)
    share = top / total if total else 1.0
    if abs(share - 0.85) < 1e-9:  # too close to call in floating point: decide exactly
        exact = sorted((Fraction(v) - Fraction(base) for v in values), reverse=True)
        dominated = not exact[0] + exact[1] < DOMINANCE * sum(exact, Fraction(0))
    else:
        dominated = share >= 0.85
    return Reason.dominant if dominated else None


# --- rule 0: classes ----------------------------------------------------------------------

# Rounded R10 preferred numbers (ISO 3): consecutive steps differ by a factor 1.25 to 1.27.
STEPS: tuple[float, ...] = (1.0, 1.25, 1.6, 2.0, 2.5, 3.15, 4.0, 5.0, 6.3, 8.0)
ZERO_CLASS = 0.01  # the class [−0.01, 0.01) around zero
P_RULE = 0.10  # no coalition may bound a firm's value within ±10 % of it
_TOO_NARROW = (1 + P_RULE) / (1 - P_RULE)  # far/near edge ratio at or below which ±p % fits


@dataclass(frozen=True, slots=True)
class Band:
    """A class: ``low <= x < high``. Stored and compared by ``low``."""

    low: float
    high: float

    @property
    def middle(self) -> float:
        return (self.low + self.high) / 2


_FLOAT_TOP = sys.float_info.max / 1.3  # beyond this the grid would leave a narrow last class


@lru_cache(maxsize=1024)
def _pow10(e: int) -> float:
    """10**e as a float; beyond the float range the largest float (never an OverflowError)."""
    return min(float(f"1e{e}"), sys.float_info.max)


def _grid_up(a: float) -> tuple[float, float]:
    """[near, far) on the grid for a magnitude ``a >= ZERO_CLASS``."""
    e = math.floor(math.log10(a))
    while a < _pow10(e):
        e -= 1
    while a >= _pow10(e + 1) and _pow10(e + 1) < sys.float_info.max:
        e += 1
    scale = _pow10(e)
    i = max(k for k, step in enumerate(STEPS) if step * scale <= a)
    far = STEPS[i + 1] * scale if i + 1 < len(STEPS) else _pow10(e + 1)
    near = STEPS[i] * scale
    # the end of the float range: the last class runs to the largest float and stays wide
    if near >= _FLOAT_TOP and i > 0:
        near, far = STEPS[i - 1] * scale, sys.float_info.max
    elif far > _FLOAT_TOP:
        far = sys.float_info.max
    return near, far


def _raw(x: float) -> Band:
    """The grid class of ``x``: [near, far) for positive x, mirrored [−far, −near) for negative
    x (so |x| in (near, far]), [−0.01, 0.01) around zero."""
    if -ZERO_CLASS <= x < ZERO_CLASS:
        return Band(-ZERO_CLASS, ZERO_CLASS)
    if x > 0:
        near, far = _grid_up(x)
        return Band(near, far)
    near, far = _grid_up(math.nextafter(-x, 0.0))
    return Band(-far, -near)


def _narrow(low: float, high: float) -> bool:
    """Would the part [low, high] of a class fit inside ±p % of a value in it?"""
    if low >= high:
        return True
    if low >= 0:
        return high <= low * _TOO_NARROW * (1 + 1e-12)
    if high <= 0:
        return -low <= -high * _TOO_NARROW * (1 + 1e-12)
    return False


def band(x: float, lower: float | None = None, upper: float | None = None) -> Band:
    """The class of ``x`` (or of a stored class's ``low``) for a KPI whose declared range is
    [``lower``, ``upper``], clipped to that range. Each class is at least 25 % wide; where the
    range cuts a class so that what is left would fit inside ±10 % of a value in it (such as
    100–100 under a maximum of 100, or 3,150–3,650 under 3,650), that class is merged with its
    neighbour inside the range."""
    b = _raw(x)
    if upper is not None:
        top = _raw(upper)
        if _narrow(top.low if lower is None else max(top.low, lower), min(top.high, upper)):
            merged = Band(_raw(math.nextafter(top.low, -math.inf)).low, top.high)
            if merged.low <= x < merged.high:
                b = merged
    if lower is not None:
        bottom = _raw(lower)
        if _narrow(max(bottom.low, lower),
                   bottom.high if upper is None else min(bottom.high, upper)):
            merged = Band(bottom.low, _raw(bottom.high).high)
            if merged.low <= x < merged.high or b.low <= merged.low < b.high:
                b = Band(min(b.low, merged.low), max(b.high, merged.high))
    low = b.low if lower is None else max(b.low, lower)
    high = b.high if upper is None else min(b.high, upper)
    return Band(low, high) if low < high else b


@lru_cache(maxsize=8192, typed=True)
def _kept_band(x: float, lower: float | None, upper: float | None,
               _zero_signs: tuple[float, ...] | None) -> Band:
    return band(x, lower, upper)


def stored_band(x: float, lower: float | None = None, upper: float | None = None) -> Band:
    """:func:`band` for a stored statistic, kept: a comparison page turns ~2,000 stored Q1s,
    medians and Q3s into classes on every request, and since the statistics are classes
    (rule 0) they are the same few edges again and again. Pure, so the same answer as
    :func:`band` for the same arguments (``typed``: ``1`` and ``1.0`` are kept apart, and
    the sign of a zero is part of the key, since ``-0.0 == 0.0`` would otherwise share one
    entry). Not for :func:`freeze`: raw figures are all different."""
    zeros = (x, lower, upper)
    signs = (tuple(math.copysign(1.0, v) if v is not None and v == 0 else 0.0 for v in zeros)
             if 0 in zeros else None)
    return _kept_band(x, lower, upper, signs)


def canonical(x: float, lower: float | None = None, upper: float | None = None) -> float:
    """The class of ``x`` as one number, its ``low`` edge: monotone, and
    ``canonical(canonical(x)) == canonical(x)``, so the order statistics of classes are the
    classes of the order statistics."""
    return band(x, lower, upper).low


def nearest_rank(ordered: Sequence[float], p: float) -> float:
    """The value at nearest rank ``ceil(p·n)`` (1-based) of a sorted sequence."""
    return ordered[max(1, math.ceil(p * len(ordered) - 1e-12)) - 1]


def class_reason(values: Sequence[float], lower: float | None = None) -> Reason | None:
    """Rule 1 on classes (their ``low`` edges): a class that lies below zero needs a declared
    minimum; contributions are measured from the minimum (or from 0)."""
    if len(values) < MIN_FIRMS:
        return Reason.too_few
    if lower is None and any(v < -ZERO_CLASS for v in values):
        return Reason.no_range
    base = 0.0 if lower is None else lower
    return primary_reason([max(v, base) for v in values], base)


def class_stats(values: Sequence[float], lower: float | None = None) -> CellStats:
    """Rules 0 and 1 for one cell of *classes* (``canonical`` values): Q1, median and Q3 are
    nearest-rank classes, never an extreme's position (for n ≥ 5 the ranks are 2 … n − 1)."""
    n = len(values)
    reason = class_reason(values, lower)
    if reason is not None:
        return CellStats(n=n, reason=reason)
    ordered = sorted(values)
    return CellStats(n=n, q1=nearest_rank(ordered, 0.25), median=nearest_rank(ordered, 0.5),
                     q3=nearest_rank(ordered, 0.75))


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """Q1, median, Q3 by linear interpolation between order statistics (the 'inclusive' method)."""
    ordered = sorted(values)
    last = len(ordered) - 1

    def at(p: float) -> float:
        pos = p * last
        lo = math.floor(pos)
        hi = min(lo + 1, last)
        frac = pos - lo
        return ordered[lo] + (ordered[hi] - ordered[lo]) * frac if frac else ordered[lo]

    return at(0.25), at(0.5), at(0.75)


def cell_stats(values: Sequence[float], lower: float | None = None) -> CellStats:
    """Rules 1 and 2 for one cell on its own, with exact quartiles (the productivity scan)."""
    n = len(values)
    reason = primary_reason(values, lower)
    if reason is not None:
        return CellStats(n=n, reason=reason)
    q1, median, q3 = quartiles(values)
    low, high = min(values), max(values)
    if any(s in (low, high) for s in (q1, median, q3)):
        return CellStats(n=n, reason=Reason.extreme)
    return CellStats(n=n, q1=q1, median=median, q3=q3)


def percentile_rank(values: Sequence[float], own: float) -> float:
    """Share of the cell below ``own``, ties counted half (own value included): 0 < rank < 100."""
    below = sum(1 for v in values if v < own)
    equal = sum(1 for v in values if v == own)
    return 100.0 * (below + 0.5 * equal) / len(values)


K = TypeVar("K", bound=Hashable)


def protect(
    cells: Mapping[K, Mapping[Hashable, float]], lines: Sequence[tuple[K, Sequence[K]]],
    *, lower: float | None = None,
    stats: Callable[[Sequence[float], float | None], CellStats] | None = None,
    reason: Callable[[Sequence[float], float | None], Reason | None] | None = None,
) -> dict[K, CellStats]:
    """Rules 1–3 for a table.

    ``cells`` maps a cell key to its contributions (firm id → value); ``lines`` lists
    ``(margin, parts)`` where the parts partition the margin's firms. Returns what may be
    shown of every cell. ``stats`` computes one cell (default: the exact quartiles of
    :func:`cell_stats`, which the productivity scan uses; the peer benchmarks pass
    :func:`class_stats` and :func:`class_reason` on classes).
    """
    one, why = stats or cell_stats, reason or primary_reason
    result = {key: one(list(contrib.values()), lower) for key, contrib in cells.items()}
    changed = True
    while changed:
        changed = False
        for margin, parts in lines:
            if not result[margin].shown:
                continue
            while True:
                hidden = [p for p in parts if not result[p].shown]
                if not hidden:
                    break
                residual = [v for p in hidden for v in cells[p].values()]
                if why(residual, lower) is None:
                    break
                visible = sorted((p for p in parts if result[p].shown),
                                 key=lambda p: (len(cells[p]), repr(p)))
                target = visible[0] if visible else margin
                result[target] = result[target].suppressed(Reason.secondary)
                changed = True
                if target == margin:
                    break
    return result


# --- the tables Loket publishes ------------------------------------------------------------

CellKey = tuple[str, ...]
Line = tuple[CellKey, list[CellKey]]
ALL: CellKey = ("all",)


def group_cells(
    figures: Mapping[Hashable, float], profile: Mapping[Hashable, tuple[str, str]]
) -> tuple[dict[CellKey, dict[Hashable, float]], list[Line]]:
    """The cells and lines of one KPI in one period: the group, per sector, per size class
    and per sector × size class. ``profile`` maps a firm to its (sector, size class)."""
    cells: dict[CellKey, dict[Hashable, float]] = {ALL: {}}
    for firm, value in figures.items():
        sector, size = profile[firm]
        for key in (ALL, ("sector", sector), ("size", size), ("sector_size", sector, size)):
            cells.setdefault(key, {})[firm] = value
    sectors = sorted({k[1] for k in cells if k[0] == "sector"})
    sizes = sorted({k[1] for k in cells if k[0] == "size"})
    lines: list[Line] = [
        (ALL, [("sector", s) for s in sectors]),
        (ALL, [("size", z) for z in sizes]),
    ]
    for s in sectors:
        lines.append((("sector", s), [k for k in cells if k[0] == "sector_size" and k[1] == s]))
    for z in sizes:
        lines.append((("size", z), [k for k in cells if k[0] == "sector_size" and k[2] == z]))
    return cells, lines


@dataclass(frozen=True, slots=True)
class FrozenPeriod:
    """Everything that may ever be shown of one KPI in one closed period."""

    cells: dict[CellKey, CellStats]
    ranks: dict[Hashable, float]  # firm → percentile rank in the whole group (when shown)


def freeze(
    figures: Mapping[Hashable, float], profile: Mapping[Hashable, tuple[str, str]],
    lower: float | None = None, upper: float | None = None,
) -> FrozenPeriod:
    """Rule 4: compute once, at closing time, from the figures as they are then; rule 0:
    from their classes only ([``lower``, ``upper``] is the KPI's declared range)."""
    classes = {firm: canonical(v, lower, upper) for firm, v in figures.items()}
    cells, lines = group_cells(classes, profile)
    stats = protect(cells, lines, lower=lower, stats=class_stats, reason=class_reason)
    values = list(classes.values())
    ranks = ({firm: percentile_rank(values, v) for firm, v in classes.items()}
             if stats[ALL].shown else {})
    return FrozenPeriod(cells=stats, ranks=ranks)


# --- rule 5: the comparison across groups ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contribution:
    """One firm's frozen value from one group's closed period."""

    group: Hashable
    period: Hashable
    firm: Hashable
    value: float


def pool(contributions: Sequence[Contribution], published: AbstractSet[Hashable] = frozenset()
         ) -> dict[Hashable, Contribution]:
    """One value per firm (a firm may be in several groups): from a period already published
    if there is one, else from the first period (by ``repr`` order of the period ids)."""
    chosen: dict[Hashable, Contribution] = {}
    for c in sorted(contributions, key=lambda c: (c.period not in published, repr(c.period))):
        chosen.setdefault(c.firm, c)
    return chosen


def next_version(contributions: Sequence[Contribution],
                 published: AbstractSet[Hashable] = frozenset(),
                 lower: float | None = None, upper: float | None = None) -> CellStats | None:
    """Rule 5: what a new version of a cell across groups shows, or ``None`` when no new version
    may be published yet. ``published`` holds the periods of the current version. Like
    :func:`freeze`, it sees the classes of the values only (rule 0)."""
    chosen = {firm: canonical(c.value, lower, upper)
              for firm, c in pool(contributions, published).items()}
    known = {c.firm for c in contributions if c.period in published}
    block = [v for firm, v in chosen.items() if firm not in known]
    if not block or class_reason(block, lower) is not None:
        return None
    stats = class_stats(list(chosen.values()), lower)
    if stats.shown:
        for group in {c.group for c in contributions}:
            own = {c.firm for c in contributions if c.group == group}
            rest = [v for firm, v in chosen.items() if firm not in own]
            if rest and class_reason(rest, lower) is not None:
                return stats.suppressed(Reason.secondary)
    return stats


class PeriodClosed(Exception):
    """Figures of a closed period are frozen."""


class PeriodLedger:
    """Rule 4 as a small state machine, the same one the benchmark service keeps in the
    database: figures may change while the period is open and nothing is published; closing
    freezes them once; after that joins, leaves and corrections change nothing published."""

    def __init__(self) -> None:
        self.figures: dict[Hashable, float] = {}
        self.frozen: FrozenPeriod | None = None

    def submit(self, firm: Hashable, value: float) -> None:
        if self.frozen is not None:
            raise PeriodClosed
        self.figures[firm] = value

    def leave(self, firm: Hashable) -> None:
        # an open period forgets the firm; a closed one keeps what it published
        if self.frozen is None:
            self.figures.pop(firm, None)

    def close(self, profile: Mapping[Hashable, tuple[str, str]],
              lower: float | None = None, upper: float | None = None) -> FrozenPeriod:
        if self.frozen is None:
            self.frozen = freeze(dict(self.figures), profile, lower, upper)
        return self.frozen

    def view(self) -> FrozenPeriod | None:
        return self.frozen
