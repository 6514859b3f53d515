"""Server-side SVG bar chart of one column of an insight table, drawn with the shared
horizontal bar chart (``backend/core/barchart.py``): coordinates are computed and formatted in
Python, the template draws them with attributes (the CSP forbids inline styles). Suppressed
cells get no bar; the table beside the chart gives every number."""

from __future__ import annotations

from backend.core.barchart import MAX_BARS, BarChart, horizontal_bars, svg
from backend.insight.service import Table, format_value


def bar_chart(table: Table, column: str | None = None) -> BarChart | None:
    column = column or table.chart
    if column is None:
        return None
    col = next((c for c in table.columns if c.key == column), None)
    if col is None:
        return None
    rows = [(r, r.values.get(column)) for r in table.rows[:MAX_BARS]]
    values = [float(v) for _r, v in rows if isinstance(v, int | float)]
    if not values:
        return None
    top: float = max(values) or 1.0
    ticks = [(top * i / 4, format_value(top * i / 4 if col.kind != "count"
                                        else round(top * i / 4), col.kind)) for i in range(5)]
    return horizontal_bars(
        f"{table.title}: {col.label}",
        [(row.label, float(v) if isinstance(v, int | float) else None,
          format_value(v, col.kind)) for row, v in rows], top, ticks)


__all__ = ["BarChart", "bar_chart", "horizontal_bars", "svg"]
