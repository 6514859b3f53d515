"""Routing's read models for other domains: the active desks are kept while no public row
changed, and follow every change."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from backend.routing.queries import active_desks
from tests.factories.routing import create_desk


def _names(session: Session, exclude_id: int | None = None) -> list[str]:
    return [d.name for d in active_desks(session, exclude_id=exclude_id)
            if d.slug.startswith("tq-")]


def test_active_desks_follow_every_change_and_are_kept_between(session: Session) -> None:
    beta = create_desk(session, "tq-beta", name="Beta loket")
    alfa = create_desk(session, "tq-alfa", name="Alfa loket")
    session.commit()
    assert _names(session) == ["Alfa loket", "Beta loket"]
    assert _names(session, exclude_id=alfa.id) == ["Beta loket"]
    beta.name = "Aardig loket"  # an edit through the ORM: seen at once
    session.commit()
    assert _names(session) == ["Aardig loket", "Alfa loket"]
    alfa.is_active = False
    session.commit()
    assert _names(session) == ["Aardig loket"]
    # A write that no public generation saw is not: the list is kept, not read again ...
    conn = session.connection()
    conn.execute(sa.text("UPDATE desk SET name = 'Stil loket' WHERE slug = 'tq-beta'"))
    session.expire_all()  # a read now would see the new name
    assert _names(session) == ["Aardig loket"]
    # ... until the site generation moves, as another process's commit moves it.
    conn.execute(sa.text("UPDATE site_generation SET value = value + 1 WHERE id = 1"))
    assert _names(session) == ["Stil loket"]
