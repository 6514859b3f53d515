"""Length limits agree with what the browser counts (issue 15).

A browser counts a textarea's line break as one character (``maxlength``, and what a person
sees) but sends it as CRLF. ``LineBreakMiddleware`` turns CRLF into LF in every url-encoded
form and query string, so a 4,990-character question with line breaks is not refused as
over 5,000, and what is stored has the line breaks the person typed.
"""

from __future__ import annotations

from sqlmodel import Session, select

from backend.cases.models import Case
from backend.routing.models import Desk
from tests.cases.test_asking import form
from tests.client import LoketClient

PARAGRAPH = "Wij zoeken hulp bij het aannemen van technici voor onze werkplaats. " * 7


def _question(chars: int, breaks: int) -> str:
    lines = [(PARAGRAPH * 20)[: (chars - breaks) // (breaks + 1)] for _ in range(breaks + 1)]
    text = "\r\n".join(lines)
    text += "x" * (chars - len(text.replace("\r\n", "\n")))
    assert len(text.replace("\r\n", "\n")) == chars and text.count("\r\n") == breaks
    return text


def test_a_4990_character_question_with_line_breaks_is_accepted(
        client: LoketClient, session: Session, desks: dict[str, Desk]) -> None:
    text = _question(4990, 40)
    assert len(text) > 5000  # as the browser sends it
    r = client.post("/vraag", data=form(text=text))
    assert r.status_code == 303, r.text[:2000]
    stored = session.exec(select(Case)).one().text
    assert "\r" not in stored and stored.count("\n") == 40


def test_query_strings_count_line_breaks_once(client: LoketClient,
                                              desks: dict[str, Desk]) -> None:
    r = client.get("/welk-loket", params={"vraag": _question(4990, 40), "gemeente": "Deventer"})
    assert r.status_code == 200


def test_over_the_limit_is_refused_naming_the_limit(client: LoketClient,
                                                    desks: dict[str, Desk]) -> None:
    r = client.post("/vraag", data=form(text=_question(5010, 10)))
    assert r.status_code == 422
    assert "5000" in r.text or "5.000" in r.text
