"""Benchmarks: define KPIs and periods, submit by form and CSV, close, compare, export, API."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlmodel import Session, select

from backend.community import benchmarks as bm
from backend.community.models import KpiFigure, PublishedStat
from tests.client import LoketClient
from tests.factories.accounts import create_token
from tests.factories.community import create_group, figures_for, member_with_person


def _setup(session: Session, peers: int = 6) -> tuple[Any, Any, Any, list[Any]]:
    group = create_group(session)
    coord_firm, coordinator = member_with_person(session, group, coordinator=True)
    others = [member_with_person(session, group) for _ in range(peers)]
    return group, coord_firm, coordinator, others


def test_full_cycle_form_csv_close_compare_export(session: Session, client: LoketClient,
                                                  login: Any) -> None:
    group, coord_firm, coordinator, others = _setup(session)
    base = f"/groepen/{group.slug}/kengetallen"
    login(coordinator)
    assert client.post(f"{base}/sjablonen",
                       data={"template": "value_added_per_hour"}).status_code == 303
    assert [k.key for k in bm.kpis(session, group)] == [
        "value_added", "hours_worked", "value_added_per_hour"]
    bad = client.post(f"{base}/kpis", data={"key": "x", "name": "X", "formula": "eval(1)"})
    assert bad.status_code == 422
    assert client.post(f"{base}/kpis", data={
        "key": "absence", "name": "Verzuim", "unit": "%", "higher_is_better": "0",
        "min_value": "0", "max_value": "100"}).status_code == 303
    assert client.post(f"{base}/perioden", data={"label": "2026-Q1"}).status_code == 303
    period = bm.periods(session, group)[0]
    assert period.id is not None
    kpi: dict[str, Any] = {k.key: k for k in bm.kpis(session, group)}

    # the coordinator's firm submits by form
    saved = client.post(f"{base}/perioden/{period.id}", data={
        f"kpi-{kpi['value_added'].id}": "1.000,5", f"kpi-{kpi['hours_worked'].id}": "20",
        f"kpi-{kpi['absence'].id}": "4"})
    assert saved.status_code == 303
    out_of_range = client.post(f"{base}/perioden/{period.id}",
                               data={f"kpi-{kpi['absence'].id}": "140"})
    assert out_of_range.status_code == 422
    # ... and corrects by CSV; a bad file saves nothing
    bad_csv = "kpi,value\nvalue_added,2000\nhours_worked,abc\nabsence,3\nabsence,4\nfoo,1\n"
    refused = client.post(f"{base}/perioden/{period.id}/csv",
                          files={"file": ("f.csv", bad_csv.encode(), "text/csv")})
    assert refused.status_code == 422
    assert "Regel 3" in refused.text and "Regel 5" in refused.text and "Regel 6" in refused.text
    own = {f.kpi_id: f.value for f in session.exec(
        select(KpiFigure).where(KpiFigure.firm_id == coord_firm.id)).all()}
    assert own[kpi["value_added"].id] == 1000.5  # unchanged
    good = "kpi;value\nvalue_added;2000\nhours_worked;40\nabsence;3,5\n"
    assert client.post(f"{base}/perioden/{period.id}/csv",
                       files={"file": ("f.csv", good.encode(), "text/csv")}).status_code == 303

    for i, (firm, _) in enumerate(others):
        figures_for(session, group, period.id, firm,
                    {"value_added": 1000 + 100 * i, "hours_worked": 20, "absence": 2 + i})
    page = client.get(base)
    assert "periode nog niet afgesloten" in page.text
    assert client.post(f"{base}/perioden/{period.id}/afsluiten",
                       data={"confirm": "1"}).status_code == 303
    # closed: figures frozen
    assert client.post(f"{base}/perioden/{period.id}",
                       data={f"kpi-{kpi['absence'].id}": "1"}).status_code == 409
    session.expire_all()
    comp = {c.kpi.key: c for c in bm.comparison(session, _access(session, group, coordinator))}
    point = comp["value_added_per_hour"].points[0]
    assert point.own == 50.0 and point.group is not None and point.group.shown
    assert point.rank is not None
    page = client.get(base)
    assert page.status_code == 200
    assert "<svg" in page.text and 'role="img"' in page.text and "style=" not in page.text
    export = client.get(f"{base}/export.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0][0] == "kpi" and any(r[0] == "value_added_per_hour" and r[3] == "50"
                                       for r in rows)


def _access(session: Session, group: Any, user: Any) -> Any:
    from backend.accounts.principal import Principal
    from backend.community import service
    from backend.community.deps import MemberAccess

    firm = service.firm_of_user(session, user.id)
    assert firm is not None
    return MemberAccess(group=group, principal=Principal(user.id, user.email, user.name),
                        firm=firm, membership=service.membership(session, group.id, firm.id))


def test_small_group_is_suppressed_and_leaving_changes_nothing(
        session: Session, client: LoketClient, login: Any) -> None:
    group, coord_firm, coordinator, others = _setup(session, peers=3)
    bm.add_template(session, group, "oee")
    period = bm.add_period(session, group, "2026")
    assert period.id is not None
    for i, (firm, _) in enumerate([(coord_firm, coordinator), *others]):
        figures_for(session, group, period.id, firm, {"oee": 50 + i})
    access = _access(session, group, coordinator)
    bm.close_period(session, access, period.id)
    before = [(s.cell, s.n, s.reason, s.median) for s in session.exec(
        select(PublishedStat).where(PublishedStat.period_id == period.id)).all()]
    assert ("all", 4, "too_few", None) in before
    login(coordinator)
    assert "te weinig deelnemers" in client.get(f"/groepen/{group.slug}/kengetallen").text
    # a member leaves: what was published for the closed period stays exactly the same
    login(others[0][1])
    assert client.post(f"/groepen/{group.slug}/verlaten").status_code == 303
    session.expire_all()
    after = [(s.cell, s.n, s.reason, s.median) for s in session.exec(
        select(PublishedStat).where(PublishedStat.period_id == period.id)).all()]
    assert after == before


def test_api_gives_own_figures_and_comparisons(session: Session, client: LoketClient) -> None:
    group, coord_firm, coordinator, others = _setup(session)
    bm.add_template(session, group, "absenteeism")
    period = bm.add_period(session, group, "2026")
    assert period.id is not None
    figures_for(session, group, period.id, coord_firm, {"absenteeism": 3.25})
    for i, (firm, _) in enumerate(others):
        figures_for(session, group, period.id, firm, {"absenteeism": 4 + i})
    bm.close_period(session, _access(session, group, coordinator), period.id)
    token = create_token(session, role="editor", user=coordinator)
    headers = {"Authorization": f"Bearer {token}"}
    figures = client.get(f"/api/v1/groups/{group.slug}/figures", headers=headers)
    assert figures.status_code == 200
    assert figures.json() == [{"period": "2026", "period_closed": True, "kpi": "absenteeism",
                               "unit": "%", "value": 3.25}]
    comps = client.get(f"/api/v1/groups/{group.slug}/comparisons", headers=headers).json()
    assert comps[0]["points"][0]["group"]["n"] == 7
    assert client.get(f"/api/v1/groups/{group.slug}/figures").status_code == 401
    stranger = create_token(session, role="editor", user=others[0][1])
    assert client.get(f"/api/v1/groups/{group.slug}/figures",
                      headers={"Authorization": f"Bearer {stranger}"}).json()[0]["value"] == 4


def test_refused_period_and_kpi_keep_what_was_typed(session: Session, client: LoketClient,
                                                    login: Any) -> None:
    """A refused period name or KPI comes back in its form (escaped), with the error."""
    from tests.security.htmlscan import scan

    group, _firm, coordinator, _others = _setup(session, peers=0)
    base = f"/groepen/{group.slug}/kengetallen"
    login(coordinator)
    too_long = "Kwartaal één van het jaar 2026 <b>&amp; verder</b>"  # > 40 characters
    r = client.post(f"{base}/perioden", data={"label": too_long})
    assert r.status_code == 422
    page = scan(r.text)
    assert not page.problems
    field = r.text.split('id="per-label"', 1)[1].split(">", 1)[0]
    assert 'value="Kwartaal één van het jaar 2026 &lt;b&gt;&amp;amp; verder&lt;/b&gt;"' in field
    assert bm.periods(session, group) == []
    assert client.post(f"{base}/perioden", data={"label": "2026-Q1"}).status_code == 303
    duplicate = client.post(f"{base}/perioden", data={"label": "2026-Q1"})
    assert duplicate.status_code == 422 and 'value="2026-Q1"' in duplicate.text
    bad = client.post(f"{base}/kpis", data={
        "key": "verzuim", "name": "Verzuim", "unit": "%", "description": "Ziektedagen",
        "higher_is_better": "0", "formula": "eval(1)", "min_value": "0", "max_value": "100"})
    assert bad.status_code == 422
    for value in ('value="verzuim"', 'value="Verzuim"', 'value="%"', ">Ziektedagen</textarea>",
                  'value="eval(1)"', 'value="0" selected', 'value="100"'):
        assert value in bad.text, value
    assert [k.key for k in bm.kpis(session, group)] == []
