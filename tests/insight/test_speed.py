"""What keeps /inzicht fast at scale (docs/benchmarks.md, "Insight at scale"): the filter is
pushed into the atoms' query without changing which atoms a view reads, and the two heavy
queries are answered from their indexes."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session

from backend.cases.queries import open_and_overdue_by_desk
from backend.insight import searchlog, service
from backend.insight.disclosure import AtomFilter
from tests.factories import insight as f


def _every_filter(session: Session) -> list[AtomFilter]:
    atoms = service.load_atoms(session, "question", AtomFilter())
    assert atoms
    keys = [a.key for a in atoms]
    desk_ids = frozenset(k.desk_id for k in keys if k.desk_id is not None)
    out = [AtomFilter(), AtomFilter(quarters=frozenset({f.QUARTER})),
           AtomFilter(desk_ids=desk_ids), AtomFilter(desk_ids=frozenset({min(desk_ids)}))]
    for k in keys:
        out += [AtomFilter(month=k.month), AtomFilter(province=k.province),
                AtomFilter(corop=k.corop), AtomFilter(lmr=k.lmr), AtomFilter(theme=k.theme),
                AtomFilter(sector=k.sector), AtomFilter(size=k.size),
                AtomFilter(quarters=frozenset({k.quarter}), province=k.province,
                           theme=k.theme, sector=k.sector, size=k.size, month=k.month)]
    return out


def test_the_atoms_a_filter_reads_are_the_ones_it_matches(session: Session) -> None:
    f.build(session)
    f.freeze(session)
    for dataset in ("question", "scan"):
        every = service.load_atoms(session, dataset, AtomFilter())
        for flt in _every_filter(session):
            expected = sorted((repr(a.key), a.n, sorted(a.data.items()))
                              for a in every if flt.matches(a.key))
            got = sorted((repr(a.key), a.n, sorted(a.data.items()))
                         for a in service.load_atoms(session, dataset, flt))
            assert got == expected, flt


def _plan(session: Session, sql: str, params: dict[str, object]) -> str:
    rows = session.execute(sa.text("EXPLAIN QUERY PLAN " + sql), params).all()
    return " | ".join(str(r[-1]) for r in rows)


def test_open_and_overdue_per_desk_come_from_an_index(session: Session) -> None:
    f.build(session)
    now = datetime(2026, 12, 7, tzinfo=UTC)
    live = open_and_overdue_by_desk(session, now=now)
    assert sum(n for n, _o in live.values()) > 0
    if session.get_bind().dialect.name != "sqlite":
        return
    stmt = sa.select(sa.func.count()).select_from(sa.table("question_case"))  # warm
    session.execute(stmt)
    plan = _plan(session, "SELECT desk_id, count(*), sum(CASE WHEN first_responded_at IS NULL"
                 " AND first_response_due_at < :now THEN 1 ELSE 0 END) FROM question_case"
                 " WHERE status IN ('new', 'assigned', 'answered') GROUP BY desk_id",
                 {"now": now})
    assert "COVERING INDEX ix_question_case_open_by_desk" in plan, plan


def test_searches_that_found_nothing_are_grouped_from_the_partial_index(
        session: Session) -> None:
    buf = searchlog.Buffer()
    when = datetime(2026, 11, 3, tzinfo=UTC)
    for i in range(12):
        buf.record_search("warmtepomp subsidie", 0, when)
        buf.record_search("robot", 3, when)
        if i < 5:
            buf.record_search("zeldzaam", 0, when)
    searches, _finder = buf.drain()
    searchlog.write(session, searches, {})
    assert searchlog.zero_result_queries(session, ["2026-Q4"], None) == [
        ("warmtepomp subsidie", 12)]
    assert searchlog.zero_result_queries(session, ["2026-Q3"], None) == []
    if session.get_bind().dialect.name != "sqlite":
        return
    captured: list[str] = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        if "zero_results" in statement and "GROUP BY" in statement:
            captured.append(cursor.connection.execute(
                "EXPLAIN QUERY PLAN " + statement, parameters).fetchall())

    engine = session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", grab)
    try:
        searchlog.zero_result_queries(session, ["2026-Q4"], None)
    finally:
        sa.event.remove(engine, "before_cursor_execute", grab)
    (plan,) = captured
    assert any("ix_search_log_zero_query" in str(r[-1]) for r in plan), plan
