"""`make run PORT=8080` (`loket serve --port 8080`): the portal listens there and every link in a
mail points there, unless LOKET_BASE_URL names the public address explicitly."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from backend.cli import app as cli
from backend.core.db import Database
from backend.core.outbox import OutboxMessage
from backend.core.settings import ROOT, Settings, get_settings
from backend.main import create_app
from tests.conftest import make_settings
from tests.factories.accounts import create_user


def test_base_url_follows_host_and_port_unless_set() -> None:
    assert Settings(port=8080).base_url == "http://127.0.0.1:8080"
    assert Settings(host="0.0.0.0", port=9000).base_url == "http://127.0.0.1:9000"  # noqa: S104
    assert Settings(host="portal.local").base_url == "http://portal.local:8000"
    assert Settings(port=8080, base_url="https://loket.example.nl").base_url \
        == "https://loket.example.nl"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """`loket serve` with uvicorn.run replaced: what it would have served, with which settings."""
    for name in ("LOKET_HOST", "LOKET_PORT", "LOKET_BASE_URL"):
        monkeypatch.setenv(name, "")  # restored (and the override dropped) after the test
        monkeypatch.delenv(name)
    monkeypatch.chdir(ROOT.parent)  # no .env of a developer's checkout in the way
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    yield seen
    get_settings.cache_clear()


def test_serve_port_is_the_port_of_the_mail_links(served: dict[str, Any]) -> None:
    result = CliRunner().invoke(cli, ["serve", "--port", "8080"])
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"]) == ("127.0.0.1", 8080)
    assert get_settings().base_url == "http://127.0.0.1:8080"


def test_serve_without_options_keeps_port_8000(served: dict[str, Any]) -> None:
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert served["port"] == 8000 and get_settings().base_url == "http://127.0.0.1:8000"


def test_an_invitation_mail_links_to_the_port_served(tmp_path: Path, database_url: str,
                                                     db: Database, session: Session,
                                                     client_for: Any, login: Any) -> None:
    settings = make_settings(tmp_path, database_url, base_url="", port=8080)
    app = create_app(settings, db, start_worker=False)
    client = client_for(app, base_url="http://127.0.0.1:8080")
    login(create_user(session, roles=("editor",)), client)
    made = client.post("/groepen/nieuw", data={
        "name": "Poortgroep", "purpose": "Samen.", "sector": "industrie", "region": "Limburg",
        "coordinator_email": "poort@example.nl"})
    assert made.status_code == 303, made.text
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "mail.send")
                        .order_by(col(OutboxMessage.id).desc())).first()
    assert mail is not None
    links = re.findall(r"https?://\S+", mail.payload["text"])
    assert links and all(link.startswith("http://127.0.0.1:8080/") for link in links)
