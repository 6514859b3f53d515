"""The comparison across groups: same KPI template, same period label, same sector and size
class, only groups that allow it, published in versions (docs/disclosure.md, rule 5)."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlmodel import Session, col, select

from backend.community import benchmarks as bm
from backend.community import disclosure as dc
from backend.community.models import CrossGroupStat, Firm, Group
from tests.client import LoketClient
from tests.community.test_benchmarks import _access
from tests.factories.accounts import create_token
from tests.factories.community import create_group, figures_for, member_with_person

LABEL = "2026-K1"
B_SECRET = 77.777777  # one firm of group B
B_NEEDLES = ["77.77", "77,77", "77.78", "77,78"]


def _group(session: Session, *, opt_in: bool, values: list[float],
           label: str = LABEL) -> tuple[Group, list[tuple[Firm, Any]]]:
    """A group with one firm per value, all in installatie/klein, the OEE template and one
    period with these values (the first firm coordinates)."""
    group = create_group(session)
    group.allow_cross_group = opt_in
    session.add(group)
    members = [member_with_person(session, group, coordinator=i == 0)
               for i in range(len(values))]
    bm.add_template(session, group, "oee")
    period = bm.add_period(session, group, label)
    assert period.id is not None
    for (firm, _), value in zip(members, values, strict=True):
        figures_for(session, group, period.id, firm, {"oee": value})
    return group, members


def _close(session: Session, group: Group, members: list[tuple[Firm, Any]]) -> None:
    period = bm.periods(session, group)[0]
    assert period.id is not None
    bm.close_period(session, _access(session, group, members[0][1]), period.id)


def _versions(session: Session) -> list[CrossGroupStat]:
    return list(session.exec(select(CrossGroupStat).where(
        CrossGroupStat.template == "oee", CrossGroupStat.label == LABEL)
        .order_by(col(CrossGroupStat.version))).all())


def _point(session: Session, group: Group, user: Any) -> bm.Point:
    comps = bm.comparison(session, _access(session, group, user))
    return comps[0].points[0]


def test_pool_grows_in_versions_that_each_add_enough_firms(session: Session) -> None:
    a, a_members = _group(session, opt_in=True, values=[50, 52, 54, 56, 58])
    b, b_members = _group(session, opt_in=True, values=[60, 62, 64, 66, B_SECRET])
    c, c_members = _group(session, opt_in=False, values=[10, 11, 12, 13, 14, 15])
    d, d_members = _group(session, opt_in=True, values=[99.5])

    _close(session, a, a_members)
    first = _versions(session)
    assert [(v.version, v.n) for v in first] == [(1, 5)]
    # the median is a class of the grid (docs/disclosure.md, rule 0): 54 lies in 50–63
    assert first[0].reason is None and first[0].median == 50

    _close(session, c, c_members)  # does not allow it: not pooled
    assert len(_versions(session)) == 1
    _close(session, b, b_members)
    second = _versions(session)[-1]
    assert (second.version, second.n) == (2, 10) and second.reason is None
    assert second.median == 50  # the 5th of 10 classes: 50–63
    _close(session, d, d_members)  # one firm on its own: waits for more, nothing new
    assert len(_versions(session)) == 2

    # every member of a taking part group sees the latest version of its own cell
    for group, members in ((a, a_members), (b, b_members), (d, d_members)):
        cross = _point(session, group, members[0][1]).cross
        assert cross is not None and cross.shown and cross.n == 10
        assert cross.median == dc.band(50)  # shown as the class 50–63
    assert _point(session, c, c_members[0][1]).cross is None


def test_other_sector_or_size_or_label_or_own_kpi_is_not_pooled(session: Session) -> None:
    a, a_members = _group(session, opt_in=True, values=[50, 52, 54, 56, 58])
    other_label, ol_members = _group(session, opt_in=True, values=[1, 2, 3, 4, 5, 6],
                                     label="2026-K2")
    _close(session, a, a_members)
    _close(session, other_label, ol_members)
    assert [v.n for v in _versions(session)] == [5]
    # a KPI the coordinator defined by hand (no template) is the group's own
    own = create_group(session)
    own.allow_cross_group = True
    members = [member_with_person(session, own, coordinator=i == 0) for i in range(6)]
    bm.define_kpi(session, own, key="oee", name="OEE", unit="%")
    period = bm.add_period(session, own, LABEL)
    assert period.id is not None
    for i, (firm, _) in enumerate(members):
        figures_for(session, own, period.id, firm, {"oee": 40 + i})
    _close(session, own, members)
    assert [v.n for v in _versions(session)] == [5]
    assert _point(session, own, members[0][1]).cross is None


def test_a_group_that_could_be_subtracted_suppresses_the_pool(session: Session) -> None:
    a, a_members = _group(session, opt_in=True, values=[50, 52, 54, 56, 58, 60, 62])
    _close(session, a, a_members)
    b, b_members = _group(session, opt_in=True, values=[61, 63, 65, 67, 69])
    # b's five pass on their own; the pool without b is a's seven: fine
    _close(session, b, b_members)
    assert _versions(session)[-1].reason is None
    # a firm in both groups counts once
    both = a_members[1][0]
    c, c_members = _group(session, opt_in=True, values=[70, 71, 72, 73])
    from backend.community import service
    service.add_member(session, c, both)
    period = bm.periods(session, c)[0]
    assert period.id is not None
    figures_for(session, c, period.id, both, {"oee": 90})
    _close(session, c, c_members)  # adds four new firms: not enough for a new version
    assert [v.n for v in _versions(session)] == [7, 12]


def test_member_of_a_firms_sees_no_figure_of_b(session: Session, client: LoketClient,
                                                login: Any) -> None:
    a, a_members = _group(session, opt_in=True, values=[50, 52, 54, 56, 58])
    b, b_members = _group(session, opt_in=True, values=[60, 62, 64, 66, B_SECRET])
    _close(session, a, a_members)
    _close(session, b, b_members)
    session.flush()
    user = a_members[2][1]
    login(user)
    page = client.get(f"/groepen/{a.slug}/kengetallen")
    assert page.status_code == 200
    assert "Alle groepen" in page.text and "10 bedrijven" in page.text
    export = client.get(f"/groepen/{a.slug}/kengetallen/export.csv").text
    rows = list(csv.DictReader(io.StringIO(export)))
    assert rows[0]["all_groups_n"] == "10" and rows[0]["all_groups_median_from"]
    token = create_token(session, role="editor", user=user)
    api = client.get(f"/api/v1/groups/{a.slug}/comparisons",
                     headers={"Authorization": f"Bearer {token}"})
    assert api.json()[0]["points"][0]["all_groups"]["n"] == 10
    for text in (page.text, export, api.text):
        for needle in B_NEEDLES:
            assert needle not in text
    # and B's own member does see its own value
    login(b_members[4][1])
    assert "77,778" in client.get(f"/groepen/{b.slug}/kengetallen").text
