"""A list page's filters (the terms and kinds its published items use) are counted once per
content version, taxonomy and language (issue 19 item 4), and follow every change."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from backend.content import routes_html
from backend.content import service as content
from tests.client import LoketClient
from tests.factories.content import create_item


def _themes(text: str) -> list[str]:
    select = re.search(r'<select[^>]*name="theme".*?</select>', text, re.S)
    return re.findall(r'<option value="([^"]+)"', select.group(0)) if select else []


def test_filters_are_counted_once_and_follow_changes(
        client: LoketClient, session: Session, taxonomy: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = routes_html._used_terms

    def counted(*args: object) -> list[tuple[str, str, int]]:
        calls.append(str(args[1]))
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(routes_html, "_used_terms", counted)
    item = create_item(session, "practice", title="Cobots", themes=["robotisering-automatisering"])
    session.commit()
    path = "/kennisbank/goede-voorbeelden"
    assert _themes(client.get(path).text) == ["robotisering-automatisering"]
    assert _themes(client.get(path, params={"pagina": "2"}).text) == [
        "robotisering-automatisering"]
    assert len(calls) == 4  # theme, sector, region, size: once
    client.cookies.set("loket_lang", "en")
    client.get(path)
    assert len(calls) == 8  # the names are in the page's language
    client.cookies.set("loket_lang", "nl")

    content.update_item(session, item, {"themes": ["digitalisering"]}, "test")
    session.commit()
    assert _themes(client.get(path).text) == ["digitalisering"]
    content.unpublish_item(session, item, "test")
    session.commit()
    assert _themes(client.get(path).text) == []
    assert len(calls) == 16
