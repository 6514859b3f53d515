"""Benchmarks: KPI definitions and templates, periods, a firm's own figures (form and CSV),
closing a period (the frozen snapshot of docs/disclosure.md), and a firm's comparison.

The one rule that matters: a firm's figures leave this module only towards that firm.
Group statistics come from ``PublishedStat``/``PublishedRank``, written once by
:func:`close_period` through :mod:`backend.community.disclosure`.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.accounts.service import record_audit
from backend.community import crossgroup
from backend.community import disclosure as dc
from backend.community import formula as fx
from backend.community.deps import MemberAccess
from backend.community.models import (
    BenchmarkPeriod,
    Firm,
    FrozenValue,
    Group,
    GroupMembership,
    Kpi,
    KpiFigure,
    PublishedRank,
    PublishedStat,
)
from backend.core import csvsafe, i18n
from backend.core.db import utcnow
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_CSV_BYTES = 200_000


@dataclass(frozen=True)
class KpiTemplate:
    key: str
    name: str
    unit: str
    description: str
    higher_is_better: bool = True
    formula: str | None = None
    min_value: float | None = 0
    max_value: float | None = None
    needs: tuple[str, ...] = ()


# Ready-made KPIs from the seed documents (names are data, in Dutch like the seed content).
TEMPLATES: tuple[KpiTemplate, ...] = (
    KpiTemplate("revenue_per_fte", "Omzet per fte", "EUR",
                "Omzet in de periode gedeeld door het gemiddelde aantal fte.",
                max_value=10_000_000),
    # Value added can be negative; a declared minimum lets the disclosure rules measure
    # every contribution from the bottom of the range (docs/disclosure.md, rule 1).
    KpiTemplate("value_added", "Toegevoegde waarde", "EUR",
                "Omzet min inkoop van goederen en diensten.", min_value=-10_000_000,
                max_value=1_000_000_000),
    KpiTemplate("hours_worked", "Gewerkte uren", "uur",
                "Alle gewerkte uren van eigen personeel in de periode."),
    KpiTemplate("value_added_per_hour", "Toegevoegde waarde per gewerkt uur", "EUR/uur",
                "Arbeidsproductiviteit: toegevoegde waarde gedeeld door gewerkte uren.",
                formula="value_added / hours_worked", min_value=-10_000, max_value=100_000,
                needs=("value_added", "hours_worked")),
    KpiTemplate("absenteeism", "Ziekteverzuim", "%",
                "Verzuimde dagen als percentage van de beschikbare dagen.",
                higher_is_better=False, max_value=100),
    KpiTemplate("training_hours", "Opleidingsuren per medewerker", "uur",
                "Uren opleiding en training gedeeld door het aantal medewerkers.",
                max_value=2000),
    KpiTemplate("development_plan_share", "Medewerkers met een actief ontwikkelplan", "%",
                "Aandeel van het personeel met een actueel persoonlijk ontwikkelplan.",
                max_value=100),
    KpiTemplate("oee", "OEE", "%",
                "Overall equipment effectiveness: beschikbaarheid × prestatie × kwaliteit.",
                max_value=100),
    KpiTemplate("order_lead_time", "Doorlooptijd van een order", "dagen",
                "Dagen van orderbevestiging tot levering.", higher_is_better=False,
                max_value=3650),
)
TEMPLATES_BY_KEY = {t.key: t for t in TEMPLATES}


# --- KPIs and periods ---------------------------------------------------------------------------

def kpis(session: Session, group: Group) -> list[Kpi]:
    return list(session.exec(select(Kpi).where(Kpi.group_id == group.id)
                             .order_by(col(Kpi.position), col(Kpi.id))).all())


def periods(session: Session, group: Group) -> list[BenchmarkPeriod]:
    return list(session.exec(select(BenchmarkPeriod).where(BenchmarkPeriod.group_id == group.id)
                             .order_by(col(BenchmarkPeriod.position),
                                       col(BenchmarkPeriod.id))).all())


def get_period(session: Session, group: Group, period_id: int) -> BenchmarkPeriod:
    row = session.get(BenchmarkPeriod, period_id)
    if row is None or row.group_id != group.id:
        raise NotFound()
    return row


def define_kpi(session: Session, group: Group, *, key: str, name: str, unit: str = "",
               description: str = "", higher_is_better: bool = True,
               formula: str | None = None, min_value: float | None = None,
               max_value: float | None = None, template: str | None = None) -> Kpi:
    errors: dict[str, str] = {}
    key = key.strip().lower()
    existing = {k.key: k for k in kpis(session, group)}
    if not KEY_RE.match(key):
        errors["key"] = N_("Use lowercase letters, digits and underscores, starting with a "
                           "letter.")
    elif key in existing:
        errors["key"] = N_("This group already has a KPI with this key.")
    if not name.strip() or len(name) > 200:
        errors["name"] = N_("Enter a name (at most 200 characters).")
    formula = (formula or "").strip() or None
    if formula:
        try:
            refs = fx.references(fx.parse(formula))
        except fx.FormulaError:
            errors["formula"] = N_("This formula cannot be read. Use KPI keys, numbers, "
                                   "+ - * / and brackets.")
        else:
            unknown = [r for r in refs if r not in existing or existing[r].formula]
            if unknown or key in refs:
                errors["formula"] = N_("A formula may only use KPIs of this group that are "
                                       "entered, not computed.")
    if min_value is not None and max_value is not None and min_value > max_value:
        errors["max_value"] = N_("The maximum must not be below the minimum.")
    if errors:
        raise Invalid(fields=errors)
    assert group.id is not None
    kpi = Kpi(group_id=group.id, key=key, name=name.strip(), unit=unit.strip()[:32],
              description=description.strip()[:2000], higher_is_better=higher_is_better,
              formula=formula, min_value=min_value, max_value=max_value,
              position=len(existing), template=template)
    session.add(kpi)
    session.flush()
    return kpi


def add_template(session: Session, group: Group, key: str) -> Kpi:
    template = TEMPLATES_BY_KEY.get(key)
    if template is None:
        raise NotFound()
    have = {k.key for k in kpis(session, group)}
    if key in have:
        raise Conflict(N_("This group already has a KPI with this key."))
    for need in template.needs:
        if need not in have:
            add_template(session, group, need)
    return define_kpi(session, group, key=template.key, name=template.name, unit=template.unit,
                      description=template.description,
                      higher_is_better=template.higher_is_better, formula=template.formula,
                      min_value=template.min_value, max_value=template.max_value,
                      template=template.key)


def add_period(session: Session, group: Group, label: str) -> BenchmarkPeriod:
    label = label.strip()
    if not label or len(label) > 40:
        raise Invalid(fields={"label": N_("Enter a name for the period, such as 2026-Q1.")})
    existing = periods(session, group)
    if any(p.label == label for p in existing):
        raise Invalid(fields={"label": N_("This group already has a period with this name.")})
    assert group.id is not None
    row = BenchmarkPeriod(group_id=group.id, label=label, position=len(existing))
    session.add(row)
    session.flush()
    return row


# --- a firm's own figures -------------------------------------------------------------------

def own_figures(session: Session, firm_id: int, period_ids: Sequence[int]
                ) -> dict[tuple[int, int], float]:
    """(period id, kpi id) → value, for this firm only."""
    if not period_ids:
        return {}
    rows = session.exec(select(KpiFigure.period_id, KpiFigure.kpi_id, KpiFigure.value).where(
        KpiFigure.firm_id == firm_id, col(KpiFigure.period_id).in_(period_ids))).all()
    return {(pid, kid): value for pid, kid, value in rows}


def with_derived(kpi_list: Sequence[Kpi], entered: dict[int, float]) -> dict[int, float]:
    """A firm's values for one period, computed KPIs included."""
    by_key = {k.key: entered[k.id] for k in kpi_list if k.id in entered and not k.formula}
    out = {k_id: v for k_id, v in entered.items()}
    for k in kpi_list:
        if k.formula and k.id is not None:
            value = fx.evaluate(fx.parse(k.formula), by_key)
            if value is not None and math.isfinite(value):
                out[k.id] = value
            else:
                out.pop(k.id, None)
    return out


def _check_value(kpi: Kpi, raw: str) -> tuple[float | None, str | None]:
    text = raw.strip().replace(" ", "")
    if not text:
        return None, None
    # Dutch notation: "1.234,5" or "1234,5"; plain "1234.5" as well.
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None, N_("not a number")
    if not math.isfinite(value):
        return None, N_("not a number")
    if kpi.min_value is not None and value < kpi.min_value:
        return None, N_("below the minimum for this KPI")
    if kpi.max_value is not None and value > kpi.max_value:
        return None, N_("above the maximum for this KPI")
    return value, None


def _open_period(session: Session, access: MemberAccess, period_id: int) -> BenchmarkPeriod:
    period = get_period(session, access.group, period_id)
    if period.closed_at is not None:
        raise Conflict(N_("This period is closed; its figures can no longer change."))
    return period


def _save(session: Session, access: MemberAccess, period: BenchmarkPeriod,
          values: dict[int, float | None]) -> None:
    firm_id = access.own_firm.id
    assert firm_id is not None and period.id is not None
    current = {r.kpi_id: r for r in session.exec(select(KpiFigure).where(
        KpiFigure.period_id == period.id, KpiFigure.firm_id == firm_id)).all()}
    for kpi_id, value in values.items():
        row = current.get(kpi_id)
        if value is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(KpiFigure(period_id=period.id, firm_id=firm_id, kpi_id=kpi_id,
                                  value=value))
        else:
            row.value = value
            row.updated_at = utcnow()
            session.add(row)
    session.flush()
    # ids only: the figures themselves never go into the audit log
    record_audit(session, "group.submit_figures", actor=access.user, target_type="group",
                 target_id=access.group.id, period_id=period.id, firm_id=firm_id,
                 count=len(values))


def submit_form(session: Session, access: MemberAccess, period_id: int,
                form: dict[str, str]) -> None:
    """Form fields ``kpi-<id>``; an empty field removes the firm's figure. Each error names
    its KPI ("Omzet per fte: geen getal"), in the reader's language."""
    period = _open_period(session, access, period_id)
    values: dict[int, float | None] = {}
    errors: dict[str, str] = {}
    for kpi in kpis(session, access.group):
        if kpi.formula or kpi.id is None:
            continue
        name = f"kpi-{kpi.id}"
        value, error = _check_value(kpi, form.get(name, ""))
        if error:
            errors[name] = _("%(kpi)s: %(problem)s", kpi=kpi.name, problem=_(error))
        values[kpi.id] = value
    if errors:
        raise Invalid(fields=errors)
    _save(session, access, period, values)


def submit_values(session: Session, access: MemberAccess, period_id: int,
                  values: dict[str, float | None]) -> None:
    """The API's way in: ``kpi key → value`` (``None`` removes the figure); KPIs not named
    stay as they are. All or nothing, like the form and the CSV."""
    period = _open_period(session, access, period_id)
    by_key = {k.key: k for k in kpis(session, access.group)}
    out: dict[int, float | None] = {}
    errors: dict[str, str] = {}
    for key, value in values.items():
        kpi = by_key.get(key)
        if kpi is None or kpi.id is None:
            errors[key] = N_("unknown KPI")
        elif kpi.formula:
            errors[key] = N_("this KPI is computed, not entered")
        elif value is None:
            out[kpi.id] = None
        else:
            checked, error = _check_value(kpi, repr(float(value)))
            if error:
                errors[key] = error
            out[kpi.id] = checked
    if errors:
        raise Invalid(fields=errors)
    if out:
        _save(session, access, period, out)


@dataclass
class CsvProblem:
    line: int
    reason: str
    kpi: str = ""  # the KPI's name (or the key as written) when the line names one


@dataclass
class CsvResult:
    saved: int = 0
    problems: list[CsvProblem] = field(default_factory=list)


# Files that are certainly not text: pictures, PDF, Office/zip, executables.
_BINARY_STARTS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"PK\x03\x04", b"BM",
                  b"II*\x00", b"MM\x00*", b"RIFF", b"\xd0\xcf\x11\xe0", b"MZ", b"\x7fELF")
VALUE_HEADERS = {"value", "waarde"}
KPI_HEADERS = {"kpi", "kengetal"}


def decode_csv(data: bytes) -> str | None:
    """The text of an uploaded CSV file, or ``None`` when it is no text file (a picture, a
    PDF, a spreadsheet). UTF-8 (with or without Excel's byte order mark) first, then
    Windows-1252: what Excel writes for "CSV (gescheiden door lijstscheidingsteken)"."""
    if data.startswith(_BINARY_STARTS) or b"\x00" in data[:4096]:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # control characters other than tab and line ends do not occur in a CSV file
        if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
            return None
        return text
    return None


def _dialect(text: str) -> str:
    """The delimiter: ``;`` (Dutch Excel), ``,`` or tab, found by :class:`csv.Sniffer`."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        return ";" if first.count(";") >= first.count(",") and ";" in first else ","


def submit_csv(session: Session, access: MemberAccess, period_id: int, data: bytes
               ) -> CsvResult:
    """``kpi,value`` per line (header required). Also what Dutch Excel writes: ``kpi;waarde``
    with semicolons, decimal commas and Windows-1252 text. All or nothing: one bad line and
    nothing of the file is saved."""
    period = _open_period(session, access, period_id)
    result = CsvResult()
    if len(data) > MAX_CSV_BYTES:
        result.problems.append(CsvProblem(0, N_("the file is too large")))
        return result
    text = decode_csv(data)
    if text is None:
        result.problems.append(CsvProblem(0, N_("this is not a CSV file. Save the "
                                                "spreadsheet as CSV and upload that file")))
        return result
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect(text))
    by_key = {k.key: k for k in kpis(session, access.group)}
    values: dict[int, float | None] = {}
    header_seen = False
    for line_no, row in enumerate(reader, start=1):
        if not row or all(not c.strip() for c in row):
            continue
        if not header_seen:
            header_seen = True
            head = [c.strip().lower() for c in row[:2]]
            if len(head) != 2 or head[0] not in KPI_HEADERS or head[1] not in VALUE_HEADERS:
                result.problems.append(CsvProblem(line_no, N_(
                    "the first line must be: kpi,value (or kpi;waarde)")))
                return result
            continue
        key = row[0].strip()
        kpi = by_key.get(key)
        shown = kpi.name if kpi is not None else key[:64]
        if len(row) != 2 and not (len(row) > 2 and all(not c.strip() for c in row[2:])):
            result.problems.append(CsvProblem(line_no, N_("expected two columns: kpi,value"),
                                              shown))
            continue
        if kpi is None or kpi.id is None:
            result.problems.append(CsvProblem(line_no, N_("unknown KPI"), shown))
            continue
        if kpi.formula:
            result.problems.append(CsvProblem(line_no, N_("this KPI is computed, not entered"),
                                              shown))
            continue
        if kpi.id in values:
            result.problems.append(CsvProblem(line_no, N_("this KPI appears twice"), shown))
            continue
        value, error = _check_value(kpi, row[1])
        if error or value is None:
            result.problems.append(CsvProblem(line_no, error or N_("no value"), shown))
            continue
        values[kpi.id] = value
    if not header_seen:
        result.problems.append(CsvProblem(0, N_("the file is empty")))
    if not result.problems:
        _save(session, access, period, values)
        result.saved = len(values)
    return result


# --- closing a period: the frozen snapshot --------------------------------------------------------

def _cell_name(key: tuple[str, ...]) -> str:
    return ":".join(key)


def close_period(session: Session, access: MemberAccess, period_id: int) -> BenchmarkPeriod:
    period = _open_period(session, access, period_id)
    freeze_period(session, access.group, period)
    record_audit(session, "group.close_period", actor=access.user, target_type="group",
                 target_id=access.group.id, period_id=period.id)
    return period


def freeze_period(session: Session, group: Group, period: BenchmarkPeriod) -> None:
    """Rule 4: compute every cell and rank once from the figures as they are now, and keep the
    values as they were (with each firm's sector and size class) for the comparison across
    groups (rule 5) when the group allows it."""
    if period.closed_at is not None:
        raise Conflict(N_("This period is closed; its figures can no longer change."))
    kpi_list = kpis(session, group)
    member_firms = {f.id: f for f in session.exec(
        select(Firm).join(GroupMembership, col(GroupMembership.firm_id) == col(Firm.id))
        .where(GroupMembership.group_id == group.id)).all()}
    figures = session.exec(select(KpiFigure).where(KpiFigure.period_id == period.id)).all()
    per_firm: dict[int, dict[int, float]] = {}
    for r in figures:
        if r.firm_id in member_firms:  # figures of firms that left before closing go unused
            per_firm.setdefault(r.firm_id, {})[r.kpi_id] = r.value
    values = {firm: with_derived(kpi_list, entered) for firm, entered in per_firm.items()}
    profile: dict[Hashable, tuple[str, str]] = {
        f_id: (f.sector, f.size_class) for f_id, f in member_firms.items() if f_id is not None}
    assert period.id is not None
    stats_rows: list[dict[str, object]] = []
    rank_rows: list[dict[str, object]] = []
    for kpi in kpi_list:
        assert kpi.id is not None
        kpi_values: dict[Hashable, float] = {
            firm: v[kpi.id] for firm, v in values.items() if kpi.id in v}
        frozen = dc.freeze(kpi_values, profile, kpi.min_value, kpi.max_value)
        stats_rows += [{"period_id": period.id, "kpi_id": kpi.id, "cell": _cell_name(key),
                        "n": st.n, "reason": st.reason, "q1": st.q1, "median": st.median,
                        "q3": st.q3} for key, st in frozen.cells.items()]
        rank_rows += [{"period_id": period.id, "kpi_id": kpi.id, "firm_id": firm, "rank": rank}
                      for firm, rank in frozen.ranks.items()]
    frozen_rows = [{"period_id": period.id, "kpi_id": kpi_id, "firm_id": firm,
                    "sector": member_firms[firm].sector,
                    "size_class": member_firms[firm].size_class, "value": value}
                   for firm, v in values.items() for kpi_id, value in v.items()]
    for model, rows in ((PublishedStat, stats_rows), (PublishedRank, rank_rows),
                        (FrozenValue, frozen_rows)):
        if rows:
            session.execute(sa.insert(model), rows)
    period.closed_at = utcnow()
    period.cross_group = group.allow_cross_group
    session.add(period)
    session.flush()
    if period.cross_group:
        crossgroup.refresh(session, period.label,
                           [k.template for k in kpi_list if k.template])


# --- a firm's comparison -------------------------------------------------------------------

@dataclass(slots=True)
class Cell:
    """A published cell as a member sees it: Q1, median and Q3 are classes of the grid
    (docs/disclosure.md, rule 0), never a single number. Rows stored before the classes were
    introduced hold exact values; they go out as their class too."""

    label: str
    n: int
    reason: str | None
    q1: dc.Band | None
    median: dc.Band | None
    q3: dc.Band | None

    @property
    def shown(self) -> bool:
        return self.reason is None

    @classmethod
    def published(cls, kpi: Kpi, label: str, n: int, reason: str | None, q1: float | None,
                  median: float | None, q3: float | None) -> Cell:
        def b(v: float | None) -> dc.Band | None:
            if v is None or reason is not None:
                return None
            return dc.stored_band(v, kpi.min_value, kpi.max_value)
        return cls(label, n, reason, b(q1), b(median), b(q3))


@dataclass(slots=True)
class Point:
    period: BenchmarkPeriod
    own: float | None
    rank: float | None
    group: Cell | None  # None while the period is open
    sector: Cell | None = None
    size: Cell | None = None
    # all firms of the same sector and size class in the groups that allow it (rule 5);
    # None when the group did not take part for this period or the KPI has no template
    cross: Cell | None = None


@dataclass(slots=True)
class KpiComparison:
    kpi: Kpi
    points: list[Point]


def comparison(session: Session, access: MemberAccess) -> list[KpiComparison]:
    """The firm's own values against the group's published statistics, per KPI and period."""
    group, firm = access.group, access.own_firm
    assert firm.id is not None
    kpi_list = kpis(session, group)
    period_list = periods(session, group)
    ids = [p.id for p in period_list if p.id is not None]
    own = own_figures(session, firm.id, ids)
    entered: dict[int, dict[int, float]] = {p.id: {} for p in period_list if p.id is not None}
    for (pid, kid), value in own.items():
        entered[pid][kid] = value
    own_by_period = {pid: with_derived(kpi_list, values) for pid, values in entered.items()}
    wanted = ["all", f"sector:{firm.sector}", f"size:{firm.size_class}"]
    kpi_ids = [k.id for k in kpi_list if k.id is not None]
    # plain rows, not ORM objects: a page reads some 1,000 of them
    t = PublishedStat.__table__.c  # type: ignore[attr-defined]
    stats = session.execute(sa.select(
        t.period_id, t.kpi_id, t.cell, t.n, t.reason, t.q1, t.median, t.q3)
        # every column of the unique index, so each cell is one index lookup
        .where(col(PublishedStat.period_id).in_(ids), col(PublishedStat.kpi_id).in_(kpi_ids),
               col(PublishedStat.cell).in_(wanted))
    ).all() if ids else []
    by = {(pid, kid, c): (n, reason, q1, median, q3)
          for pid, kid, c, n, reason, q1, median, q3 in stats}
    ranks = {(pid, kid): rank for pid, kid, rank in session.exec(
        select(PublishedRank.period_id, PublishedRank.kpi_id, PublishedRank.rank).where(
            PublishedRank.firm_id == firm.id, col(PublishedRank.period_id).in_(ids),
            col(PublishedRank.kpi_id).in_(kpi_ids))).all()
    } if ids else {}
    cross = crossgroup.latest_versions(
        session, templates=[k.template for k in kpi_list if k.template],
        labels=[p.label for p in period_list if p.cross_group], sector=firm.sector,
        size_class=firm.size_class)

    l_group, l_sector, l_size, l_all = (_("Group"), _("Same sector"), _("Same size"),
                                        _("All groups"))

    def cross_cell(p: BenchmarkPeriod, kpi: Kpi) -> Cell | None:
        if not (p.cross_group and kpi.template):
            return None
        s = cross.get((kpi.template, p.label, firm.sector, firm.size_class))
        if s is None:
            return Cell(l_all, 0, dc.Reason.too_few, None, None, None)
        return Cell.published(kpi, l_all, s.n, s.reason, s.q1, s.median, s.q3)

    def cell(pid: int, kpi: Kpi, name: str, label: str) -> Cell | None:
        assert kpi.id is not None
        s = by.get((pid, kpi.id, name))
        if s is None:
            return None
        return Cell.published(kpi, label, *s)

    out: list[KpiComparison] = []
    for kpi in kpi_list:
        assert kpi.id is not None
        points = []
        for p in period_list:
            assert p.id is not None
            closed = p.closed_at is not None
            points.append(Point(
                period=p, own=own_by_period[p.id].get(kpi.id),
                rank=ranks.get((p.id, kpi.id)),
                group=(cell(p.id, kpi, "all", l_group)
                       or Cell(l_group, 0, dc.Reason.too_few, None, None, None))
                if closed else None,
                sector=cell(p.id, kpi, wanted[1], l_sector) if closed else None,
                size=cell(p.id, kpi, wanted[2], l_size) if closed else None,
                cross=cross_cell(p, kpi) if closed else None))
        out.append(KpiComparison(kpi=kpi, points=points))
    return out


reason_label = dc.reason_label


def _cell_columns(c: Cell | None, reason: Callable[[str], str] = str
                  ) -> list[csvsafe.Cell]:
    if c is None:
        return [None] * 8
    out: list[csvsafe.Cell] = [c.n]
    for b in (c.q1, c.median, c.q3):
        out += [b.low, b.high] if b is not None else [None, None]
    return [*out, reason(c.reason) if c.reason else ""]


EXPORT_HEADER = ["kpi", "unit", "period", "own_value", "percentile_rank", "group_n",
                 "group_q1_from", "group_q1_to", "group_median_from", "group_median_to",
                 "group_q3_from", "group_q3_to", "suppressed_reason", "all_groups_n",
                 "all_groups_q1_from", "all_groups_q1_to", "all_groups_median_from",
                 "all_groups_median_to", "all_groups_q3_from", "all_groups_q3_to",
                 "all_groups_suppressed_reason"]
# The Dutch file's headings (data, like the templates' names: the file is Dutch whatever the
# page's language, for Dutch Excel). Same columns as EXPORT_HEADER.
EXPORT_HEADER_NL = ["kengetal", "eenheid", "periode", "eigen waarde", "percentielrang",
                    "groep: aantal", "groep: 1e kwartiel van", "groep: 1e kwartiel tot",
                    "groep: mediaan van", "groep: mediaan tot", "groep: 3e kwartiel van",
                    "groep: 3e kwartiel tot", "groep: niet getoond omdat",
                    "alle groepen: aantal", "alle groepen: 1e kwartiel van",
                    "alle groepen: 1e kwartiel tot", "alle groepen: mediaan van",
                    "alle groepen: mediaan tot", "alle groepen: 3e kwartiel van",
                    "alle groepen: 3e kwartiel tot", "alle groepen: niet getoond omdat"]


def export_rows(comparisons: Iterable[KpiComparison], dutch: bool = False
                ) -> list[list[csvsafe.Cell]]:
    """The firm's own data and comparisons as CSV rows; numbers stay numbers and text stays
    text, for :func:`backend.core.csvsafe.write`. Statistics are classes:
    ``*_from`` ≤ x < ``*_to`` (mirrored for negative classes).

    International (default): KPI keys, English headings and reason codes. ``dutch``: KPI
    names, Dutch headings and reasons in Dutch ("te weinig deelnemers"); write it with
    ``csvsafe.write(rows, dutch=True)`` for semicolons and decimal commas."""
    reason: Callable[[str], str] = str
    if dutch:
        def reason(code: str) -> str:
            token = i18n.set_language("nl")
            try:
                return dc.reason_label(code)
            finally:
                i18n.reset_language(token)
    rows: list[list[csvsafe.Cell]] = [list(EXPORT_HEADER_NL if dutch else EXPORT_HEADER)]
    for comp in comparisons:
        for p in comp.points:
            g = p.group
            group_cols = (_cell_columns(g, reason) if g is not None else
                          [None] * 7 + [reason(dc.Reason.not_published.value)])
            rows.append([comp.kpi.name if dutch else comp.kpi.key, comp.kpi.unit,
                         p.period.label, p.own, p.rank, *group_cols,
                         *_cell_columns(p.cross, reason)])
    return rows
