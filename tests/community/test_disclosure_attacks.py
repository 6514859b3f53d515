"""The disclosure attacks of the outside test (issue #12, section 1), end to end: real groups,
real closing, and what a member reads in the API, on the page and in the CSV export. Each of
these read another firm's exact value before the classes (docs/disclosure.md, rule 0)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from sqlmodel import Session

from backend.community import benchmarks as bm
from backend.community import disclosure as dc
from backend.community.models import Firm, Group
from tests.client import LoketClient
from tests.community.test_benchmarks import _access
from tests.factories.accounts import create_token
from tests.factories.community import create_group, figures_for, member_with_person


def _group(session: Session, template: str | None, values: list[float], *,
           opt_in: bool = False, key: str = "k", lower: float | None = None
           ) -> tuple[Group, list[tuple[Firm, Any]], str]:
    group = create_group(session)
    group.allow_cross_group = opt_in
    session.add(group)
    members = [member_with_person(session, group, coordinator=i == 0)
               for i in range(len(values))]
    if template:
        bm.add_template(session, group, template)
        key = template
    else:
        bm.define_kpi(session, group, key=key, name="Eigen kengetal", unit="EUR",
                      min_value=lower)
    period = bm.add_period(session, group, "2026-K1")
    assert period.id is not None
    for (firm, _), value in zip(members, values, strict=True):
        figures_for(session, group, period.id, firm, {key: value})
    bm.close_period(session, _access(session, group, members[0][1]), period.id)
    session.flush()
    return group, members, key


def _everything(session: Session, client: LoketClient, login: Any, group: Group,
                user: Any) -> tuple[str, str, str, list[dict[str, Any]]]:
    """What a member sees: page, CSV, API (text and parsed)."""
    login(user)
    page = client.get(f"/groepen/{group.slug}/kengetallen").text
    export = client.get(f"/groepen/{group.slug}/kengetallen/export.csv").text
    token = create_token(session, role="editor", user=user)
    api = client.get(f"/api/v1/groups/{group.slug}/comparisons",
                     headers={"Authorization": f"Bearer {token}"})
    return page, export, api.text, api.json()


def _needles(value: float) -> list[str]:
    text = format(value, "f").rstrip("0").rstrip(".")
    return [text, text.replace(".", ",")]


def test_four_colluders_around_a_target_read_a_class_not_its_value(
        session: Session, client: LoketClient, login: Any) -> None:
    """0.001/0.002/99.998/99.999 on OEE (0–100) put the target at the median of five."""
    target = 71.37
    group, members, _ = _group(session, "oee", [0.001, 0.002, target, 99.998, 99.999])
    page, export, api_text, api = _everything(session, client, login, group, members[0][1])
    g = api[0]["points"][0]["group"]
    assert g["suppressed_reason"] is None and (g["median"], g["median_to"]) == (63, 80)
    for text in (page, export, api_text):
        for needle in _needles(target):
            assert needle not in text
    assert "63–80" in page
    row = next(csv.DictReader(io.StringIO(export)))
    assert (row["group_median_from"], row["group_median_to"]) == ("63", "80")


def test_colluders_at_plus_minus_10_to_the_12_on_an_unbounded_kpi(
        session: Session, client: LoketClient, login: Any) -> None:
    target = 123456.7
    group, members, _ = _group(session, None, [-1e12, -1e12 + 1, target, 1e12 - 1, 1e12])
    page, export, api_text, api = _everything(session, client, login, group, members[0][1])
    assert api[0]["points"][0]["group"]["suppressed_reason"] == "no_range"
    assert "het kengetal heeft geen opgegeven minimum" in page
    for text in (page, export, api_text):
        assert "123456" not in text and "123.456" not in text


def test_an_honest_group_of_five_does_not_learn_three_values(
        session: Session, client: LoketClient, login: Any) -> None:
    group, members, _ = _group(session, None, [420, 100, 101, 102, 103], lower=0)
    page, export, api_text, api = _everything(session, client, login, group, members[0][1])
    assert not re.search(r"[:\[,]\s*10[123](\.0)?\s*[,}\]]", api_text)
    g = api[0]["points"][0]["group"]
    assert {(g["q1"], g["q1_to"]), (g["median"], g["median_to"]), (g["q3"], g["q3_to"])} == {
        (100, 125)}
    rows = list(csv.reader(io.StringIO(export)))
    cells = {c for r in rows[1:] for c in r[5:]}
    assert not cells & {"101", "102", "103"}
    assert "100–125" in page


def test_negative_values_do_not_pass_dominance(session: Session, client: LoketClient,
                                               login: Any) -> None:
    """Measured from the declared minimum −100, the firm at 900 is the whole total; by
    absolute values it looked like 72 %."""
    group, members, _ = _group(session, None, [900, -100, -100, -100, -95], lower=-100)
    _page, _export, _api_text, api = _everything(session, client, login, group,
                                                 members[1][1])
    assert api[0]["points"][0]["group"]["suppressed_reason"] == "dominant"


def test_a_party_that_knows_one_whole_group_cannot_read_another_groups_firm(
        session: Session, client: LoketClient, login: Any) -> None:
    """Group A's five figures are known to one party. Before the classes the "all groups" Q1
    and median gave group B's lowest firm as 2·Q1 − 60002 and a second firm exactly."""
    b_values = [61000.5, 62000.25, 63000.75, 64000.0, 65000.0, 66000.0]
    a, a_members, _ = _group(session, "revenue_per_fte",
                             [60000, 60001, 60002, 300000, 300001], opt_in=True)
    _group(session, "revenue_per_fte", b_values, opt_in=True)
    page, export, api_text, api = _everything(session, client, login, a, a_members[0][1])
    cross = api[0]["points"][0]["all_groups"]
    assert cross["n"] == 11 and cross["suppressed_reason"] is None
    # the attack, replayed on what is published now
    solved = 2 * cross["q1"] - 60002
    assert solved not in b_values
    for v in b_values:
        for needle in _needles(v):
            assert needle not in api_text and needle not in export and needle not in page
    # and the published classes are wide enough that B's firms stay within them
    q1, med = dc.band(cross["q1"], 0, 10_000_000), dc.band(cross["median"], 0, 10_000_000)
    assert q1 == dc.Band(50000, 63000) and med == dc.Band(63000, 80000)


def test_statistics_stored_before_the_classes_leave_as_classes(
        session: Session, client: LoketClient, login: Any) -> None:
    """Periods closed before rule 0 hold exact quartiles; no door shows them as they are."""
    from sqlmodel import select

    from backend.community.models import CrossGroupStat, PublishedStat

    group, members, _ = _group(session, "oee", [50, 52, 54, 56, 58], opt_in=True)
    old = session.exec(select(PublishedStat).where(PublishedStat.cell == "all")).all()
    for row in old:
        row.q1, row.median, row.q3 = 52.31, 54.77, 56.13  # as the old code stored them
        session.add(row)
    cross = session.exec(select(CrossGroupStat)).one()
    cross.q1, cross.median, cross.q3 = 52.31, 54.77, 56.13
    session.add(cross)
    session.flush()
    page, export, api_text, api = _everything(session, client, login, group, members[1][1])
    point = api[0]["points"][0]
    for cell in (point["group"], point["all_groups"]):
        assert (cell["q1"], cell["q1_to"], cell["median"], cell["median_to"]) == (50, 63, 50, 63)
    for text in (page, export, api_text):
        for needle in ("52.31", "52,31", "54.77", "54,77", "56.13", "56,13"):
            assert needle not in text
