"""The shared horizontal bar chart (``backend/core/barchart.py``) drawn into a PDF with fpdf2's
core fonts (no browser): the insight quarterly report and the scan result's PDF use it. Kept
apart from ``barchart`` so that pages do not import fpdf2, and fpdf2 itself is imported when
the first PDF is made (:func:`new_pdf`): it costs 0.2 s of CPU, a fifth of a cold start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backend.core.barchart import BarChart

if TYPE_CHECKING:
    from fpdf import FPDF

_REPLACE = {"–": "-", "—": "-", "→": "->", "·": "-", "…": "...", "≥": ">=", "’": "'",
            "‘": "'", "“": '"', "”": '"', "€": "EUR"}


def latin1(text: str) -> str:
    """Core PDF fonts speak Latin-1: map the few other characters the report uses."""
    for a, b in _REPLACE.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def new_pdf() -> FPDF:
    """An empty A4 portrait document in millimetres."""
    # lazy: fpdf2 and fontTools are 0.2 s of a cold start; only a PDF download needs them
    from fpdf import FPDF

    return FPDF(orientation="P", unit="mm", format="A4")


def draw_chart(pdf: FPDF, chart: BarChart, x0: float, y0: float, scale: float) -> float:
    pdf.set_draw_color(208, 208, 208)
    pdf.set_font("Helvetica", size=7)
    base = float(chart.baseline)
    for t in chart.ticks:
        x = x0 + float(t.y) * scale
        pdf.line(x, y0, x, y0 + base * scale)
        pdf.text(x - 3, y0 + base * scale + 4, latin1(t.text))
    pdf.set_fill_color(31, 78, 140)
    for b in chart.bars:
        y = y0 + float(b.y) * scale
        pdf.set_text_color(51, 51, 51)
        label = latin1(b.label)
        pdf.text(x0 + chart.left * scale - pdf.get_string_width(label) - 2,
                 y0 + float(b.text_y) * scale, label)
        w = float(b.width) * scale
        if w > 0:
            pdf.rect(x0 + chart.left * scale, y, w, 18 * scale, style="F")
        pdf.text(x0 + (chart.left + float(b.width)) * scale + 1.5,
                 y0 + float(b.text_y) * scale, latin1(b.value))
    return chart.height * scale + 6
