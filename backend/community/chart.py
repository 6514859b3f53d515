"""Server-side SVG chart of one KPI: the group's interquartile band and median per closed
period, and the firm's own values as a line. Coordinates only; the template draws them with
attributes and classes (the CSP forbids inline styles)."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.community.benchmarks import KpiComparison

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40


@dataclass
class Band:
    x: float
    width: float
    y_q3: float
    height: float
    y_median: float


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    labels: list[tuple[float, str]] = field(default_factory=list)  # x, period label
    ticks: list[tuple[float, float]] = field(default_factory=list)  # y, value
    bands: list[Band] = field(default_factory=list)
    own: list[tuple[float, float]] = field(default_factory=list)
    baseline: float = HEIGHT - BOTTOM
    left: int = LEFT
    right: int = WIDTH - RIGHT

    @property
    def own_path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.own)


def build_chart(comp: KpiComparison) -> Chart | None:
    values: list[float] = []
    for p in comp.points:
        if p.own is not None:
            values.append(p.own)
        if p.group is not None and p.group.shown:
            values += [v for v in (p.group.q1, p.group.q3) if v is not None]
    if not values or not comp.points:
        return None
    lo, hi = min(values), max(values)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.1
    lo, hi = lo - pad, hi + pad
    plot_h = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT - RIGHT) / len(comp.points)

    def y(v: float) -> float:
        return TOP + (hi - v) / (hi - lo) * plot_h

    chart = Chart()
    for i in range(5):
        v = lo + (hi - lo) * i / 4
        chart.ticks.append((y(v), v))
    for i, p in enumerate(comp.points):
        cx = LEFT + step * (i + 0.5)
        chart.labels.append((cx, p.period.label))
        g = p.group
        if g is not None and g.shown and g.q1 is not None and g.q3 is not None \
                and g.median is not None:
            chart.bands.append(Band(x=cx - step * 0.3, width=step * 0.6, y_q3=y(g.q3),
                                    height=max(1.0, y(g.q1) - y(g.q3)), y_median=y(g.median)))
        if p.own is not None:
            chart.own.append((cx, y(p.own)))
    return chart
