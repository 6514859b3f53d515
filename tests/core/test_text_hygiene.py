"""Issue 12 (low): one-line fields hold no C0/C1 control or bidi characters and are NFC; an
account whose e-mail address looks like an existing one is refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from backend.accounts import service
from backend.accounts.models import User
from backend.cases.models import Case
from backend.core.errors import Invalid
from backend.core.text import checked, clean_line, clean_text, skeleton
from tests.client import LoketClient
from tests.factories.accounts import create_admin, create_user
from tests.factories.cases import create_case, regional_setup

RLO, NUL, ESC, LRI, PDI = "\u202e", "\x00", "\x1b", "\u2066", "\u2069"
NFD_E = "e\u0301"  # é as e + combining acute


def test_clean_line_and_clean_text() -> None:
    assert clean_line(f"Jan{RLO}gpj.exe{NUL}{ESC}[31m Ren{NFD_E}") == "Jangpj.exe[31m René"
    assert clean_line(f"{LRI}Ahmed{PDI}\u200f\u2028x\ty\r\nz") == "Ahmed x y  z"
    assert clean_text(f"regel 1\r\n\tregel 2{RLO}{NUL}") == "regel 1\r\n\tregel 2"
    assert clean_line("Ωmega ℃") == "Ωmega ℃"  # NFC, not NFKC: what people typed stays
    assert [checked(v) for v in ("1", "on", "ON", "true", "0", "", "false", "off", None)] == [
        True, True, True, True, False, False, False, False, False]


def test_every_write_is_cleaned_through_the_orm(session: Session) -> None:
    """The flush hook is the one place: an ORM write from any door is cleaned."""
    user = create_user(session, name=f"Mal{RLO}lory{NUL} Ren{NFD_E}")
    desks = regional_setup(session)
    case = create_case(session, desks["oost-nl"], name=f"Ond{ESC}ernemer{LRI}",
                       text=f"Vraag{RLO}\nover robots{NUL}")
    session.commit()
    session.expire_all()
    stored_user = session.get(User, user.id)
    assert stored_user is not None and stored_user.name == "Mallory René"
    stored = session.get(Case, case.id)
    assert stored is not None and stored.contact_name == "Ondernemer"
    assert stored.text == "Vraag\nover robots"


def test_the_api_stores_a_user_name_clean(client: LoketClient, session: Session,
                                          login: Any) -> None:
    admin = create_admin(session)
    session.commit()
    login(admin)
    r = client.post("/api/v1/admin/users",
                    json={"email": "schoon@example.nl", "name": f"Piet{RLO}{ESC} Ren{NFD_E}"})
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "Piet René"


@pytest.mark.parametrize("lookalike", [
    "j\u0430n@example.nl",        # Cyrillic а
    "jan@exarnple.nl",            # rn for m
    "JAN@EXAMPLE.NL ",            # the same address, another case: "exists", not lookalike
    "ja\u0578@example.nl",        # Armenian ո is not in the small table: allowed (documented)
])
def test_a_lookalike_e_mail_address_is_refused(session: Session, lookalike: str) -> None:
    create_user(session, email="jan@example.nl")
    session.flush()
    if lookalike.strip().lower() == "jan@example.nl":
        assert service.lookalike_user(session, lookalike) is None
        return
    if "\u0578" in lookalike:
        assert service.lookalike_user(session, lookalike) is None
        return
    assert skeleton(lookalike) == skeleton("jan@example.nl")
    with pytest.raises(Invalid) as refused:
        service.create_user(session, lookalike)
    assert refused.value.code == "email_lookalike"
    assert session.exec(select(User).where(User.email == lookalike.lower())).first() is None


def test_the_admin_form_says_why(client: LoketClient, session: Session, login: Any) -> None:
    admin = create_admin(session)
    create_user(session, email="paula@example.nl")
    session.commit()
    login(admin)
    r = client.post("/beheer/gebruikers/nieuw", data={"email": "pau1a@example.nl", "name": "X"})
    assert r.status_code == 400
    assert "lijkt op dat van een bestaand account" in r.text
    assert session.exec(select(User).where(User.email == "pau1a@example.nl")).first() is None
