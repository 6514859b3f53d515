"""The trace scanner itself: it finds a person in any table (JSON decoded), in the search
index and in log text — so an empty result after an erasure means something."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Connection
from sqlmodel import Session

from backend.core.outbox import enqueue
from backend.search.embedded import EmbeddedBackend
from backend.search.port import SearchDoc
from tests.factories.cases import create_case, fallback_desk
from tests.privacy.traces import find_traces, log_traces, search_index_traces


def test_finds_people_in_tables_and_json(session: Session, connection: Connection) -> None:
    desk = fallback_desk(session)
    create_case(session, desk, email="sanne@voorbeeld.nl", name="Sanne Spoor",
                text="Onze speurhondentraining wil groeien; welke regeling past?")
    enqueue(session, "mail.send", {"to": "x@voorbeeld.nl",
                                   "text": "Beste Sänne Spöör,\nuw vraag"})
    session.flush()
    found = find_traces(connection, ["sanne@voorbeeld.nl", "Sanne Spoor", "speurhonden",
                                     "Sänne Spöör"])
    assert "question_case.contact_email" in " ".join(found)
    assert any(t.startswith("question_case.contact_name") for t in found)
    assert any(t.startswith("question_case.text") and t.endswith("speurhonden") for t in found)
    # A name with accents after a line break, inside JSON: found decoded.
    assert any(t.startswith("outbox_message.payload") and t.endswith("sänne spöör")
               for t in found)
    assert find_traces(connection, ["niemand-anders-xyz"]) == []


def test_finds_people_in_the_search_index_and_logs(tmp_path: Path) -> None:
    path = tmp_path / "index"
    backend = EmbeddedBackend(path)
    backend.index([SearchDoc(id="expert:sanne", type="expert", title="Sanne Spoor",
                             summary="Adviseur", body="Bel Sanne op 06-12345678.",
                             url="/kennisbank/experts/sanne",
                             published_at=datetime(2026, 1, 1, tzinfo=UTC))])
    found = search_index_traces(path, ["Sanne Spoor", "06-12345678"])
    assert "index doc expert:sanne title: sanne spoor" in found
    assert any(t.endswith("06-12345678") for t in found)
    backend.delete(["expert:sanne"])
    assert [t for t in search_index_traces(path, ["Sanne Spoor"])
            if t.startswith("index doc")] == []

    assert log_traces('{"msg": "hallo Sanne Spoor"}', ["sanne spoor"]) == ["logs: sanne spoor"]
