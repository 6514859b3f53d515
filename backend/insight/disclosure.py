"""Disclosure control for ``/inzicht``: figures over arbitrary filters (docs/disclosure.md,
"Insight").

An analyst may combine any filters (period, province, COROP, labour-market region, theme,
sector, size, desk) and subtract the answers. Suppressing small cells one table at a time
cannot stop that: two filter combinations whose populations differ by one question would
reveal that question's attributes. So the records are first grouped into **atoms**: groups of
at least ``K`` records that share *every* dimension a filter can name. A record whose exact
combination is rarer than ``K`` has its dimensions coarsened step by step along ``LADDER``
(month → quarter only, size hidden, sector hidden, COROP/labour-market region hidden, desk
hidden, theme hidden, province hidden) until its group reaches ``K``; what is still smaller
after the last step is left out of every figure. A filter is a condition on an atom's
(coarsened) dimensions, so the population behind any figure, and the difference between any
two populations (or any combination of them), is a union of whole atoms: empty or at least
``K`` records. No single question, scan or firm can be isolated by differencing.

On top of that, the ordinary rules hold for what is shown of a population:

- counts of an attribute inside a population (an outcome, "only the fallback could take
  it", hand-offs) below ``K`` are suppressed, and a row that would then have exactly one
  hidden part of a shown total hides its next-smallest part as well (complementary
  suppression);
- a median needs at least ``MEDIAN_MIN`` values and must not equal the lowest or highest of
  them (it would show an extreme); a mean needs ``K`` values;
- atoms are computed per calendar quarter, only for quarters that have ended, and a quarter
  is frozen 90 days after its end (``snapshot.py``).

Pure functions; the database side is in ``snapshot.py``.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

K = 10  # minimum records in an atom, and minimum for any shown count of an attribute
MEDIAN_MIN = 10  # minimum values behind a median
NOT_GIVEN = "?"  # the asker did not say
HIDDEN = "*"  # coarsened away to protect a small group


@dataclass(frozen=True, slots=True)
class AtomKey:
    quarter: str
    month: str | None
    province: str
    corop: str | None
    lmr: str | None
    theme: str
    sector: str
    size: str
    desk_id: int | None


def _month(k: AtomKey) -> AtomKey:
    return replace(k, month=None)


def _size(k: AtomKey) -> AtomKey:
    return replace(k, size=HIDDEN)


def _sector(k: AtomKey) -> AtomKey:
    return replace(k, sector=HIDDEN)


def _subregion(k: AtomKey) -> AtomKey:
    return replace(k, corop=None, lmr=None)


def _desk(k: AtomKey) -> AtomKey:
    return replace(k, desk_id=None)


def _theme(k: AtomKey) -> AtomKey:
    return replace(k, theme=HIDDEN)


def _province(k: AtomKey) -> AtomKey:
    return replace(k, province=HIDDEN)


# Each step coarsens one more dimension; the steps are cumulative.
LADDER: tuple[Callable[[AtomKey], AtomKey], ...] = (
    _month, _size, _sector, _subregion, _desk, _theme, _province)

R = TypeVar("R")


def build_atoms(records: Iterable[tuple[AtomKey, R]], k: int = K
                ) -> tuple[dict[AtomKey, list[R]], list[R]]:
    """Group records into atoms of at least ``k``; returns (atoms, records left out)."""
    atoms: dict[AtomKey, list[R]] = {}
    pending = list(records)
    for step in range(len(LADDER) + 1):
        if not pending:
            break
        groups: dict[AtomKey, list[R]] = defaultdict(list)
        for key, rec in pending:
            groups[key].append(rec)
        pending = []
        for key, recs in groups.items():
            if len(recs) >= k or key in atoms:
                # joining an existing atom keeps it a group of at least k
                atoms.setdefault(key, []).extend(recs)
            elif step < len(LADDER):
                coarser = LADDER[step](key)
                pending.extend((coarser, r) for r in recs)
            else:
                pending.extend((key, r) for r in recs)
        if step == len(LADDER):
            break
    left_out = [r for _k, r in pending]
    return atoms, left_out


# --- filters --------------------------------------------------------------------------------

@dataclass(frozen=True)
class AtomFilter:
    """A conjunction of conditions on an atom's dimensions; None = any."""

    quarters: frozenset[str] | None = None
    month: str | None = None
    province: str | None = None
    corop: str | None = None
    lmr: str | None = None
    theme: str | None = None
    sector: str | None = None
    size: str | None = None
    desk_ids: frozenset[int] | None = None

    def matches(self, a: AtomKey) -> bool:
        return ((self.quarters is None or a.quarter in self.quarters)
                and (self.month is None or a.month == self.month)
                and (self.province is None or a.province == self.province)
                and (self.corop is None or a.corop == self.corop)
                and (self.lmr is None or a.lmr == self.lmr)
                and (self.theme is None or a.theme == self.theme)
                and (self.sector is None or a.sector == self.sector)
                and (self.size is None or a.size == self.size)
                and (self.desk_ids is None or a.desk_id in self.desk_ids))


# --- what may be shown of a population --------------------------------------------------------

def shown_count(n: int, k: int = K) -> int | None:
    """An attribute count: None (suppressed) when 0 < n < k."""
    return n if n == 0 or n >= k else None


def protect_row(parts: Mapping[Hashable, int], k: int = K) -> dict[Hashable, int | None]:
    """Counts of the parts of one shown total (e.g. outcomes of the closed questions):
    primary suppression below ``k``, and never exactly one hidden part (it would be the total
    minus the shown ones): then the smallest shown non-zero part is hidden too."""
    out: dict[Hashable, int | None] = {p: shown_count(n, k) for p, n in parts.items()}
    hidden = [p for p, v in out.items() if v is None]
    if len(hidden) == 1:
        candidates = sorted((n, repr(p)) for p, n in parts.items()
                            if out[p] is not None and n > 0)
        if candidates:
            smallest = next(p for p, n in parts.items()
                            if repr(p) == candidates[0][1])
            out[smallest] = None
    return out


def safe_median(values: Sequence[float], minimum: int = MEDIAN_MIN) -> float | None:
    """The median, or None when it rests on fewer than ``minimum`` values or equals the
    lowest or highest of them."""
    if len(values) < minimum:
        return None
    med = statistics.median(values)
    if med <= min(values) or med >= max(values):
        return None
    return float(med)


def safe_mean(total: float, n: int, minimum: int = K) -> float | None:
    return total / n if n >= minimum and n > 0 else None


def safe_share(part: int, whole: int, k: int = K) -> float | None:
    """A share reveals the part, so the part must be showable (and the whole ≥ k)."""
    if whole < k or shown_count(part, k) is None or shown_count(whole - part, k) is None:
        return None
    return part / whole


def merge_data(items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Add up atom payloads: numbers are summed, lists concatenated, dicts merged by key."""
    out: dict[str, Any] = {}
    for d in items:
        for key, value in d.items():
            if isinstance(value, list):
                out.setdefault(key, []).extend(value)
            elif isinstance(value, dict):
                target = out.setdefault(key, {})
                for kk, vv in value.items():
                    target[kk] = target.get(kk, 0) + vv
            else:
                out[key] = out.get(key, 0) + value
    return out
