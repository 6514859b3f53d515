"""A horizontal bar chart as coordinates (drawn by the template macro
``insight/_table.html:chart_svg``) or as a standalone SVG (the PDF report): one bar per
labelled value on a scale from 0. Shared by the insight tables (``backend.insight.chart``) and
the scan result (``backend.scan.chart``), which sit in different layers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape


def _f(v: float) -> str:
    return f"{v:.1f}"


@dataclass(slots=True)
class Tick:
    y: str  # here: the x position of a grid line
    text_y: str
    text: str


WIDTH = 640
LABEL_W = 220
BAR_H, GAP, TOP, BOTTOM = 18, 6, 8, 28
MAX_BARS = 25


@dataclass(slots=True)
class Bar:
    y: str
    text_y: str
    width: str
    label: str
    value: str


@dataclass
class BarChart:
    title: str
    width: int = WIDTH
    height: int = 0
    left: int = LABEL_W
    right: int = WIDTH - 60
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)  # here: x positions of the grid lines
    baseline: str = ""


def horizontal_bars(title: str, rows: Sequence[tuple[str, float | None, str]], top: float,
                    ticks: Sequence[tuple[float, str]]) -> BarChart:
    """One bar per ``(label, value, value as text)`` on a scale from 0 to ``top``, grid lines
    at ``ticks`` (``(value, text)``); a ``None`` value gets no bar. The insight tables and the
    scan result's dimensions (``backend/scan/chart.py``) are drawn with it."""
    plot_w = WIDTH - LABEL_W - 60
    chart = BarChart(title=title)
    chart.height = TOP + len(rows) * (BAR_H + GAP) + BOTTOM
    chart.baseline = _f(TOP + len(rows) * (BAR_H + GAP))
    for at, tick_text in ticks:
        chart.ticks.append(Tick(y=_f(LABEL_W + plot_w * at / top), text_y=chart.baseline,
                                text=tick_text))
    for i, (label, value, text) in enumerate(rows):
        y = TOP + i * (BAR_H + GAP)
        width = plot_w * value / top if value is not None else 0.0
        label = label if len(label) <= 34 else label[:33] + "…"
        chart.bars.append(Bar(y=_f(y), text_y=_f(y + BAR_H - 5), width=_f(max(width, 0.0)),
                              label=label, value=text))
    return chart


def svg(chart: BarChart) -> str:
    """The chart as a standalone SVG document (the PDF report embeds these)."""

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{chart.width}" '
             f'height="{chart.height}" viewBox="0 0 {chart.width} {chart.height}">',
             f"<title>{escape(chart.title)}</title>"]
    for t in chart.ticks:
        parts.append(f'<line x1="{t.y}" x2="{t.y}" y1="0" y2="{chart.baseline}" '
                     'stroke="#d0d0d0" stroke-width="1"/>')
        parts.append(f'<text x="{t.y}" y="{float(chart.baseline) + 16:.1f}" '
                     f'text-anchor="middle" font-size="11" fill="#333">{escape(t.text)}</text>')
    for b in chart.bars:
        parts.append(f'<text x="{chart.left - 6}" y="{b.text_y}" text-anchor="end" '
                     f'font-size="11" fill="#333">{escape(b.label)}</text>')
        parts.append(f'<rect x="{chart.left}" y="{b.y}" width="{b.width}" height="18" '
                     'fill="#1f4e8c"/>')
        parts.append(f'<text x="{chart.left + float(b.width) + 4:.1f}" y="{b.text_y}" '
                     f'font-size="11" fill="#333">{escape(b.value)}</text>')
    parts.append("</svg>")
    return "".join(parts)
