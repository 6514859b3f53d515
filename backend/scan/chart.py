"""The scan result as a chart: one bar per dimension on the answer scale (1–5), drawn like the
insight charts (``backend.core.barchart.horizontal_bars``, whose SVG the template macro
``insight/_table.html:chart_svg`` draws). The table beside it gives every number."""

from __future__ import annotations

from collections.abc import Callable

from backend.core.barchart import BarChart, horizontal_bars
from backend.core.i18n import gettext_ as _
from backend.scan.definition import Definition
from backend.scan.scoring import Scores


def dimension_chart(definition: Definition, scores: Scores,
                    num: Callable[[float], str] = str) -> BarChart | None:
    """Every dimension the scan scored, in the definition's order, on a scale from 0 to the
    top of the answer scale with a grid line at every whole answer."""
    rows = [(definition.dimension_name(d["slug"]), float(scores.dimensions[d["slug"]]),
             num(scores.dimensions[d["slug"]]))
            for d in definition.dimensions if d["slug"] in scores.dimensions]
    if not rows:
        return None
    top = float(definition.scale[-1][0])
    ticks = [(float(v), num(v)) for v in range(0, int(top) + 1)]
    return horizontal_bars(_("Score per dimension (1–5)"), rows, top, ticks)
