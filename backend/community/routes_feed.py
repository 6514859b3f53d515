"""The group feed's forms: post, comment, report, hide, delete, propose. Each posts and
redirects back to the members' space (303)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse

from backend.community import feed
from backend.community.deps import GroupMember, MemberAccess
from backend.community.models import GroupPost
from backend.core.db import SessionDep

router = APIRouter(include_in_schema=False)

FormStr = Annotated[str, Form()]


def valid_post(post_id: int, session: SessionDep, access: GroupMember
               ) -> tuple[MemberAccess, GroupPost]:
    return access, feed.get_post(session, access, post_id)


MemberPost = Annotated[tuple[MemberAccess, GroupPost], Depends(valid_post)]


def _back(access: MemberAccess, ok: str, post: GroupPost | None = None) -> RedirectResponse:
    anchor = f"#post-{post.id}" if post is not None and ok != "deleted" else ""
    return RedirectResponse(f"/groepen/{access.group.slug}/ruimte?ok={ok}{anchor}",
                            status_code=303)


@router.post("/groepen/{slug}/berichten")
def create_post(session: SessionDep, access: GroupMember, body: FormStr = "",
                title: FormStr = "") -> RedirectResponse:
    post = feed.create_post(session, access, title=title, body=body)
    return _back(access, "posted", post)


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
