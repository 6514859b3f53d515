"""Read functions the knowledge base offers other domains (never its tables).

Frozen read models: what another domain may know of a theme or sector, without a way into
content's tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from backend.content.models import SLUG_RE, ContentItem, SchemeCostKind, Sector, Theme
from backend.content.views import ItemView, item_url, load_views
from backend.core.db import driver_rows


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


@dataclass(frozen=True)
class ItemLink:
    """A published knowledge-base item as a link."""

    id: int
    title: str
    url: str


def published_links(session: Session, ids: Iterable[int | None]) -> list[ItemLink]:
    """The published (not deleted) items among ``ids``, newest publication first."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return []
    items = session.exec(select(ContentItem).where(
        col(ContentItem.id).in_(wanted), ContentItem.status == "published",
        col(ContentItem.deleted_at).is_(None))
        .order_by(col(ContentItem.published_at).desc())).all()
    return [ItemLink(id=i.id, title=i.title, url=item_url(i.type, i.slug))
            for i in items if i.id is not None]


def published_views(session: Session, type_: str) -> list[ItemView]:
    """Every published (not deleted) item of a type, by id, loaded with what it links to."""
    items = list(session.exec(select(ContentItem).where(
        ContentItem.type == type_, ContentItem.status == "published",
        col(ContentItem.deleted_at).is_(None)).order_by(col(ContentItem.id))))
    return load_views(session, items)


_VERSION = select(func.count(), func.max(ContentItem.updated_at), func.sum(ContentItem.version))


def content_version(session: Session) -> tuple[object, ...]:
    """Changes whenever an item is created, edited, published, withdrawn or deleted: every
    such change goes through ``service`` and bumps the item's ``version`` and ``updated_at``
    (its links and scheme terms change in the same step). One aggregate over the items, for a
    cache of something derived from them; includes the database, as tests use several."""
    (row,) = driver_rows(session, _VERSION)  # on every page: without SQLAlchemy's execution
    return (str(session.get_bind().engine.url), *row)


def cost_kinds_in_use(session: Session) -> list[str]:
    """The cost kinds schemes name, sorted."""
    return sorted(set(session.exec(select(SchemeCostKind.cost_kind)).all()))


def is_slug(text: str) -> bool:
    """Whether ``text`` has the shape of a taxonomy or item slug (``a-z0-9`` and hyphens)."""
    return SLUG_RE.match(text) is not None
