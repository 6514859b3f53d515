"""The search engine fails and comes back while editors publish and entrepreneurs ask.

Pages keep answering (the search page says search is unavailable, never a 500); questions are
stored and routed; index updates wait in the outbox; after recovery the index holds exactly
the published content with its current fields."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlmodel import select

from backend.content import service
from backend.content.models import ContentItem
from backend.content.service import DELETE, INDEX
from backend.core.db import Database, utcnow
from backend.core.outbox import DONE, FAILED, PENDING, OutboxMessage
from backend.core.worker import PeriodicJob, Worker
from backend.main import create_app
from backend.search import get_backend
from backend.search.breaker import breaker
from backend.search.meili import MeiliBackend
from tests.client import LoketClient
from tests.faults.conftest import (
    FlakyBackend,
    World,
    ask,
    assert_index_matches,
    assert_outbox_settled,
    assert_questions_kept,
    client_for,
    fault_settings,
    indexing_backend,
    make_all_due,
    outbox_status,
)
from tests.freshdb import FreshDatabase

UNAVAILABLE = "Zoeken is tijdelijk niet beschikbaar"
HX = {"HX-Request": "true"}


def pages_answer(visitor: LoketClient, advisor: LoketClient, editor: LoketClient, *,
                 search_up: bool) -> None:
    """What people use while the engine is away answers, without a 500."""
    for path in ("/", "/vraag", "/kennisbank", "/regelingen"):
        r = visitor.get(path)
        assert r.status_code == 200, (path, r.status_code)
    for headers in ({}, HX):
        r = visitor.get("/zoeken", params={"q": "robots"}, headers=headers)
        assert r.status_code == 200
        assert (UNAVAILABLE in r.text) != search_up, r.text[:500]
    r = visitor.get("/api/v1/search", params={"q": "robots"})
    assert r.status_code == (200 if search_up else 503)
    if not search_up:
        assert r.json()["error"]["code"] == "search_unavailable"
    # as-you-type suggestions beside the question form: empty, not an error
    r = visitor.get("/vraag/suggesties", params={"text": "subsidie voor robots en cobots"},
                    headers=HX)
    assert r.status_code == 200
    assert advisor.get("/werkplek").status_code == 200
    assert advisor.get("/werkplek/oost-nl").status_code == 200
    assert editor.get("/redactie").status_code == 200
    ready = visitor.get("/readyz")
    assert ready.status_code == (200 if search_up else 503)
    assert ready.json()["checks"]["search"]["ok"] is search_up


def test_search_outage_loses_no_index_update_and_pages_keep_answering(
        fresh_db: FreshDatabase, world: World, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    db = fresh_db.db
    settings = fault_settings(fresh_db, tmp_path)
    engine = FlakyBackend(get_backend("embedded", path=settings.search_path, meili_url=None,
                                      meili_key=None))
    indexing_backend(monkeypatch, settings, engine)
    app = create_app(settings, db, start_worker=False)
    app.state.search_backend = engine
    worker = Worker(db, settings, worker_id="w1")
    ids = world.item_ids
    with db.transaction() as s:  # the seed's items were queued when they were created
        assert s.exec(select(OutboxMessage).where(OutboxMessage.kind == INDEX)).first()
    asyncio.run(worker.drain())
    assert_index_matches(db, engine)

    with (client_for(app, db) as visitor, client_for(app, db, world.advisor_id) as advisor,
          client_for(app, db, world.editor_id) as editor):
        pages_answer(visitor, advisor, editor, search_up=True)
        references: list[str] = []

        # 1. The engine refuses connections.
        engine.mode = "down"
        r = editor.post(f"/redactie/items/{ids['draft']}/publiceren")
        assert r.status_code == 303
        assert editor.post(f"/redactie/items/{ids['practice0']}/depubliceren").status_code == 303
        with db.transaction() as s:
            service.create_item(s, "practice", {
                "title": "Robotlassen bij een constructiebedrijf", "summary": "Nieuw.",
                "body_md": "Een lasrobot."}, "fault-test", publish=True)
        references.append(ask(visitor, 1, "search"))
        pages_answer(visitor, advisor, editor, search_up=False)
        asyncio.run(worker.drain())
        status = outbox_status(db)
        assert status[INDEX].get(PENDING) and status[DELETE].get(PENDING)
        make_all_due(db)

        # 2. The engine fails with an unexpected error (a broken index, a client bug).
        engine.mode = "error"
        r = editor.post(f"/redactie/items/{ids['practice1']}/verwijderen")
        assert r.status_code == 303
        assert editor.post(f"/redactie/items/{ids['practice0']}/publiceren").status_code == 303
        with db.transaction() as s:
            item = s.get(ContentItem, ids["practice2"])
            assert item is not None
            service.update_item(s, item, {"title": "Digitale werkplaats, tweede versie"},
                                "fault-test")
        references.append(ask(visitor, 2, "search"))
        pages_answer(visitor, advisor, editor, search_up=False)
        asyncio.run(worker.drain())
        make_all_due(db)

        # 3. The engine hangs until the client gives up.
        engine.mode = "slow"
        assert editor.post(f"/redactie/items/{ids['scheme']}/depubliceren").status_code == 303
        with db.transaction() as s:
            service.create_item(s, "practice", {
                "title": "Warmtepompen installeren met een digitale tweeling",
                "summary": "Nieuw.", "body_md": "Een digitale tweeling."}, "fault-test",
                publish=True)
        references.append(ask(visitor, 3, "search"))
        pages_answer(visitor, advisor, editor, search_up=False)
        asyncio.run(worker.drain())
        assert engine.failures > 0

        # Nothing was given up on: every index update is still waiting.
        with db.transaction(write=False) as s:
            waiting = s.exec(select(OutboxMessage).where(
                OutboxMessage.kind.in_([INDEX, DELETE]),  # type: ignore[attr-defined]
                OutboxMessage.status == PENDING)).all()
            assert waiting and all(m.attempts >= 1 and m.last_error for m in waiting)

        # Recovery: the worker catches up, the index is the published content.
        engine.mode = "ok"
        breaker.reset()  # the few seconds in which searches fail fast have passed
        make_all_due(db)
        asyncio.run(worker.drain())
        assert_outbox_settled(db)
        assert outbox_status(db)[INDEX][DONE] > 0
        assert_index_matches(db, engine)
        pages_answer(visitor, advisor, editor, search_up=True)
        found = visitor.get("/zoeken", params={"q": "lasrobot"}).text
        assert "Robotlassen bij een constructiebedrijf" in found
        assert "tweede versie" in visitor.get("/zoeken", params={"q": "werkplaats"}).text
        assert "Subsidie voor robots en cobots" not in visitor.get(
            "/zoeken", params={"q": "subsidie robots"}).text
    assert_questions_kept(db, references)


def test_unusable_index_directory_recovers_without_a_restart(
        fresh_db: FreshDatabase, world: World, tmp_path: Path) -> None:
    """The real embedded engine on a directory that cannot be opened (a volume that is not
    mounted yet): pages answer, updates wait; once the directory is usable the same process
    opens it and catches up."""
    db = fresh_db.db
    index_dir = tmp_path / "search"
    index_dir.write_text("not a directory")
    settings = fault_settings(fresh_db, tmp_path, search_path=index_dir)
    app = create_app(settings, db, start_worker=False)
    worker = Worker(db, settings, worker_id="w1")
    with (client_for(app, db) as visitor, client_for(app, db, world.advisor_id) as advisor,
          client_for(app, db, world.editor_id) as editor):
        assert editor.post(f"/redactie/items/{world.item_ids['draft']}/publiceren"
                           ).status_code == 303
        assert editor.post(f"/redactie/items/{world.item_ids['practice3']}/depubliceren"
                           ).status_code == 303
        references = [ask(visitor, 1, "dir")]
        pages_answer(visitor, advisor, editor, search_up=False)
        asyncio.run(worker.drain())
        assert outbox_status(db)[INDEX].get(PENDING)

        index_dir.unlink()
        make_all_due(db)
        asyncio.run(worker.drain())
        assert_outbox_settled(db)
        from backend.content.indexing import backend_for

        assert_index_matches(db, backend_for(settings))
        pages_answer(visitor, advisor, editor, search_up=True)
        assert "slim plannen met data" in visitor.get("/zoeken", params={"q": "plannen"}).text
    assert_questions_kept(db, references)


def test_updates_parked_in_a_long_outage_are_queued_again_once_the_engine_answers(
        fresh_db: FreshDatabase, world: World, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An outage longer than the retries (LOKET_OUTBOX_MAX_ATTEMPTS) parks index updates as
    failed; the periodic job ``search.retry_parked`` queues them again once the engine is
    healthy, so the index catches up without an admin."""
    db = fresh_db.db
    settings = fault_settings(fresh_db, tmp_path, outbox_max_attempts=2)
    engine = FlakyBackend(get_backend("embedded", path=settings.search_path, meili_url=None,
                                      meili_key=None))
    indexing_backend(monkeypatch, settings, engine)
    app = create_app(settings, db, start_worker=False)
    worker = Worker(db, settings, worker_id="w1")
    engine.mode = "down"
    with client_for(app, db, world.editor_id) as editor:
        assert editor.post(f"/redactie/items/{world.item_ids['draft']}/publiceren"
                           ).status_code == 303
        assert editor.post(f"/redactie/items/{world.item_ids['practice0']}/depubliceren"
                           ).status_code == 303
    for _ in range(2):
        asyncio.run(worker.drain())
        make_all_due(db)
    status = outbox_status(db)
    assert status[INDEX].get(FAILED) and status[DELETE].get(FAILED)
    assert not status[INDEX].get(PENDING)

    retry = ["search.retry_parked"]
    assert asyncio.run(worker.run_periodic_once(only=retry)) == retry
    assert outbox_status(db)[INDEX].get(FAILED)  # still down: left parked

    engine.mode = "ok"
    make_periodic_due(db)
    assert asyncio.run(worker.run_periodic_once(only=retry)) == retry
    asyncio.run(worker.drain())
    assert_outbox_settled(db)
    assert_index_matches(db, engine)


def make_periodic_due(db: Database) -> None:
    with db.transaction() as s:
        s.exec(sa.update(PeriodicJob).values(next_run_at=utcnow() - timedelta(seconds=1)))


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel completes the handshake) and never
    answers: an engine that hangs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])


def test_a_hanging_meilisearch_times_out_and_the_pages_answer(
        app: FastAPI, client: LoketClient, silent_port: int) -> None:
    """The real Meilisearch client against a server that never answers: requests give up at
    the client's timeout and the pages say search is unavailable instead of hanging."""
    app.state.search_backend = MeiliBackend(f"http://127.0.0.1:{silent_port}", "key",
                                            timeout=1)
    started = time.monotonic()
    r = client.get("/zoeken", params={"q": "robots"})
    assert r.status_code == 200 and UNAVAILABLE in r.text
    assert time.monotonic() - started >= 1  # it waited for the client's timeout
    assert time.monotonic() - started < 20  # … and not for the engine
    # Meanwhile the breaker is open: searches and suggestions say "unavailable" at once
    # instead of holding a thread each for the timeout.
    assert breaker.is_open(app.state.search_backend)
    for _ in range(3):
        started = time.monotonic()
        r = client.get("/zoeken", params={"q": "robots"}, headers=HX)
        assert r.status_code == 200 and "tijdelijk niet beschikbaar" in r.text
        assert client.get("/api/v1/search", params={"q": "robots"}).status_code == 503
        assert client.get("/vraag/suggesties", params={"text": "subsidie voor robots"},
                          headers=HX).status_code == 200
        assert time.monotonic() - started < 1
    assert client.get("/").status_code == 200
    assert client.get("/vraag").status_code == 200
