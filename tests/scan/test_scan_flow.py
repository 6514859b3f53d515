"""The scan without JavaScript or account: one question per screen, back keeps answers, the
result with advice, before/after, and the question to an advisor with the scan attached."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from sqlmodel import Session, select

from backend.cases.models import Case
from backend.content.models import CompanySize
from backend.core.db import Database
from backend.core.settings import Settings
from backend.scan import service
from backend.scan.models import ScanAttachment, ScanResult, ScanVersion
from tests.client import LoketClient
from tests.factories.content import add_company_size, create_item, create_scheme


def run_scan(client: LoketClient, answer: Any = 4, *, municipality: str = "Deventer",
             size: str = "klein") -> str:
    """Answer every question; ``answer`` is a value or a function of the question number.
    Returns the result page's path (the private link)."""
    r = client.post("/scan", data={"size": size, "sector": "industrie",
                                   "municipality": municipality})
    assert r.status_code == 303 and r.headers["location"] == "/scan/vraag/1"
    n = 1
    while True:
        page = client.get(f"/scan/vraag/{n}")
        assert page.status_code == 200
        total = int(re.search(r'max="(\d+)"', page.text).group(1))  # type: ignore[union-attr]
        value = answer(n) if callable(answer) else answer
        r = client.post(f"/scan/vraag/{n}", data={"answer": str(value), "richting": "verder"})
        assert r.status_code == 303
        if n == total:
            return str(r.headers["location"])
        n += 1


def test_seed_is_idempotent_and_versions_are_kept(db: Database, settings: Settings,
                                                  session: Session, scan_data: None) -> None:
    assert "unchanged" in service.load_seed(db, settings)
    row = session.get(ScanVersion, 1)
    assert row is not None and len(row.definition["questions"]) == 24
    # a result pins its version: the same version number cannot change under it
    d = service.definition(session)
    answers = {q["id"]: 3 for q in d.questions}
    service.complete_scan(session, 1, answers, service.FirmProfile())
    changed = {**row.definition, "title_nl": "Anders"}
    _row, what = service.store_version(session, changed)
    assert what.startswith("kept")
    _new, what = service.store_version(session, {**changed, "version": 2})
    assert what == "added" and service.definition(session).version == 2


def test_full_scan_without_account(client: LoketClient, session: Session,
                                   scan_data: None) -> None:
    create_item(session, "practice", title="Cobot bij de lasser", slug="cobot-lasser",
                themes=["robotisering-automatisering"], regions=["overijssel"])
    create_item(session, "practice", title="Robot in Gelderland", slug="robot-gld",
                themes=["robotisering-automatisering"], regions=["gelderland"])
    create_item(session, "practice", title="Robots landelijk", slug="robots-nl",
                themes=["robotisering-automatisering"], regions=["nl"],
                title_en="Robots nationwide")
    create_scheme(session, "Robotsubsidie", slug="robotsubsidie")
    session.commit()
    assert client.get("/scan/vraag/1").headers["location"] == "/scan"  # not started yet
    # automation (questions 4–6) is weak, the rest strong
    path = run_scan(client, lambda n: 1 if n in (4, 5, 6) else 5)
    assert path.startswith("/scan/resultaat/") and len(path.rsplit("/", 1)[1]) >= 22
    page = client.get(path)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page.text
    assert "Automatisering en robotisering" in text and "Technologie" in text
    assert "Bespreek dit met een adviseur" in text
    # a chart of the eight dimensions: automation's bar is a fifth of the others'
    chart = text.split('aria-labelledby="scan-dimensions-title', 1)[1].split("</svg>", 1)[0]
    assert "Score per dimensie (1–5)" in chart
    bars = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', chart)
    assert len(bars) == 8, bars
    widths = sorted(float(b) for b in bars)
    assert widths[0] * 5 == pytest.approx(widths[-1], rel=0.01)
    # the same scores to take away: CSV (Dutch Excel's format, or international) and PDF
    assert f'href="{path}/scan.pdf"' in text and f'href="{path}/scores.csv"' in text
    dutch = client.get(f"{path}/scores.csv")
    assert dutch.status_code == 200 and dutch.headers["cache-control"] == "no-store"
    assert dutch.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(dutch.content.decode("utf-8-sig"), newline=""),
                           delimiter=";"))
    assert rows[0] == ["Pijler", "Dimensie", "Score (1–5)"]
    assert ["Technologie", "Automatisering en robotisering", "1"] in rows
    assert rows[-1][0] == "Totaalscore" and "," in rows[-1][2]  # decimal comma
    intl = client.get(f"{path}/scores.csv?formaat=internationaal")
    last = list(csv.reader(io.StringIO(intl.text, newline="")))[-1]
    assert last[2] == rows[-1][2].replace(",", ".")
    pdf = client.get(f"{path}/scan.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert client.get("/scan/resultaat/bestaat-niet/scores.csv").status_code == 404
    # nearest first: the practice in the firm's province before the national one; another
    # province's practice is not offered
    assert text.index("Cobot bij de lasser") < text.index("Robots landelijk")
    assert "Robot in Gelderland" not in text
    assert "Robotsubsidie" in text and "Robots nationwide" not in text
    # In English the advice names the practices by their English title where they have one.
    client.cookies.set("loket_lang", "en")
    english = client.get(path).text
    assert ">Robots nationwide</a>" in english and "Robots landelijk" not in english
    assert '<a href="/kennisbank/goede-voorbeelden/cobot-lasser" lang="nl">' in english
    client.cookies.set("loket_lang", "nl")
    result = session.exec(select(ScanResult)).one()
    assert result.version == 1 and result.province == "overijssel"
    assert result.token_hash and result.token_hash not in path  # stored hashed


def test_back_keeps_answers_and_an_answer_is_required(client: LoketClient,
                                                      scan_data: None) -> None:
    client.post("/scan", data={})
    client.post("/scan/vraag/1", data={"answer": "2", "richting": "verder"})
    r = client.post("/scan/vraag/2", data={"richting": "terug"})
    assert r.headers["location"] == "/scan/vraag/1"
    assert re.search(r'value="2" checked', client.get("/scan/vraag/1").text)
    missing = client.post("/scan/vraag/2", data={"richting": "verder"})
    assert missing.status_code == 422
    assert "Kies een van de antwoorden" in missing.text


def test_later_scan_shows_change_per_dimension(client: LoketClient, session: Session,
                                               scan_data: None) -> None:
    run_scan(client, 2)
    second = run_scan(client, lambda n: 4 if n in (4, 5, 6) else 2)
    results = session.exec(select(ScanResult).order_by(ScanResult.id)).all()  # type: ignore[arg-type]
    assert results[1].previous_id == results[0].id
    page = client.get(second).text
    assert "Vorige scan" in page and "+2" in page


def test_discuss_with_advisor_routes_a_question_with_the_scan(
        client: LoketClient, session: Session, scan_data: None) -> None:
    path = run_scan(client, lambda n: 1 if n in (22, 23, 24) else 4)
    token = path.rsplit("/", 1)[1]
    refused = client.post(f"{path}/bespreken", data={"email": "a@example.nl"})
    assert refused.status_code == 422
    r = client.post(f"{path}/bespreken", data={"email": "ondernemer@example.nl",
                                               "consent": "1", "text": ""})
    assert r.status_code == 303 and r.headers["location"].startswith("/mijn-vraag/")
    case = session.exec(select(Case)).one()
    assert case.theme == "leren-en-ontwikkelen"  # from the weakest point's advice rule
    assert "Productiviteitsscan" in case.text and "Leren en vitaliteit" in case.text
    attachment = session.exec(select(ScanAttachment)).one()
    result = service.result_by_token(session, token)
    assert attachment.case_id == case.id and attachment.result_id == result.id
    assert [a.id for a in service.attachments_for_case(session, case.id or 0)] == [attachment.id]
    # the entrepreneur follows the case with the scan in the question
    follow = client.get(r.headers["location"])
    assert follow.status_code == 200 and "Productiviteitsscan" in follow.text


def test_discussing_a_scan_keeps_a_size_an_editor_added(
        client: LoketClient, session: Session, scan_data: None) -> None:
    """The question carries the scan's size when the taxonomy knows it, also one an editor
    added (the question's fixed list of five refused it, reported as a wrong e-mail address);
    a size removed since the scan is left out, like a sector."""
    add_company_size(session, "scale-up-met-groeiambitie", "Scale-up met groeiambitie")
    session.commit()
    path = run_scan(client, size="scale-up-met-groeiambitie")
    r = client.post(f"{path}/bespreken", data={"email": "groei@example.nl", "consent": "1"})
    assert r.status_code == 303, r.text
    assert session.exec(select(Case)).one().company_size == "scale-up-met-groeiambitie"
    later = run_scan(client, size="scale-up-met-groeiambitie")
    session.delete(session.exec(select(CompanySize).where(
        CompanySize.slug == "scale-up-met-groeiambitie")).one())
    session.commit()
    r = client.post(f"{later}/bespreken", data={"email": "later@example.nl", "consent": "1"})
    assert r.status_code == 303, r.text
    case = session.exec(select(Case).where(Case.contact_email == "later@example.nl")).one()
    assert case.company_size is None


def test_unknown_token_is_404(client: LoketClient, scan_data: None) -> None:
    assert client.get("/scan/resultaat/bestaat-niet").status_code == 404


def test_scan_saved_to_account(client: LoketClient, session: Session, login: Any,
                               scan_data: None) -> None:
    from tests.factories.accounts import create_user

    assert client.get("/scan/mijn-scans").status_code == 303  # to the login page
    user = create_user(session)
    other = create_user(session)
    session.commit()
    login(user)
    run_scan(client, 3)
    run_scan(client, 4)
    mine = session.exec(select(ScanResult).where(ScanResult.user_id == user.id)
                        .order_by(ScanResult.id)).all()  # type: ignore[arg-type]
    assert len(mine) == 2 and mine[1].previous_id == mine[0].id
    listing = client.get("/scan/mijn-scans")
    assert listing.status_code == 200 and f"/scan/mijn-scans/{mine[1].id}" in listing.text
    page = client.get(f"/scan/mijn-scans/{mine[1].id}")
    assert page.status_code == 200 and "Vorige scan" in page.text
    login(other)
    assert client.get(f"/scan/mijn-scans/{mine[1].id}").status_code == 404
