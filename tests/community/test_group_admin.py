"""Starting a group (editors, with an invitation to the first coordinator) and a coordinator's
settings (purpose, sector, region, the comparison across groups)."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, col, select

from backend.community import service
from backend.community.models import COORDINATOR, Group, GroupMembership
from backend.core.outbox import OutboxMessage
from tests.client import LoketClient
from tests.factories.accounts import create_user
from tests.factories.community import create_group, member_with_person


def _last_mail(session: Session) -> OutboxMessage:
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "mail.send")
                        .order_by(col(OutboxMessage.id).desc())).first()
    assert mail is not None
    return mail


def test_editor_starts_a_group_and_the_invitee_becomes_coordinator(
        session: Session, client: LoketClient, login: Any) -> None:
    login(create_user(session))
    assert client.get("/groepen/nieuw").status_code == 403
    assert client.post("/groepen/nieuw", data={"name": "X"}).status_code == 403
    assert "/groepen/nieuw" not in client.get("/groepen").text
    editor = create_user(session, roles=("editor",))
    login(editor)
    assert "/groepen/nieuw" in client.get("/groepen").text
    assert client.get("/groepen/nieuw").status_code == 200
    bad = client.post("/groepen/nieuw", data={"name": "", "sector": "nope",
                                              "coordinator_email": "geen-adres"})
    assert bad.status_code == 422
    assert "Kies een sector uit de lijst" in bad.text and "naam@voorbeeld.nl" in bad.text
    assert session.exec(select(Group).where(Group.name == "")).first() is None
    made = client.post("/groepen/nieuw", data={
        "name": "Metaalkring Zuid", "purpose": "Samen leren.", "sector": "industrie",
        "region": "Limburg", "allow_cross_group": "1",
        "coordinator_email": "cora@example.nl"})
    assert made.status_code == 303, made.text
    group = service.get_group(session, "metaalkring-zuid")
    assert made.headers["location"] == "/groepen/metaalkring-zuid?ok=created"
    assert group.allow_cross_group and group.region == "Limburg"
    mail = _last_mail(session)
    assert mail.payload["to"] == "cora@example.nl"
    assert "coördineren" in mail.payload["text"]
    token = re.search(r"/groepen/uitnodiging/(\S+)", mail.payload["text"])
    assert token is not None
    # a second group with the same name gets its own address
    again = client.post("/groepen/nieuw", data={"name": "Metaalkring Zuid",
                                                "coordinator_email": "b@example.nl"})
    assert again.headers["location"] == "/groepen/metaalkring-zuid-2?ok=created"

    cora = create_user(session, email="cora@example.nl")  # the invitation is for her address
    login(cora)
    accepted = client.post(f"/groepen/uitnodiging/{token.group(1)}", data={
        "firm_name": "Cora Metaal", "sector": "industrie", "size_class": "klein",
        "kvk": "12345678"})
    assert accepted.status_code == 303
    rows = session.exec(select(GroupMembership).where(GroupMembership.group_id == group.id)).all()
    assert [r.role for r in rows] == [COORDINATOR]
    assert client.get(f"/groepen/{group.slug}/instellingen").status_code == 200


def test_coordinator_edits_settings_members_cannot(session: Session, client: LoketClient,
                                                    login: Any) -> None:
    group = create_group(session)
    _, coordinator = member_with_person(session, group, coordinator=True)
    _, member = member_with_person(session, group)
    url = f"/groepen/{group.slug}/instellingen"
    login(member)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"purpose": "Gekaapt"}).status_code == 403
    login(coordinator)
    page = client.get(url)
    assert page.status_code == 200 and "Meedoen aan de vergelijking tussen groepen" in page.text
    bad = client.post(url, data={"purpose": "x" * 4001, "sector": "installatie"})
    assert bad.status_code == 422 and "Het doel is te lang" in bad.text
    session.refresh(group)
    assert group.purpose == "Samen productiever."
    saved = client.post(url, data={"purpose": "Nieuw doel.", "sector": "bouw",
                                   "region": "Drenthe", "allow_cross_group": "1"})
    assert saved.status_code == 303
    session.refresh(group)
    assert (group.purpose, group.sector, group.region, group.allow_cross_group) == (
        "Nieuw doel.", "bouw", "Drenthe", True)
    assert client.post(url, data={"purpose": "Nieuw doel."}).status_code == 303
    session.refresh(group)
    assert group.allow_cross_group is False


def test_an_invitee_without_an_account_gets_a_login_link_and_accepts(
        session: Session, client: LoketClient, login: Any, client_for: Any) -> None:
    """The invited first coordinator has no account. The invitation sends them to log in (the
    link alone is no key); asking for a login link for the invited address now creates the
    account bound to it and mails the link (before: "check your e-mail", and no mail came)."""
    from urllib.parse import unquote

    from backend.accounts.models import User

    login(create_user(session, roles=("editor",)))
    made = client.post("/groepen/nieuw", data={
        "name": "Nieuwkomers", "purpose": "Samen.", "sector": "industrie",
        "region": "Limburg", "coordinator_email": "Nieuw.Koordinator@Example.nl"})
    assert made.status_code == 303, made.text
    invitation = re.search(r"https?://[^/\s]+(/groepen/uitnodiging/\S+)",
                           _last_mail(session).payload["text"])
    assert invitation is not None
    invitee = client_for(client.app)  # no session: the invitee opens the mail
    sent_to_login = invitee.get(invitation.group(1))
    assert sent_to_login.status_code == 303
    assert sent_to_login.headers["location"].startswith("/inloggen")
    # an address without an invitation still gets no account and no mail
    before = _last_mail(session).id
    invitee.post("/inloggen", data={"email": "niemand@example.nl"})
    assert _last_mail(session).id == before
    assert session.exec(select(User).where(User.email == "niemand@example.nl")).first() is None

    asked = invitee.post("/inloggen", data={"email": "nieuw.koordinator@example.nl",
                                            "next": invitation.group(1)})
    assert asked.headers["location"] == "/inloggen/link-verstuurd"
    mail = _last_mail(session)
    assert mail.payload["to"] == "nieuw.koordinator@example.nl"
    link = re.search(r"https?://[^/\s]+(/inloggen/link/[^?\s]+)\?next=(\S+)", mail.payload["text"])
    assert link is not None and unquote(link.group(2)) == invitation.group(1)
    assert invitee.get(link.group(1)).status_code == 200
    used = invitee.post(link.group(1), data={"next": unquote(link.group(2))})
    assert used.status_code == 303 and used.headers["location"] == invitation.group(1)
    user = session.exec(select(User).where(User.email == "nieuw.koordinator@example.nl")).one()
    assert invitee.get("/api/v1/me").json()["id"] == user.id  # logged in as the invited address
    accepted = invitee.post(invitation.group(1), data={
        "firm_name": "Nora BV", "sector": "industrie", "size_class": "klein",
        "kvk": "87654321"})
    assert accepted.status_code == 303, accepted.text
    assert accepted.headers["location"] == "/groepen/nieuwkomers/ruimte?ok=joined"
    assert invitee.get("/groepen/nieuwkomers/instellingen").status_code == 200  # coordinator
    # the invitation is spent: asking again for another address makes no account
    assert not service.has_open_invitation(session, "nieuw.koordinator@example.nl")
