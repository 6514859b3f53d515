"""Search logging: normalised, counted, per month, written off the request, kept 25 months."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy.engine import Connection
from sqlmodel import Session, select

from backend.core.db import Database
from backend.insight import searchlog
from backend.insight.models import FinderMissLog, SearchLog
from backend.search.embedded import EmbeddedBackend
from tests.client import LoketClient


def test_queries_are_normalised() -> None:
    assert searchlog.normalise("  Subsidie\tROBOTS\n  kopen ") == "subsidie robots kopen"
    # NFC: "e" + combining acute and "é" are the same query
    assert searchlog.normalise("Cafe\u0301") == searchlog.normalise("Café") == "café"
    assert searchlog.normalise("x" * 300) == "x" * 200
    # Personal data is never kept as text.
    for personal in ("jan@voorbeeld.nl", "bel 0612345678", "kvk 12345678", "06 1234 5678"):
        assert searchlog.normalise(personal) == searchlog.MASKED
    assert searchlog.normalise("   ") == ""


def test_counts_are_buffered_and_flushed_in_one_transaction(db: Database,
                                                             session: Session) -> None:
    buf = searchlog.Buffer()
    when = datetime(2026, 11, 3, tzinfo=UTC)
    for q, n in (("Robots", 0), ("robots ", 0), ("ROBOTS", 4), ("cobot", 2)):
        buf.record_search(q, n, when)
    buf.record_finder_miss(("klein", "industrie", "overijssel", "automatisering", ""), when)
    buf.record_finder_miss(("klein", "industrie", "overijssel", "automatisering", ""), when)
    assert searchlog.flush(db, buf) == 3
    assert searchlog.flush(db, buf) == 0  # drained
    buf.record_search("robots", 0, when)
    searchlog.flush(db, buf)
    rows = {r.query: r for r in session.exec(select(SearchLog)).all()}
    assert rows["robots"].month == "2026-11"
    assert (rows["robots"].searches, rows["robots"].zero_results,
            rows["robots"].last_result_count) == (4, 3, 0)
    assert rows["cobot"].searches == 1 and rows["cobot"].zero_results == 0
    # month totals kept beside the queries by the same flush
    assert searchlog.monthly_totals(session, None, None) == {
        "2026-11": {"searches": 5, "zero": 3}}
    (miss,) = session.exec(select(FinderMissLog)).all()
    assert (miss.count, miss.sector, miss.size) == (2, "industrie", "klein")
    # No column could hold an IP address or a session.
    assert {c.name for c in SearchLog.__table__.columns} == {  # type: ignore[attr-defined]
        "id", "month", "query", "searches", "zero_results", "last_result_count"}


def test_a_failed_flush_loses_nothing(session: Session, db: Database) -> None:
    buf = searchlog.Buffer()
    buf.record_search("warmtepomp", 0)

    class Broken(Database):
        def transaction(self, *, write: bool = True) -> Any:
            raise RuntimeError("database down")

    with contextlib.suppress(RuntimeError):
        searchlog.flush(Broken(db.engine), buf)
    assert sum(v[0] for v in buf.searches.values()) == 1
    assert searchlog.flush(db, buf) == 1


def test_the_search_page_and_api_count_searches(app: FastAPI, client: LoketClient,
                                                 db: Database, session: Session,
                                                 tmp_path: Path) -> None:
    app.state.search_backend = EmbeddedBackend(tmp_path / "index")
    searchlog.BUFFER.drain()
    client.get("/zoeken", params={"q": "Zeldzame  Zoekterm"})
    client.get("/api/v1/search", params={"q": "zeldzame zoekterm"})
    client.get("/api/v1/search", params={"q": "zeldzame zoekterm", "page": 2})  # not counted
    client.get("/zoeken")  # no words: not counted
    searchlog.flush(db)
    row = session.exec(select(SearchLog).where(SearchLog.query == "zeldzame zoekterm")).one()
    assert (row.searches, row.zero_results) == (2, 2)


def test_recording_adds_well_under_two_tenths_of_a_millisecond() -> None:
    buf = searchlog.Buffer()
    n = 20_000
    queries = [f"subsidie voor robots {i % 500}" for i in range(n)]
    start = time.perf_counter()
    for q in queries:
        buf.record_search(q, 3)
    per_call_ms = (time.perf_counter() - start) * 1000 / n
    assert per_call_ms < 0.2, per_call_ms


def test_retention_keeps_25_months(session: Session, connection: Connection) -> None:
    for month in ("2024-10", "2024-11", "2024-12", "2026-12"):
        session.add(SearchLog(month=month, query="x", searches=1))
        session.add(FinderMissLog(month=month, count=1))
    session.flush()
    now = datetime(2026, 12, 7, tzinfo=UTC)
    assert searchlog.oldest_kept_month(now) == "2024-12"
    assert searchlog.apply_retention(session, now=now) == 4
    assert sorted(r.month for r in session.exec(select(SearchLog)).all()) == ["2024-12",
                                                                              "2026-12"]


def test_a_finder_profile_that_fits_nothing_is_counted(client: LoketClient, db: Database,
                                                        session: Session) -> None:
    searchlog.BUFFER.drain()
    r = client.get("/api/v1/schemes/match")  # no scheme is published in this database
    assert r.status_code == 200, r.text
    assert r.json()["fits"] == 0
    searchlog.flush(db)
    rows = session.exec(select(FinderMissLog)).all()
    assert sum(x.count for x in rows) == 1
