"""The example groups load idempotently, marked as examples, with four periods of figures."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from backend.community.models import (
    BenchmarkPeriod,
    Group,
    GroupMembership,
    GroupPost,
    PublishedStat,
)
from backend.community.seed import load_groups
from backend.core.db import Database
from backend.core.settings import Settings
from tests.client import LoketClient


def test_example_groups_load_once(db: Database, settings: Settings, session: Session,
                                  client: LoketClient) -> None:
    assert "2 example group" in load_groups(db, settings)
    assert "0 example group" in load_groups(db, settings)
    groups = session.exec(select(Group).where(col(Group.slug).like("voorbeeld-%"))).all()
    assert len(groups) == 2 and all(g.is_example for g in groups)
    for group in groups:
        members = session.exec(select(func.count()).select_from(GroupMembership)
                               .where(GroupMembership.group_id == group.id)).one()
        assert members >= 10
        periods = session.exec(select(BenchmarkPeriod)
                               .where(BenchmarkPeriod.group_id == group.id)).all()
        assert len(periods) == 4
        assert sum(p.closed_at is not None for p in periods) == 3
        shown = session.exec(select(PublishedStat).where(
            col(PublishedStat.period_id).in_([p.id for p in periods]),
            PublishedStat.cell == "all", col(PublishedStat.reason).is_(None))).all()
        assert shown, "the whole-group cell is published for closed periods"
        assert session.exec(select(GroupPost).where(GroupPost.group_id == group.id)).first()
    listing = client.get("/groepen")
    assert "Voorbeeld: Installateurs Samen" in listing.text
    page = client.get("/groepen/voorbeeld-productiviteitskring-noord")
    assert "voorbeeldgroep" in page.text.lower()
    assert 'href="/groepen"' in client.get("/").text
