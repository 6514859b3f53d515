"""Editors' pages under /redactie: dashboard, forms per type, preview, publishing, revisions
and taxonomy.

Editors only (others get 403, anonymous visitors the login page). Plain forms that post and
redirect with 303 and a short outcome code (``?gedaan=…``); a validation error shows the form
again with everything the editor typed and the problem next to each field.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from backend.accounts.deps import require_page_role
from backend.accounts.principal import Principal
from backend.content import forms, service
from backend.content import taxonomy as tx
from backend.content.markdown import render_markdown
from backend.content.models import (
    CONTENT_TYPES,
    ContentItem,
    ContentTheme,
    SectorCreate,
    ThemeCreate,
)
from backend.content.pages import paging, render_detail
from backend.content.views import kind_label, load_view, status_label, type_label
from backend.core.db import SessionDep
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _
from backend.core.routing import LazyRoute
from backend.core.templating import markup, render

router = APIRouter(prefix="/redactie", include_in_schema=False, route_class=LazyRoute)

EditorPage = Annotated[Principal, Depends(require_page_role("editor"))]
PER_PAGE = 30


async def form_data(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


def _notice(request: Request) -> dict[str, str] | None:
    done = {
        "created": _("The item has been created as a draft."),
        "saved": _("Your changes have been saved."),
        "published": _("The item has been published."),
        "unpublished": _("The item is no longer published."),
        "deleted": _("The item has been deleted."),
        "restored": _("The old revision has been restored as a new revision."),
        "theme_saved": _("The theme has been saved."),
        "sector_saved": _("The sector has been saved."),
    }
    code = request.query_params.get("gedaan")
    return {"kind": "success", "text": done[code]} if code in done else None


def _translate_fields(fields: dict[str, str]) -> dict[str, str]:
    """Field messages are English message ids, sometimes followed by ": details"."""
    out = {}
    for name, message in fields.items():
        head, sep, tail = message.partition(": ")
        out[name] = _(head) + (sep + tail if sep else "")
    return out


def field_options(session: Session, tax: tx.Taxonomy) -> dict[str, list[tuple[str, str]]]:
    orgs = [(o.slug, o.title) for o in session.exec(
        select(ContentItem).where(ContentItem.type == "organisation",
                                  col(ContentItem.deleted_at).is_(None))
        .order_by(sa.func.lower(ContentItem.title)))]
    opts: dict[str, list[tuple[str, str]]] = {
        "themes": [(t.slug, f"{tx.name_of(t)} ({tx.name_of(tax.pillar_by_id[t.pillar_id])})")
                   for t in tax.themes],
        "sectors": [(s.slug, ("— " if s.parent_id else "") + tx.name_of(s))
                    for s in sorted(tax.sectors, key=lambda s: (
                        tax.sector_lineage(s)[-1].position, s.parent_id is not None,
                        s.position))],
        "regions": [(r.slug, tx.name_of(r)) for r in tax.regions],
        "sizes": [(s.slug, tx.name_of(s)) for s in tax.sizes],
        "organisations": orgs,
        "organisation": orgs,
        "lang": [("nl", "Nederlands"), ("en", "English")],
    }
    for kind in ("organisation_kind", "expert_kind", "event_kind", "scheme_kind"):
        opts[kind] = [(k, kind_label(k)) for k in forms.choices(kind)]
    opts["budget_status"] = [(k, _status(k)) for k in forms.choices("budget_status")]
    return opts


def _status(code: str) -> str:
    return status_label(code)


def _form_page(request: Request, session: Session, type_: str, values: dict[str, Any], *,
               item: ContentItem | None = None, errors: dict[str, str] | None = None,
               preview: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    tax = tx.load(session)
    labels = {k: _(v) for k, v in forms.labels_for(type_).items()}
    ctx = {
        "type": type_, "type_label": type_label(type_), "item": item, "values": values,
        "fields": forms.fields_for(type_), "options": field_options(session, tax),
        "errors": _translate_fields(errors or {}), "labels": labels, "preview": preview,
        "notice": _notice(request),
        "action": f"/redactie/items/{item.id}" if item else f"/redactie/nieuw/{type_}",
    }
    return render(request, "content/editor/form.html", ctx, status_code=status_code)


# --- dashboard -----------------------------------------------------------------------------

@router.get("", response_class=HTMLResponse, name="editor_dashboard")
def dashboard(request: Request, session: SessionDep, editor: EditorPage,
              type: str = "", q: str = "", status: str = "", pagina: str = "1"
              ) -> HTMLResponse:
    drafts, _n = service.list_items(session, service.ListFilters(status="draft"),
                                    per_page=10, order="updated")
    recent, _n = service.list_items(session, service.ListFilters(status=None),
                                    per_page=10, order="updated")
    page = max(1, int(pagina)) if pagina.isdigit() else 1
    stmt = select(ContentItem).where(col(ContentItem.deleted_at).is_(None))
    if type in CONTENT_TYPES:
        stmt = stmt.where(ContentItem.type == type)
    if status in ("draft", "published"):
        stmt = stmt.where(ContentItem.status == status)
    if q.strip():
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(sa.or_(sa.func.lower(ContentItem.title).like(like),
                                 col(ContentItem.slug).like(like)))
    total = session.exec(select(sa.func.count()).select_from(stmt.subquery())).one()
    items = list(session.exec(stmt.order_by(sa.func.lower(ContentItem.title))
                              .offset((page - 1) * PER_PAGE).limit(PER_PAGE)))
    keep = {k: v for k, v in {"type": type, "q": q, "status": status}.items() if v}
    pager = paging(page, PER_PAGE, int(total),
                   lambda n: "/redactie?" + urlencode({**keep, "pagina": n}))
    return render(request, "content/editor/dashboard.html", {
        "drafts": drafts, "recent": recent, "items": items, "total": total, "pager": pager,
        "types": [(t, type_label(t)) for t in CONTENT_TYPES], "chosen_type": type, "q": q,
        "chosen_status": status, "notice": _notice(request),
        "stale_schemes": service.stale_schemes(session)})


# --- create and edit -----------------------------------------------------------------------

def _check_type(type_: str) -> None:
    if type_ not in CONTENT_TYPES:
        raise NotFound()


@router.get("/nieuw/{type_}", response_class=HTMLResponse, name="editor_new")
def new_form(request: Request, session: SessionDep, editor: EditorPage, type_: str
             ) -> HTMLResponse:
    _check_type(type_)
    values = forms.values_from_data({"lang": "nl", "languages": ["nl"]}, type_)
    return _form_page(request, session, type_, values)


@router.post("/nieuw/{type_}", name="editor_create")
def create(request: Request, session: SessionDep, editor: EditorPage, form: FormDep,
           type_: str) -> Response:
    _check_type(type_)
    data, raw = forms.parse(form, type_)
    action = str(form.get("action") or "save")
    if action == "preview":
        return _preview(request, session, type_, data, raw, None)
    try:
        item = service.create_item(session, type_, data, editor, publish=action == "publish")
    except Invalid as exc:
        session.rollback()
        return _form_page(request, session, type_, raw, errors=exc.fields, status_code=422)
    code = "published" if action == "publish" else "created"
    return RedirectResponse(f"/redactie/items/{item.id}?gedaan={code}", status_code=303)


def _preview(request: Request, session: Session, type_: str, data: dict[str, Any],
             raw: dict[str, Any], item: ContentItem | None) -> HTMLResponse:
    errors: dict[str, str] = {}
    try:
        service.validate_data(type_, data)
    except Invalid as exc:
        errors = exc.fields
    preview = {"title": data.get("title") or "", "summary": data.get("summary") or "",
               "body_html": markup(render_markdown(str(data.get("body_md") or "")))}
    return _form_page(request, session, type_, raw, item=item, errors=errors, preview=preview,
                      status_code=422 if errors else 200)


def _item(session: Session, item_id: int) -> ContentItem:
    return service.get_item_by_id(session, item_id)


@router.get("/items/{item_id}", response_class=HTMLResponse, name="editor_edit")
def edit_form(request: Request, session: SessionDep, editor: EditorPage, item_id: int
              ) -> HTMLResponse:
    item = _item(session, item_id)
    values = forms.values_from_data(load_view(session, item).data(), item.type)
    return _form_page(request, session, item.type, values, item=item)


@router.post("/items/{item_id}", name="editor_save")
def save(request: Request, session: SessionDep, editor: EditorPage, form: FormDep,
         item_id: int) -> Response:
    item = _item(session, item_id)
    data, raw = forms.parse(form, item.type)
    action = str(form.get("action") or "save")
    if action == "preview":
        return _preview(request, session, item.type, data, raw, item)
    version = str(form.get("version") or "")
    try:
        service.update_item(session, item, data, editor,
                            note=str(form.get("note") or "")[:500],
                            expected_version=int(version) if version.isdigit() else None,
                            publish=action == "publish")
    except (Invalid, Conflict) as exc:
        session.rollback()
        item = _item(session, item_id)
        errors = exc.fields if isinstance(exc, Invalid) else {"version": exc.message}
        return _form_page(request, session, item.type, raw, item=item, errors=errors,
                          status_code=exc.status_code)
    code = "published" if action == "publish" else "saved"
    return RedirectResponse(f"/redactie/items/{item.id}?gedaan={code}", status_code=303)


@router.get("/items/{item_id}/voorbeeld", response_class=HTMLResponse, name="editor_preview")
def preview(request: Request, session: SessionDep, editor: EditorPage, item_id: int
            ) -> HTMLResponse:
    item = _item(session, item_id)
    return render_detail(request, session, item, principal=editor, preview=True)


@router.post("/items/{item_id}/publiceren", name="editor_publish")
def publish(session: SessionDep, editor: EditorPage, item_id: int) -> RedirectResponse:
    service.publish_item(session, _item(session, item_id), editor)
    return RedirectResponse(f"/redactie/items/{item_id}?gedaan=published", status_code=303)


@router.post("/items/{item_id}/depubliceren", name="editor_unpublish")
def unpublish(session: SessionDep, editor: EditorPage, item_id: int) -> RedirectResponse:
    service.unpublish_item(session, _item(session, item_id), editor)
    return RedirectResponse(f"/redactie/items/{item_id}?gedaan=unpublished", status_code=303)


@router.post("/items/{item_id}/verwijderen", name="editor_delete")
def delete(session: SessionDep, editor: EditorPage, item_id: int) -> RedirectResponse:
    service.delete_item(session, _item(session, item_id), editor)
    return RedirectResponse("/redactie?gedaan=deleted", status_code=303)


# --- revisions -----------------------------------------------------------------------------

@router.get("/items/{item_id}/versies", response_class=HTMLResponse, name="editor_revisions")
def revisions(request: Request, session: SessionDep, editor: EditorPage, item_id: int
              ) -> HTMLResponse:
    item = _item(session, item_id)
    return render(request, "content/editor/revisions.html", {
        "item": item, "revisions": service.revisions(session, item)})


@router.get("/items/{item_id}/versies/{number}", response_class=HTMLResponse,
            name="editor_revision")
def revision(request: Request, session: SessionDep, editor: EditorPage, item_id: int,
             number: int) -> HTMLResponse:
    item = _item(session, item_id)
    rev = service.get_revision(session, item, number)
    current = load_view(session, item).snapshot()
    labels = {k: _(v) for k, v in forms.labels_for(item.type).items()}
    rows = []
    for key, value in rev.snapshot.items():
        if key in ("type", "body_md"):
            continue
        rows.append({"name": labels.get(key, key), "value": _show(value),
                     "changed": current.get(key) != value})
    return render(request, "content/editor/revision.html", {
        "item": item, "rev": rev, "rows": rows,
        "body_html": markup(render_markdown(str(rev.snapshot.get("body_md") or ""))),
        "body_changed": current.get("body_md") != rev.snapshot.get("body_md")})


def _show(value: Any) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


@router.post("/items/{item_id}/versies/{number}/herstellen", name="editor_restore")
def restore(session: SessionDep, editor: EditorPage, item_id: int, number: int
            ) -> RedirectResponse:
    item = _item(session, item_id)
    rev = service.get_revision(session, item, number)
    data = {k: v for k, v in rev.snapshot.items() if k not in ("type", "status", "published_at")}
    service.update_item(session, item, data, editor, note=N_("Restored an earlier revision"))
    return RedirectResponse(f"/redactie/items/{item_id}?gedaan=restored", status_code=303)


# --- taxonomy ------------------------------------------------------------------------------

def _taxonomy_page(request: Request, session: Session, *, errors: dict[str, dict[str, str]]
                   | None = None, values: dict[str, dict[str, Any]] | None = None,
                   status_code: int = 200) -> HTMLResponse:
    tax = tx.load(session)
    counts = dict(session.exec(select(ContentTheme.theme_id, sa.func.count())
                               .group_by(col(ContentTheme.theme_id))).all())
    return render(request, "content/editor/taxonomy.html", {
        "tax": tax, "counts": counts, "errors": {k: _translate_fields(v)
                                                  for k, v in (errors or {}).items()},
        "values": values or {}, "notice": _notice(request),
        "pillar_options": [(p.slug, tx.name_of(p)) for p in tax.pillars],
        "sector_options": [(s.slug, tx.name_of(s)) for s in tax.sectors],
    }, status_code=status_code)


@router.get("/taxonomie", response_class=HTMLResponse, name="editor_taxonomy")
def taxonomy_page(request: Request, session: SessionDep, editor: EditorPage) -> HTMLResponse:
    return _taxonomy_page(request, session)


def _theme_data(form: FormData) -> dict[str, Any]:
    return {"slug": str(form.get("slug") or "").strip() or None,
            "name_nl": str(form.get("name_nl") or ""), "name_en": str(form.get("name_en") or ""),
            "pillar": str(form.get("pillar") or ""),
            "description_nl": str(form.get("description_nl") or ""),
            "keywords": [k for k in str(form.get("keywords") or "").split(",") if k.strip()]}


def _validated(model: Any, data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(fields=service.validation_fields(exc)) from exc


def _taxonomy_save(request: Request, session: Session, key: str, form: FormData,
                   fn: Any) -> Response:
    try:
        fn()
    except Invalid as exc:
        session.rollback()
        return _taxonomy_page(request, session, errors={key: exc.fields},
                              values={key: dict(form)}, status_code=422)
    done = "theme_saved" if key.startswith("theme") else "sector_saved"
    return RedirectResponse(f"/redactie/taxonomie?gedaan={done}#{key}", status_code=303)


@router.post("/taxonomie/themas", name="editor_theme_create")
def theme_create(request: Request, session: SessionDep, editor: EditorPage, form: FormDep
                 ) -> Response:
    return _taxonomy_save(request, session, "theme-new", form, lambda: tx.create_theme(
        session, _validated(ThemeCreate, _theme_data(form))))


@router.post("/taxonomie/themas/{theme_id}", name="editor_theme_update")
def theme_update(request: Request, session: SessionDep, editor: EditorPage, form: FormDep,
                 theme_id: int) -> Response:
    return _taxonomy_save(request, session, f"theme-{theme_id}", form, lambda: tx.update_theme(
        session, theme_id, _validated(ThemeCreate, _theme_data(form))))


def _sector_data(form: FormData) -> dict[str, Any]:
    return {"slug": str(form.get("slug") or "").strip() or None,
            "name_nl": str(form.get("name_nl") or ""), "name_en": str(form.get("name_en") or ""),
            "parent": str(form.get("parent") or "").strip() or None,
            "sbi": str(form.get("sbi") or "").strip() or None}


@router.post("/taxonomie/sectoren", name="editor_sector_create")
def sector_create(request: Request, session: SessionDep, editor: EditorPage, form: FormDep
                  ) -> Response:
    return _taxonomy_save(request, session, "sector-new", form, lambda: tx.create_sector(
        session, _validated(SectorCreate, _sector_data(form))))


@router.post("/taxonomie/sectoren/{sector_id}", name="editor_sector_update")
def sector_update(request: Request, session: SessionDep, editor: EditorPage, form: FormDep,
                  sector_id: int) -> Response:
    return _taxonomy_save(request, session, f"sector-{sector_id}", form, lambda: tx.update_sector(
        session, sector_id, _validated(SectorCreate, _sector_data(form))))
