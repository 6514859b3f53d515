"""Anonymous scan figures per sector and size class, under the disclosure rules of the peer
benchmarks (``backend.community.disclosure``, docs/disclosure.md).

- **One frozen snapshot per calendar quarter (UTC).** A scan counts in the quarter in which it
  was completed. After the quarter has ended (and an hour of grace for scans still being
  committed), :func:`freeze_quarter` computes every cell once and stores only what may be shown
  (``ScanBenchmark``); it is never recomputed. A firm that scans again, saves or erases its
  account, or a scan completed later, changes nothing that was published: there are never two
  views of the same population to subtract.
- **One scan per firm.** Within a quarter only a firm's latest scan counts. A firm is the
  account the scan was saved to, or otherwise the first scan of the chain of earlier scans in
  the same browser (``previous_id``). Scans cannot be verified, so someone who fills in many
  scans counts as many firms: the rules protect against curious readers, not against an
  attacker who invents the other participants.
- **Cells.** Per measure (overall, each pillar, each dimension): all firms, per sector (the
  SBI section: sub-sectors count in their section), per size class, and per sector × size
  class; rules 1–3 of the disclosure module over those lines. Firms that gave no sector or
  size count in "all" and in the cells they did give. Shown: the number of firms, the first
  quartile, the median and the third quartile, never a minimum, maximum or mean.

Reading is pure (pages do it in GET requests); freezing writes, from a periodic job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.community import disclosure as dc
from backend.content import taxonomy as tx
from backend.core.db import utcnow
from backend.core.errors import Conflict, NotFound
from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _
from backend.core.worker import WorkerContext, periodic
from backend.scan.definition import Definition
from backend.scan.models import ScanBenchmark, ScanResult, ScanVersion

GRACE = timedelta(hours=1)
UNKNOWN = "?"
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


# --- quarters --------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def of(cls, when: datetime) -> Quarter:
        when = when.astimezone(UTC)
        return cls(when.year, (when.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, code: str) -> Quarter:
        m = QUARTER_RE.match(code)
        if not m:
            raise NotFound()
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.q}"

    @property
    def starts_at(self) -> datetime:
        return datetime(self.year, 3 * (self.q - 1) + 1, 1, tzinfo=UTC)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    @property
    def ends_at(self) -> datetime:
        return self.next().starts_at


def quarter_label(code: str) -> str:
    q = Quarter.parse(code)
    return _("quarter %(q)s of %(year)s", q=q.q, year=q.year)


# --- pure: firms, measures, cells --------------------------------------------------------------

@dataclass(frozen=True)
class ScanRow:
    """What freezing needs of one result."""

    id: int
    previous_id: int | None
    user_id: int | None
    created_at: datetime
    sector: str | None = None
    size: str | None = None
    scores: Mapping[str, Any] = field(default_factory=dict)


def firm_keys(chain: Mapping[int, tuple[int | None, int | None]]) -> dict[int, str]:
    """Result id → firm key. ``chain`` maps every result id to ``(previous_id, user_id)``.
    The account the scan (or an earlier scan of its chain) was saved to, else the first scan
    of the chain."""
    out: dict[int, str] = {}
    for rid in chain:
        seen: list[int] = []
        current: int | None = rid
        key = ""
        while current is not None and current in chain and current not in seen:
            seen.append(current)
            previous, user = chain[current]
            if user is not None:
                key = f"u:{user}"
                break
            current = previous
        out[rid] = key or f"r:{seen[-1]}"
    return out


def measures_of(scores: Mapping[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    if "overall" in scores:
        out["overall"] = float(scores["overall"])
    for slug, value in dict(scores.get("pillars", {})).items():
        out[f"pillar:{slug}"] = float(value)
    for slug, value in dict(scores.get("dimensions", {})).items():
        out[f"dimension:{slug}"] = float(value)
    return out


def cell_code(key: tuple[str, ...]) -> str:
    return ":".join(key)


def _stats_json(stats: dc.CellStats) -> dict[str, Any]:
    if stats.reason is not None:
        return {"n": stats.n, "reason": str(stats.reason)}
    assert stats.q1 is not None and stats.median is not None and stats.q3 is not None
    return {"n": stats.n, "q1": round(stats.q1, 2), "median": round(stats.median, 2),
            "q3": round(stats.q3, 2)}


Contribution = tuple[str | None, str | None, Mapping[str, float]]  # sector, size, measures


def compute_cells(contributions: Mapping[Any, Contribution]
                  ) -> dict[str, dict[str, dict[str, Any]]]:
    """Firm → (sector, size, measures) in; measure → cell code → what may be shown, out.
    Cells of an unknown sector or size take part in the lines (they are part of "all") but
    are not stored: no page could ask for them."""
    names = sorted({m for _s, _z, ms in contributions.values() for m in ms})
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for measure in names:
        figures = {firm: ms[measure] for firm, (_s, _z, ms) in contributions.items()
                   if measure in ms}
        profile = {firm: (contributions[firm][0] or UNKNOWN, contributions[firm][1] or UNKNOWN)
                   for firm in figures}
        cells, lines = dc.group_cells(figures, profile)
        stats = dc.protect(cells, lines)
        out[measure] = {cell_code(key): _stats_json(s) for key, s in stats.items()
                        if UNKNOWN not in key}
    return out


def latest_per_firm(rows: Iterable[ScanRow], keys: Mapping[int, str]) -> dict[str, ScanRow]:
    latest: dict[str, ScanRow] = {}
    for row in sorted(rows, key=lambda r: (r.created_at, r.id)):
        latest[keys[row.id]] = row
    return latest


def top_sector(taxonomy: tx.Taxonomy, slug: str | None) -> str | None:
    """The SBI section of a (sub-)sector, or ``None`` when unknown."""
    sector = taxonomy.by_slug.get("sector", {}).get(slug) if slug else None
    if sector is None:
        return None
    return str(taxonomy.sector_lineage(sector)[-1].slug)


# --- freezing --------------------------------------------------------------------------------

def frozen(session: Session, code: str) -> ScanBenchmark | None:
    return session.exec(select(ScanBenchmark).where(ScanBenchmark.period == code)).first()


def freeze_quarter(session: Session, quarter: Quarter, *,
                   now: datetime | None = None) -> ScanBenchmark:
    """Compute and store a quarter's statistics once; a frozen quarter is returned as it is."""
    existing = frozen(session, quarter.code)
    if existing is not None:
        return existing
    if (now or utcnow()) < quarter.ends_at + GRACE:
        raise Conflict(N_("This quarter has not ended yet."))
    chain = {rid: (prev, uid) for rid, prev, uid in session.exec(
        select(ScanResult.id, ScanResult.previous_id, ScanResult.user_id)
        .where(col(ScanResult.created_at) < quarter.ends_at)) if rid is not None}
    keys = firm_keys(chain)
    rows = [ScanRow(id=r.id, previous_id=r.previous_id, user_id=r.user_id,
                    created_at=r.created_at, sector=r.sector, size=r.company_size,
                    scores=r.scores)
            for r in session.exec(select(ScanResult).where(
                col(ScanResult.created_at) >= quarter.starts_at,
                col(ScanResult.created_at) < quarter.ends_at)) if r.id is not None]
    taxonomy = tx.load(session)
    sizes = {s.slug for s in taxonomy.sizes}
    contributions: dict[str, Contribution] = {
        firm: (top_sector(taxonomy, row.sector), row.size if row.size in sizes else None,
               measures_of(row.scores))
        for firm, row in latest_per_firm(rows, keys).items()}
    bench = ScanBenchmark(period=quarter.code, starts_at=quarter.starts_at,
                          ends_at=quarter.ends_at, firms=len(contributions),
                          cells=compute_cells(contributions))
    session.add(bench)
    session.flush()
    return bench


def freeze_due(session: Session, *, now: datetime | None = None) -> list[str]:
    """Freeze every ended quarter since the first scan that is not frozen yet."""
    now = now or utcnow()
    first = session.exec(select(sa.func.min(ScanResult.created_at))).one()
    if first is None:
        return []
    done = set(session.exec(select(ScanBenchmark.period)))
    out = []
    quarter = Quarter.of(first)
    while quarter.ends_at + GRACE <= now:
        if quarter.code not in done:
            freeze_quarter(session, quarter, now=now)
            out.append(quarter.code)
        quarter = quarter.next()
    return out


@periodic("scan.benchmarks", every=timedelta(hours=6))
def _freeze_job(ctx: WorkerContext) -> None:
    with ctx.db.transaction() as session:
        freeze_due(session)


# --- reading ---------------------------------------------------------------------------------

Cell = dc.CellStats


def cell_of(bench: ScanBenchmark, measure: str, code: str) -> Cell:
    data = bench.cells.get(measure, {}).get(code)
    if data is None:  # nobody in this cell
        return Cell(n=0, reason=dc.Reason.too_few)
    reason = data.get("reason")
    return Cell(n=int(data["n"]), reason=dc.Reason(reason) if reason else None, q1=data.get("q1"),
                median=data.get("median"), q3=data.get("q3"))


def benchmarks(session: Session) -> list[ScanBenchmark]:
    """Frozen quarters, newest first."""
    return list(session.exec(select(ScanBenchmark)
                             .order_by(col(ScanBenchmark.starts_at).desc())))


def latest(session: Session) -> ScanBenchmark | None:
    return session.exec(select(ScanBenchmark)
                        .order_by(col(ScanBenchmark.starts_at).desc())).first()


@dataclass(frozen=True)
class Column:
    label: str
    code: str


@dataclass
class Row:
    label: str
    pillar: bool
    cells: list[Cell]
    own: float | None = None


def columns_for(taxonomy: tx.Taxonomy, sector: str | None, size: str | None) -> list[Column]:
    """The cells to compare with, most specific first; "all firms" always."""
    sector_term = taxonomy.by_slug.get("sector", {}).get(sector) if sector else None
    size_term = taxonomy.by_slug.get("size", {}).get(size) if size else None
    cols = []
    if sector_term is not None and size_term is not None:
        cols.append(Column(_("%(sector)s, %(size)s", sector=tx.name_of(sector_term),
                             size=tx.name_of(size_term)), f"sector_size:{sector}:{size}"))
    if sector_term is not None:
        cols.append(Column(tx.name_of(sector_term), f"sector:{sector}"))
    if size_term is not None:
        cols.append(Column(tx.name_of(size_term), f"size:{size}"))
    cols.append(Column(_("All firms"), "all"))
    return cols


def rows_for(d: Definition, bench: ScanBenchmark, cols: list[Column],
             own: Mapping[str, float] | None = None) -> list[Row]:
    """Overall, then every pillar of ``d`` with its dimensions."""
    own = own or {}

    def row(label: str, measure: str, pillar: bool) -> Row:
        return Row(label, pillar, [cell_of(bench, measure, c.code) for c in cols],
                   own.get(measure))

    rows = [row(_("Overall score"), "overall", True)]
    for p in d.pillars:
        rows.append(row(d.pillar_name(p["slug"]), f"pillar:{p['slug']}", True))
        for dim in d.dimensions:
            if dim["pillar"] == p["slug"]:
                rows.append(row(d.dimension_name(dim["slug"]), f"dimension:{dim['slug']}",
                                False))
    return rows


@dataclass
class Comparison:
    bench: ScanBenchmark
    columns: list[Column]
    rows: list[Row]

    @property
    def label(self) -> str:
        return quarter_label(self.bench.period)


def comparison_for_result(session: Session, d: Definition, result: ScanResult
                          ) -> Comparison | None:
    """The firm's scores beside the latest frozen quarter's figures of its sector and size
    class (and of all firms)."""
    bench = latest(session)
    if bench is None:
        return None
    taxonomy = tx.load(session)
    sector = top_sector(taxonomy, result.sector)
    cols = columns_for(taxonomy, sector, result.company_size)
    own = measures_of(result.scores)
    return Comparison(bench, cols, rows_for(d, bench, cols, own))


def latest_definition(session: Session) -> Definition | None:
    row = session.exec(select(ScanVersion).order_by(col(ScanVersion.version).desc())).first()
    return Definition(row.version, row.definition) if row else None
