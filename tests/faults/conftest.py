"""Fault tests: real components (committed database, embedded index, aiosmtpd, ``loket
worker`` processes) with the search engine, the SMTP server and the worker failing and coming
back. Shared pieces: a search backend that fails or hangs on demand, a small world of content,
desks and people, and the checks that nothing was lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlmodel import col, select

from backend.accounts.models import User
from backend.cases.models import Case
from backend.content import indexing
from backend.content.models import ContentItem
from backend.core.db import Database, utcnow
from backend.core.mail import MAIL_KIND
from backend.core.outbox import FAILED, PENDING, OutboxMessage
from backend.core.settings import Settings
from backend.routing.models import Desk
from backend.search import (
    Health,
    Results,
    SearchBackend,
    SearchDoc,
    SearchQuery,
    SearchUnavailable,
)
from backend.search.breaker import breaker
from tests.client import LoketClient
from tests.factories.accounts import create_user, session_cookie_for
from tests.factories.cases import regional_setup
from tests.factories.content import create_item, create_scheme
from tests.factories.routing import add_member
from tests.freshdb import FreshDatabase, fresh_db
from tests.smtp import Recorder, SmtpServer

__all__ = ["fresh_db"]

QUESTION = ("Wij willen investeren in een nieuwe productielijn met robots. Welke financiering "
            "of subsidie is er voor ons als klein bedrijf?")


class FlakyBackend:
    """Wraps a real backend. ``mode``: "ok" passes through; "down" refuses at once like an
    engine whose port is closed; "error" fails with an unexpected exception (a corrupt index,
    a bug in a client library); "slow" hangs for ``delay`` seconds and then gives up, like a
    client whose timeout expires on an engine that does not answer."""

    name = "flaky"

    def __init__(self, inner: SearchBackend) -> None:
        self.inner = inner
        self.mode = "ok"
        self.delay = 0.2
        self.calls: dict[str, int] = {}
        self.failures = 0
        self._lock = threading.Lock()

    def _gate(self, op: str) -> None:
        with self._lock:
            self.calls[op] = self.calls.get(op, 0) + 1
            mode = self.mode
            if mode != "ok":
                self.failures += 1
        if mode == "down":
            raise SearchUnavailable("connection refused")
        if mode == "error":
            raise RuntimeError("index segment unreadable")
        if mode == "slow":
            time.sleep(self.delay)
            raise SearchUnavailable(f"no answer within {self.delay} s")

    def index(self, docs: Sequence[SearchDoc]) -> None:
        self._gate("index")
        self.inner.index(docs)

    def delete(self, ids: Sequence[str]) -> None:
        self._gate("delete")
        self.inner.delete(ids)

    def search(self, query: SearchQuery) -> Results:
        self._gate("search")
        return self.inner.search(query)

    def generation(self) -> Hashable:
        return self.inner.generation()

    def health(self) -> Health:
        if self.mode != "ok":
            return Health(ok=False, backend=self.name, documents=0, detail=self.mode)
        return self.inner.health()

    def clear(self) -> None:
        self._gate("clear")
        self.inner.clear()

    def reindex_all(self, docs: Iterable[SearchDoc],
                    progress: Callable[[int], None] | None = None) -> int:
        self._gate("reindex_all")
        return self.inner.reindex_all(docs, progress=progress)


@dataclass
class World:
    """What the fault scenarios act on: committed rows and who may log in."""

    db: Database
    desks: dict[str, Desk]
    editor_id: int
    advisor_id: int
    advisor_email: str
    item_ids: dict[str, int] = field(default_factory=dict)


def build_world(db: Database) -> World:
    with db.transaction() as s:
        desks = regional_setup(s)
        editor = create_user(s, name="Eva Redacteur", roles=("editor",))
        advisor = add_member(s, desks["oost-nl"], name="Olga Oost")
        ids = {}
        for n, title in enumerate(("Cobots in de metaalbewerking", "Lean werken in de bakkerij",
                                   "Digitale werkplaats voor installateurs",
                                   "Leren op de werkvloer bij een drukkerij")):
            ids[f"practice{n}"] = create_item(s, "practice", title=title).id
        ids["scheme"] = create_scheme(s, "Subsidie voor robots en cobots").id
        ids["draft"] = create_item(s, "practice", title="Concept: slim plannen met data",
                                   publish=False).id
        for u in (editor, advisor):
            s.refresh(u)
        world = World(db=db, desks=desks, editor_id=_id(editor), advisor_id=_id(advisor),
                      advisor_email=advisor.email,
                      item_ids={k: int(v) for k, v in ids.items() if v is not None})
    return world


def _id(user: User) -> int:
    assert user.id is not None
    return user.id


def client_for(app: FastAPI, db: Database, user_id: int | None = None) -> LoketClient:
    c = LoketClient(app)
    if user_id is not None:
        c.cookies.set("loket_session", session_cookie_for(db, user_id))
    return c


def ask(client: LoketClient, n: int, tag: str) -> str:
    """An entrepreneur asks a question through the web form; returns its reference."""
    r = client.post("/vraag", data={
        "text": f"{QUESTION} (vraag {tag}-{n})", "municipality": "Deventer",
        "sector": "industrie", "company_size": "klein", "email": f"ondernemer-{tag}-{n}@example.nl",
        "name": "Els Bakker", "consent": "1"})
    assert r.status_code == 303, r.text[:2000]
    location = r.headers["location"]
    assert location.startswith("/mijn-vraag/LK-")
    return location.split("/")[2].split("?")[0]


def make_all_due(db: Database) -> None:
    """Time passes: every pending message's back-off is over and dead workers' leases ran out."""
    past = utcnow() - timedelta(seconds=1)
    with db.transaction() as s:
        s.exec(sa.update(OutboxMessage).where(col(OutboxMessage.status) == PENDING)
               .values(available_at=past, locked_until=None, locked_by=None))


def outbox_status(db: Database) -> dict[str, dict[str, int]]:
    """kind -> status -> count."""
    out: dict[str, dict[str, int]] = {}
    with db.transaction(write=False) as s:
        rows = s.exec(select(OutboxMessage.kind, OutboxMessage.status, sa.func.count())
                      .group_by(col(OutboxMessage.kind), col(OutboxMessage.status))).all()
    for kind, status, n in rows:
        out.setdefault(kind, {})[status] = int(n)
    return out


def assert_outbox_settled(db: Database) -> None:
    for kind, counts in outbox_status(db).items():
        assert counts.get(PENDING, 0) == 0, (kind, counts)
        assert counts.get(FAILED, 0) == 0, (kind, counts)


def queued_mail_ids(db: Database) -> list[str]:
    """The Message-ID of every mail ever queued."""
    with db.transaction(write=False) as s:
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.kind == MAIL_KIND)).all()
        return sorted(r.payload["message_id"] for r in rows)


def delivered_ids(smtp: SmtpServer) -> list[str]:
    return sorted(str(m["Message-ID"]) for m in smtp.recorder.messages)


def assert_questions_kept(db: Database, references: Sequence[str]) -> None:
    """Every question asked is stored once, routed to a desk, with its mails queued."""
    with db.transaction(write=False) as s:
        cases = s.exec(select(Case).where(col(Case.reference).in_(list(references)))).all()
        assert sorted(c.reference for c in cases) == sorted(references)
        assert all(c.desk_id is not None for c in cases)
        mails = s.exec(select(OutboxMessage).where(OutboxMessage.kind == MAIL_KIND)).all()
        texts = [m.payload["subject"] + m.payload["text"] for m in mails]
    for ref in references:
        # the confirmation to the asker and the notice to the desk both name the reference
        assert sum(ref in t for t in texts) >= 2, ref


def published_docs(db: Database) -> dict[str, tuple[str, str, str]]:
    """What the index must hold: doc id -> (type, title, url) of every published item.
    Read from the table directly, not through the indexer."""
    with db.transaction(write=False) as s:
        items = s.exec(select(ContentItem).where(ContentItem.status == "published",
                                                 col(ContentItem.deleted_at).is_(None))).all()
        return {f"{i.type}:{i.slug}": (i.type, i.title, i.slug) for i in items}


def index_docs(backend: SearchBackend) -> dict[str, tuple[str, str, str]]:
    """Everything the index holds: doc id -> (type, title, url), paging through a browse."""
    out: dict[str, tuple[str, str, str]] = {}
    page = 1
    while True:
        results = backend.search(SearchQuery(q="", page=page, per_page=100))
        for hit in results.hits:
            assert hit.id not in out, f"{hit.id} is in the index twice"
            out[hit.id] = (hit.type, hit.title, hit.url)
        if page * 100 >= results.total or not results.hits:
            return out
        page += 1


def assert_index_matches(db: Database, backend: SearchBackend) -> None:
    expected = published_docs(db)
    held = index_docs(backend)
    assert sorted(held) == sorted(expected)
    for doc_id, (type_, title, slug) in expected.items():
        got_type, got_title, got_url = held[doc_id]
        assert (got_type, got_title) == (type_, title), doc_id
        assert got_url.endswith("/" + slug), (doc_id, got_url)


def fault_settings(fresh: FreshDatabase, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"search_path": tmp_path / "search"}
    values.update(overrides)
    return fresh.settings(**values)


@pytest.fixture(autouse=True)
def _closed_breaker() -> Iterator[None]:
    """Every test starts (and leaves) with the search breaker closed."""
    breaker.reset()
    yield
    breaker.reset()


@pytest.fixture
def world(fresh_db: FreshDatabase) -> World:
    return build_world(fresh_db.db)


def indexing_backend(monkeypatch: pytest.MonkeyPatch, settings: Settings,
                     backend: SearchBackend) -> None:
    """Make ``backend`` the process's engine for ``settings``: the outbox's search handlers
    and the search pages get it from ``indexing.backend_for``."""
    monkeypatch.setitem(indexing._backends, indexing._key(settings), backend)


class AcceptThenHang(Recorder):
    """An SMTP server that accepts ``accept`` mails and then hangs in the middle of the next
    one (``hanging`` is set) until ``release``; after ``recover()`` it accepts everything."""

    def __init__(self, accept: int) -> None:
        super().__init__()
        self.accept = accept
        self.hanging = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.mode == "ok" and len(self.messages) >= self.accept:
            self.mode = "hang"
        if self.mode == "hang":
            self.hanging.set()
        return await super().handle_DATA(server, session, envelope)

    def recover(self) -> None:
        self.accept = 10**9
        self.mode = "ok"
        self.release.set()
