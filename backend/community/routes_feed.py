"""The group feed's forms: post, comment, report, hide, delete, propose. Each posts and
redirects back to the members' space (303)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.community import attachments, feed
from backend.community.deps import GroupMember, MemberAccess
from backend.community.models import ATTACHMENT_MAX_BYTES, GroupPost
from backend.community.pages import render_space
from backend.core.db import SessionDep
from backend.core.errors import Invalid
from backend.core.routing import LazyRoute

router = APIRouter(include_in_schema=False, route_class=LazyRoute)

FormStr = Annotated[str, Form()]


def valid_post(post_id: int, session: SessionDep, access: GroupMember
               ) -> tuple[MemberAccess, GroupPost]:
    return access, feed.get_post(session, access, post_id)


MemberPost = Annotated[tuple[MemberAccess, GroupPost], Depends(valid_post)]


def _back(access: MemberAccess, ok: str, post: GroupPost | None = None) -> RedirectResponse:
    anchor = f"#post-{post.id}" if post is not None and ok != "deleted" else ""
    return RedirectResponse(f"/groepen/{access.group.slug}/ruimte?ok={ok}{anchor}",
                            status_code=303)


@router.post("/groepen/{slug}/berichten", response_model=None)
async def create_post(request: Request, session: SessionDep, access: GroupMember,
                      body: FormStr = "", title: FormStr = "",
                      attachment: Annotated[UploadFile | None, File()] = None
                      ) -> RedirectResponse | HTMLResponse:
    upload = None
    if attachment is not None and attachment.filename:
        data = await attachment.read(ATTACHMENT_MAX_BYTES + 1)
        upload = attachments.Upload(filename=attachment.filename, data=data)
    try:
        post = feed.create_post(session, access, title=title, body=body, upload=upload)
    except Invalid as exc:
        # nothing saved; the text the member wrote comes back in the form
        return render_space(request, session, access, errors=exc.fields,
                            values={"title": title, "body": body}, status_code=422)
    return _back(access, "posted", post)


@router.get("/groepen/{slug}/berichten/{post_id}/bijlagen/{attachment_id}")
def download(session: SessionDep, target: MemberPost, attachment_id: int) -> Response:
    _access, post = target
    row = attachments.get(session, post, attachment_id)
    media = row.content_type
    return Response(row.data, media_type=media, headers=attachments.download_headers(row))


@router.post("/groepen/{slug}/berichten/{post_id}/reacties")
def comment(session: SessionDep, target: MemberPost, body: FormStr = "") -> RedirectResponse:
    access, post = target
    feed.add_comment(session, access, post, body=body)
    return _back(access, "commented", post)


@router.post("/groepen/{slug}/berichten/{post_id}/melden")
def report(session: SessionDep, target: MemberPost, reason: FormStr = "") -> RedirectResponse:
    access, post = target
    feed.report_post(session, access, post, reason=reason)
    return _back(access, "reported", post)


@router.post("/groepen/{slug}/berichten/{post_id}/verbergen")
def hide(session: SessionDep, target: MemberPost, hidden: FormStr = "1") -> RedirectResponse:
    access, post = target
    feed.set_hidden(session, access, post, hidden == "1")
    return _back(access, "moderated", post)


@router.post("/groepen/{slug}/berichten/{post_id}/verwijderen")
def delete(session: SessionDep, target: MemberPost) -> RedirectResponse:
    access, post = target
    feed.delete_post(session, access, post)
    return _back(access, "deleted")


@router.post("/groepen/{slug}/berichten/{post_id}/voorstellen")
def propose(session: SessionDep, target: MemberPost) -> RedirectResponse:
    access, post = target
    feed.propose_for_knowledge_base(session, access, post)
    return _back(access, "proposed", post)
