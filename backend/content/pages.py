"""Page helpers the knowledge base's HTML route modules share (a route module imports no other
route module): the pager and an item's detail page."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from backend.content import readmodel, service
from backend.content.markdown import render_markdown
from backend.content.models import ContentItem, ContentOrganisation, SchemeTerms
from backend.content.views import TYPE_PATHS, ItemView, load_view
from backend.core.templating import markup, render


def paging(page: int, per_page: int, total: int, url: Callable[[int], str]) -> dict[str, Any]:
    pages = max(1, math.ceil(total / per_page))
    window = [n for n in range(max(1, page - 2), min(pages, page + 2) + 1)]
    return {
        "page": page, "pages": pages,
        "prev": url(page - 1) if page > 1 else None,
        "next": url(page + 1) if page < pages else None,
        "links": [(n, url(n)) for n in window],
    }


def render_detail(request: Request, session: Session, item: ContentItem, *,
                  principal: Any = None, preview: bool = False,
                  extra: dict[str, Any] | None = None, status_code: int = 200,
                  kept: tuple[readmodel.Published, ItemView] | None = None) -> HTMLResponse:
    """An item's page; ``extra`` adds to the context (a form's values and errors, shown again
    with ``status_code`` 422). ``kept``: the published views (``readmodel.published``) and the
    item's; its related items and mentions are kept with them."""
    mentions: list[ContentItem] = []
    view: ItemView
    if kept is not None:
        published, view = kept
        related = readmodel.related(session, published, view, service.related_items)
        if item.type == "organisation":
            mentions = readmodel.mentions(session, published, item, referencing_items)
    else:
        view = load_view(session, item)
        related = service.related_items(session, view)
        if item.type == "organisation":
            mentions = referencing_items(session, item)
    text = view.shown
    ctx = {"view": view, "item": item, "shown": text,
           "body_html": markup(render_markdown(text.body_md)),
           "related": related, "mentions": mentions, "preview": preview,
           "can_edit": bool(principal and principal.has("editor")),
           "org": view.public_ref(view.org) if not preview else view.org,
           "provider": view.public_ref(view.provider) if not preview else view.provider,
           "organisations": view.organisations if preview else view.public_organisations(),
           "list_url": TYPE_PATHS[item.type], **(extra or {})}
    return render(request, "content/detail.html", ctx, status_code=status_code)


def referencing_items(session: Session, org: ContentItem, limit: int = 30) -> list[ContentItem]:
    """Published items that name this organisation (provider, organiser, employer, mention)."""
    ids = set(session.exec(select(ContentOrganisation.item_id)
                           .where(ContentOrganisation.organisation_id == org.id)))
    ids.update(i for i in session.exec(select(ContentItem.id).where(
        ContentItem.organisation_id == org.id)) if i is not None)
    ids.update(session.exec(select(SchemeTerms.item_id).where(SchemeTerms.provider_id == org.id)))
    ids.discard(org.id)
    if not ids:
        return []
    return list(session.exec(select(ContentItem).where(
        col(ContentItem.id).in_(ids), ContentItem.status == "published",
        col(ContentItem.deleted_at).is_(None))
        .order_by(col(ContentItem.type), sa.func.lower(ContentItem.title)).limit(limit)))
