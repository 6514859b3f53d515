"""The published items of a type as views, kept per content version and taxonomy.

A list page showed 20 items and an item page one, and both loaded them with the ORM on every
request (``load_views``: nine queries and a model object per row, 5–7 ms of a 15–20 ms page;
issue 19 item 4). What they show changes only when an item does, and every such change goes
through ``service`` and moves ``queries.content_version`` (one aggregate query), so the views
of a type's published items are kept in a ``core.memo`` until it moves or the taxonomy does
(``tx.load`` gives the same object while its rows are unchanged). The same holds for what an
item page adds: its related items and, on an organisation's page, the items that name it.

The items are loaded through a session of their own on the caller's connection (the caller's
snapshot; no second connection while the caller holds one) and that session is closed, so the
kept objects belong to no session: nothing a request does to its own session reaches them, and
they must be treated as read-only, as the taxonomy's terms are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import astuple, dataclass
from datetime import date
from typing import TypeVar

from sqlmodel import Session, col, select

from backend.content import taxonomy as tx
from backend.content.models import ContentItem
from backend.content.queries import content_version
from backend.content.service import ListFilters
from backend.content.views import ItemView, load_views, today
from backend.core.memo import Memos, values_then_objects

T = TypeVar("T")

_Key = tuple[tuple[object, ...], tuple[tx.Taxonomy]]


@dataclass(frozen=True)
class Published:
    """The published (not deleted) items of one type, as views."""

    by_id: dict[int, ItemView]
    by_slug: dict[str, ItemView]
    key: _Key  # the content version and taxonomy they were built for


# type -> its published views (``core.memo``), per content version and taxonomy.
_published: Memos[str, _Key, Published] = Memos(values_then_objects)
# item id -> its related items / the items that name it, per content version.
_related: Memos[int, tuple[object, ...], tuple[ContentItem, ...]] = Memos()
_mentions: Memos[int, tuple[object, ...], tuple[ContentItem, ...]] = Memos()
# (filters, page, per page, order) -> a list page's ids and count, per content version,
# taxonomy and day; at most 1,024 filter combinations (they come from the query string).
_PageKey = tuple[tuple[tuple[object, ...], date], tuple[tx.Taxonomy]]
_pages: Memos[tuple[object, ...], _PageKey, tuple[tuple[int, ...], int]] = Memos(
    values_then_objects, limit=1024)


def own_session(session: Session, read: Callable[[Session], T]) -> T:
    """``read`` in a session of its own on the caller's connection, closed afterwards: what it
    loads is in the caller's snapshot and belongs to no session."""
    with Session(bind=session.connection(), expire_on_commit=False) as own:
        return read(own)


def published(session: Session, type_: str, tax: tx.Taxonomy | None = None) -> Published:
    """Every published item of ``type_`` as a view; ``tax``: the caller's ``tx.load``."""
    key: _Key = (content_version(session), (tax or tx.load(session),))

    def build() -> Published:
        def read(own: Session) -> list[ItemView]:
            items = list(own.exec(select(ContentItem).where(
                ContentItem.type == type_, ContentItem.status == "published",
                col(ContentItem.deleted_at).is_(None)).order_by(col(ContentItem.id))))
            return load_views(own, items, key[1][0])

        views = own_session(session, read)
        return Published(by_id={v.id: v for v in views},
                         by_slug={v.item.slug: v for v in views}, key=key)

    return _published.get(type_, key, build)


def views_of(session: Session, kept: Published, ids: list[int]) -> list[ItemView]:
    """The views of published items ``ids`` (same order) from ``kept``. An id it lacks
    (published after the views were read, in a database that gives each statement a fresh
    snapshot) is loaded from the database."""
    by_id = kept.by_id
    missing = [i for i in ids if i not in by_id]
    if missing:
        items = list(session.exec(select(ContentItem).where(col(ContentItem.id).in_(missing))))
        by_id = {**by_id, **{v.id: v for v in load_views(session, items, kept.key[1][0])}}
    return [by_id[i] for i in ids if i in by_id]


def related(session: Session, kept: Published, view: ItemView,
            find: Callable[[Session, ItemView], list[ContentItem]]) -> list[ContentItem]:
    """``find(session, view)`` (``service.related_items``), kept per item and content version
    (``kept``: the published views ``view`` came from)."""
    return list(_related.get(view.id, kept.key[0],
                             lambda: tuple(own_session(session, lambda own: find(own, view)))))


def mentions(session: Session, kept: Published, item: ContentItem,
             find: Callable[[Session, ContentItem], list[ContentItem]]) -> list[ContentItem]:
    """``find(session, item)`` (``pages.referencing_items``), kept like ``related``."""
    return list(_mentions.get(item.id or 0, kept.key[0],
                              lambda: tuple(own_session(session, lambda own: find(own, item)))))


def page_ids(session: Session, kept: Published, filters: ListFilters, *, page: int,
             per_page: int, order: str,
             find: Callable[..., tuple[list[int], int]]) -> tuple[list[int], int]:
    """``find(session, filters, page=…, per_page=…, order=…)`` (``service.list_item_ids``):
    a list page's ids and total, kept per content version and taxonomy (``kept.key``: which
    items there are, their links and the terms' slugs the filters name) and day (a scheme's
    status follows the date). Events that have not ended depend on the hour: not kept."""
    def read() -> tuple[list[int], int]:
        return find(session, filters, page=page, per_page=per_page, order=order)

    if filters.upcoming_only:
        return read()
    group = (tuple(tuple(v) if isinstance(v, list | tuple) else v for v in astuple(filters)),
             page, per_page, order)
    key: _PageKey = ((kept.key[0], today()), kept.key[1])

    def build() -> tuple[tuple[int, ...], int]:
        ids, total = read()
        return tuple(ids), total

    ids, total = _pages.get(group, key, build)
    return list(ids), total
