"""The group feed: posts and comments in Markdown, reports, moderation by coordinators,
proposing a post for the knowledge base, and the daily e-mail digest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from markupsafe import Markup
from sqlmodel import Session, col, func, select

from backend.accounts import queries as accounts_q
from backend.accounts.queries import UserInfo
from backend.accounts.service import record_audit
from backend.community import attachments
from backend.community.deps import GroupAccess, MemberAccess
from backend.community.models import (
    COMMENT_MAX,
    POST_MAX,
    Firm,
    FirmPerson,
    Group,
    GroupComment,
    GroupMembership,
    GroupPost,
    GroupPostReport,
)
from backend.content import queries as content_q
from backend.content import service as content
from backend.content.markdown import plain_text, render_markdown
from backend.core.db import utcnow
from backend.core.errors import Conflict, Forbidden, Invalid, NotFound
from backend.core.i18n import N_, format_count
from backend.core.i18n import gettext_ as _
from backend.core.mail import send_mail
from backend.core.outbox import WorkerContext
from backend.core.worker import periodic


@dataclass
class CommentView:
    comment: GroupComment
    author: str
    firm: str
    html: Markup


@dataclass
class PostView:
    post: GroupPost
    author: str
    firm: str
    html: Markup
    comments: list[CommentView] = field(default_factory=list)
    reports: int = 0
    proposed: bool = False
    attachments: list[attachments.AttachmentInfo] = field(default_factory=list)


def _text(body: str, limit: int) -> str:
    body = (body or "").strip()
    if not body:
        raise Invalid(fields={"body": N_("Write something first.")})
    if len(body) > limit:
        raise Invalid(fields={"body": _("This text is too long (at most %(max)s characters).",
                                        max=format_count(limit))})
    return body


def get_post(session: Session, access: GroupAccess, post_id: int) -> GroupPost:
    """A post of this group that the member may see (hidden posts: coordinators only)."""
    post = session.get(GroupPost, post_id)
    if post is None or post.group_id != access.group.id:
        raise NotFound()
    if post.hidden and not access.is_coordinator:
        raise NotFound()
    return post


def _names(session: Session, user_ids: set[int], firm_ids: set[int]
           ) -> tuple[dict[int, str], dict[int, str]]:
    users = {i: u.name or _("Member") for i, u in accounts_q.users(session, user_ids).items()}
    firms = ({f.id: f.name for f in
              session.exec(select(Firm).where(col(Firm.id).in_(firm_ids))).all()}
             if firm_ids else {})
    return ({k: v for k, v in users.items() if k is not None},
            {k: v for k, v in firms.items() if k is not None})


def list_posts(session: Session, access: GroupAccess, *, limit: int = 50) -> list[PostView]:
    query = select(GroupPost).where(GroupPost.group_id == access.group.id)
    if not access.is_coordinator:
        query = query.where(col(GroupPost.hidden).is_(False))
    posts = session.exec(query.order_by(col(GroupPost.created_at).desc(),
                                        col(GroupPost.id).desc()).limit(limit)).all()
    if not posts:
        return []
    ids = [p.id for p in posts]
    comments = session.exec(select(GroupComment).where(col(GroupComment.post_id).in_(ids))
                            .order_by(col(GroupComment.created_at), col(GroupComment.id))).all()
    reports: dict[int, int] = {}
    if access.is_coordinator:
        reports = dict(session.exec(
            select(GroupPostReport.post_id, func.count())
            .where(col(GroupPostReport.post_id).in_(ids))
            .group_by(col(GroupPostReport.post_id))).all())
    files = attachments.infos(session, [p.id for p in posts if p.id is not None])
    authored: list[GroupPost | GroupComment] = [*posts, *comments]
    users, firms = _names(session, {x.author_id for x in authored if x.author_id},
                          {x.firm_id for x in authored if x.firm_id})
    views = {p.id: PostView(post=p, author=users.get(p.author_id or 0, ""),
                            firm=firms.get(p.firm_id or 0, ""),
                            html=Markup(render_markdown(p.body_md)),  # noqa: S704 - sanitised
                            reports=reports.get(p.id or 0, 0),
                            proposed=p.proposed_item_id is not None,
                            attachments=files.get(p.id or 0, [])) for p in posts}
    for c in comments:
        views[c.post_id].comments.append(CommentView(
            comment=c, author=users.get(c.author_id or 0, ""), firm=firms.get(c.firm_id or 0, ""),
            html=Markup(render_markdown(c.body_md))))  # noqa: S704 - sanitised
    return list(views.values())


def create_post(session: Session, access: MemberAccess, *, title: str, body: str,
                upload: attachments.Upload | None = None) -> GroupPost:
    """A post, with an optional attachment; everything is checked before anything is saved."""
    body = _text(body, POST_MAX)
    if upload is not None:
        attachments.check(upload)
    assert access.group.id is not None
    post = GroupPost(group_id=access.group.id, firm_id=access.own_firm.id,
                     author_id=access.user.user_id, title=title.strip()[:200], body_md=body)
    session.add(post)
    session.flush()
    if upload is not None:
        attachments.attach(session, post, upload)
    return post


def add_comment(session: Session, access: MemberAccess, post: GroupPost, *,
                body: str) -> GroupComment:
    assert post.id is not None
    row = GroupComment(post_id=post.id, firm_id=access.own_firm.id,
                       author_id=access.user.user_id, body_md=_text(body, COMMENT_MAX))
    session.add(row)
    session.flush()
    return row


def report_post(session: Session, access: MemberAccess, post: GroupPost, *,
                reason: str = "") -> None:
    exists = session.exec(select(GroupPostReport).where(
        GroupPostReport.post_id == post.id,
        GroupPostReport.reporter_id == access.user.user_id)).first()
    if exists is not None:
        return
    assert post.id is not None
    session.add(GroupPostReport(post_id=post.id, reporter_id=access.user.user_id,
                                reason=reason.strip()[:1000]))
    session.flush()
    record_audit(session, "group.report_post", actor=access.user, target_type="group_post",
                 target_id=post.id)


def set_hidden(session: Session, access: MemberAccess, post: GroupPost, hidden: bool) -> None:
    if not access.is_coordinator:
        raise Forbidden()
    post.hidden = hidden
    session.add(post)
    session.flush()
    record_audit(session, "group.hide_post" if hidden else "group.unhide_post",
                 actor=access.user, target_type="group_post", target_id=post.id)


def delete_post(session: Session, access: MemberAccess, post: GroupPost) -> None:
    if not (access.is_coordinator or post.author_id == access.user.user_id):
        raise Forbidden()
    record_audit(session, "group.delete_post", actor=access.user, target_type="group_post",
                 target_id=post.id)
    session.delete(post)
    session.flush()


def propose_for_knowledge_base(session: Session, access: MemberAccess,
                               post: GroupPost) -> Any:
    """A practice draft for an editor to review and publish; the post stays in the group."""
    if post.firm_id != access.own_firm.id and not access.is_coordinator:
        raise Forbidden()
    if post.proposed_item_id is not None:
        raise Conflict(N_("This post has already been proposed."))
    text = plain_text(post.body_md)
    title = post.title or (text[:80].rsplit(" ", 1)[0] if len(text) > 80 else text)
    if len(title) < 2:
        title = _("Practice from %(group)s", group=access.group.name)
    data = {"title": title[:300], "summary": text[:300], "body_md": post.body_md,
            "lang": "nl"}
    with session.begin_nested():
        item = content.create_item(session, "practice", data, access.user,
                                   note=f"Proposed from group {access.group.slug}")
    post.proposed_item_id = item.id
    session.add(post)
    session.flush()
    record_audit(session, "group.propose_post", actor=access.user, target_type="group_post",
                 target_id=post.id, item_id=item.id)
    return item


@dataclass
class PracticeLink:
    title: str
    url: str


def public_practices(session: Session, group: Group) -> list[PracticeLink]:
    proposed = session.exec(select(GroupPost.proposed_item_id).where(
        GroupPost.group_id == group.id, col(GroupPost.proposed_item_id).is_not(None))).all()
    return [PracticeLink(title=i.title, url=i.url)
            for i in content_q.published_links(session, proposed)]


# --- the daily digest --------------------------------------------------------------------------

def send_digests(session: Session, *, base_url: str, now: datetime | None = None) -> int:
    """One mail per person per day with the new posts of the last day in their groups
    (not their own firm's). The dedupe key makes a second run on the same day send nothing."""
    now = now or utcnow()
    since = now - timedelta(days=1)
    day: date = now.date()
    posts = session.exec(select(GroupPost).where(col(GroupPost.created_at) >= since,
                                                 col(GroupPost.hidden).is_(False))).all()
    if not posts:
        return 0
    by_group: dict[int, list[GroupPost]] = {}
    for p in posts:
        by_group.setdefault(p.group_id, []).append(p)
    groups = {g.id: g for g in session.exec(
        select(Group).where(col(Group.id).in_(list(by_group)))).all()}
    rows = session.exec(
        select(FirmPerson.user_id, FirmPerson.firm_id, GroupMembership.group_id)
        .join(GroupMembership, col(GroupMembership.firm_id) == col(FirmPerson.firm_id))
        .where(col(GroupMembership.group_id).in_(list(by_group)))).all()
    active = accounts_q.users(session, {user_id for user_id, _f, _g in rows}, active_only=True)
    per_user: dict[int, tuple[UserInfo, list[str]]] = {}
    for user_id, firm_id, group_id in rows:
        news = [p for p in by_group[group_id] if p.firm_id != firm_id]
        user = active.get(user_id)
        if not news or user is None:
            continue
        group = groups[group_id]
        lines = [f"{group.name} ({base_url.rstrip('/')}/groepen/{group.slug}/ruimte)"]
        lines += [f"- {p.title or plain_text(p.body_md)[:120]}" for p in news]
        per_user.setdefault(user.id, (user, []))[1].append("\n".join(lines))
    for user_id, (user, sections) in per_user.items():
        send_mail(session, to=user.email, subject=_("New posts in your groups"),
                  text=_("New in your groups since yesterday:") + "\n\n"
                  + "\n\n".join(sections) + "\n",
                  dedupe_key=f"group-digest:{user_id}:{day.isoformat()}")
    return len(per_user)


@periodic("community.digest", every=timedelta(days=1))
def _digest_job(ctx: WorkerContext) -> None:
    with ctx.db.transaction() as session:
        send_digests(session, base_url=ctx.settings.base_url)
