"""The security tests' world: built once per module (``env``), rolled back afterwards.

The module holds its own connection and outer transaction for its whole run, so tests here
must not use the function-scoped ``session``/``client`` fixtures of ``tests/conftest.py``
(on SQLite a second connection would wait for this one's write lock).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Connection, Engine

from backend.core.db import Database
from backend.core.settings import Settings
from tests.conftest import make_settings
from tests.security.world import World, build_world


@dataclass
class Env:
    app: FastAPI
    db: Database
    settings: Settings
    connection: Connection
    world: World


@pytest.fixture(scope="module")
def env(engine: Engine, database_url: str, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[Env]:
    from backend.main import create_app

    connection = engine.connect()
    outer = connection.begin()
    try:
        db = Database(engine, connection=connection)
        settings = make_settings(tmp_path_factory.mktemp("security"), database_url)
        app = create_app(settings, db, start_worker=False)
        session = db.session()
        try:
            world = build_world(app, db, session)
        finally:
            session.close()
        yield Env(app, db, settings, connection, world)
    finally:
        if outer.is_active:
            outer.rollback()
        connection.close()
