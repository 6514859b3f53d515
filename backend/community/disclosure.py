"""Disclosure control for peer benchmarks (DESIGN.md §6, docs/disclosure.md).

Pure functions, no database: the benchmark service hands in the frozen figures of a closed
period and stores what comes out. The rules:

1. **Primary suppression.** A cell's statistics are shown only when at least ``MIN_FIRMS``
   firms contribute and the two largest contributions (by absolute value) are less than
   ``DOMINANCE`` of the total (of the absolute values).
2. **No extremes.** Minimum and maximum are never computed for display; a cell whose quartile or
   median would *equal* the minimum or maximum (ties at an end) is suppressed, because it would
   show an extreme after all.
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
from collections.abc import Hashable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
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


REASON_LABELS: dict[Reason, str] = {
    Reason.too_few: N_("too few participants"),
    Reason.dominant: N_("one participant too dominant"),
    Reason.extreme: N_("would show the highest or lowest value"),
    Reason.secondary: N_("hidden to protect another cell"),
    Reason.not_published: N_("period not yet closed"),
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


def primary_reason(values: Sequence[float]) -> Reason | None:
    """Rule 1: ``None`` when the cell may be shown."""
    if len(values) < MIN_FIRMS:
        return Reason.too_few
    magnitudes = sorted((abs(v) for v in values), reverse=True)
    top, total = magnitudes[0] + magnitudes[1], math.fsum(magnitudes)
    share = top / total if total else 1.0
    if abs(share - 0.85) < 1e-9:  # too close to call in floating point: decide exactly
        exact = sorted((Fraction(m) for m in magnitudes), reverse=True)
        dominated = not exact[0] + exact[1] < DOMINANCE * sum(exact, Fraction(0))
    else:
        dominated = share >= 0.85
    return Reason.dominant if dominated else None


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


def cell_stats(values: Sequence[float]) -> CellStats:
    """Rules 1 and 2 for one cell on its own."""
    n = len(values)
    reason = primary_reason(values)
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
    cells: Mapping[K, Mapping[Hashable, float]], lines: Sequence[tuple[K, Sequence[K]]]
) -> dict[K, CellStats]:
    """Rules 1–3 for a table.

    ``cells`` maps a cell key to its contributions (firm id → value); ``lines`` lists
    ``(margin, parts)`` where the parts partition the margin's firms. Returns what may be
    shown of every cell.
    """
    result = {key: cell_stats(list(contrib.values())) for key, contrib in cells.items()}
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
                if primary_reason(residual) is None:
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
    figures: Mapping[Hashable, float], profile: Mapping[Hashable, tuple[str, str]]
) -> FrozenPeriod:
    """Rule 4: compute once, at closing time, from the figures as they are then."""
    cells, lines = group_cells(figures, profile)
    stats = protect(cells, lines)
    values = list(figures.values())
    ranks = ({firm: percentile_rank(values, v) for firm, v in figures.items()}
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
                 published: AbstractSet[Hashable] = frozenset()) -> CellStats | None:
    """Rule 5: what a new version of a cell across groups shows, or ``None`` when no new version
    may be published yet. ``published`` holds the periods of the current version."""
    chosen = pool(contributions, published)
    known = {c.firm for c in contributions if c.period in published}
    block = [c.value for firm, c in chosen.items() if firm not in known]
    if not block or primary_reason(block) is not None:
        return None
    stats = cell_stats([c.value for c in chosen.values()])
    if stats.shown:
        for group in {c.group for c in contributions}:
            own = {c.firm for c in contributions if c.group == group}
            rest = [c.value for firm, c in chosen.items() if firm not in own]
            if rest and primary_reason(rest) is not None:
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

    def close(self, profile: Mapping[Hashable, tuple[str, str]]) -> FrozenPeriod:
        if self.frozen is None:
            self.frozen = freeze(dict(self.figures), profile)
        return self.frozen

    def view(self) -> FrozenPeriod | None:
        return self.frozen
