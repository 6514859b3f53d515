"""KPI entry as a member meets it (issue #15): a refused form keeps what was typed and names
the KPI in each error; a CSV file from Dutch Excel (semicolons, decimal commas, Windows-1252)
is read; a picture or PDF is "geen CSV-bestand"; the export is Dutch with an international
option; closing a period asks for confirmation first."""

from __future__ import annotations

import csv
import io
import itertools
import re
from typing import Any

import pytest
from sqlmodel import Session, select

from backend.community import benchmarks as bm
from backend.community.models import KpiFigure
from tests.client import LoketClient
from tests.community.test_benchmarks import _access, _setup
from tests.factories.community import figures_for


def _group_with_kpis(session: Session) -> tuple[Any, Any, Any, list[Any], Any, dict[str, Any]]:
    group, firm, coordinator, others = _setup(session)
    bm.add_template(session, group, "value_added_per_hour")
    bm.define_kpi(session, group, key="verzuim", name="Ziekteverzuim", unit="%",
                  min_value=0, max_value=100)
    period = bm.add_period(session, group, "2026-K1")
    kpi = {k.key: k for k in bm.kpis(session, group)}
    return group, firm, coordinator, others, period, kpi


def _own(session: Session, firm: Any) -> dict[int, float]:
    return {f.kpi_id: f.value for f in session.exec(
        select(KpiFigure).where(KpiFigure.firm_id == firm.id)).all()}


def test_refused_figures_keep_what_was_typed_and_name_the_kpi(
        session: Session, client: LoketClient, login: Any) -> None:
    group, firm, coordinator, _others, period, kpi = _group_with_kpis(session)
    login(coordinator)
    base = f"/groepen/{group.slug}/kengetallen/perioden/{period.id}"
    typed = {f"kpi-{kpi['value_added'].id}": "12.345,6", f"kpi-{kpi['hours_worked'].id}": "veel",
             f"kpi-{kpi['verzuim'].id}": "140"}
    r = client.post(base, data=typed)
    assert r.status_code == 422
    prefix = f"p{period.id}-"
    for name, value in typed.items():
        tag = r.text.split(f'id="{prefix}{name}"', 1)[1].split(">", 1)[0]
        assert f'value="{value}"' in tag, (name, tag)
    assert "Gewerkte uren: geen getal" in r.text
    assert "Ziekteverzuim: hoger dan het maximum" in r.text or \
        "Ziekteverzuim: boven het maximum" in r.text, r.text
    # the summary links to the fields as they are named on the page
    assert f'href="#{prefix}kpi-{kpi["hours_worked"].id}"' in r.text
    assert _own(session, firm) == {}
    en = client.post(base + "?lang=en", data=typed)
    assert "Gewerkte uren: not a number" in en.text


DUTCH_EXCEL = ("kpi;waarde\r\nvalue_added;12345,5\r\nhours_worked;1.234,5\r\n"
               "verzuim;3,5\r\n").encode("cp1252")


@pytest.mark.parametrize("data", [
    DUTCH_EXCEL,
    b"\xef\xbb\xbfkpi;waarde\r\nvalue_added;12345,5\r\nhours_worked;1234,5\r\nverzuim;3,5\r\n",
    b"kpi,value\nvalue_added,12345.5\nhours_worked,1234.5\nverzuim,3.5\n",
    b'kpi,value\nvalue_added,"12345,5"\nhours_worked,1234.5\nverzuim,3.5\n',
    b"kpi;waarde;;\r\nvalue_added;12345,5;;\r\nhours_worked;1234,5;;\r\nverzuim;3,5;;\r\n",
], ids=["excel-cp1252", "excel-utf8-bom", "international", "quoted-comma", "excel-empty-cols"])
def test_csv_from_dutch_excel_and_the_current_format(
        session: Session, client: LoketClient, login: Any, data: bytes) -> None:
    group, firm, coordinator, _others, period, kpi = _group_with_kpis(session)
    login(coordinator)
    r = client.post(f"/groepen/{group.slug}/kengetallen/perioden/{period.id}/csv",
                    files={"file": ("cijfers.csv", data, "text/csv")})
    assert r.status_code == 303, r.text
    assert _own(session, firm) == {kpi["value_added"].id: 12345.5,
                                   kpi["hours_worked"].id: 1234.5, kpi["verzuim"].id: 3.5}


def test_cp1252_text_is_read_and_problems_name_the_kpi(
        session: Session, client: LoketClient, login: Any) -> None:
    group, firm, coordinator, _others, period, _kpi = _group_with_kpis(session)
    login(coordinator)
    data = "kpi;waarde\nverzuim;één\nvalue_added;12\n".encode("cp1252")
    r = client.post(f"/groepen/{group.slug}/kengetallen/perioden/{period.id}/csv",
                    files={"file": ("cijfers.csv", data, "text/csv")})
    assert r.status_code == 422
    assert "Regel 2 (Ziekteverzuim): geen getal" in r.text
    assert _own(session, firm) == {}


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.mark.parametrize("name,data", [
    ("foto.png", PNG), ("foto.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"),
    ("cijfers.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
    ("cijfers.xlsx", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"),
    ("raar.bin", bytes(range(256)) * 4),
])
def test_picture_or_pdf_is_not_a_csv_file(session: Session, client: LoketClient, login: Any,
                                          name: str, data: bytes) -> None:
    group, firm, coordinator, _others, period, _kpi = _group_with_kpis(session)
    login(coordinator)
    r = client.post(f"/groepen/{group.slug}/kengetallen/perioden/{period.id}/csv",
                    files={"file": (name, data, "application/octet-stream")})
    assert r.status_code == 422
    assert "dit is geen CSV-bestand" in r.text
    assert _own(session, firm) == {}


def _closed_world(session: Session) -> tuple[Any, Any, Any]:
    group, firm, coordinator, others, period, _kpi = _group_with_kpis(session)
    assert period.id is not None
    for i, (peer, _user) in enumerate([(firm, coordinator), *others]):
        figures_for(session, group, period.id, peer,
                    {"value_added": 1000.5 + 100 * i, "hours_worked": 20, "verzuim": 2.5 + i})
    bm.close_period(session, _access(session, group, coordinator), period.id)
    return group, coordinator, period


def test_export_speaks_dutch_with_an_international_option(
        session: Session, client: LoketClient, login: Any) -> None:
    group, coordinator, _period = _closed_world(session)
    login(coordinator)
    page = client.get(f"/groepen/{group.slug}/kengetallen")
    assert f'href="/groepen/{group.slug}/kengetallen/kengetallen.csv"' in page.text
    assert f'href="/groepen/{group.slug}/kengetallen/export.csv"' in page.text
    dutch = client.get(f"/groepen/{group.slug}/kengetallen/kengetallen.csv")
    assert dutch.status_code == 200 and dutch.headers["content-type"].startswith("text/csv")
    assert dutch.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(dutch.content.decode("utf-8-sig"), newline=""),
                           delimiter=";"))
    assert rows[0][:4] == ["kengetal", "eenheid", "periode", "eigen waarde"]
    own = {r[0]: r[3] for r in rows[1:]}
    assert own["Toegevoegde waarde"] == "1000,5"
    assert own["Ziekteverzuim"] == "2,5"
    assert own["Toegevoegde waarde per gewerkt uur"] == "50,025"
    # a suppressed cell says why in Dutch (7 firms: the group cell of verzuim is shown, but
    # the cross-group columns are empty)
    assert all(len(r) == len(bm.EXPORT_HEADER_NL) for r in rows)
    intl = client.get(f"/groepen/{group.slug}/kengetallen/export.csv")
    rows = list(csv.reader(io.StringIO(intl.text, newline="")))
    assert rows[0][:4] == ["kpi", "unit", "period", "own_value"]
    assert {r[0]: r[3] for r in rows[1:]}["value_added"] == "1000.5"


def test_dutch_export_gives_reasons_in_dutch(session: Session) -> None:
    group, _firm, coordinator, _others, period, _kpi = _group_with_kpis(session)
    assert period.id is not None
    bm.close_period(session, _access(session, group, coordinator), period.id)
    comps = bm.comparison(session, _access(session, group, coordinator))
    rows = bm.export_rows(comps, dutch=True)
    assert any("te weinig deelnemers" in str(c) for r in rows[1:] for c in r), rows[1]
    assert all("too_few" not in str(c) for r in rows[1:] for c in r)


def test_closing_a_period_asks_for_confirmation(session: Session, client: LoketClient,
                                                login: Any) -> None:
    group, _firm, coordinator, _others, period, _kpi = _group_with_kpis(session)
    login(coordinator)
    url = f"/groepen/{group.slug}/kengetallen/perioden/{period.id}/afsluiten"
    ask = client.post(url)
    assert ask.status_code == 200
    assert "2026-K1 afsluiten?" in ask.text and 'name="confirm" value="1"' in ask.text
    assert f'href="/groepen/{group.slug}/kengetallen"' in ask.text  # "Nee, terug"
    session.refresh(period)
    assert period.closed_at is None  # nothing happened yet
    done = client.post(url, data={"confirm": "1"})
    assert done.status_code == 303
    session.refresh(period)
    assert period.closed_at is not None
    assert client.post(url).status_code == 409  # closed: no second confirmation page


def test_chart_has_a_legend_and_round_axis_values(session: Session, client: LoketClient,
                                                  login: Any) -> None:
    group, coordinator, _period = _closed_world(session)
    login(coordinator)
    page = client.get(f"/groepen/{group.slug}/kengetallen").text
    chart = page.split('class="benchmark__chart"', 1)[1].split("</svg>", 1)[0]
    ticks = re.findall(r'text-anchor="end" font-size="11" fill="#333">([^<]*)</text>', chart)
    assert ticks and all(re.fullmatch(r"-?\d+(\.\d{3})*(,\d{1,2})?", t) for t in ticks), ticks
    values = [float(t.replace(".", "").replace(",", ".")) for t in ticks]
    steps = {round(b - a, 6) for a, b in itertools.pairwise(values)}
    assert len(steps) == 1, values
    legend = page.split('class="chart-legend"', 1)[1].split("</ul>", 1)[0]
    for text in ("Middelste helft van de groep", "Mediaan van de groep", "Uw waarde"):
        assert text in legend
