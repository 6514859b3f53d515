"""Editors' pages for the scan (``/redactie/scan``): versions, the draft of the next version
as YAML, preview and publishing. Editors only; plain forms that post and redirect."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from backend.accounts.deps import client_ip, require_page_role
from backend.accounts.principal import Principal
from backend.core.db import SessionDep
from backend.core.i18n import gettext_ as _
from backend.core.routing import LazyRoute
from backend.core.templating import render
from backend.scan import editing
from backend.scan.definition import Definition

router = APIRouter(prefix="/redactie/scan", include_in_schema=False, route_class=LazyRoute)
EditorPage = Annotated[Principal, Depends(require_page_role("editor"))]
DraftText = Annotated[str, Form(max_length=editing.MAX_TEXT)]
NO_STORE = {"Cache-Control": "no-store"}


def _notice(request: Request) -> str | None:
    done = {
        "concept": _("A draft of the next version has been made from the latest version."),
        "opgeslagen": _("The draft has been saved."),
        "gepubliceerd": _("The new version has been published. New scans use it; earlier "
                          "results keep their own version."),
        "weggegooid": _("The draft has been discarded."),
    }
    return done.get(request.query_params.get("gedaan", ""))


@router.get("", response_class=HTMLResponse, name="scan_editor")
def overview(request: Request, session: SessionDep, principal: EditorPage) -> HTMLResponse:
    return render(request, "scan/editor/index.html", {
        "versions": editing.versions(session), "draft": editing.current_draft(session),
        "notice": _notice(request)}, headers=NO_STORE)


@router.post("/concept", name="scan_draft_start")
def draft_start(session: SessionDep, principal: EditorPage) -> Response:
    editing.start_draft(session, principal)
    return RedirectResponse("/redactie/scan/concept?gedaan=concept", status_code=303)


def _draft_page(request: Request, session: Session, text: str, *,
                problems: list[editing.Problem] | None = None,
                preview: Definition | None = None, status_code: int = 200) -> HTMLResponse:
    return render(request, "scan/editor/draft.html", {
        "draft": editing.current_draft(session), "text": text, "problems": problems or [],
        "preview": preview, "notice": _notice(request),
        "lines": text.count("\n") + 1}, status_code=status_code, headers=NO_STORE)


@router.get("/concept", response_class=HTMLResponse, name="scan_draft")
def draft_page(request: Request, session: SessionDep, principal: EditorPage) -> Response:
    draft = editing.current_draft(session)
    if draft is None:
        return RedirectResponse("/redactie/scan", status_code=303)
    return _draft_page(request, session, draft.text)


@router.post("/concept/bewerken", name="scan_draft_save")
def draft_save(request: Request, session: SessionDep, principal: EditorPage, text: DraftText,
               actie: Annotated[str, Form(max_length=20)] = "opslaan") -> Response:
    """One form, three buttons: save, preview (nothing is written) or publish."""
    text = text.replace("\r\n", "\n")
    try:
        if actie == "voorbeeld":
            return _draft_page(request, session, text, preview=editing.preview(session, text))
        if actie == "publiceren":
            row = editing.publish_draft(session, principal, text, ip=client_ip(request))
            return RedirectResponse(f"/redactie/scan/versies/{row.version}?gedaan=gepubliceerd",
                                    status_code=303)
        editing.save_draft(session, principal, text)
    except editing.DraftInvalid as exc:
        return _draft_page(request, session, text, problems=exc.problems, status_code=422)
    return RedirectResponse("/redactie/scan/concept?gedaan=opgeslagen", status_code=303)


@router.post("/concept/weggooien", name="scan_draft_discard")
def draft_discard(session: SessionDep, principal: EditorPage) -> Response:
    editing.discard_draft(session)
    return RedirectResponse("/redactie/scan?gedaan=weggegooid", status_code=303)


@router.get("/versies/{version}", response_class=HTMLResponse, name="scan_version")
def version_page(request: Request, session: SessionDep, principal: EditorPage,
                 version: int) -> HTMLResponse:
    row = editing.get_version(session, version)
    return render(request, "scan/editor/version.html", {
        "row": row, "text": editing.text_of(row),
        "preview": Definition(row.version, row.definition),
        "notice": _notice(request)}, headers=NO_STORE)
