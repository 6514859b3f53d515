"""The group feed: Markdown sanitised, comments, reports, moderation, proposals, digest."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from backend.community import feed
from backend.community.models import GroupPost, GroupPostReport
from backend.content.models import ContentItem
from backend.core.db import utcnow
from backend.core.outbox import OutboxMessage
from tests.client import LoketClient
from tests.factories.community import create_group, member_with_person


def _post(session: Session, group_id: int | None) -> GroupPost:
    post = session.exec(select(GroupPost).where(GroupPost.group_id == group_id)
                        .order_by(col(GroupPost.id).desc())).first()
    assert post is not None
    return post


def test_post_comment_report_moderate_propose(session: Session, client: LoketClient,
                                              login: Any) -> None:
    group = create_group(session)
    _, coordinator = member_with_person(session, group, coordinator=True)
    _, author = member_with_person(session, group)
    _, reader = member_with_person(session, group)
    base = f"/groepen/{group.slug}"

    login(author)
    assert client.post(f"{base}/berichten", data={"body": "  "}).status_code == 422
    placed = client.post(f"{base}/berichten", data={
        "title": "Planbord in de werkplaats",
        "body": "Wij plannen met een **planbord**.<script>alert(1)</script>"})
    assert placed.status_code == 303
    post = _post(session, group.id)
    page = client.get(f"{base}/ruimte").text
    assert "<strong>planbord</strong>" in page
    assert "<script>alert(1)" not in page

    login(reader)
    assert client.post(f"{base}/berichten/{post.id}/reacties",
                       data={"body": "Goed idee!"}).status_code == 303
    assert client.post(f"{base}/berichten/{post.id}/melden").status_code == 303
    assert session.exec(select(GroupPostReport)).first() is not None
    # a member cannot hide, delete or propose someone else's post
    assert client.post(f"{base}/berichten/{post.id}/verbergen").status_code == 403
    assert client.post(f"{base}/berichten/{post.id}/verwijderen").status_code == 403
    assert client.post(f"{base}/berichten/{post.id}/voorstellen").status_code == 403

    login(coordinator)
    assert "Goed idee!" in client.get(f"{base}/ruimte").text
    assert client.post(f"{base}/berichten/{post.id}/verbergen",
                       data={"hidden": "1"}).status_code == 303
    login(reader)
    assert "Planbord in de werkplaats" not in client.get(f"{base}/ruimte").text
    assert client.post(f"{base}/berichten/{post.id}/reacties",
                       data={"body": "x"}).status_code == 404
    login(coordinator)
    assert client.post(f"{base}/berichten/{post.id}/verbergen",
                       data={"hidden": "0"}).status_code == 303

    login(author)
    assert client.post(f"{base}/berichten/{post.id}/voorstellen").status_code == 303
    session.refresh(post)
    item = session.get(ContentItem, post.proposed_item_id)
    assert item is not None and item.type == "practice" and item.status == "draft"
    assert item.title == "Planbord in de werkplaats"
    assert client.post(f"{base}/berichten/{post.id}/voorstellen").status_code == 409
    # once published by an editor, the public page lists it
    item.status = "published"
    item.published_at = utcnow()
    session.add(item)
    session.flush()
    assert "Planbord in de werkplaats" in client.get(base).text

    post_id = post.id
    assert client.post(f"{base}/berichten/{post_id}/verwijderen").status_code == 303
    session.expire_all()
    assert session.exec(select(GroupPost).where(GroupPost.id == post_id)).first() is None


def test_outsiders_cannot_touch_the_feed(session: Session, client: LoketClient,
                                         login: Any) -> None:
    group = create_group(session)
    other = create_group(session)
    _, member = member_with_person(session, group)
    _, outsider = member_with_person(session, other)
    login(member)
    client.post(f"/groepen/{group.slug}/berichten", data={"body": "Alleen voor leden"})
    post = _post(session, group.id)
    login(outsider)
    assert client.post(f"/groepen/{group.slug}/berichten/{post.id}/reacties",
                       data={"body": "x"}).status_code == 403
    # a post id of another group through this group's path is not found
    assert client.post(f"/groepen/{other.slug}/berichten/{post.id}/reacties",
                       data={"body": "x"}).status_code == 404


def test_daily_digest_once_per_member_per_day(session: Session) -> None:
    group = create_group(session, name="Digestgroep")
    firm_a, _ = member_with_person(session, group)
    _, reader = member_with_person(session, group)
    assert group.id is not None
    session.add(GroupPost(group_id=group.id, firm_id=firm_a.id, title="Nieuw bericht",
                          body_md="Tekst"))
    session.add(GroupPost(group_id=group.id, firm_id=firm_a.id, title="Oud bericht",
                          body_md="Tekst", created_at=utcnow() - timedelta(days=3)))
    session.flush()

    def mails() -> list[OutboxMessage]:
        return list(session.exec(select(OutboxMessage).where(
            col(OutboxMessage.dedupe_key).like("group-digest:%"))).all())

    feed.send_digests(session, base_url="http://testserver")
    feed.send_digests(session, base_url="http://testserver")
    sent = mails()
    assert [m.payload["to"] for m in sent] == [reader.email]  # not to the author's firm
    assert "Nieuw bericht" in sent[0].payload["text"]
    assert "Oud bericht" not in sent[0].payload["text"]
