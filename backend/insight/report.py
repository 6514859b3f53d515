"""The quarterly report per province: the five views for one province and quarter, as a
printable page (``/inzicht/rapport``) and a PDF (``/inzicht/rapport.pdf``,
``loket report quarterly --province PV23 --quarter 2026-Q4``).

The PDF is drawn with fpdf2 (pure Python, no browser): each chart is the same ``BarChart``
as on the page (``chart.py``), its rectangles, lines and labels drawn as PDF vectors, and
each table follows its chart. The figures are the disclosure-safe ones of ``service``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from backend.core.barchart_pdf import draw_chart, latin1, new_pdf
from backend.core.db import utcnow
from backend.core.errors import Invalid, NotFound
from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _
from backend.insight import service
from backend.insight.chart import bar_chart

if TYPE_CHECKING:
    from fpdf import FPDF

QUARTER_RE = re.compile(r"^\d{4}-Q[1-4]$")
STEPS = ("demand", "unmet", "desks", "outcomes", "scan")


@dataclass
class Section:
    title: str
    tables: list[service.Table]


@dataclass
class Report:
    province: str
    province_name: str
    quarter: str
    sections: list[Section] = field(default_factory=list)
    made_at: datetime = field(default_factory=utcnow)


def build(session: Session, province: str, quarter: str, access: service.Access,
          progress: Callable[[str], None] | None = None) -> Report:
    if not QUARTER_RE.match(quarter or ""):
        raise Invalid(N_("Some filters are not valid."),
                      fields={"quarter": _("Give a quarter, e.g. 2026-Q4.")})
    labels = service.Labels(session)
    if province not in labels.regions or not province.startswith("PV"):
        raise NotFound(N_("Unknown province."))
    report = Report(province=province, province_name=labels.regions[province], quarter=quarter)
    for view in STEPS:
        if view not in access.views:
            continue
        by = "theme" if view in ("demand", "outcomes") else "province"
        if view == "scan":
            by = "sector"
        filters = service.Filters(period=quarter, province=province, by=by)
        result = service.view(session, view, filters, access)
        report.sections.append(Section(result.title, result.tables))
        if progress is not None:
            progress(view)
    return report


# --- PDF --------------------------------------------------------------------------------------

def _draw_table(pdf: FPDF, table: service.Table) -> None:
    pdf.set_font("Helvetica", size=7)
    pdf.set_text_color(0, 0, 0)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    first = min(60.0, width * 0.35)
    other = (width - first) / max(1, len(table.columns))
    pdf.set_font("Helvetica", style="B", size=7)
    y = pdf.get_y()
    heights = []
    for i, c in enumerate(table.columns):
        pdf.set_xy(pdf.l_margin + first + i * other, y)
        pdf.multi_cell(other, 3.5, latin1(c.label), border=0)
        heights.append(pdf.get_y() - y)
    pdf.set_y(y + max(heights or [4]))
    pdf.set_font("Helvetica", size=7)
    for row in table.rows:
        if pdf.get_y() > pdf.h - 20:
            pdf.add_page()
        pdf.cell(first, 4.5, latin1(row.label)[:48], border="T")
        for c in table.columns:
            pdf.cell(other, 4.5, latin1(table.formatted(row, c)), border="T", align="R")
        pdf.ln(4.5)
    if not table.rows:
        pdf.cell(width, 4.5, latin1(_("No figures for these filters.")))
        pdf.ln(4.5)
    if table.note:
        pdf.set_font("Helvetica", style="I", size=6.5)
        pdf.multi_cell(width, 3.5, latin1(table.note))
    pdf.ln(3)


def pdf_bytes(report: Report, progress: Callable[[str], None] | None = None) -> bytes:
    pdf = new_pdf()
    pdf.set_title(latin1(f"Loket - {report.province_name} - {report.quarter}"))
    pdf.set_author("Loket")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.cell(0, 10, latin1(_("Quarterly report %(quarter)s: %(province)s",
                              quarter=report.quarter, province=report.province_name)))
    pdf.ln(12)
    pdf.set_font("Helvetica", size=8)
    pdf.multi_cell(0, 4, latin1(_(
        "Every figure covers whole groups of at least %(k)s questions or scans; smaller groups "
        "are merged or left out, so no person or firm can be recognised. – means hidden to "
        "protect small numbers, or not available.", k=service.K)))
    pdf.ln(4)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for section in report.sections:
        pdf.set_font("Helvetica", style="B", size=13)
        pdf.cell(0, 8, latin1(section.title))
        pdf.ln(9)
        for table in section.tables:
            chart = bar_chart(table)
            needed = 12 + (chart.height * width / chart.width if chart else 0)
            if pdf.get_y() + min(needed, 120) > pdf.h - 15:
                pdf.add_page()
            pdf.set_font("Helvetica", style="B", size=10)
            pdf.multi_cell(0, 5, latin1(table.title))
            if chart is not None:
                scale = width / chart.width
                if pdf.get_y() + chart.height * scale > pdf.h - 15:
                    pdf.add_page()
                pdf.set_y(pdf.get_y() + draw_chart(pdf, chart, pdf.l_margin, pdf.get_y(),
                                                    scale))
            _draw_table(pdf, table)
        if progress is not None:
            progress(section.title)
    return bytes(pdf.output())
