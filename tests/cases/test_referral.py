"""The organisations a case can be referred to: kept while no public row changed, and
following every change of the knowledge base."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from backend.cases.referral import organisation_choices
from backend.content import service as content
from tests.factories.content import create_organisation


def _ours(session: Session) -> list[tuple[str, str]]:
    return [c for c in organisation_choices(session) if c[0].startswith("tr-")]


def test_organisation_choices_follow_the_knowledge_base(session: Session) -> None:
    tno = create_organisation(session, title="TNO", slug="tr-tno")
    create_organisation(session, title="Brainport", slug="tr-brainport")
    create_organisation(session, title="Concept", slug="tr-concept", publish=False)
    session.commit()
    assert _ours(session) == [("tr-brainport", "Brainport"), ("tr-tno", "TNO")]
    content.update_item(session, tno, {"title": "Aardig instituut"}, "test")
    session.commit()
    assert _ours(session) == [("tr-tno", "Aardig instituut"), ("tr-brainport", "Brainport")]
    # A write no public generation saw is not read: the list is kept ...
    conn = session.connection()
    conn.execute(sa.text("UPDATE content_item SET title = 'Stil' WHERE slug = 'tr-brainport'"))
    session.expire_all()
    assert ("tr-brainport", "Brainport") in _ours(session)
    # ... until the site generation moves (another process's commit).
    conn.execute(sa.text("UPDATE site_generation SET value = value + 1 WHERE id = 1"))
    assert ("tr-brainport", "Stil") in _ours(session)
