"""The knowledge base votes in every door (issue 13, item 4): a question whose words name no
theme, but whose text matches published items of one theme, is routed on that theme through
the web form, the API and an advisor's intake alike, and the explanation says the knowledge
base contributed. Search down, broken or hanging: the question is still routed and stored,
without waiting long."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from backend.cases.models import Case, CaseEvent
from backend.content.indexing import sync_items
from backend.core.db import Database
from backend.routing import service as routing
from backend.routing.models import Desk
from backend.search import Results, SearchQuery, SearchUnavailable, get_backend
from backend.search.breaker import breaker
from tests.client import LoketClient
from tests.factories.accounts import create_token
from tests.factories.content import create_item
from tests.factories.routing import add_member

# No word of it names a theme (the router alone sends it to the national fallback); the
# knowledge base's items about "zwaluwstaartfinanciering" are all about financing.
QUESTION = "Wat is die zwaluwstaartaanpak waar iedereen het steeds over heeft?"
NOW_LOCAL = datetime.now().strftime("%Y-%m-%dT%H:%M")


# (title, text, themes): published items of the knowledge base.
KB = (
    ("De zwaluwstaartaanpak: investeren in stappen",
     "Een machine in delen financieren, zoals anderen het doen.", ["financiering"]),
    ("Zwaluwstaartaanpak bij een bakkerij", "Een lening en een borgstelling, in twee stappen.",
     ["financiering"]),
    ("Wat de zwaluwstaartaanpak kost", "Over rente en aflossing.", ["financiering"]),
    ("Lean in de werkplaats", "Verspilling zien en wegnemen.", ["lean-procesinnovatie"]),
)


def publish(session: Session, db: Database, engine: Any,
            items: Sequence[tuple[str, str, list[str]]]) -> None:
    """Published items, indexed the way the worker indexes them (``sync_items``)."""
    ids = [create_item(session, "practice", title=title, summary=text, body_md=text,
                       themes=themes).id for title, text, themes in items]
    session.commit()
    sync_items(db, engine, [i for i in ids if i is not None])


@pytest.fixture
def kb(app: FastAPI, session: Session, db: Database, tmp_path: Path) -> Any:
    """The real embedded index with a few published items, as the app's knowledge base."""
    engine = get_backend("embedded", path=tmp_path / "kb", meili_url=None, meili_key=None)
    publish(session, db, engine, KB)
    app.state.search_backend = engine
    return engine


def form(**over: str) -> dict[str, str]:
    data = {"text": QUESTION, "municipality": "Deventer", "email": "kb@example.nl",
            "name": "Kees Bos", "consent": "1"}
    data.update(over)
    return data


def routed_event(session: Session, case: Case) -> CaseEvent:
    return session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                CaseEvent.kind == "routed")).one()


def assert_routed_on_the_knowledge_base(session: Session, case: Case, desk: Desk) -> None:
    assert case.desk_id == desk.id
    assert case.themes == ["financiering"]
    texts = [r["text"] for r in routed_event(session, case).data["explanation"]]
    assert any("kennisbank" in t and "Financiering" in t for t in texts), texts


def test_without_the_knowledge_base_the_question_goes_to_the_fallback(
        client: LoketClient, session: Session, desks: dict[str, Desk], app: FastAPI,
        tmp_path: Path) -> None:
    """The control: the same question with an empty knowledge base names no theme."""
    app.state.search_backend = get_backend("embedded", path=tmp_path / "empty",
                                           meili_url=None, meili_key=None)
    r = client.post("/vraag", data=form())
    assert r.status_code == 303, r.text
    case = session.exec(select(Case)).one()
    assert case.desk_id == desks["kvk"].id and "financiering" not in case.themes


def test_web_form_routes_on_the_knowledge_base(client: LoketClient, session: Session,
                                               desks: dict[str, Desk],
                                               kb: Any) -> None:
    r = client.post("/vraag", data=form())
    assert r.status_code == 303, r.text
    assert_routed_on_the_knowledge_base(session, session.exec(select(Case)).one(),
                                        desks["oost-nl"])


def test_api_routes_on_the_knowledge_base(client: LoketClient, session: Session,
                                          desks: dict[str, Desk], kb: Any) -> None:
    token = create_token(session, role="editor")
    session.commit()
    r = client.post("/api/v1/questions", headers={"Authorization": f"Bearer {token}"}, json={
        "text": QUESTION, "municipality": "GM0150", "email": "api-kb@example.nl",
        "consent": True})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["desk"]["slug"] == "oost-nl"
    assert any("kennisbank" in line["text"] for line in body["explanation"])
    case = session.exec(select(Case).where(Case.reference == body["reference"])).one()
    assert_routed_on_the_knowledge_base(session, case, desks["oost-nl"])


def test_intake_routes_on_the_knowledge_base(client: LoketClient, session: Session, login: Any,
                                             desks: dict[str, Desk],
                                             kb: Any) -> None:
    advisor = add_member(session, desks["rvo"])
    session.commit()
    login(advisor)
    data = form(channel="telefoon", consent_by="Kees Bos", consent_at=NOW_LOCAL,
                consent_how="mondeling, telefonisch", action="preview")
    preview = client.post("/werkplek/rvo/intake", data=data)
    assert preview.status_code == 200, preview.text
    assert "Oost NL" in preview.text and "kennisbank" in preview.text
    r = client.post("/werkplek/rvo/intake", data={**data, "action": "register"})
    assert r.status_code == 303, r.text
    assert_routed_on_the_knowledge_base(session, session.exec(select(Case)).one(),
                                        desks["oost-nl"])


def test_dry_run_routes_like_a_real_question(client: LoketClient, desks: dict[str, Desk],
                                             kb: Any) -> None:
    r = client.post("/api/v1/routing/dry-run", json={"text": QUESTION,
                                                     "municipality": "Deventer"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["desk"]["slug"] == "oost-nl" and body["main_theme"] == "financiering"
    assert [t["knowledge_base"] for t in body["recognised_themes"]] == [0.6]
    assert "knowledge_base" in [e["criterion"] for e in body["explanation"]]


# --- deterministic, and never in the way ------------------------------------------------


def test_votes_are_the_same_for_the_same_knowledge_base_and_follow_its_changes(
        session: Session, db: Database, desks: dict[str, Desk], tmp_path: Path) -> None:
    engine = get_backend("embedded", path=tmp_path / "kb", meili_url=None, meili_key=None)
    publish(session, db, engine, KB)
    first = routing.kb_theme_votes(session, engine, QUESTION)
    assert first == (("financiering", 0.6),)
    assert routing.kb_theme_votes(session, engine, QUESTION) == first
    # More published items that match better, about another theme: a new index generation,
    # other votes.
    publish(session, db, engine, [
        (f"Zwaluwstaartaanpak waar iedereen over praat, deel {i}",
         "De zwaluwstaartaanpak bij lean werken.", ["lean-procesinnovatie"]) for i in range(4)])
    assert routing.kb_theme_votes(session, engine, QUESTION) == (("lean-procesinnovatie", 0.48),)


def test_votes_need_most_of_the_best_items_to_agree() -> None:
    hits = ["a", "b", "c", "d", "e", "f"]
    themes = {"a": ["x"], "b": ["y"], "c": ["x", "y"], "d": ["z"], "e": ["x"], "f": ["y"]}
    assert routing.votes_of(hits, themes) == (("x", 0.36),)  # f is not among the five best
    assert routing.votes_of(hits[:2], themes) == ()
    assert routing.votes_of(["a", "b", "d"], themes) == ()


class _Broken:
    """An engine whose search fails the way ``kind`` says."""

    name = "meilisearch"

    def __init__(self, kind: str, seconds: float = 0.0) -> None:
        self.kind = kind
        self.seconds = seconds
        self.calls = 0
        self.release = threading.Event()

    def generation(self) -> int:
        return 1

    def search(self, query: SearchQuery) -> Results:
        self.calls += 1
        if self.kind == "down":
            raise SearchUnavailable("connection refused")
        if self.kind == "hang":
            self.release.wait(self.seconds)
            raise SearchUnavailable("timed out")
        raise RuntimeError("engine bug")

    def health(self) -> Any:
        raise SearchUnavailable("down")


@pytest.mark.parametrize("kind", ["down", "broken", "hang"])
def test_a_question_is_routed_and_stored_with_search_unavailable(
        client: LoketClient, session: Session, desks: dict[str, Desk], app: FastAPI,
        kind: str) -> None:
    engine = _Broken(kind, seconds=10.0)
    app.state.search_backend = engine
    try:
        started = time.monotonic()
        r = client.post("/vraag", data=form())
        took = time.monotonic() - started
        assert r.status_code == 303, r.text
        case = session.exec(select(Case)).one()
        # Stored and routed on the rest: the national fallback, without a vote.
        assert case.desk_id == desks["kvk"].id and case.reference
        assert "kennisbank" not in str(routed_event(session, case).data["explanation"])
        assert engine.calls == 1
        assert took < routing.KB_VOTE_SECONDS + 5.0, took  # not the engine's 10 s
        # After a failure the breaker spares the next questions the wait altogether.
        r = client.post("/vraag", data=form(email="tweede@example.nl"))
        assert r.status_code == 303, r.text
        assert engine.calls == (2 if kind == "broken" else 1)
        # A question whose words name a theme does not ask the knowledge base at all.
        r = client.post("/vraag", data=form(text="Wij zoeken een lening voor een nieuwe "
                                                 "machine in ons bedrijf.",
                                            email="derde@example.nl"))
        assert r.status_code == 303, r.text
        assert engine.calls == (2 if kind == "broken" else 1)
    finally:
        engine.release.set()
        breaker.reset()


def test_routing_outside_a_request_goes_without_votes(session: Session, desks: dict[str, Desk]
                                                      ) -> None:
    """A service call outside any app (a script, the worker) has no knowledge base unless
    the caller names one: the words decide."""
    from backend.routing.router import RoutingInput

    decision = routing.route_question(session, RoutingInput(QUESTION, "GM0150"))
    assert decision.slug == "kvk"


def test_a_named_knowledge_base_votes_outside_a_request(session: Session, db: Database,
                                                         desks: dict[str, Desk],
                                                         tmp_path: Path) -> None:
    from backend.content.indexing import searching_knowledge
    from backend.routing.router import RoutingInput

    engine = get_backend("embedded", path=tmp_path / "kb", meili_url=None, meili_key=None)
    publish(session, db, engine, KB)
    with searching_knowledge(lambda: engine):
        decision = routing.route_question(session, RoutingInput(QUESTION, "GM0150"))
    assert decision.slug == "oost-nl"
    assert routing.route_question(session, RoutingInput(QUESTION, "GM0150"),
                                  search=engine).slug == "oost-nl"

