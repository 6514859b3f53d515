"""Server-side SVG chart of one KPI: the group's interquartile band and median per closed
period, and the firm's own values as a line. Coordinates only, already formatted (a page holds
20 charts; formatting in Python is much cheaper than in the template); the template draws them
with attributes and classes (the CSP forbids inline styles)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from backend.community.benchmarks import KpiComparison

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40


@dataclass(slots=True)
class Band:
    x: str
    x2: str
    width: str
    y_q3: str
    height: str
    y_median: str


@dataclass(slots=True)
class Tick:
    y: str
    text_y: str
    text: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    labels: list[tuple[str, str]] = field(default_factory=list)  # x, period label
    ticks: list[Tick] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    own: list[tuple[str, str]] = field(default_factory=list)  # x, y
    baseline: float = HEIGHT - BOTTOM
    left: int = LEFT
    right: int = WIDTH - RIGHT

    @property
    def own_path(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.own)


def _f(v: float) -> str:
    return f"{v:.1f}"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round axis values that cover ``lo``…``hi``: about ``count`` ticks a step of 1, 2, 2.5
    or 5 times a power of ten apart (0, 25, 50, 75, 100 rather than 3.7, 27.1, …). The first
    and last tick are the axis' ends."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError("ticks of a non-finite range")
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    raw = (hi - lo) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw - 1e-12)
    first = math.floor(lo / step + 1e-9) * step
    last = math.ceil(hi / step - 1e-9) * step
    n = round((last - first) / step)
    # round away float noise (0.30000000000000004) to the step's own decimals
    decimals = max(0, -math.floor(math.log10(step)) + 1)
    return [round(first + i * step, decimals) + 0.0 for i in range(n + 1)]


def build_chart(comp: KpiComparison, num: Callable[[float], str]) -> Chart | None:
    values: list[float] = []
    for p in comp.points:
        if p.own is not None:
            values.append(p.own)
        if p.group is not None and p.group.shown:
            values += [b.low for b in (p.group.q1,) if b is not None]
            values += [b.high for b in (p.group.q3,) if b is not None]
    if not values or not comp.points:
        return None
    ticks = nice_ticks(min(values), max(values))
    lo, hi = ticks[0], ticks[-1]
    plot_h = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - RIGHT) / len(comp.points)

    def y(v: float) -> float:
        return TOP + (hi - v) / (hi - lo) * plot_h

    chart = Chart()
    for v in ticks:
        chart.ticks.append(Tick(y=_f(y(v)), text_y=_f(y(v) + 4), text=num(v)))
    for i, p in enumerate(comp.points):
        cx = LEFT + step * (i + 0.5)
        chart.labels.append((_f(cx), p.period.label))
        g = p.group
        if g is not None and g.shown and g.q1 is not None and g.q3 is not None \
                and g.median is not None:
            x, width = cx - step * 0.3, step * 0.6
            chart.bands.append(Band(x=_f(x), x2=_f(x + width), width=_f(width),
                                    y_q3=_f(y(g.q3.high)),
                                    height=_f(max(1.0, y(g.q1.low) - y(g.q3.high))),
                                    y_median=_f(y(g.median.middle))))
        if p.own is not None:
            chart.own.append((_f(cx), _f(y(p.own))))
    return chart
