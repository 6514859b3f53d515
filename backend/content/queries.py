"""Read functions the knowledge base offers other domains (never its tables).

Frozen read models: what another domain may know of a theme or sector, without a way into
content's tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from backend.content.models import Sector, Theme


@dataclass(frozen=True)
class ThemeTerm:
    slug: str
    name_nl: str
    name_en: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class SectorTerm:
    slug: str
    name_nl: str
    name_en: str
    parent_slug: str | None


def taxonomy_terms(session: Session) -> tuple[list[ThemeTerm], list[SectorTerm]]:
    """Themes and sectors as edited in the admin, each ordered by slug."""
    themes = session.exec(select(Theme).order_by(col(Theme.slug))).all()
    sectors = session.exec(select(Sector).order_by(col(Sector.slug))).all()
    by_id = {s.id: s.slug for s in sectors}
    return ([ThemeTerm(t.slug, t.name_nl, t.name_en, tuple(t.keywords or ())) for t in themes],
            [SectorTerm(s.slug, s.name_nl, s.name_en, by_id.get(s.parent_id)) for s in sectors])
