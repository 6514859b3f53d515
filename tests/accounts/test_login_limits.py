"""Login limits that nobody can turn against the people they protect.

Outside test 2026-12: 22 wrong passwords made the admin's correct password get 429 (anyone
could lock the break-glass account), and login links were limited per address, so one office
behind one address was shut out after five links. Now the password limit backs off the
failing *address* and, for an account under attack, admits one try per clean address; login
links are limited per person behind an address, and a busy address is only slowed down.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from backend.core.mail import MAIL_KIND
from backend.core.outbox import OutboxMessage
from tests.client import LoketClient
from tests.factories.accounts import create_admin, create_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
def at(client_for: Callable[..., LoketClient]) -> Callable[[FastAPI, str], LoketClient]:
    """A client knocking from ``address``."""
    return lambda app, address: client_for(app, client=(address, 40000))


def _try(c: LoketClient, email: str, password: str) -> int:
    return int(c.post("/inloggen/beheer", data={"email": email, "password": password}
                      ).status_code)


def test_failing_on_purpose_does_not_lock_the_admin_out(
        app: FastAPI, at: Callable[[FastAPI, str], LoketClient], session: Session) -> None:
    create_admin(session, email="beheer@example.nl", password=PASSWORD)
    session.commit()
    attacker = at(app, "203.0.113.66")
    codes = [_try(attacker, "beheer@example.nl", f"fout-{i}-wachtwoord") for i in range(22)]
    # Five failures put the account under attack; the failing address then waits (and its
    # address limit, 10 in 5 minutes, would stop it anyway).
    assert codes[:5] == [400] * 5 and codes[5:] == [429] * 17, codes
    # The attacker's address is backed off, even with the right password ...
    assert _try(attacker, "beheer@example.nl", PASSWORD) == 429
    # ... the admin, from a clean address, gets in.
    admin = at(app, "198.51.100.7")
    r = admin.post("/inloggen/beheer", data={"email": "beheer@example.nl", "password": PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/beheer"


def test_an_account_under_attack_admits_one_try_per_address(
        app: FastAPI, at: Callable[[FastAPI, str], LoketClient], session: Session) -> None:
    create_admin(session, email="beheer@example.nl", password=PASSWORD)
    session.commit()
    # Five addresses fail once each: the account is now under attack (account_failures 5).
    for i in range(5):
        assert _try(at(app, f"203.0.113.{10 + i}"), "beheer@example.nl", "fout-wachtwoord") == 400
    # An address that already failed on this account waits, right password or not.
    assert _try(at(app, "203.0.113.10"), "beheer@example.nl", PASSWORD) == 429
    # A new address has its one try: wrong → 400, then it waits too.
    sixth = at(app, "203.0.113.20")
    assert _try(sixth, "beheer@example.nl", "fout-wachtwoord") == 400
    assert _try(sixth, "beheer@example.nl", PASSWORD) == 429
    # Other accounts are not affected on those addresses.
    create_admin(session, email="tweede@example.nl", password=PASSWORD)
    session.commit()
    assert _try(at(app, "203.0.113.10"), "tweede@example.nl", PASSWORD) == 303
    # And a clean address with the right password gets in.
    assert _try(at(app, "192.0.2.44"), "beheer@example.nl", PASSWORD) == 303


def _links(session: Session) -> int:
    session.expire_all()
    return sum(1 for m in session.exec(select(OutboxMessage).where(
        OutboxMessage.kind == MAIL_KIND)).all() if "inloggen/link" in m.payload["text"])


def test_an_office_behind_one_address_is_not_shut_out(
        app: FastAPI, at: Callable[[FastAPI, str], LoketClient], session: Session) -> None:
    people = [create_user(session, email=f"collega{i}@kantoor.example") for i in range(22)]
    session.commit()
    office = at(app, "192.0.2.80")
    codes = [office.post("/inloggen", data={"email": p.email}).status_code for p in people]
    # 20 links in 15 minutes at full speed; beyond that the address is slowed to one a
    # minute: the 21st goes, the 22nd waits a minute (never a shut door).
    assert codes[:21] == [303] * 21 and codes[21] == 429, codes
    assert _links(session) == 21
    # One person asking again and again is limited on their own (e-mail + address).
    neighbour = at(app, "192.0.2.81")
    mine = [neighbour.post("/inloggen", data={"email": people[0].email}).status_code
            for _ in range(4)]
    assert mine == [303, 303, 303, 429], mine


def test_a_mailbox_is_not_bombed_from_many_addresses(
        app: FastAPI, at: Callable[[FastAPI, str], LoketClient], session: Session,
        ) -> None:
    victim = create_user(session, email="doelwit@example.nl")
    session.commit()
    codes = [at(app, f"2001:db8:{i:x}::1").post("/inloggen", data={"email": victim.email}
                                                ).status_code for i in range(12)]
    assert codes[:10] == [303] * 10 and codes[10:] == [429] * 2  # login_link.email: 10/hour
    assert _links(session) == 10

