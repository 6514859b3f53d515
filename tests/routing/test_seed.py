"""seed/desks.yaml: the desks the issue names, with their real remit; idempotent loading."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from backend.core.db import Database
from backend.core.settings import Settings
from backend.routing.models import Desk, DeskCoverage
from backend.routing.seed import read_desks, seed_desks
from tests.factories.routing import get_desk

ISSUE_SLUGS = {"kvk", "rvo", "oost-nl", "novel-t", "ondernemershuis-stedendriehoek",
               "fieldlab-industrial-robotics", "wsp-twente", "wsp-regio-zwolle",
               "wsp-stedendriehoek", "nom", "bom", "liof", "innovationquarter",
               "rom-utrecht-region", "horizon-flevoland", "impuls-zeeland", "rom-inwest"}
ROM_PROVINCES = {"oost-nl": {"PV23", "PV25"}, "nom": {"PV20", "PV21", "PV22"},
                 "bom": {"PV30"}, "liof": {"PV31"}, "innovationquarter": {"PV28"},
                 "rom-utrecht-region": {"PV26"}, "horizon-flevoland": {"PV24"},
                 "impuls-zeeland": {"PV29"}}


def _coverage(session: Session, slug: str) -> set[tuple[str, str]]:
    desk = get_desk(session, slug)
    return {(c.kind, c.code) for c in session.exec(
        select(DeskCoverage).where(DeskCoverage.desk_id == desk.id)).all()}


def test_every_issue_desk_is_seeded_with_its_remit(seeded: Database, session: Session) -> None:
    assert {d["slug"] for d in read_desks()} >= ISSUE_SLUGS
    fallbacks = session.exec(select(Desk).where(col(Desk.is_fallback).is_(True))).all()
    assert [d.slug for d in fallbacks] == ["kvk"]
    assert _coverage(session, "kvk") == {("national", "")}
    assert get_desk(session, "kvk").general_remit
    for slug, provinces in ROM_PROVINCES.items():
        assert _coverage(session, slug) == {("province", p) for p in provinces}, slug
        assert set(get_desk(session, slug).themes) == set(get_desk(session, "oost-nl").themes)
    # ROM InWest: parts of Noord-Holland, per COROP region.
    assert {k for k, _ in _coverage(session, "rom-inwest")} == {"corop"}
    assert _coverage(session, "wsp-twente") == {("labour_market_region", "AM05")}
    assert _coverage(session, "wsp-regio-zwolle") == {("labour_market_region", "AM36")}
    assert _coverage(session, "wsp-stedendriehoek") == {("labour_market_region", "AM06")}
    twente = {c for _, c in _coverage(session, "novel-t")}
    assert {"GM0153", "GM0164", "GM0141"} <= twente and len(twente) == 14
    assert ("municipality", "GM0150") in _coverage(session, "ondernemershuis-stedendriehoek")
    assert get_desk(session, "ondernemershuis-stedendriehoek").general_remit
    fieldlab = get_desk(session, "fieldlab-industrial-robotics")
    assert fieldlab.sectors == ["industrie"] and "robotisering-automatisering" in fieldlab.themes
    assert "wbso" in get_desk(session, "rvo").keywords


def test_seeding_again_changes_nothing_and_keeps_admin_edits(seeded: Database,
                                                             settings: Settings,
                                                             session: Session) -> None:
    count = session.exec(select(func.count()).select_from(Desk)).one()
    oost = get_desk(session, "oost-nl")
    oost.capacity = 99  # an admin edit
    session.add(oost)
    session.commit()
    report = seed_desks(seeded, settings)
    assert report == f"desks: 0 added, 0 updated, {count} unchanged"
    session.expire_all()
    assert get_desk(session, "oost-nl").capacity == 99
    # When the YAML entry changes, it is applied again.
    oost.seed_digest = "changed"
    session.add(oost)
    session.commit()
    assert "1 updated" in seed_desks(seeded, settings)
    session.expire_all()
    assert get_desk(session, "oost-nl").capacity == 60
