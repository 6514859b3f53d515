"""Groups: public page, members' space, invitation, join request, leave and removal."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, select

from backend.community import service
from backend.community.models import GroupMembership
from backend.core.outbox import OutboxMessage
from tests.client import LoketClient
from tests.factories.accounts import create_user
from tests.factories.community import create_group, member_with_person


def _members(session: Session, group_id: int | None) -> int:
    return len(session.exec(select(GroupMembership)
                            .where(GroupMembership.group_id == group_id)).all())


def test_public_page_shows_purpose_and_member_count(session: Session,
                                                    client: LoketClient) -> None:
    group = create_group(session, name="Installateurs Oost", purpose="Samen inkopen en leren.")
    member_with_person(session, group, coordinator=True)
    member_with_person(session, group)
    page = client.get(f"/groepen/{group.slug}")
    assert page.status_code == 200
    assert "Samen inkopen en leren." in page.text
    assert "Overijssel" in page.text
    assert re.search(r"<dd>2</dd>", page.text)
    listing = client.get("/groepen")
    assert "Installateurs Oost" in listing.text
    assert client.get("/groepen/bestaat-niet").status_code == 404


def test_private_space_is_for_members_only(session: Session, client: LoketClient,
                                           login: Any) -> None:
    group = create_group(session)
    _, member = member_with_person(session, group, coordinator=True)
    anonymous = client.get(f"/groepen/{group.slug}/ruimte")
    assert anonymous.status_code == 303 and "/inloggen" in anonymous.headers["location"]
    login(create_user(session))
    assert client.get(f"/groepen/{group.slug}/ruimte").status_code == 403
    login(member)
    page = client.get(f"/groepen/{group.slug}/ruimte")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text


def test_invitation_flow(session: Session, client: LoketClient, login: Any) -> None:
    group = create_group(session)
    _, coordinator = member_with_person(session, group, coordinator=True)
    login(coordinator)
    sent = client.post(f"/groepen/{group.slug}/uitnodigen", data={"email": "nieuw@example.nl"})
    assert sent.status_code == 303
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "mail.send")
                        .order_by(OutboxMessage.id.desc())).first()  # type: ignore[union-attr]
    assert mail is not None and mail.payload["to"] == "nieuw@example.nl"
    token = re.search(r"/groepen/uitnodiging/(\S+)", mail.payload["text"]).group(1)  # type: ignore[union-attr]

    newcomer = create_user(session, email="nieuw@example.nl")  # the invited address
    login(newcomer)
    assert client.get(f"/groepen/uitnodiging/{token}").status_code == 200
    bad = client.post(f"/groepen/uitnodiging/{token}", data={"firm_name": "", "sector": "x"})
    assert bad.status_code == 422
    ok = client.post(f"/groepen/uitnodiging/{token}",
                     data={"firm_name": "Nieuw BV", "sector": "installatie",
                           "size_class": "micro", "kvk": "1234 5678"})
    assert ok.status_code == 303
    assert ok.headers["location"] == f"/groepen/{group.slug}/ruimte?ok=joined"
    assert _members(session, group.id) == 2
    # spent: a second use fails
    assert client.post(f"/groepen/uitnodiging/{token}").status_code == 404


def test_join_request_approved_by_coordinator(session: Session, client: LoketClient,
                                              login: Any) -> None:
    group = create_group(session)
    _, coordinator = member_with_person(session, group, coordinator=True)
    applicant = create_user(session)
    login(applicant)
    asked = client.post(f"/groepen/{group.slug}/aanvragen",
                        data={"firm_name": "Aanvrager BV", "sector": "installatie",
                              "size_class": "klein", "kvk": "87654321", "message": "Graag!"})
    assert asked.status_code == 303
    assert "wacht op een coördinator" in client.get(f"/groepen/{group.slug}").text
    # a plain member cannot decide
    _, plain = member_with_person(session, group)
    login(plain)
    pending = service.pending_requests(session, group)
    assert len(pending) == 1
    req_id = pending[0][0].id
    assert client.post(f"/groepen/{group.slug}/aanvragen/{req_id}",
                       data={"decision": "approve"}).status_code == 403
    login(coordinator)
    assert "Aanvrager BV" in client.get(f"/groepen/{group.slug}/ruimte").text
    done = client.post(f"/groepen/{group.slug}/aanvragen/{req_id}", data={"decision": "approve"})
    assert done.status_code == 303
    assert _members(session, group.id) == 3


def test_leave_and_removal(session: Session, client: LoketClient, login: Any) -> None:
    group = create_group(session)
    _, coordinator = member_with_person(session, group, coordinator=True)
    firm_a, member_a = member_with_person(session, group)
    firm_b, _ = member_with_person(session, group)
    login(coordinator)
    # the last coordinator cannot leave
    assert client.post(f"/groepen/{group.slug}/verlaten").status_code == 409
    removed = client.post(f"/groepen/{group.slug}/leden/{firm_b.id}/verwijderen")
    assert removed.status_code == 303
    assert _members(session, group.id) == 2
    login(member_a)
    assert client.post(f"/groepen/{group.slug}/leden/{firm_a.id}/verwijderen").status_code == 403
    assert client.post(f"/groepen/{group.slug}/verlaten").status_code == 303
    assert _members(session, group.id) == 1
    assert client.get(f"/groepen/{group.slug}/ruimte").status_code == 403
