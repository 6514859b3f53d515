"""Factories for the knowledge base: a small taxonomy and items of every type."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from backend.content import service
from backend.content.models import CompanySize, ContentItem, Pillar, Region, Sector, Theme

PILLARS = [("technologie", "Technologie"), ("organisatie", "Organisatie"),
           ("personeel", "Personeel")]
THEMES = [
    ("robotisering-automatisering", "Robotisering en automatisering", "technologie"),
    ("digitalisering", "Digitalisering", "technologie"),
    ("financiering", "Financiering en subsidies", "organisatie"),
    ("lean-procesinnovatie", "Lean en procesinnovatie", "organisatie"),
    ("leren-en-ontwikkelen", "Leren en ontwikkelen", "personeel"),
]
SECTORS = [("industrie", "Industrie", "C", None), ("bouw", "Bouwnijverheid", "F", None),
           ("installatie", "Installatietechniek", None, "bouw")]
SIZES = [("zzp", "Zzp"), ("micro", "Micro"), ("klein", "Klein"), ("middel", "Middelgroot"),
         ("groot", "Groot")]
REGIONS = [("nl", "Heel Nederland"), ("overijssel", "Overijssel"), ("gelderland", "Gelderland")]


def create_taxonomy(session: Session) -> None:
    """A small taxonomy (idempotent within a test)."""
    if session.exec(select(Pillar).where(Pillar.slug == "technologie")).first():
        return
    pillars = {}
    for pos, (slug, name) in enumerate(PILLARS):
        p = Pillar(slug=slug, name_nl=name, name_en=name, position=pos)
        session.add(p)
        session.flush()
        pillars[slug] = p
    for pos, (slug, name, pillar) in enumerate(THEMES):
        session.add(Theme(slug=slug, name_nl=name, name_en=name, pillar_id=pillars[pillar].id or 0,
                          position=pos, keywords=[]))
    sectors: dict[str, Sector] = {}
    for pos, (slug, name, sbi, parent) in enumerate(SECTORS):
        s = Sector(slug=slug, name_nl=name, name_en=name, sbi=sbi, position=pos,
                   parent_id=sectors[parent].id if parent else None)
        session.add(s)
        session.flush()
        sectors[slug] = s
    for pos, (slug, name) in enumerate(SIZES):
        session.add(CompanySize(slug=slug, name_nl=name, name_en=name, position=pos))
    for pos, (slug, name) in enumerate(REGIONS):
        session.add(Region(slug=slug, name_nl=name, name_en=name, position=pos))
    session.flush()


def create_item(session: Session, type_: str = "practice", *, title: str = "Slim roosteren",
                publish: bool = True, actor: Any = "test", **data: Any) -> ContentItem:
    create_taxonomy(session)
    values: dict[str, Any] = {"title": title, "summary": data.pop("summary", "Een voorbeeld."),
                              "body_md": data.pop("body_md", "Een **tekst** over het voorbeeld.")}
    values.update(data)
    if type_ == "expert" and values.get("kind", "person") == "person":
        values.setdefault("consent_at", datetime.now(UTC))  # listed people opted in
    item = service.create_item(session, type_, values, actor, publish=publish)
    session.flush()
    return item


def create_organisation(session: Session, title: str = "TNO", **data: Any) -> ContentItem:
    data.setdefault("kind", "knowledge_institution")
    return create_item(session, "organisation", title=title, **data)


def create_scheme(session: Session, title: str = "Subsidie voor robots", **data: Any
                  ) -> ContentItem:
    data.setdefault("kind", "subsidy")
    data.setdefault("themes", ["robotisering-automatisering", "financiering"])
    data.setdefault("company_sizes", ["micro", "klein"])
    data.setdefault("regions", ["nl"])
    data.setdefault("budget_status", "open")
    data.setdefault("closes_on", date.today() + timedelta(days=60))
    return create_item(session, "scheme", title=title, **data)


def create_event(session: Session, title: str = "Workshop lean werken", **data: Any
                 ) -> ContentItem:
    data.setdefault("kind", "workshop")
    data.setdefault("starts_at", datetime.now(UTC) + timedelta(days=14))
    data.setdefault("place", "Zwolle")
    return create_item(session, "event", title=title, **data)


def add_company_size(session: Session, slug: str, name: str) -> CompanySize:
    """A company size an editor adds to the taxonomy (after the ones there are)."""
    last = session.exec(select(CompanySize).order_by(col(CompanySize.position).desc())).first()
    size = CompanySize(slug=slug, name_nl=name, name_en=name,
                       position=(last.position + 1) if last else 0)
    session.add(size)
    session.flush()
    return size
