"""Sybils are harder (issue #12, section 1): an invitation is for the address it was sent to,
and a firm is one KvK number (8 digits, one firm per number in a group)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlmodel import Session, select

from backend.accounts.principal import Principal
from backend.community import service
from backend.community.models import GroupInvitation, GroupMembership
from backend.core.errors import Conflict, Forbidden, Invalid, NotFound
from backend.core.outbox import OutboxMessage
from tests.client import LoketClient
from tests.factories.accounts import create_user
from tests.factories.community import create_firm, create_group, join, member_with_person

WRONG = "Deze uitnodiging is naar een ander e-mailadres gestuurd"


def _invite(session: Session, client: LoketClient, login: Any, email: str) -> tuple[Any, str]:
    group = create_group(session)
    _, coordinator = member_with_person(session, group, coordinator=True)
    login(coordinator)
    assert client.post(f"/groepen/{group.slug}/uitnodigen",
                       data={"email": email}).status_code == 303
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "mail.send")
                        .order_by(OutboxMessage.id.desc())).first()  # type: ignore[union-attr]
    assert mail is not None and mail.payload["to"] == email
    found = re.search(r"/groepen/uitnodiging/(\S+)", mail.payload["text"])
    assert found is not None
    return group, found.group(1)


def _members(session: Session, group: Any) -> int:
    return len(session.exec(select(GroupMembership)
                            .where(GroupMembership.group_id == group.id)).all())


FIRM = {"firm_name": "Nieuw BV", "sector": "installatie", "size_class": "micro",
        "kvk": "12345678"}


def test_a_forwarded_invitation_link_does_not_work_for_another_account(
        session: Session, client: LoketClient, login: Any) -> None:
    group, token = _invite(session, client, login, "Invited@Example.nl")
    # someone else holding the link (forwarded mail, shared screen, a proxy log)
    login(create_user(session, email="other@example.nl"))
    page = client.get(f"/groepen/uitnodiging/{token}")
    assert page.status_code == 403 and WRONG in page.text
    assert 'name="firm_name"' not in page.text
    refused = client.post(f"/groepen/uitnodiging/{token}", data=FIRM)
    assert refused.status_code == 403 and WRONG in refused.text
    assert _members(session, group) == 1
    # not logged in at all: the link alone is no key
    client.cookies.clear()
    anonymous = client.get(f"/groepen/uitnodiging/{token}")
    assert anonymous.status_code == 303 and "/inloggen" in anonymous.headers["location"]
    # the invited address (any case) accepts, once
    login(create_user(session, email="invited@example.nl"))
    assert client.get(f"/groepen/uitnodiging/{token}").status_code == 200
    assert client.post(f"/groepen/uitnodiging/{token}", data=FIRM).status_code == 303
    assert _members(session, group) == 2


def test_the_service_refuses_another_address_and_token_principals(session: Session) -> None:
    group = create_group(session)
    coordinator = create_user(session)
    actor = Principal(coordinator.id, coordinator.email, coordinator.name)
    plain = service.invite(session, group, email="firm@example.nl", actor=actor,
                           base_url="http://test")
    row = session.exec(select(GroupInvitation).where(GroupInvitation.group_id == group.id)).one()
    assert row.email == "firm@example.nl"
    intruder = create_user(session, email="intruder@example.nl")
    firm = create_firm(session, people=(intruder,))
    with pytest.raises(Forbidden) as refused:
        service.accept_invitation(session, plain, firm,
                                  actor=Principal(intruder.id, intruder.email, intruder.name))
    assert refused.value.code == "invitation_for_other_address"
    invited = create_user(session, email="firm@example.nl")
    with pytest.raises(Forbidden):  # an API token of the right person is not a login either
        service.accept_invitation(session, plain, create_firm(session, people=(invited,)),
                                  actor=Principal(invited.id, invited.email, invited.name,
                                                  via="token"))
    # an invitation made before addresses were stored is a bearer link: no longer accepted
    row.email = None
    session.add(row)
    session.flush()
    with pytest.raises(NotFound):
        service.accept_invitation(session, plain, create_firm(session),
                                  actor=Principal(invited.id, invited.email, invited.name))


@pytest.mark.parametrize("kvk", ["", "1234567", "123456789", "1234567a", "12-34-56-7",
                                 "１２３４５６７８"])
def test_a_firm_needs_a_kvk_number_of_exactly_eight_digits(session: Session, kvk: str) -> None:
    with pytest.raises(Invalid) as bad:
        service.create_firm(session, name="Firma", sector="installatie", size_class="klein",
                            kvk=kvk)
    assert "kvk" in bad.value.fields


def test_kvk_number_written_with_spaces_or_dots_is_accepted(session: Session) -> None:
    firm = service.create_firm(session, name="Firma", sector="installatie", size_class="klein",
                               kvk=" 1234.5678 ")
    assert firm.kvk == "12345678"


def test_one_firm_per_kvk_number_in_a_group(session: Session) -> None:
    group = create_group(session)
    first = create_firm(session, kvk="11112222")
    join(session, group, first)
    twin = create_firm(session, kvk="11112222")  # a second account, the same firm
    with pytest.raises(Conflict):
        service.add_member(session, group, twin)
    with pytest.raises(Conflict):  # by an approved join request too (same service)
        req = service.request_join(session, group, twin,
                                   actor=Principal(None, "x@example.nl", "x"))
        service.decide_request(session, group, req.id or 0, approve=True,
                               actor=Principal(None, "c@example.nl", "c"))
    assert _members(session, group) == 1
    # the same number may be in another group
    service.add_member(session, create_group(session), twin)


def test_invitation_form_asks_the_kvk_number_and_refuses_a_twin(
        session: Session, client: LoketClient, login: Any) -> None:
    group, token = _invite(session, client, login, "twin@example.nl")
    taken = create_firm(session, kvk="12345678")
    join(session, group, taken)
    login(create_user(session, email="twin@example.nl"))
    form = client.get(f"/groepen/uitnodiging/{token}")
    assert 'name="kvk"' in form.text and "KvK-nummer" in form.text
    missing = client.post(f"/groepen/uitnodiging/{token}", data={**FIRM, "kvk": "123"})
    assert missing.status_code == 422 and "precies 8 cijfers" in missing.text
    twin = client.post(f"/groepen/uitnodiging/{token}", data=FIRM)
    assert twin.status_code == 409
    assert "Er is al een bedrijf met dit KvK-nummer lid van deze groep" in twin.text
    assert _members(session, group) == 2  # coordinator and the firm that was there
