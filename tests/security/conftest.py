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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Schemathesis names each operation's test ``test_api_fuzz[GET /api/v1/…]`` but gives all
    of them the same node id; pytest-xdist schedules by node id and would run one of the 92.
    Give each the node id its name implies (pytest keeps it in ``_id``, a parsed ``NodeId``;
    ``test_every_operation_was_reached`` fails if operations go missing again)."""
    from _pytest.nodeid import coerce_node_id

    for item in items:
        label = getattr(item, "operation_label", None)
        if label is not None and item.nodeid.endswith("::" + getattr(item, "originalname", "")):
            item._id = coerce_node_id(f"{item.nodeid}[{label}]")
