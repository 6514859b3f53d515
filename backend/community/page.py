"""The comparison table of the benchmark page as plain text cells, built in Python: the page
shows 20 KPIs × 12 periods, and formatting there is several times cheaper than in Jinja
(docs/benchmarks.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backend.community import benchmarks as bm
from backend.community import disclosure as dc
from backend.community.numbers import number_formatter
from backend.core.i18n import gettext_ as _


@dataclass(slots=True)
class TableCell:
    text: str
    colspan: int = 1
    note: str = ""  # shown muted after the text


@dataclass(slots=True)
class TableRow:
    label: str
    cells: list[TableCell]


def band_text(b: dc.Band | None, num: Callable[[float | None], str]) -> str:
    """A class as text, "100–125" (docs/disclosure.md, rule 0)."""
    return "" if b is None else f"{num(b.low)}–{num(b.high)}"


def _median_or_reason(c: bm.Cell | None, reasons: dict[str | None, str],
                      num: Callable[[float | None], str]) -> TableCell:
    if c is None:
        return TableCell(reasons["too_few"])
    if c.shown:
        return TableCell(band_text(c.median, num))
    return TableCell(reasons[c.reason])


def table_rows(comp: bm.KpiComparison, *, cross_shown: bool) -> list[TableRow]:
    num = number_formatter()
    rows: list[TableRow] = []
    not_closed = _("period not yet closed")
    reasons: dict[str | None, str] = {r.value: bm.reason_label(r.value) for r in dc.Reason}
    for p in comp.points:
        cells = [TableCell(num(p.own) if p.own is not None else "—")]
        g = p.group
        if g is None:
            cells.append(TableCell(not_closed, colspan=7 if cross_shown else 6))
            rows.append(TableRow(p.period.label, cells))
            continue
        if not g.shown:
            cells.append(TableCell(_("Not shown: %(reason)s", reason=reasons[g.reason]),
                                   colspan=4))
        else:
            cells += [TableCell(band_text(g.q1, num)), TableCell(band_text(g.median, num)),
                      TableCell(band_text(g.q3, num)),
                      TableCell(str(round(p.rank)) if p.rank is not None else "—")]
        cells += [_median_or_reason(p.sector, reasons, num),
                  _median_or_reason(p.size, reasons, num)]
        if cross_shown:
            c = p.cross
            if c is None:
                cells.append(TableCell(_("group did not take part") if comp.kpi.template
                                       else _("own KPI of this group")))
            elif c.shown:
                cells.append(TableCell(band_text(c.median, num),
                                       note=_("%(n)s firms", n=c.n)))
            else:
                cells.append(TableCell(reasons[c.reason]))
        rows.append(TableRow(p.period.label, cells))
    return rows
