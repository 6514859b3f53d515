"""Search logging: what people search for and do not find, counted, nothing else.

Each search (first page, non-empty query) is counted per month and *normalised* query
(NFC, lower-case, whitespace folded, at most 200 characters) with how often it found nothing
and its latest result count. No IP address, no session, no time finer than the month. A query
holding an e-mail address or a run of five or more digits (a phone, KvK or house number) is
counted under ``#`` instead of its text. Scheme-finder profiles that fit no scheme are counted
the same way (month, size, sector, province, theme, cost kind).

Recording adds microseconds to a request: it updates an in-memory buffer under a lock. The
buffer is written off the request's transaction, one upsert statement per table, by a
flusher thread per process (every ``FLUSH_SECONDS``, a short transaction of its own; started
and stopped, with a last flush, by the app's lifespan); tests call :func:`flush`. A failed
flush puts the counts back. Retention: the periodic job ``insight.search_retention``
deletes months older than ``RETENTION_MONTHS`` (docs/privacy.md).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from backend.content import searching
from backend.core.db import Database, utcnow
from backend.core.worker import WorkerContext, periodic
from backend.insight.disclosure import K
from backend.insight.models import FinderMissLog, SearchLog, SearchMonth
from backend.schemes import service as schemes

log = logging.getLogger("loket.insight.searchlog")

FLUSH_SECONDS = 5.0
RETENTION_MONTHS = 25  # this month and the two years before: year-on-year comparisons
MASKED = "#"
_PERSONAL = re.compile(r"@|\d{5,}|\d[\d ]{7,}\d")
_SPACE = re.compile(r"\s+")
MAX_QUERY = 200


def normalise(query: str) -> str:
    text = unicodedata.normalize("NFC", query or "").lower()
    text = _SPACE.sub(" ", text).strip()[:MAX_QUERY].strip()
    if text and _PERSONAL.search(text):
        return MASKED
    return text


def month_of(when: datetime | None = None) -> str:
    when = (when or datetime.now(UTC)).astimezone(UTC)
    return f"{when.year:04d}-{when.month:02d}"


@dataclass
class Buffer:
    lock: threading.Lock = field(default_factory=threading.Lock)
    searches: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    finder: dict[tuple[str, ...], int] = field(default_factory=dict)

    def record_search(self, query: str, total: int, when: datetime | None = None) -> None:
        q = normalise(query)
        if not q:
            return
        key = (month_of(when), q)
        zero = 1 if total == 0 else 0
        with self.lock:
            entry = self.searches.get(key)
            if entry is None:
                self.searches[key] = [1, zero, total]
            else:
                entry[0] += 1
                entry[1] += zero
                entry[2] = total

    def record_finder_miss(self, profile: tuple[str, str, str, str, str],
                           when: datetime | None = None) -> None:
        key = (month_of(when), *profile)
        with self.lock:
            self.finder[key] = self.finder.get(key, 0) + 1

    def drain(self) -> tuple[dict[tuple[str, str], list[int]], dict[tuple[str, ...], int]]:
        with self.lock:
            searches, finder = self.searches, self.finder
            self.searches, self.finder = {}, {}
        return searches, finder

    def put_back(self, searches: dict[tuple[str, str], list[int]],
                 finder: dict[tuple[str, ...], int]) -> None:
        """A failed flush loses nothing: its counts go back into the buffer."""
        with self.lock:
            for key, (n, zero, last) in searches.items():
                entry = self.searches.setdefault(key, [0, 0, last])
                entry[0] += n
                entry[1] += zero
            for fkey, n in finder.items():
                self.finder[fkey] = self.finder.get(fkey, 0) + n


BUFFER = Buffer()


def _insert_for(session: Session, table: Any) -> Any:
    return (postgresql.insert(table) if session.get_bind().dialect.name == "postgresql"
            else sqlite.insert(table))


def write(session: Session, searches: dict[tuple[str, str], list[int]],
          finder: dict[tuple[str, ...], int]) -> None:
    """Upsert drained counts (one statement per table)."""
    if searches:
        t = SearchLog.__table__  # type: ignore[attr-defined]
        ins = _insert_for(session, t)
        stmt = ins.values([{"month": m, "query": q, "searches": n, "zero_results": z,
                            "last_result_count": last}
                           for (m, q), (n, z, last) in sorted(searches.items())])
        stmt = stmt.on_conflict_do_update(
            index_elements=["month", "query"],
            set_={"searches": t.c.searches + stmt.excluded.searches,
                  "zero_results": t.c.zero_results + stmt.excluded.zero_results,
                  "last_result_count": stmt.excluded.last_result_count})
        session.execute(stmt)
        totals: dict[str, list[int]] = {}
        for (m, _q), (n, z, _last) in searches.items():
            t = totals.setdefault(m, [0, 0])
            t[0] += n
            t[1] += z
        mt = SearchMonth.__table__  # type: ignore[attr-defined]
        ins = _insert_for(session, mt)
        stmt = ins.values([{"month": m, "searches": n, "zero_results": z}
                           for m, (n, z) in sorted(totals.items())])
        stmt = stmt.on_conflict_do_update(
            index_elements=["month"],
            set_={"searches": mt.c.searches + stmt.excluded.searches,
                  "zero_results": mt.c.zero_results + stmt.excluded.zero_results})
        session.execute(stmt)
    if finder:
        t = FinderMissLog.__table__  # type: ignore[attr-defined]
        ins = _insert_for(session, t)
        stmt = ins.values([{"month": k[0], "size": k[1], "sector": k[2], "province": k[3],
                            "theme": k[4], "cost_kind": k[5], "count": n}
                           for k, n in sorted(finder.items())])
        stmt = stmt.on_conflict_do_update(
            index_elements=["month", "size", "sector", "province", "theme", "cost_kind"],
            set_={"count": t.c.count + stmt.excluded.count})
        session.execute(stmt)


def flush(db: Database, buffer: Buffer = BUFFER) -> int:
    """Write what the buffer holds in one short transaction; returns the rows written."""
    searches, finder = buffer.drain()
    if not searches and not finder:
        return 0
    try:
        with db.transaction() as session:
            write(session, searches, finder)
    except Exception:
        buffer.put_back(searches, finder)
        raise
    return len(searches) + len(finder)


def start_flusher(db: Database) -> Callable[[], None]:
    """Start this process's flusher thread (the app's lifespan does, except under tests,
    which call :func:`flush`); returns a stop function that flushes one last time."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(FLUSH_SECONDS):
            _safe_flush(db)

    thread = threading.Thread(target=loop, name="search-log-flusher", daemon=True)
    thread.start()

    def stop_and_flush() -> None:
        stop.set()
        thread.join(timeout=FLUSH_SECONDS + 1)
        _safe_flush(db)

    return stop_and_flush


def _safe_flush(db: Database) -> None:
    try:
        flush(db)
    except Exception:
        log.exception("search log flush failed; counts kept for the next try")


def record_search(query: str, total: int) -> None:
    """Listener for ``content.searching``: count one search."""
    BUFFER.record_search(query, total)


def record_finder(profile: Any, fits: int) -> None:
    """Listener for ``schemes.service.find_schemes``: count a profile that fits nothing."""
    if fits:
        return
    themes = sorted(getattr(profile, "themes", ()) or ())
    BUFFER.record_finder_miss((getattr(profile, "size", None) or "",
                               getattr(profile, "sector", None) or "",
                               str(getattr(profile, "province", None) or "")[:80],
                               (themes[0] if themes else "")[:80],
                               getattr(profile, "cost_kind", None) or ""))


# --- reading (aggregates for /inzicht) ----------------------------------------------------------

def _months(quarters: Iterable[str] | None, month: str | None) -> list[str] | None:
    if month is not None:
        return [month]
    if quarters is None:
        return None
    out = []
    for q in quarters:
        year, n = int(q[:4]), int(q[-1])
        out += [f"{year:04d}-{3 * (n - 1) + i:02d}" for i in (1, 2, 3)]
    return out


def monthly_totals(session: Session, quarters: Iterable[str] | None, month: str | None
                   ) -> dict[str, dict[str, int]]:
    months = _months(quarters, month)
    stmt = select(SearchMonth.month, SearchMonth.searches, SearchMonth.zero_results)
    if months is not None:
        stmt = stmt.where(col(SearchMonth.month).in_(months))
    return {m: {"searches": int(n or 0), "zero": int(z or 0)}
            for m, n, z in session.exec(stmt)}


def zero_result_queries(session: Session, quarters: Iterable[str] | None, month: str | None,
                        limit: int = 50) -> list[tuple[str, int]]:
    """Queries that found nothing at least ``K`` times in the period, most frequent first;
    masked queries never. The condition ``zero_results > 0`` is written as literal SQL (not a
    bound parameter) so that SQLite can use the partial index ``ix_search_log_zero_query``."""
    months = _months(quarters, month)
    total = sa.func.sum(SearchLog.zero_results)
    stmt = (select(SearchLog.query, total).where(col(SearchLog.zero_results)
                                                 > sa.literal_column("0"),
                                                 SearchLog.query != MASKED)
            .group_by(col(SearchLog.query)).having(total >= K)
            .order_by(total.desc(), col(SearchLog.query)).limit(limit))
    if months is not None:
        month_col: Any = col(SearchLog.month)
        if session.get_bind().dialect.name == "sqlite":
            # Without statistics SQLite would pick the month index and sort every zero-result
            # row of the period by query; ``month || ''`` keeps it on the partial index (one
            # pass in query order, 4× less work at 1,000,000 logged searches).
            month_col = month_col.concat("")
        stmt = stmt.where(month_col.in_(months))
    return [(q, int(n)) for q, n in session.exec(stmt)]


def finder_monthly_totals(session: Session, quarters: Iterable[str] | None,
                          month: str | None) -> dict[str, int]:
    months = _months(quarters, month)
    stmt = select(FinderMissLog.month, sa.func.sum(FinderMissLog.count)).group_by(
        col(FinderMissLog.month))
    if months is not None:
        stmt = stmt.where(col(FinderMissLog.month).in_(months))
    return {m: int(n or 0) for m, n in session.exec(stmt)}


def finder_misses(session: Session, quarters: Iterable[str] | None, month: str | None, *,
                  sector: str | None = None, size: str | None = None
                  ) -> list[tuple[tuple[str, str], int]]:
    months = _months(quarters, month)
    total = sa.func.sum(FinderMissLog.count)
    stmt = (select(FinderMissLog.sector, FinderMissLog.size, total)
            .group_by(col(FinderMissLog.sector), col(FinderMissLog.size))
            .order_by(total.desc()))
    if months is not None:
        stmt = stmt.where(col(FinderMissLog.month).in_(months))
    if sector is not None:
        stmt = stmt.where(FinderMissLog.sector == sector)
    if size is not None:
        stmt = stmt.where(FinderMissLog.size == size)
    return [((s, z), int(n)) for s, z, n in session.exec(stmt)]


# --- retention ----------------------------------------------------------------------------------

def oldest_kept_month(now: datetime) -> str:
    year, month = now.year, now.month - (RETENTION_MONTHS - 1)
    while month <= 0:
        month += 12
        year -= 1
    return f"{year:04d}-{month:02d}"


def apply_retention(session: Session, *, now: datetime | None = None) -> int:
    """Delete search and finder counts of months before the retention window."""
    cutoff = oldest_kept_month(now or utcnow())
    a = session.execute(sa.delete(SearchLog).where(col(SearchLog.month) < cutoff))
    b = session.execute(sa.delete(FinderMissLog).where(col(FinderMissLog.month) < cutoff))
    session.execute(sa.delete(SearchMonth).where(col(SearchMonth.month) < cutoff))
    return int(getattr(a, "rowcount", 0) or 0) + int(getattr(b, "rowcount", 0) or 0)


@periodic("insight.search_retention", every=timedelta(days=1), lease=timedelta(minutes=30))
def _retention_job(ctx: WorkerContext) -> None:
    with ctx.db.transaction() as session:
        removed = apply_retention(session)
    log.info("search log retention", extra={"removed": removed})


def install() -> None:
    """Register the listeners (idempotent); called when the insight routes are imported."""

    if record_search not in searching.search_listeners:
        searching.search_listeners.append(record_search)
    if record_finder not in schemes.finder_listeners:
        schemes.finder_listeners.append(record_finder)
