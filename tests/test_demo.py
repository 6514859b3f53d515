"""Demo accounts (backend/demo.py): seeded for every role in development only, with a one-click
login page that does not exist in test or production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlmodel import Session, col, select

from backend import demo
from backend.accounts import service as accounts
from backend.accounts.models import User
from backend.community.models import Group
from backend.community.seed import load_groups
from backend.community.service import firm_of_user, members
from backend.core.db import Database
from backend.core.settings import Settings
from backend.main import create_app
from backend.routing.service import desks_of_user
from tests.client import LoketClient
from tests.conftest import make_settings
from tests.factories.accounts import create_user
from tests.factories.routing import seed_map


def _demo_users(session: Session) -> list[User]:
    return list(session.exec(select(User).where(col(User.email).like(f"%@{demo.DOMAIN}"))))


@pytest.fixture
def development(tmp_path: Path, database_url: str, db: Database) -> Settings:
    """The seeded desks and example groups, and the demo accounts, as `make run` makes them."""
    settings = make_settings(tmp_path, database_url, env="development")
    seed_map(db, settings)
    load_groups(db, settings)
    report = demo.seed_demo_accounts(db, settings)
    assert "added" in report and "demo accounts: 0 added" not in report
    return settings


@pytest.fixture
def dev_client(development: Settings, db: Database, client_for: Any) -> LoketClient:
    app: FastAPI = create_app(development, db, start_worker=False)
    client: LoketClient = client_for(app)
    return client


def test_every_role_gets_a_demo_account_once(development: Settings, db: Database,
                                             session: Session) -> None:
    assert demo.seed_demo_accounts(db, development).startswith("demo accounts: 0 added")
    users = {u.email: u for u in _demo_users(session)}
    assert all(u.name.startswith("Demo-") for u in users.values())
    roles = {email: accounts.roles_of(session, u.id or 0) for email, u in users.items()}
    assert roles[f"redacteur@{demo.DOMAIN}"] == ["editor"]
    assert roles[f"analist@{demo.DOMAIN}"] == ["analist"]
    assert roles[f"beheerder@{demo.DOMAIN}"] == ["admin"]
    for slug in demo.DESKS:
        advisor = users[f"adviseur.{slug}@{demo.DOMAIN}"]
        coordinator = users[f"coordinator.{slug}@{demo.DOMAIN}"]
        assert [(d.slug, r) for d, r in desks_of_user(session, advisor.id or 0)] \
            == [(slug, "advisor")]
        assert [(d.slug, r) for d, r in desks_of_user(session, coordinator.id or 0)] \
            == [(slug, "coordinator")]
    examples = session.exec(select(Group).where(col(Group.is_example))).all()
    assert len(examples) == 2
    for group in examples:  # every example firm has a person: a coordinator and members
        for n, (firm, _member) in enumerate(members(session, group), start=1):
            person = users[f"{group.slug}.{n}@{demo.DOMAIN}"]
            assert (firm_of_user(session, person.id) or firm).id == firm.id
            assert firm_of_user(session, person.id) is not None


def test_one_click_opens_each_accounts_start_page(dev_client: LoketClient,
                                                 session: Session) -> None:
    login = dev_client.get("/inloggen")
    assert 'href="/inloggen/demo"' in login.text
    page = dev_client.get("/inloggen/demo")
    assert page.status_code == 200
    listed = demo.demo_accounts(session)
    assert len(listed) == len(_demo_users(session)) > 20
    for account in listed:
        assert account.email in page.text
        dev_client.cookies.clear()
        went = dev_client.post("/inloggen/demo", data={"email": account.email})
        assert went.status_code == 303 and went.headers["location"] == account.start
        opened = dev_client.get(account.start)
        assert opened.status_code == 200, (account, opened.status_code)
        if "/groepen/" in account.start:  # the figures open as well as the feed
            figures = dev_client.get(account.start.replace("/ruimte", "/kengetallen"))
            assert figures.status_code == 200, account
    me = dev_client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["name"] == listed[-1].name


def test_only_demo_accounts_log_in_with_one_click(dev_client: LoketClient,
                                                  session: Session) -> None:
    real = create_user(session, email="echt@example.nl", roles=("admin",))
    session.commit()
    refused = dev_client.post("/inloggen/demo", data={"email": real.email})
    assert refused.status_code == 404
    assert dev_client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("env", ["test", "production"])
def test_no_demo_accounts_or_page_outside_development(env: str, tmp_path: Path,
                                                      database_url: str, db: Database,
                                                      session: Session,
                                                      client_for: Any) -> None:
    settings = make_settings(tmp_path, database_url, env=env)
    seed_map(db, settings)
    load_groups(db, settings)
    assert demo.seed_demo_accounts(db, settings) == "demo accounts: none (only in development)"
    assert _demo_users(session) == []
    client = client_for(create_app(settings, db, start_worker=False))
    assert client.get("/inloggen/demo").status_code == 404
    assert client.post("/inloggen/demo", data={"email": f"beheerder@{demo.DOMAIN}"}
                       ).status_code == 404
    assert "/inloggen/demo" not in client.get("/inloggen").text
