"""Anonymous scan figures per sector and size class (backend/scan/aggregates.py): the
disclosure rules of the peer benchmarks, one frozen snapshot per quarter, one scan per firm."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from backend.community import disclosure as dc
from backend.core.errors import Conflict
from backend.scan import aggregates as ag
from backend.scan.models import ScanBenchmark, ScanResult
from tests.client import LoketClient
from tests.factories.accounts import create_user
from tests.scan.test_scan_flow import run_scan

Q3 = ag.Quarter(2026, 3)
IN_Q3 = datetime(2026, 8, 1, 12, tzinfo=UTC)
AFTER_Q3 = datetime(2026, 10, 2, tzinfo=UTC)
SECTORS = ("industrie", "bouw", None)
SIZES = ("micro", "klein", None)
DIMS = ("digitalisering", "slimmer-werken")


def scores(value: float, other: float | None = None) -> dict[str, Any]:
    other = value if other is None else other
    return {"dimensions": {"digitalisering": value, "slimmer-werken": other},
            "pillars": {"technologie": value, "organisatie": other},
            "overall": round((value + other) / 2, 1)}


def add_result(session: Session, value: float, *, sector: str | None = "industrie",
               size: str | None = "klein", when: datetime = IN_Q3, user_id: int | None = None,
               previous_id: int | None = None, other: float | None = None) -> ScanResult:
    r = ScanResult(version=1, answers={}, scores=scores(value, other), sector=sector,
                   company_size=size, user_id=user_id, previous_id=previous_id,
                   created_at=when)
    session.add(r)
    session.flush()
    return r


# --- pure -----------------------------------------------------------------------------------

def test_quarters() -> None:
    assert ag.Quarter.of(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)).code == "2026-Q4"
    assert ag.Quarter(2026, 4).next() == ag.Quarter(2027, 1)
    assert Q3.starts_at == datetime(2026, 7, 1, tzinfo=UTC)
    assert Q3.ends_at == datetime(2026, 10, 1, tzinfo=UTC)
    assert ag.Quarter.parse("2026-Q3") == Q3


def test_firm_is_the_account_or_the_first_scan_of_the_chain() -> None:
    chain = {1: (None, None), 2: (1, None), 3: (2, None), 4: (None, 7), 5: (4, 7),
             6: (None, None), 7: (3, 9)}
    keys = ag.firm_keys(chain)
    assert keys[1] == keys[2] == keys[3] == "r:1"
    assert keys[4] == keys[5] == "u:7"
    assert keys[6] == "r:6"
    assert keys[7] == "u:9"  # saved to an account: the account is the firm
    # a cycle cannot loop forever
    assert ag.firm_keys({1: (2, None), 2: (1, None)})[1] in ("r:1", "r:2")


rows = st.lists(st.tuples(
    st.one_of(st.integers(min_value=10, max_value=50).map(lambda v: v / 10),
              st.sampled_from([1.0, 3.0, 5.0])),  # ties at the ends are common
    st.sampled_from(SECTORS), st.sampled_from(SIZES)), max_size=40)
FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _contributions(data: list[tuple[float, str | None, str | None]]
                   ) -> dict[Hashable, tuple[str | None, str | None, dict[str, float]]]:
    return {i: (s, z, {"dimension:digitalisering": v}) for i, (v, s, z) in enumerate(data)}


def _members(contrib: dict[Hashable, tuple[str | None, str | None, dict[str, float]]],
             code: str) -> list[float]:
    kind, *rest = code.split(":")
    out = []
    for sector, size, ms in contrib.values():
        if (kind == "all" or (kind == "sector" and rest == [sector])
                or (kind == "size" and rest == [size])
                or (kind == "sector_size" and rest == [sector, size])):
            out.append(ms["dimension:digitalisering"])
    return out


@FAST
@given(rows)
def test_shown_cells_cover_five_firms_and_never_an_extreme(
        data: list[tuple[float, str | None, str | None]]) -> None:
    contrib = _contributions(data)
    cells = ag.compute_cells(contrib).get("dimension:digitalisering", {})
    for code, cell in cells.items():
        values = _members(contrib, code)
        assert cell["n"] == len(values)
        assert set(cell) <= {"n", "reason", "q1", "median", "q3"}  # never min, max or mean
        if "reason" in cell:
            assert not {"q1", "median", "q3"} & set(cell)  # a suppressed cell shows nothing
            assert cell["reason"] in {r.value for r in dc.Reason}
            continue
        assert len(values) >= dc.MIN_FIRMS and dc.primary_reason(values) is None
        for stat in ("q1", "median", "q3"):
            assert min(values) < cell[stat] < max(values)


@FAST
@given(rows)
def test_nothing_can_be_derived_by_subtraction(
        data: list[tuple[float, str | None, str | None]]) -> None:
    """For every shown margin, the firms of its hidden parts together are an aggregate that
    would itself be shown (≥ 5 firms, none dominant): subtracting the shown parts from the
    margin never isolates one firm (or four)."""
    contrib = _contributions(data)
    cells = ag.compute_cells(contrib).get("dimension:digitalisering", {})
    sectors = {s or ag.UNKNOWN for _v, s, _z in data}
    sizes = {z or ag.UNKNOWN for _v, _s, z in data}

    def shown(code: str) -> bool:
        return ag.UNKNOWN not in code.split(":") and "reason" not in cells.get(code, {"reason": 1})

    lines = [("all", [f"sector:{s}" for s in sectors]), ("all", [f"size:{z}" for z in sizes])]
    lines += [(f"sector:{s}", [f"sector_size:{s}:{z}" for z in sizes]) for s in sectors]
    lines += [(f"size:{z}", [f"sector_size:{s}:{z}" for s in sectors]) for z in sizes]
    for margin, parts in lines:
        if not shown(margin):
            continue
        hidden = [v for p in parts if not shown(p) for v in _values(data, p)]
        if hidden:
            assert dc.primary_reason(hidden) is None, (margin, parts)


def _values(data: list[tuple[float, str | None, str | None]], code: str) -> list[float]:
    kind, *rest = code.split(":")
    out = []
    for v, s, z in data:
        s, z = s or ag.UNKNOWN, z or ag.UNKNOWN
        if ((kind == "sector" and rest == [s]) or (kind == "size" and rest == [z])
                or (kind == "sector_size" and rest == [s, z])):
            out.append(v)
    return out


def test_unknown_sector_and_size_count_in_all_only() -> None:
    contrib = _contributions([(v / 10, None, None) for v in range(20, 40, 3)])
    cells = ag.compute_cells(contrib)["dimension:digitalisering"]
    assert set(cells) == {"all"} and cells["all"]["n"] == 7 and "median" in cells["all"]


# --- freezing (database) ----------------------------------------------------------------------

@pytest.fixture
def population(session: Session, scan_data: None) -> list[ScanResult]:
    """Seven firms in industry/klein, three in construction/micro, one without a profile."""
    out = [add_result(session, v) for v in (2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 2.2)]
    out += [add_result(session, v, sector="bouw", size="micro") for v in (1.5, 3.0, 4.5)]
    out.append(add_result(session, 3.3, sector=None, size=None))
    return out


def test_a_quarter_is_frozen_once_after_it_has_ended(session: Session,
                                                     population: list[ScanResult]) -> None:
    with pytest.raises(Conflict):
        ag.freeze_quarter(session, Q3, now=Q3.ends_at + timedelta(minutes=5))  # grace
    bench = ag.freeze_quarter(session, Q3, now=AFTER_Q3)
    assert bench.period == "2026-Q3" and bench.firms == 11
    cells = bench.cells["dimension:digitalisering"]
    assert cells["sector_size:industrie:klein"]["n"] == 7
    assert cells["sector_size:industrie:klein"]["median"] == 3.0
    assert cells["sector:bouw"] == {"n": 3, "reason": "too_few"}
    # bouw is hidden, so industry (11 - 3 - 1 without a sector) would give it away from "all"
    # together with the firm without a sector: the sector line protects it
    assert cells["all"]["n"] == 11
    snapshot = dict(bench.cells)

    # later events change nothing published: a new firm in the quarter, a firm gone
    add_result(session, 5.0, when=IN_Q3)
    session.delete(population[0])
    session.flush()
    again = ag.freeze_quarter(session, Q3, now=AFTER_Q3 + timedelta(days=30))
    assert again.id == bench.id and again.cells == snapshot and again.firms == 11
    assert ag.freeze_due(session, now=AFTER_Q3 + timedelta(days=30)) == []


def test_one_latest_scan_per_firm(session: Session, scan_data: None) -> None:
    user = create_user(session)
    first = add_result(session, 1.0, user_id=user.id, when=IN_Q3)
    add_result(session, 4.0, user_id=user.id, previous_id=first.id,
               when=IN_Q3 + timedelta(days=3))
    chain = add_result(session, 1.0, when=IN_Q3)
    add_result(session, 3.0, previous_id=chain.id, when=IN_Q3 + timedelta(days=1))
    for v in (2.0, 2.5, 3.5):
        add_result(session, v)
    bench = ag.freeze_quarter(session, Q3, now=AFTER_Q3)
    assert bench.firms == 5
    assert bench.cells["dimension:digitalisering"]["all"]["median"] == 3.0  # 2, 2.5, 3, 3.5, 4


def test_freeze_due_covers_every_ended_quarter(session: Session, scan_data: None) -> None:
    add_result(session, 3.0, when=datetime(2026, 2, 1, tzinfo=UTC))
    add_result(session, 3.0, when=IN_Q3)
    done = ag.freeze_due(session, now=datetime(2026, 11, 1, tzinfo=UTC))
    assert done == ["2026-Q1", "2026-Q2", "2026-Q3"]  # Q4 is still running
    empty = ag.frozen(session, "2026-Q2")
    assert empty is not None and empty.firms == 0 and empty.cells == {}


def test_result_page_compares_with_the_firms_sector_and_size(
        client: LoketClient, session: Session, population: list[ScanResult]) -> None:
    ag.freeze_quarter(session, Q3, now=AFTER_Q3)
    session.commit()
    page = client.get(run_scan(client, 4)).text  # industrie, klein (tests/scan/test_scan_flow)
    assert "Vergeleken met andere bedrijven" in page
    assert "Industrie, Klein" in page and "Alle bedrijven" in page
    assert "mediaan 3 (de helft van de bedrijven tussen 2,35 en 3,75; 7 bedrijven)" in page
    # the other pillars' dimensions have no figures: nobody in the quarter had them
    assert "te weinig deelnemers" in page
    assert "3e kwartaal 2026" in page
    # a GET never freezes anything
    assert session.exec(select(ScanBenchmark)).all() and len(
        session.exec(select(ScanBenchmark)).all()) == 1


def test_result_page_without_figures(client: LoketClient, scan_data: None) -> None:
    page = client.get(run_scan(client, 3)).text
    assert "Er zijn nog geen cijfers van andere bedrijven" in page


def test_public_page_per_sector_and_size(client: LoketClient, session: Session,
                                         population: list[ScanResult]) -> None:
    assert "nog geen cijfers" in client.get("/scan/vergelijking").text
    ag.freeze_quarter(session, Q3, now=AFTER_Q3)
    session.commit()
    page = client.get("/scan/vergelijking", params={"sector": "bouw", "grootte": "micro"})
    assert page.status_code == 200
    text = page.text
    assert "Bouwnijverheid, Micro" in text and "te weinig deelnemers" in text
    assert "11 bedrijven" in text
    # a sub-sector is shown as its section; unknown values are ignored
    sub = client.get("/scan/vergelijking", params={"sector": "installatie", "grootte": "reus",
                                                   "periode": "1999-Q1"})
    assert sub.status_code == 200 and "Bouwnijverheid" in sub.text
    industry = client.get("/scan/vergelijking", params={"sector": "industrie",
                                                        "grootte": "klein"}).text
    assert "mediaan 3 (de helft van de bedrijven tussen 2,35 en 3,75; 7 bedrijven)" in industry
