"""JSON API under /api/v1: search, taxonomy, and read/write endpoints per content type.

Reads are public (published items only; editors also see drafts). Writes need the editor role,
from a logged-in session (with the CSRF header) or an API token with role editor.
Annotations are evaluated at definition time here (no ``from __future__ import annotations``):
the endpoints per type are built in a loop and FastAPI reads each one's body model from it.
"""

from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import StringConstraints

from backend.accounts.deps import EditorUser, OptionalPrincipal
from backend.content import service
from backend.content import taxonomy as tx
from backend.content.indexing import backend_for_app
from backend.content.models import (
    CONTENT_TYPES,
    CREATE_MODELS,
    PUBLIC_MODELS,
    SLUG_PATTERN,
    UPDATE_MODELS,
    ContentItem,
    ContentType,
    Page,
    RevisionPublic,
    SchemeStatus,
    SectorPublic,
    TaxonomyPublic,
    TermPublic,
    ThemePublic,
)
from backend.content.schemas import SearchHit, SearchResponse
from backend.content.searching import SearchParams, SortParam, run_search
from backend.content.views import API_PATHS, load_views, to_public
from backend.core.db import SessionDep
from backend.core.errors import Forbidden, LoketError
from backend.core.i18n import N_
from backend.core.routing import LazyRoute
from backend.search import SearchUnavailable

router = APIRouter(prefix="/api/v1", tags=["knowledge base"], route_class=LazyRoute)

SlugStr = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=120)]
SlugList = Annotated[list[SlugStr] | None, Query()]
KindStr = Annotated[str, StringConstraints(pattern=r"^[a-z_]{2,40}$")]


class SearchDown(LoketError):
    status_code = 503
    code = "search_unavailable"
    message = N_("Search is temporarily unavailable. Please try again in a few minutes.")


@router.get("/search", response_model=SearchResponse, summary="Search the knowledge base",
            responses={503: {"description": "The search engine is unavailable"}})
def api_search(
    request: Request,
    q: Annotated[str, Query(max_length=200, description="Search words")] = "",
    type: Annotated[list[ContentType] | None, Query()] = None,
    theme: SlugList = None,
    pillar: SlugList = None,
    sector: SlugList = None,
    region: SlugList = None,
    size: SlugList = None,
    status: Annotated[list[SchemeStatus] | None, Query()] = None,
    sort: SortParam = "relevance",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchResponse:
    params = SearchParams.build(q, {"type": type, "theme": theme, "pillar": pillar,
                                    "sector": sector, "region": region, "size": size,
                                    "status": status}, sort, page, per_page)
    try:
        results = run_search(backend_for_app(request.app), params)
    except SearchUnavailable as exc:
        raise SearchDown() from exc
    return SearchResponse(
        hits=[SearchHit(id=h.id, type=h.type, title=h.title, url=h.url, snippet=h.snippet)
              for h in results.hits],
        facets=results.facets, total=results.total, took_ms=round(results.took_ms, 3),
        suggestion=results.suggestion, page=params.page, per_page=params.per_page)


@router.get("/taxonomy", response_model=TaxonomyPublic, summary="Themes, pillars, sectors, "
            "company sizes and regions")
def api_taxonomy(session: SessionDep) -> TaxonomyPublic:
    tax = tx.load(session)
    return TaxonomyPublic(
        pillars=[TermPublic(slug=p.slug, name=tx.name_of(p)) for p in tax.pillars],
        themes=[ThemePublic(slug=t.slug, name=tx.name_of(t),
                            pillar=tax.pillar_by_id[t.pillar_id].slug, keywords=t.keywords)
                for t in tax.themes],
        sectors=[SectorPublic(slug=s.slug, name=tx.name_of(s), sbi=s.sbi,
                              parent=tax.sector_by_id[s.parent_id].slug if s.parent_id else None)
                 for s in tax.sectors],
        company_sizes=[TermPublic(slug=s.slug, name=tx.name_of(s)) for s in tax.sizes],
        regions=[TermPublic(slug=r.slug, name=tx.name_of(r)) for r in tax.regions],
    )


def _public(session: Any, item: ContentItem) -> Any:
    return to_public(load_views(session, [item])[0])


def _add_type_routes(type_: str) -> None:
    path = f"/{API_PATHS[type_]}"
    public_model = PUBLIC_MODELS[type_]
    create_model = CREATE_MODELS[type_]
    update_model = UPDATE_MODELS[type_]
    label = type_.replace("_", " ")
    tag: list[str | Enum] = [API_PATHS[type_].replace("-", " ")]

    def list_items(
        session: SessionDep, principal: OptionalPrincipal,
        theme: SlugStr | None = None, sector: SlugStr | None = None,
        region: SlugStr | None = None, size: SlugStr | None = None,
        kind: KindStr | None = None,
        status: Literal["published", "draft", "all"] = "published",
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> Any:
        if status != "published" and not (principal and principal.has("editor")):
            raise Forbidden()
        filters = service.ListFilters(
            types=(type_,), themes=[theme] if theme else (), sectors=[sector] if sector else (),
            regions=[region] if region else (), sizes=[size] if size else (),
            kinds=[kind] if kind else (),
            status=None if status == "all" else status)
        items, total = service.list_items(session, filters, page=page, per_page=per_page,
                                          order="starts" if type_ == "event" else "title")
        return {"items": [to_public(v) for v in load_views(session, items)], "total": total,
                "page": page, "per_page": per_page}

    def get_item(session: SessionDep, principal: OptionalPrincipal, slug: SlugStr) -> Any:
        editor = bool(principal and principal.has("editor"))
        return _public(session, service.get_item(session, type_, slug, public=not editor))

    def create_item(session: SessionDep, editor: EditorUser, data: create_model,  # type: ignore[valid-type]
                    publish: bool = False) -> Any:
        item = service.create_item(session, type_, data, editor, publish=publish)
        return _public(session, item)

    def update_item(session: SessionDep, editor: EditorUser, slug: SlugStr,
                    data: update_model,  # type: ignore[valid-type]
                    ) -> Any:
        item = service.get_item(session, type_, slug, public=False)
        service.update_item(session, item, data.model_dump(exclude_unset=True), editor)  # type: ignore[attr-defined]
        return _public(session, item)

    def publish_item(session: SessionDep, editor: EditorUser, slug: SlugStr) -> Any:
        item = service.get_item(session, type_, slug, public=False)
        return _public(session, service.publish_item(session, item, editor))

    def unpublish_item(session: SessionDep, editor: EditorUser, slug: SlugStr) -> Any:
        item = service.get_item(session, type_, slug, public=False)
        return _public(session, service.unpublish_item(session, item, editor))

    def delete_item(session: SessionDep, editor: EditorUser, slug: SlugStr) -> Response:
        item = service.get_item(session, type_, slug, public=False)
        service.delete_item(session, item, editor)
        return Response(status_code=204)

    def item_revisions(session: SessionDep, editor: EditorUser, slug: SlugStr) -> Any:
        item = service.get_item(session, type_, slug, public=False)
        return [RevisionPublic(number=r.number, author=r.author_name, note=r.note,
                               created_at=r.created_at)
                for r in service.revisions(session, item)]

    name = API_PATHS[type_].replace("-", "_")
    router.add_api_route(path, list_items, methods=["GET"], response_model=Page[public_model],  # type: ignore[valid-type]
                         name=f"api_list_{name}", tags=tag, summary=f"List {label}s")
    router.add_api_route(path, create_item, methods=["POST"], response_model=public_model,
                         status_code=201, name=f"api_create_{name}", tags=tag,
                         summary=f"Create a {label} (editors)")
    router.add_api_route(path + "/{slug}", get_item, methods=["GET"],
                         response_model=public_model, name=f"api_get_{name}", tags=tag,
                         summary=f"One {label} by slug")
    router.add_api_route(path + "/{slug}", update_item, methods=["PATCH"],
                         response_model=public_model, name=f"api_update_{name}", tags=tag,
                         summary=f"Change a {label} (editors)")
    router.add_api_route(path + "/{slug}", delete_item, methods=["DELETE"], status_code=204,
                         response_class=Response, name=f"api_delete_{name}", tags=tag,
                         summary=f"Delete a {label} (editors)")
    router.add_api_route(path + "/{slug}/publish", publish_item, methods=["POST"],
                         response_model=public_model, name=f"api_publish_{name}", tags=tag,
                         summary=f"Publish a {label} (editors)")
    router.add_api_route(path + "/{slug}/unpublish", unpublish_item, methods=["POST"],
                         response_model=public_model, name=f"api_unpublish_{name}", tags=tag,
                         summary=f"Unpublish a {label} (editors)")
    router.add_api_route(path + "/{slug}/revisions", item_revisions, methods=["GET"],
                         response_model=list[RevisionPublic], name=f"api_revisions_{name}",
                         tags=tag, summary=f"Revision history of a {label} (editors)")


for _type in CONTENT_TYPES:
    _add_type_routes(_type)
