"""Admin pages for the outbox and mail: admins only, filters and paging, message detail with
the last error, retry of failed messages (form post, 303), mail read as escaped text."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlmodel import Session

from backend.core.db import Database
from backend.core.mail import send_mail
from backend.core.outbox import DONE, FAILED, PENDING, OutboxMessage, enqueue
from backend.core.settings import Settings
from backend.core.worker import Worker
from tests.client import LoketClient, hidden_csrf
from tests.factories.accounts import create_user


@pytest.fixture
def admin_client(client: LoketClient, session: Session, login) -> LoketClient:
    admin = create_user(session, name="Anna Beheer", roles=("admin",))
    session.commit()
    return login(admin)


def _failed(session: Session, kind: str = "test.admin.webhook",
            error: str = "ConnectError: hook.example.nl refused") -> OutboxMessage:
    msg = enqueue(session, kind, {"url": "https://hook.example.nl"})
    assert msg is not None
    msg.status, msg.attempts, msg.last_error = FAILED, 8, error
    session.add(msg)
    session.commit()
    return msg


@pytest.mark.parametrize("path", ["/beheer/uitgaand", "/beheer/mail"])
def test_pages_are_for_admins_only(client: LoketClient, session: Session, login,
                                   path: str) -> None:
    r = client.get(path)
    assert r.status_code == 303 and r.headers["location"].startswith("/inloggen")
    editor = create_user(session, roles=("editor",))
    session.commit()
    login(editor)
    assert client.get(path).status_code == 403


def test_outbox_lists_counts_filters_and_shows_detail(admin_client: LoketClient,
                                                      session: Session) -> None:
    failed = _failed(session)
    for n in range(3):
        enqueue(session, "test.admin.index", {"n": n})
    session.commit()
    r = admin_client.get("/beheer/uitgaand")
    assert r.status_code == 200
    text = r.text
    assert re.search(r"Mislukt</a>: <strong>1</strong>", text)
    assert re.search(r"Wachtend</a>: <strong>3</strong>", text)
    assert "test.admin.index" in text and "test.admin.webhook" in text
    assert f'href="/beheer/uitgaand/{failed.id}"' in text
    assert 'name="csrf_token"' in text  # the "retry all" form

    only_failed = admin_client.get("/beheer/uitgaand?status=failed").text
    assert "test.admin.webhook" in only_failed
    assert "<code>test.admin.index</code>" not in only_failed
    by_kind = admin_client.get("/beheer/uitgaand?soort=test.admin.index").text
    assert "<code>test.admin.webhook</code>" not in by_kind
    assert admin_client.get("/beheer/uitgaand?status=bogus").status_code == 200

    detail = admin_client.get(f"/beheer/uitgaand/{failed.id}")
    assert detail.status_code == 200
    assert "ConnectError: hook.example.nl refused" in detail.text
    assert f'action="/beheer/uitgaand/{failed.id}/opnieuw"' in detail.text
    assert admin_client.get("/beheer/uitgaand/999999999").status_code == 404


def test_outbox_pages(admin_client: LoketClient, session: Session) -> None:
    for n in range(55):
        enqueue(session, "test.admin.paging", {"n": n})
    session.commit()
    first = admin_client.get("/beheer/uitgaand?soort=test.admin.paging").text
    assert "Pagina 1 van 2" in first
    assert 'href="/beheer/uitgaand?soort=test.admin.paging&amp;pagina=2"' in first
    second = admin_client.get("/beheer/uitgaand?soort=test.admin.paging&pagina=2").text
    assert "Pagina 2 van 2" in second
    assert second.count("<code>test.admin.paging</code>") == 5
    htmx = admin_client.get("/beheer/uitgaand?soort=test.admin.paging",
                            headers={"HX-Request": "true"})
    assert 'id="outbox-results"' in htmx.text and "<html" not in htmx.text


def test_retry_a_failed_message_from_the_page(admin_client: LoketClient, session: Session,
                                              db: Database, settings: Settings) -> None:
    failed = _failed(session, kind="mail.send")
    page = admin_client.get(f"/beheer/uitgaand/{failed.id}").text
    r = admin_client.post(f"/beheer/uitgaand/{failed.id}/opnieuw", csrf=False,
                          data={"csrf_token": hidden_csrf(page)})
    assert r.status_code == 303
    assert r.headers["location"] == f"/beheer/uitgaand/{failed.id}?gedaan=retried"
    session.expire_all()
    row = session.get(OutboxMessage, failed.id)
    assert row is not None and row.status == PENDING and row.attempts == 0
    assert "weer in de wachtrij" in admin_client.get(r.headers["location"]).text
    # Retrying a message that is not failed changes nothing.
    r = admin_client.post(f"/beheer/uitgaand/{failed.id}/opnieuw")
    assert r.headers["location"].endswith("gedaan=not_failed")
    # Without the CSRF token the post is refused.
    assert admin_client.post(f"/beheer/uitgaand/{failed.id}/opnieuw",
                             csrf=False).status_code == 403


def test_retry_all_failed(admin_client: LoketClient, session: Session) -> None:
    ids = [_failed(session).id, _failed(session).id]
    r = admin_client.post("/beheer/uitgaand/opnieuw")
    assert r.status_code == 303
    session.expire_all()
    assert {session.get(OutboxMessage, i).status for i in ids} == {PENDING}  # type: ignore[union-attr]


def test_kept_mail_is_listed_and_read_as_escaped_text(admin_client: LoketClient,
                                                      session: Session, db: Database,
                                                      settings: Settings) -> None:
    msg = send_mail(session, to="ondernemer@example.nl", subject="Uw inloglink",
                    text="Klik: https://loket.example/x\n<script>alert(1)</script>",
                    html="<p onclick=\"evil()\">Hallo</p><script>alert(2)</script>")
    session.commit()
    assert msg is not None
    asyncio.run(Worker(db, settings).drain())  # no SMTP URL: kept
    session.expire_all()
    assert session.get(OutboxMessage, msg.id).status == DONE  # type: ignore[union-attr]

    listing = admin_client.get("/beheer/mail")
    assert listing.status_code == 200
    assert "ondernemer@example.nl" in listing.text and "Uw inloglink" in listing.text
    assert "Bewaard (niet verzonden)" in listing.text
    assert "Uw inloglink" in admin_client.get("/beheer/mail?bezorging=kept").text
    assert "Uw inloglink" not in admin_client.get("/beheer/mail?bezorging=sent").text

    page = admin_client.get(f"/beheer/mail/{msg.id}")
    assert page.status_code == 200
    assert "Klik: https://loket.example/x" in page.text
    assert "<script>alert" not in page.text and "&lt;script&gt;alert(1)" in page.text
    assert "<p onclick" not in page.text
    assert msg.payload["message_id"].strip("<>") in page.text
    # A message that is not mail has no mail page.
    other = enqueue(session, "test.admin.other", {})
    session.commit()
    assert admin_client.get(f"/beheer/mail/{other.id if other else 0}").status_code == 404


def test_sent_and_failed_mail_are_labelled(admin_client: LoketClient, session: Session) -> None:
    sent = send_mail(session, to="a@example.nl", subject="Verzonden", text="x")
    assert sent is not None
    sent.status, sent.payload = DONE, {**sent.payload, "delivery": "smtp"}
    session.add(sent)
    _failed(session, kind="mail.send")
    text = admin_client.get("/beheer/mail").text
    assert "Verzonden" in text and ">Verzonden</td>" in text and ">Mislukt</td>" in text
    assert "Verzonden" in admin_client.get("/beheer/mail?bezorging=sent").text
