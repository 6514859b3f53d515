"""A scan result to take away: CSV (Dutch Excel's format by default, ``?formaat=internationaal``
for commas and decimal points) and PDF. The PDF draws the same dimension chart as the page
(``backend/scan/chart.py``) with the shared PDF drawing (``backend/core/barchart_pdf.py``)."""

from __future__ import annotations

from collections.abc import Callable

from backend.core import csvsafe
from backend.core.barchart_pdf import draw_chart, latin1, new_pdf
from backend.core.i18n import gettext_ as _
from backend.scan.chart import dimension_chart
from backend.scan.definition import Definition
from backend.scan.scoring import Scores


def csv_rows(definition: Definition, scores: Scores) -> list[list[csvsafe.Cell]]:
    """Pillar and dimension rows with their score (1–5), then the overall score."""
    rows: list[list[csvsafe.Cell]] = [[_("Pillar"), _("Dimension"), _("Score (1–5)")]]
    for p in definition.pillars:
        if p["slug"] not in scores.pillars:
            continue
        pillar = definition.pillar_name(p["slug"])
        rows.append([pillar, "", scores.pillars[p["slug"]]])
        for d in definition.dimensions:
            if d["pillar"] == p["slug"] and d["slug"] in scores.dimensions:
                rows.append([pillar, definition.dimension_name(d["slug"]),
                             scores.dimensions[d["slug"]]])
    rows.append([_("Overall score"), "", scores.overall])
    return rows


def csv_text(definition: Definition, scores: Scores, dutch: bool = True) -> bytes:
    body = csvsafe.write(csv_rows(definition, scores), dutch=dutch)
    return body.encode("utf-8-sig" if dutch else "utf-8")


def pdf_bytes(definition: Definition, scores: Scores, num: Callable[[float], str] = str
              ) -> bytes:
    pdf = new_pdf()
    pdf.set_title(latin1(_("Your scan result")))
    pdf.set_author("Loket")
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.cell(0, 10, latin1(_("Your scan result")))
    pdf.ln(12)
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, latin1(_("Overall score: %(score)s of 5.",
                             score=num(scores.overall))))
    pdf.ln(10)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    chart = dimension_chart(definition, scores, num)
    if chart is not None:
        scale = width / chart.width
        pdf.set_y(pdf.get_y() + draw_chart(pdf, chart, pdf.l_margin, pdf.get_y(), scale))
    pdf.set_font("Helvetica", size=9)
    for row in csv_rows(definition, scores)[1:]:
        pillar, dimension, value = row
        bold = not dimension
        pdf.set_font("Helvetica", style="B" if bold else "", size=9)
        pdf.cell(width - 30, 5.5, latin1(str(dimension or pillar)), border="T")
        pdf.cell(30, 5.5, latin1(num(float(value)) if isinstance(value, int | float)
                                  else ""), border="T", align="R")
        pdf.ln(5.5)
    return bytes(pdf.output())
