"""The insight views: who may see what, the filters, and the tables of each view.

Every figure comes from the atoms of ``snapshot.py`` through the rules of ``disclosure.py``;
searches and scheme-finder misses from ``searchlog.py``; desks and coverage from routing's
service functions. A table is plain data (``Table``) that the page, the API, the CSV export,
the open data and the quarterly report all render.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.accounts.principal import Principal
from backend.accounts.schemas import ANALYST
from backend.accounts.service import role_scope
from backend.cases.followup import ANSWER_TEXT, QUESTION_TEXT, QUESTIONS
from backend.cases.queries import followup_outcomes, open_and_overdue_by_desk
from backend.content import taxonomy as tx
from backend.core.db import utcnow
from backend.core.errors import Forbidden, Invalid, NotFound
from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _
from backend.insight import searchlog
from backend.insight.disclosure import (
    HIDDEN,
    NOT_GIVEN,
    AtomFilter,
    AtomKey,
    K,
    build_atoms,
    merge_data,
    protect_row,
    safe_mean,
    safe_median,
    safe_share,
    shown_count,
)
from backend.insight.models import InsightAtom, InsightSnapshot
from backend.regions.service import region_index
from backend.routing.service import coordinated_desks, desk_profiles, list_desks
from backend.scan.aggregates import Quarter

VIEWS = ("demand", "unmet", "desks", "outcomes", "scan")
VIEW_SLUGS = {"demand": "vraag", "unmet": "onvervulde-vraag", "desks": "loketten",
              "outcomes": "uitkomsten", "scan": "scan"}
SLUG_VIEWS = {v: k for k, v in VIEW_SLUGS.items()}
VIEW_TITLES = {"demand": N_("Demand and reach"), "unmet": N_("Unmet needs"),
               "desks": N_("Desks side by side"), "outcomes": N_("Outcomes"),
               "scan": N_("The productivity scan")}
OUTCOME_LABELS = {"answered": N_("answered"), "referred": N_("referred"),
                  "scheme_applied": N_("applied for a scheme"),
                  "no_follow_up": N_("no follow-up")}
BY_OPTIONS = ("province", "corop", "lmr", "theme", "sector", "size", "month")
PERIOD_RE = re.compile(r"^(\d{4})(?:-(Q[1-4]|\d{2}))?$")
CODE_RE = re.compile(r"^[A-Z]{2}\d{2}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


# --- who may see what -------------------------------------------------------------------------

@dataclass(frozen=True)
class Access:
    views: frozenset[str]
    province: str | None = None  # an analyst limited to one province
    desk_ids: frozenset[int] | None = None  # a coordinator: only their own desks


def access_of(session: Session, principal: Principal | None) -> Access:
    """Analysts (and admins) see every view; an analyst limited to a province sees only that
    province; a desk's coordinator sees the desks view of their own desks. Nobody else."""

    if principal is None:
        raise Forbidden()
    if principal.has(ANALYST):
        scope = None if "admin" in principal.roles else role_scope(
            session, principal.user_id, ANALYST)
        return Access(views=frozenset(VIEWS), province=scope)
    desks = coordinated_desks(session, principal)
    if desks:
        return Access(views=frozenset({"desks"}),
                      desk_ids=frozenset(d.id for d in desks if d.id is not None))
    raise Forbidden()


# --- filters ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    period: str = ""  # "2026", "2026-Q4" or "2026-10"; "" = the latest year with figures
    province: str | None = None
    corop: str | None = None
    lmr: str | None = None
    theme: str | None = None
    sector: str | None = None
    size: str | None = None
    by: str = "province"

    def as_query(self, **changes: str) -> dict[str, str]:
        out = {k: v for k, v in (("period", self.period), ("province", self.province),
                                 ("corop", self.corop), ("lmr", self.lmr),
                                 ("theme", self.theme), ("sector", self.sector),
                                 ("size", self.size), ("by", self.by)) if v}
        out.update(changes)
        return out


def parse_filters(raw: Mapping[str, str | None], session: Session) -> Filters:
    """Check every filter; a wrong one is an ``Invalid`` naming the field. A company size is
    one of the taxonomy's (``content.taxonomy.load``: a size an editor adds is a filter at
    once)."""
    def get(name: str) -> str | None:
        value = (raw.get(name) or "").strip()
        return value or None

    errors: dict[str, str] = {}
    period = get("period") or ""
    match = PERIOD_RE.match(period) if period else None
    if period and (match is None or (match.group(2) is not None
                                     and not match.group(2).startswith("Q")
                                     and not 1 <= int(match.group(2)) <= 12)):
        errors["period"] = _("Give a year (2026), a quarter (2026-Q4) or a month (2026-10).")
    values: dict[str, str | None] = {}
    for name in ("province", "corop", "lmr"):
        v = get(name)
        if v is not None:
            v = v.upper()
            if not CODE_RE.match(v):
                errors[name] = _("Unknown region code.")
        values[name] = v
    for name in ("theme", "sector"):
        v = get(name)
        if v is not None and not SLUG_RE.match(v):
            errors[name] = _("Unknown value.")
        values[name] = v
    size = get("size")
    if size is not None and not tx.load(session).is_known("size", size):
        errors["size"] = _("Unknown company size.")
    by = get("by") or "province"
    if by not in BY_OPTIONS and by not in ("desk", "outcome"):
        errors["by"] = _("Unknown breakdown.")
    if errors:
        raise Invalid(N_("Some filters are not valid."), fields=errors)
    return Filters(period=period, province=values["province"], corop=values["corop"],
                   lmr=values["lmr"], theme=values["theme"], sector=values["sector"],
                   size=size, by=by)


def latest_year(session: Session) -> str:
    quarters = session.exec(select(InsightSnapshot.quarter)).all()
    if quarters:
        return max(quarters)[:4]
    return str(utcnow().year)


def period_quarters(period: str) -> tuple[frozenset[str], str | None]:
    """(quarters, month) a period covers."""
    m = PERIOD_RE.match(period)
    if not m:
        raise Invalid(N_("Some filters are not valid."), fields={"period": "format"})
    year, rest = m.group(1), m.group(2)
    if rest is None:
        return frozenset(f"{year}-Q{q}" for q in range(1, 5)), None
    if rest.startswith("Q"):
        return frozenset({f"{year}-{rest}"}), None
    month = int(rest)
    return frozenset({f"{year}-Q{(month - 1) // 3 + 1}"}), f"{year}-{rest}"


def effective(session: Session, filters: Filters, access: Access) -> tuple[Filters, AtomFilter]:
    """Apply the reader's scope: an analyst limited to a province cannot ask for another."""
    if access.province is not None:
        if filters.province not in (None, access.province):
            raise Forbidden(N_("You may only see figures of your own province."),
                            code="province_scope")
        filters = Filters(**{**filters.__dict__, "province": access.province})
    if not filters.period:
        filters = Filters(**{**filters.__dict__, "period": latest_year(session)})
    quarters, month = period_quarters(filters.period)
    atom_filter = AtomFilter(quarters=quarters, month=month, province=filters.province,
                             corop=filters.corop, lmr=filters.lmr, theme=filters.theme,
                             sector=filters.sector, size=filters.size,
                             desk_ids=access.desk_ids)
    return filters, atom_filter


# --- tables -----------------------------------------------------------------------------------

@dataclass
class Column:
    key: str
    label: str
    kind: str = "count"  # count | share | hours | score | text | rating


@dataclass
class Row:
    label: str
    values: dict[str, Any]  # None = suppressed (or not available)
    key: str = ""


@dataclass
class Table:
    id: str
    title: str
    columns: list[Column]
    rows: list[Row]
    chart: str | None = None  # the column drawn as bars
    note: str = ""

    def formatted(self, row: Row, col_: Column) -> str:
        return format_value(row.values.get(col_.key), col_.kind)


@dataclass
class ViewResult:
    view: str
    title: str
    filters: Filters
    tables: list[Table] = field(default_factory=list)
    computed_at: datetime | None = None


def format_value(value: Any, kind: str) -> str:
    if value is None:
        return "–" if kind != "text" else ""
    if kind == "share":
        return f"{round(100 * value)} %"
    if kind in ("hours", "score", "rating"):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


SUPPRESSED_NOTE = N_("– : hidden to protect small numbers (fewer than %(k)s) or not available.")


# --- reading the atoms -------------------------------------------------------------------------

@dataclass
class Atom:
    key: AtomKey
    n: int
    data: dict[str, Any]


def load_atoms(session: Session, dataset: str, atom_filter: AtomFilter, *,
               values: bool = True) -> list[Atom]:
    """The atoms a filter selects; ``values=False`` leaves the value lists (response times,
    ratings, outcomes, scores) unread: only the counts."""
    columns = [col(InsightAtom.quarter), col(InsightAtom.month), col(InsightAtom.province),
               col(InsightAtom.corop), col(InsightAtom.lmr), col(InsightAtom.theme),
               col(InsightAtom.sector), col(InsightAtom.size), col(InsightAtom.desk_id),
               col(InsightAtom.n), col(InsightAtom.counts)]
    if values:
        columns.append(col(InsightAtom.data))
    stmt = sa.select(*columns).where(col(InsightAtom.dataset) == dataset)
    if atom_filter.quarters is not None:
        stmt = stmt.where(col(InsightAtom.quarter).in_(sorted(atom_filter.quarters)))
    # Every equality of the filter is also a WHERE condition, so the rows it rules out are
    # never read nor their JSON parsed; ``matches`` below stays the one definition.
    for column, value in ((InsightAtom.month, atom_filter.month),
                          (InsightAtom.province, atom_filter.province),
                          (InsightAtom.corop, atom_filter.corop),
                          (InsightAtom.lmr, atom_filter.lmr),
                          (InsightAtom.theme, atom_filter.theme),
                          (InsightAtom.sector, atom_filter.sector),
                          (InsightAtom.size, atom_filter.size)):
        if value is not None:
            stmt = stmt.where(col(column) == value)
    if atom_filter.desk_ids is not None:
        stmt = stmt.where(col(InsightAtom.desk_id).in_(sorted(atom_filter.desk_ids)))
    out = []
    for row in session.execute(stmt):
        key = AtomKey(*row[:9])
        if atom_filter.matches(key):
            data = dict(row[10])
            if values:
                data.update(row[11])
            out.append(Atom(key, row[9], data))
    return out


def _group(atoms: Iterable[Atom], key: Callable[[AtomKey], Any]) -> dict[Any, list[Atom]]:
    groups: dict[Any, list[Atom]] = defaultdict(list)
    for a in atoms:
        groups[key(a.key)].append(a)
    return groups


def _by_key(by: str) -> Callable[[AtomKey], Any]:
    return {
        "province": lambda k: k.province, "corop": lambda k: k.corop or HIDDEN,
        "lmr": lambda k: k.lmr or HIDDEN, "theme": lambda k: k.theme,
        "sector": lambda k: k.sector, "size": lambda k: k.size,
        "month": lambda k: k.month or f"{k.quarter}", "desk": lambda k: k.desk_id,
    }[by]


class Labels:
    """Names for codes and slugs (regions, themes, sectors, desks) in the reader's language."""

    def __init__(self, session: Session) -> None:
        idx = region_index(session)
        self.regions: dict[str, str] = {}
        for m in idx.municipalities.values():
            self.regions[m.province_code] = m.province_name
            if m.corop_code:
                self.regions[m.corop_code] = m.corop_name or m.corop_code
            if m.labour_market_code:
                self.regions[m.labour_market_code] = (m.labour_market_name
                                                      or m.labour_market_code)
        taxonomy = tx.load(session)
        self.themes = dict(taxonomy.options("theme"))
        self.sectors = dict(taxonomy.options("sector"))
        self.sizes = dict(taxonomy.options("size"))
        self.desks = {d.id: d.name for d in list_desks(session)}
        self.desk_slugs = {d.id: d.slug for d in list_desks(session)}

    def of(self, by: str, value: Any) -> str:
        if value == HIDDEN or value is None:
            return _("Hidden (small numbers)")
        if value == NOT_GIVEN:
            return _("Not given")
        tables: dict[str, Mapping[Any, str]] = {
            "province": self.regions, "corop": self.regions, "lmr": self.regions,
            "theme": self.themes, "sector": self.sectors, "size": self.sizes,
            "desk": self.desks}
        table = tables.get(by, {})
        if by == "month" and isinstance(value, str) and "-Q" in value:
            return _("%(quarter)s (month hidden)", quarter=value)
        return table.get(value, str(value))


BY_LABELS = {"province": N_("Province"), "corop": N_("COROP region"),
             "lmr": N_("Labour-market region"), "theme": N_("Theme"), "sector": N_("Sector"),
             "size": N_("Company size"), "month": N_("Month"), "desk": N_("Desk")}


def _sort_key(by: str) -> Callable[[tuple[Any, Any]], Any]:
    if by == "month":
        return lambda kv: str(kv[0])
    return lambda kv: (kv[0] in (HIDDEN, NOT_GIVEN, None), str(kv[0]))


# --- view 1: demand and reach ------------------------------------------------------------------

def demand(session: Session, filters: Filters, atom_filter: AtomFilter,
           labels: Labels) -> list[Table]:
    by = filters.by if filters.by in BY_OPTIONS else "province"
    q_atoms = load_atoms(session, "question", atom_filter, values=False)
    s_atoms = load_atoms(session, "scan", _scan_filter(atom_filter), values=False)
    questions = _group(q_atoms, _by_key(by))
    scans = _group(s_atoms, _by_key(by))
    rows = []
    for value in sorted(set(questions) | set(scans), key=lambda v: _sort_key(by)((v, None))):
        q = merge_data(a.data | {"n": a.n} for a in questions.get(value, []))
        s = sum(a.n for a in scans.get(value, []))
        rows.append(Row(labels.of(by, value), {
            "questions": q.get("n", 0), "scans": s,
            "helped": shown_count(q.get("helped", 0))}, key=str(value)))
    by_table = Table(
        id="by", title=_("Questions and scans per %(by)s", by=_(BY_LABELS[by]).lower()),
        columns=[Column("questions", _("Questions")), Column("scans", _("Scans")),
                 Column("helped", _("Questions closed with help"))],
        rows=rows, chart="questions")
    # Trend per month, with the searches and finder profiles of the same months.
    q_month = _group(q_atoms, _by_key("month"))
    s_month = _group(s_atoms, _by_key("month"))
    months = sorted(set(q_month) | set(s_month))
    search_totals = searchlog.monthly_totals(session, atom_filter.quarters, atom_filter.month)
    finder_totals = searchlog.finder_monthly_totals(session, atom_filter.quarters,
                                                    atom_filter.month)
    months = sorted(set(months) | set(search_totals) | set(finder_totals))
    trend = Table(
        id="trend", title=_("Trend per month"),
        columns=[Column("questions", _("Questions")), Column("scans", _("Scans")),
                 Column("searches", _("Searches")),
                 Column("finder_misses", _("Scheme-finder profiles without a fitting scheme"))],
        rows=[Row(labels.of("month", m), {
            "questions": sum(a.n for a in q_month.get(m, [])),
            "scans": sum(a.n for a in s_month.get(m, [])),
            "searches": search_totals.get(m, {}).get("searches", 0),
            "finder_misses": shown_count(finder_totals.get(m, 0))}, key=str(m))
            for m in months],
        chart="questions",
        note=_("Searches and scheme-finder profiles are counted for the whole country: they "
               "carry no region, theme, sector or size."))
    return [by_table, trend]


def _scan_filter(f: AtomFilter) -> AtomFilter:
    """Scans have no theme and no desk: a theme filter leaves no scans."""
    if f.theme is not None:
        return AtomFilter(quarters=frozenset())
    return AtomFilter(quarters=f.quarters, month=f.month, province=f.province, corop=f.corop,
                      lmr=f.lmr, sector=f.sector, size=f.size)


# --- view 2: unmet needs ----------------------------------------------------------------------

def coverage_gaps(session: Session, province: str | None = None,
                  themes: Iterable[str] = ()) -> list[tuple[str, str, str]]:
    """(theme, province, "none" | "partly") for every theme × province without a specialist
    desk covering the whole province, from routing's desk profiles and coverage. A specialist
    desk is active, not the fallback, without a general remit, and names the theme."""

    idx = region_index(session)
    province_of: dict[tuple[str, str], str] = {}
    provinces: set[str] = set()
    for m in idx.municipalities.values():
        provinces.add(m.province_code)
        province_of[("municipality", m.code)] = m.province_code
        if m.corop_code:
            province_of[("corop", m.corop_code)] = m.province_code
        if m.labour_market_code:
            province_of[("labour_market_region", m.labour_market_code)] = m.province_code
    specialists = [p for p in desk_profiles(session)
                   if not p.is_fallback and not p.general_remit]
    out: list[tuple[str, str, str]] = []
    all_themes = {t.slug for t in tx.load(session).themes} | {
        t for t in themes if t not in (HIDDEN, NOT_GIVEN)}
    for theme in sorted(all_themes):
        for prov in sorted(provinces):
            if province is not None and prov != province:
                continue
            full = partly = False
            for d in specialists:
                if theme not in d.themes:
                    continue
                if d.is_national or ("province", prov) in d.coverage:
                    full = True
                    break
                if any(province_of.get(c) == prov for c in d.coverage):
                    partly = True
            if not full:
                out.append((theme, prov, "partly" if partly else "none"))
    return out


def unmet(session: Session, filters: Filters, atom_filter: AtomFilter,
          labels: Labels) -> list[Table]:
    atoms = load_atoms(session, "question", atom_filter, values=False)
    cells = _group(atoms, lambda k: (k.theme, k.province))
    gaps = {(t, p): kind for t, p, kind in coverage_gaps(
        session, filters.province, themes={a.key.theme for a in atoms})}
    rows = []
    ranked = []
    for (theme, prov), group in sorted(cells.items(), key=lambda kv: (str(kv[0][0]),
                                                                     str(kv[0][1]))):
        d = merge_data(a.data | {"n": a.n} for a in group)
        n, gen = d.get("n", 0), d.get("unmet", 0)
        shown_unmet = shown_count(gen)
        label = f"{labels.of('theme', theme)} · {labels.of('province', prov)}"
        gap = gaps.get((theme, prov))
        coverage = (_("no specialist desk") if gap == "none" else
                    _("partly covered") if gap == "partly" else
                    _("specialist desk") if theme not in (HIDDEN, NOT_GIVEN)
                    and prov not in (HIDDEN, NOT_GIVEN) else "")
        row = Row(label, {"questions": n, "unmet": shown_unmet,
                          "share": safe_share(gen, n), "coverage": coverage},
                  key=f"{theme}|{prov}")
        rows.append(row)
        if shown_unmet and theme not in (HIDDEN, NOT_GIVEN) and prov not in (HIDDEN, NOT_GIVEN):
            ranked.append((shown_unmet + (n if gap == "none" else 0), row))
    cols = [Column("questions", _("Questions")),
            Column("unmet", _("Only the fallback or a general desk could take it")),
            Column("share", _("Share"), "share"), Column("coverage", _("Coverage"), "text")]
    by_cell = Table(id="theme_region", title=_("Questions only a general desk could take, "
                                                "by theme and province"),
                    columns=cols, rows=rows, chart="unmet")
    ranked.sort(key=lambda x: -x[0])
    ranking = Table(
        id="ranking", title=_("Where demand exceeds supply"), columns=cols,
        rows=[r for _s, r in ranked[:25]], chart="unmet",
        note=_("Ranked by the number of questions only the fallback or a general desk could "
               "take; where no specialist desk covers the theme in the province at all, every "
               "question of that theme and province counts as well."))
    gap_table = Table(
        id="coverage_gaps", title=_("Themes and provinces without a specialist desk"),
        columns=[Column("coverage", _("Coverage"), "text")],
        rows=[Row(f"{labels.of('theme', t)} · {labels.of('province', p)}",
                  {"coverage": _("none") if kind == "none" else _("partly")}, key=f"{t}|{p}")
              for (t, p), kind in sorted(gaps.items())
              if filters.theme in (None, t)])
    queries = searchlog.zero_result_queries(session, atom_filter.quarters, atom_filter.month)
    search_table = Table(
        id="searches_nothing_found", title=_("Searches that found nothing"),
        columns=[Column("searches", _("Times searched"))],
        rows=[Row(q, {"searches": n}, key=q) for q, n in queries], chart="searches",
        note=_("Only queries searched at least %(k)s times in the period, without digits or "
               "e-mail addresses. Whole country.", k=K))
    months = searchlog.monthly_totals(session, atom_filter.quarters, atom_filter.month)
    search_months = Table(
        id="searches_per_month", title=_("Searches per month"),
        columns=[Column("searches", _("Searches")),
                 Column("zero", _("Found nothing"))],
        rows=[Row(m, {"searches": v["searches"], "zero": v["zero"]}, key=m)
              for m, v in sorted(months.items())], chart="zero")
    misses = searchlog.finder_misses(session, atom_filter.quarters, atom_filter.month,
                                     sector=filters.sector, size=filters.size)
    finder_table = Table(
        id="finder_misses", title=_("Scheme-finder profiles that fit no scheme"),
        columns=[Column("profiles", _("Profiles"))],
        rows=[Row(f"{labels.of('sector', s or NOT_GIVEN)} · {labels.of('size', z or NOT_GIVEN)}",
                  {"profiles": shown_count(n)}, key=f"{s}|{z}") for (s, z), n in misses],
        chart="profiles", note=_("Whole country."))
    return [ranking, by_cell, gap_table, search_table, search_months, finder_table]


# --- view 3: desks ----------------------------------------------------------------------------

def _desk_values(d: Mapping[str, Any], n: int) -> dict[str, Any]:
    resp = d.get("resp", [])
    median = safe_median(resp)
    ratings = d.get("ratings", {})
    rating_n = sum(ratings.values())
    rating_sum = sum(int(s) * c for s, c in ratings.items())
    return {"questions": n,
            "median_hours": round(median / 3600, 1) if median is not None else None,
            "within_target": safe_share(d.get("on_time", 0), d.get("judged", 0)),
            "closed": shown_count(d.get("closed", 0)),
            "rating": (round(m, 1) if (m := safe_mean(rating_sum, rating_n)) is not None
                       else None),
            "ratings": shown_count(rating_n)}


def desks(session: Session, filters: Filters, atom_filter: AtomFilter, labels: Labels,
          access: Access) -> list[Table]:
    # One read: the whole year of the period (for the trend), the period's atoms from it.
    trend_filter = AtomFilter(**{**atom_filter.__dict__,
                                 "quarters": frozenset(f"{filters.period[:4]}-Q{q}"
                                                       for q in range(1, 5)),
                                 "month": None})
    year_atoms = load_atoms(session, "question", trend_filter)
    atoms = [a for a in year_atoms if atom_filter.matches(a.key)]
    per_desk = _group(atoms, lambda k: k.desk_id)
    hand_in: dict[int, int] = defaultdict(int)
    hand_out: dict[int, int] = defaultdict(int)
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    for a in atoms:
        for frm, to, n in a.data.get("hand", []):
            hand_out[frm] += n
            hand_in[to] += n
            pairs[(frm, to)] += n
    rows = []
    live = open_and_overdue_by_desk(session, now=utcnow())
    shown_desks = [d for d in list_desks(session, active_only=True)
                   if access.desk_ids is None or d.id in access.desk_ids]
    for desk in shown_desks:
        assert desk.id is not None
        group = per_desk.get(desk.id, [])
        d = merge_data(a.data for a in group)
        values = _desk_values(d, sum(a.n for a in group))
        open_now, overdue_now = live.get(desk.id, (0, 0))
        values.update({"open": open_now, "overdue": overdue_now,
                       "hand_in": shown_count(hand_in.get(desk.id, 0)),
                       "hand_out": shown_count(hand_out.get(desk.id, 0))})
        rows.append(Row(desk.name, values, key=desk.slug))
    if access.desk_ids is None and per_desk.get(None):
        d = merge_data(a.data for a in per_desk[None])
        rows.append(Row(_("Hidden (small numbers)"),
                        _desk_values(d, sum(a.n for a in per_desk[None])), key="*"))
    side = Table(
        id="desks", title=_("Desks side by side"),
        columns=[Column("open", _("Open now")), Column("overdue", _("Overdue now")),
                 Column("questions", _("Questions in the period")),
                 Column("median_hours", _("Median first response (working hours)"), "hours"),
                 Column("within_target", _("Within target"), "share"),
                 Column("hand_in", _("Hand-offs in")), Column("hand_out", _("Hand-offs out")),
                 Column("closed", _("Closed")),
                 Column("rating", _("Average rating (1–5)"), "rating")],
        rows=rows, chart="questions",
        note=_("Open and overdue are today's figures of the whole desk (as on its public page);"
               " the other columns follow the filters."))
    handoffs = Table(
        id="handoffs", title=_("Hand-offs from desk to desk"),
        columns=[Column("handoffs", _("Hand-offs"))],
        rows=[Row(f"{labels.of('desk', a)} → {labels.of('desk', b)}",
                  {"handoffs": shown_count(n)}, key=f"{a}|{b}")
              for (a, b), n in sorted(pairs.items(), key=lambda kv: -kv[1])
              if access.desk_ids is None or a in access.desk_ids or b in access.desk_ids
              if shown_count(n)],
        chart="handoffs")
    # Trend: per quarter of the period's year.
    per_quarter = _group(year_atoms, lambda k: k.quarter)
    trend = Table(
        id="trend", title=_("Trend per quarter"),
        columns=[Column("questions", _("Questions")),
                 Column("median_hours", _("Median first response (working hours)"), "hours"),
                 Column("within_target", _("Within target"), "share"),
                 Column("rating", _("Average rating (1–5)"), "rating")],
        rows=[Row(q, _desk_values(merge_data(a.data for a in g), sum(a.n for a in g)), key=q)
              for q, g in sorted(per_quarter.items())],
        chart="median_hours")
    return [side, handoffs, trend]


# --- view 4: outcomes -------------------------------------------------------------------------

def _followup_atoms(session: Session, quarter: Quarter
                    ) -> dict[str, dict[AtomKey, list[str]]]:
    """The answers to the follow-up mail of one ended quarter (by the month they were
    given), per question grouped into atoms (``disclosure.build_atoms``): each atom holds
    at least ``K`` answers to that question, and a question is answered at most once per
    follow-up, so at least ``K`` respondents. The atoms are built on the whole quarter before
    any filter is applied, so they are the same whatever is asked. The follow-up knows desk,
    theme and region, not sector or size: those are hidden (a sector or size filter finds
    no answers)."""

    regions = region_index(session)
    per_question: dict[str, list[tuple[AtomKey, str]]] = defaultdict(list)
    start = quarter.starts_at
    for i in range(3):
        end = (datetime(start.year + (start.month == 12), start.month % 12 + 1, 1,
                        tzinfo=start.tzinfo) if i < 2 else quarter.ends_at)
        for desk_id, theme, muni, question, answer, n in followup_outcomes(session, start, end):
            info = regions.municipalities.get(muni) if muni else None
            province, corop, lmr = ((info.province_code, info.corop_code,
                                     info.labour_market_code) if info is not None
                                    else (NOT_GIVEN, None, None))
            key = AtomKey(quarter=quarter.code, month=f"{start.year:04d}-{start.month:02d}",
                          province=province, corop=corop, lmr=lmr, theme=theme or NOT_GIVEN,
                          sector=HIDDEN, size=HIDDEN, desk_id=desk_id)
            per_question[question].extend([(key, answer)] * n)
        start = end
    return {q: build_atoms(records)[0] for q, records in per_question.items()}


def follow_up_answers(session: Session, atom_filter: AtomFilter) -> list[Table]:
    """The answers to the follow-up mail 3 and 6 months after closing (did you act, apply
    for a scheme, get it, see a change; did the referral help), read through
    ``cases.queries.followup_outcomes`` for the ended quarters of the period and counted
    per question over the atoms the filter selects (``_followup_atoms``): a question's total
    is 0 or at least ``K`` answers, and so is the difference between any two filters. The
    answers of a question are protected with ``protect_row`` (below ``K`` hidden, never a
    single hidden part). No answers for the filter: no table at all."""

    now = utcnow()
    counts: dict[str, dict[str, int]] = {q: defaultdict(int) for q in QUESTIONS}
    for code in sorted(atom_filter.quarters or ()):
        quarter = Quarter.parse(code)
        if quarter.ends_at > now:  # the current quarter is never shown
            continue
        for question, atoms in _followup_atoms(session, quarter).items():
            for key, answers in atoms.items():
                if atom_filter.matches(key) and question in counts:
                    for a in answers:
                        counts[question][a] += 1
    answer_kinds = list(dict.fromkeys(a for opts in QUESTIONS.values() for a in opts))
    rows = []
    for question, options in QUESTIONS.items():
        total = sum(counts[question].values())
        if total < K:  # 0: build_atoms never gives fewer than K (kept as a guard)
            continue
        parts = protect_row({a: counts[question].get(a, 0) for a in options})
        values: dict[str, Any] = {"answers": total}
        values.update({f"answer_{a}": parts.get(a) for a in answer_kinds})
        rows.append(Row(_(QUESTION_TEXT[question]), values, key=question))
    if not rows:
        return []
    return [Table(
        id="followup", title=_("Answers to the follow-up 3 and 6 months after closing"),
        columns=[Column("answers", _("Answers")),
                 *[Column(f"answer_{a}", _(ANSWER_TEXT[a])) for a in answer_kinds]],
        rows=rows, chart="answers",
        note=_("Counted by the month the answer was given, in groups of at least %(k)s answers"
               " that share desk, theme and region; sector and size are not known for these"
               " answers. – : hidden (small numbers) or not asked for this question.", k=K))]


def outcomes(session: Session, filters: Filters, atom_filter: AtomFilter,
             labels: Labels) -> list[Table]:
    by = filters.by if filters.by in ("desk", "theme", "province") else "desk"
    groups = _group(load_atoms(session, "question", atom_filter), _by_key(by))
    rows = []
    for value, group in sorted(groups.items(), key=_sort_key(by)):
        d = merge_data(a.data for a in group)
        outcomes_ = d.get("outcomes", {})
        parts = protect_row({o: outcomes_.get(o, 0) for o in OUTCOME_LABELS})
        ratings = d.get("ratings", {})
        rn = sum(ratings.values())
        rs = sum(int(s) * c for s, c in ratings.items())
        mean = safe_mean(rs, rn)
        values: dict[str, Any] = {"closed": shown_count(d.get("closed", 0))}
        values.update({f"outcome_{o}": parts[o] for o in OUTCOME_LABELS})
        values.update({"ratings": shown_count(rn),
                       "rating": round(mean, 1) if mean is not None else None})
        rows.append(Row(labels.of(by, value), values, key=str(value)))
    cols = [Column("closed", _("Closed"))]
    cols += [Column(f"outcome_{o}", _(label)) for o, label in OUTCOME_LABELS.items()]
    cols += [Column("ratings", _("Ratings")), Column("rating", _("Average rating (1–5)"),
                                                      "rating")]
    table = Table(id="outcomes", title=_("Closing outcomes and ratings per %(by)s",
                                         by=_(BY_LABELS[by]).lower()),
                  columns=cols, rows=rows, chart="closed")
    return [table, *follow_up_answers(session, atom_filter)]


# --- view 5: the scan -------------------------------------------------------------------------

def scan(session: Session, filters: Filters, atom_filter: AtomFilter,
         labels: Labels) -> list[Table]:
    by = filters.by if filters.by in ("province", "corop", "lmr", "sector", "size",
                                      "month") else "province"
    groups = _group(load_atoms(session, "scan", _scan_filter(atom_filter)), _by_key(by))
    rows = []
    for value, group in sorted(groups.items(), key=_sort_key(by)):
        d = merge_data(a.data for a in group)
        med = safe_median(d.get("overall", []))
        before, after, change = d.get("before", []), d.get("after", []), d.get("change", [])
        rows.append(Row(labels.of(by, value), {
            "scans": sum(a.n for a in group),
            "median": round(med, 2) if med is not None else None,
            "rescans": shown_count(len(change)),
            "before": _r(safe_median(before)), "after": _r(safe_median(after)),
            "change": _r(safe_median(change))}, key=str(value)))
    return [Table(
        id="scan", title=_("Scan results per %(by)s", by=_(BY_LABELS[by]).lower()),
        columns=[Column("scans", _("Scans")), Column("median", _("Median score (1–5)"), "score"),
                 Column("rescans", _("Re-scans")),
                 Column("before", _("Re-scans: median before"), "score"),
                 Column("after", _("Re-scans: median after"), "score"),
                 Column("change", _("Re-scans: median change"), "score")],
        rows=rows, chart="scans")]


def _r(v: float | None) -> float | None:
    return round(v, 2) if v is not None else None


# --- one entry point -----------------------------------------------------------------------------

def view(session: Session, name: str, filters: Filters, access: Access) -> ViewResult:
    if name not in VIEWS:
        raise NotFound()
    if name not in access.views:
        raise Forbidden()
    filters, atom_filter = effective(session, filters, access)
    labels = Labels(session)
    if name == "demand":
        tables = demand(session, filters, atom_filter, labels)
    elif name == "unmet":
        tables = unmet(session, filters, atom_filter, labels)
    elif name == "desks":
        tables = desks(session, filters, atom_filter, labels, access)
    elif name == "outcomes":
        tables = outcomes(session, filters, atom_filter, labels)
    else:
        tables = scan(session, filters, atom_filter, labels)
    computed = session.exec(select(InsightSnapshot.computed_at).order_by(
        col(InsightSnapshot.computed_at).desc()).limit(1)).first()
    return ViewResult(view=name, title=_(VIEW_TITLES[name]), filters=filters, tables=tables,
                      computed_at=computed)


def filter_options(session: Session, access: Access) -> dict[str, list[tuple[str, str]]]:
    """Choices for the filter form: what exists, in the reader's scope."""

    idx = region_index(session)
    provinces: dict[str, str] = {}
    corops: dict[str, str] = {}
    lmrs: dict[str, str] = {}
    for m in idx.municipalities.values():
        if access.province is not None and m.province_code != access.province:
            continue
        provinces[m.province_code] = m.province_name
        if m.corop_code:
            corops[m.corop_code] = m.corop_name or m.corop_code
        if m.labour_market_code:
            lmrs[m.labour_market_code] = m.labour_market_name or m.labour_market_code
    taxonomy = tx.load(session)
    quarters = sorted(set(session.exec(select(InsightSnapshot.quarter)).all()), reverse=True)
    periods: list[tuple[str, str]] = []
    for year in sorted({q[:4] for q in quarters}, reverse=True):
        periods.append((year, year))
        periods += [(q, q) for q in quarters if q.startswith(year)]
    for q in quarters:
        quarter = Quarter.parse(q)
        for i in range(3):
            month = 3 * (quarter.q - 1) + 1 + i
            periods.append((f"{quarter.year}-{month:02d}", f"{quarter.year}-{month:02d}"))

    def by_name(d: Mapping[str, str]) -> list[tuple[str, str]]:
        return sorted(d.items(), key=lambda kv: kv[1])

    return {
        "period": periods,
        "province": by_name(provinces), "corop": by_name(corops), "lmr": by_name(lmrs),
        "theme": taxonomy.options("theme"),
        "sector": taxonomy.options("sector"),
        "size": taxonomy.options("size"),
    }


def table_of(result: ViewResult, table_id: str) -> Table:
    for t in result.tables:
        if t.id == table_id:
            return t
    raise NotFound()


def table_json(t: Table) -> dict[str, Any]:
    return {"id": t.id, "title": t.title, "note": t.note,
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in t.columns],
            "rows": [{"key": r.key, "label": r.label, "values": r.values} for r in t.rows]}


def rows_for_csv(t: Table) -> Sequence[Sequence[Any]]:
    head: list[Any] = ["", *[c.label for c in t.columns]]
    body = [[r.label, *[("" if r.values.get(c.key) is None else
                         (round(r.values[c.key], 3) if isinstance(r.values[c.key], float)
                          else r.values[c.key])) for c in t.columns]] for r in t.rows]
    return [head, *body]
