"""Fixtures for the knowledge base tests: a small taxonomy, editors, and the outbox drained
into a real embedded search index (a temporary directory per test)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

import backend.content.indexing  # noqa: F401 - registers the search outbox handlers
from backend.accounts.models import User
from backend.content.indexing import backend_for
from backend.core.db import Database
from backend.core.settings import Settings
from backend.core.worker import Worker
from backend.search import SearchBackend
from tests.client import LoketClient
from tests.factories.accounts import create_user
from tests.factories.content import create_taxonomy


@pytest.fixture
def taxonomy(session: Session) -> None:
    create_taxonomy(session)
    session.commit()


@pytest.fixture
def drain(db: Database, settings: Settings) -> Callable[[], int]:
    """Deliver every due outbox message (search indexing) now."""

    def run() -> int:
        return asyncio.run(Worker(db, settings).drain())

    return run


@pytest.fixture
def index(settings: Settings) -> SearchBackend:
    return backend_for(settings)


@pytest.fixture
def editor(session: Session) -> User:
    user = create_user(session, name="Eva Editor", roles=("editor",))
    session.commit()
    return user


@pytest.fixture
def editor_client(client: LoketClient, editor: User, login: Any) -> LoketClient:
    logged_in: LoketClient = login(editor)
    return logged_in
