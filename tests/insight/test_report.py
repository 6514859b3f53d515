"""The quarterly report: printable page, a valid PDF with its charts and figures, the CLI."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlmodel import Session
from typer.testing import CliRunner

from backend.accounts import service as accounts
from backend.core.db import Database
from tests.client import LoketClient
from tests.factories import insight as f
from tests.factories.accounts import create_user


@pytest.fixture
def analyst(session: Session) -> Any:
    f.build(session)
    f.freeze(session)
    user = create_user(session, name="Beleid")
    assert user.id is not None
    accounts.grant_role(session, user.id, "analist", province="PV23")
    return user


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_printable_page_and_pdf(analyst: Any, client: LoketClient, login: Any) -> None:
    login(analyst)
    page = client.get("/inzicht/rapport", params={"province": "PV23", "quarter": "2026-Q3"})
    assert page.status_code == 200
    assert "Overijssel" in page.text and page.text.count("<svg") >= 5
    pdf = client.get("/inzicht/rapport.pdf", params={"province": "PV23", "quarter": "2026-Q3"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf.content))  # parses: a valid document
    assert len(reader.pages) >= 2
    text = _text(pdf.content)
    assert "Kwartaalrapport 2026-Q3: Overijssel" in text
    assert "Vraag en bereik" in text and "Loketten naast elkaar" in text
    assert "48" in text  # the province's questions, in the demand table
    # the bar charts are vector drawings: filled rectangles in the page content
    content = b"".join(p.get_contents().get_data() for p in reader.pages)  # type: ignore[union-attr]
    assert content.count(b" re f") + content.count(b" re\nf") >= 5
    # a province analyst cannot have another province's report
    other = client.get("/inzicht/rapport.pdf", params={"province": "PV26",
                                                       "quarter": "2026-Q3"})
    assert other.status_code == 403
    bad = client.get("/inzicht/rapport", params={"province": "PV23", "quarter": "Q3"})
    assert bad.status_code == 422


def test_the_cli_writes_the_pdf_with_a_progress_bar(analyst: Any, db: Database,
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from backend import cli

    monkeypatch.setattr(Database, "from_settings", classmethod(lambda cls, s: db))
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(cli.app, ["report", "quarterly", "--province", "PV23",
                                          "--quarter", "2026-Q3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "10/10" in result.output  # the progress bar ran to the end
    assert "Overijssel" in _text(out.read_bytes())
    bad = CliRunner().invoke(cli.app, ["report", "quarterly", "--province", "PV99",
                                       "--quarter", "2026-Q3", "--out", str(out)])
    assert bad.exit_code != 0
