"""One-time e-mail login links: sent through the outbox, confirmed by POST, used once."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session, col, select

from backend.accounts.models import AuditEvent, LoginLink, WebSession
from backend.core.db import Database, utcnow
from backend.core.mail import MAIL_KIND
from backend.core.outbox import OutboxMessage
from backend.core.security import sha256_hex
from tests.client import LoketClient
from tests.factories.accounts import create_login_link, create_user

LINK = re.compile(r"http://testserver(/inloggen/link/([A-Za-z0-9_-]+)(\?next=[^\s]*)?)")


def _mails(session: Session, to: str | None = None) -> list[OutboxMessage]:
    session.expire_all()
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == MAIL_KIND)
                        .order_by(col(OutboxMessage.id))).all()
    return [m for m in rows if to is None or m.payload["to"] == to]


def _events(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)
                             .order_by(col(AuditEvent.id))).all())


def _session_user(db: Database, client: LoketClient) -> int | None:
    cookie = client.cookies.get("loket_session")
    if not cookie:
        return None
    with db.transaction(write=False) as s:
        row = s.get(WebSession, sha256_hex(cookie))
        return row.user_id if row else None


def test_link_is_mailed_and_logs_in_once(client: LoketClient, session: Session,
                                         db: Database) -> None:
    user = create_user(session, email="ineke@example.nl", name="Ineke")
    session.commit()
    r = client.post("/inloggen", data={"email": " Ineke@Example.nl ", "next": "/beheer"})
    assert r.status_code == 303
    assert r.headers["location"] == "/inloggen/link-verstuurd"
    assert "Kijk in uw e-mail" in client.get(r.headers["location"]).text

    [mail] = _mails(session, "ineke@example.nl")
    assert mail.payload["subject"] == "Uw inloglink voor Loket"
    match = LINK.search(mail.payload["text"])
    assert match, mail.payload["text"]
    path, token = match.group(1), match.group(2)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    # Stored hashed: the token itself is nowhere in the table.
    link = session.exec(select(LoginLink).where(LoginLink.user_id == user.id)).one()
    assert link.token_hash == sha256_hex(token) and token not in link.token_hash
    assert link.expires_at - utcnow() <= timedelta(minutes=15)

    # Following the link (as a mail scanner would) does not spend it.
    for _ in range(2):
        page = client.get(path)
        assert page.status_code == 200
        assert 'method="post"' in page.text and 'name="csrf_token"' in page.text
        assert page.headers["referrer-policy"] == "no-referrer"
    assert _session_user(db, client) is None
    session.refresh(link)
    assert link.used_at is None

    r = client.post(f"/inloggen/link/{token}", data={"next": "/beheer"})
    assert r.status_code == 303 and r.headers["location"] == "/beheer"
    assert _session_user(db, client) == user.id
    assert [e.details["method"] for e in _events(session, "auth.login")] == ["email_link"]
    assert len(_events(session, "auth.link_sent")) == 1
    assert len(_events(session, "auth.link_used")) == 1

    # A second use fails, also from another browser.
    other = LoketClient(client.app)
    with other:
        again = other.post(f"/inloggen/link/{token}")
        assert again.status_code == 410
        assert "niet meer geldig" in again.text
        assert _session_user(db, other) is None
        assert other.get(path).status_code == 410
    failed = _events(session, "auth.login_failed")
    assert failed[-1].details == {"method": "email_link", "reason": "used_link"}


def test_expired_link_fails(client: LoketClient, session: Session, db: Database) -> None:
    user = create_user(session)
    token = create_login_link(session, user, minutes=-1)
    session.commit()
    assert client.get(f"/inloggen/link/{token}").status_code == 410
    r = client.post(f"/inloggen/link/{token}")
    assert r.status_code == 410
    assert _session_user(db, client) is None
    assert _events(session, "auth.login_failed")[-1].details["reason"] == "expired_link"


def test_unknown_link_fails(client: LoketClient, session: Session, db: Database) -> None:
    r = client.post("/inloggen/link/" + "A" * 43)
    assert r.status_code == 410
    assert _session_user(db, client) is None
    assert _events(session, "auth.login_failed")[-1].details["reason"] == "unknown_link"


def test_unknown_address_gets_the_same_answer_and_no_mail(client: LoketClient,
                                                          session: Session) -> None:
    known = create_user(session, email="known@example.nl")
    session.commit()
    a = client.post("/inloggen", data={"email": "known@example.nl"})
    b = client.post("/inloggen", data={"email": "nobody@example.nl"})
    assert (a.status_code, a.headers["location"]) == (b.status_code, b.headers["location"])
    assert a.text == b.text
    assert len(_mails(session)) == 1 and _mails(session)[0].payload["to"] == known.email
    # Audited without the address itself.
    [event] = _events(session, "auth.login_failed")
    assert event.details["reason"] == "unknown_user"
    assert "nobody" not in str(event.details) and len(event.details["email_hash"]) == 32


def test_inactive_user_gets_no_link(client: LoketClient, session: Session) -> None:
    create_user(session, email="gone@example.nl", is_active=False)
    session.commit()
    r = client.post("/inloggen", data={"email": "gone@example.nl"})
    assert r.status_code == 303
    assert _mails(session) == []


def test_newest_login_spends_older_links(client: LoketClient, session: Session) -> None:
    user = create_user(session)
    first, second = create_login_link(session, user), create_login_link(session, user)
    session.commit()
    assert client.post(f"/inloggen/link/{second}").status_code == 303
    assert client.post(f"/inloggen/link/{first}").status_code == 410


def test_deactivated_after_sending_cannot_use_the_link(client: LoketClient,
                                                      session: Session, db: Database) -> None:
    user = create_user(session)
    token = create_login_link(session, user)
    user.is_active = False
    session.add(user)
    session.commit()
    assert client.post(f"/inloggen/link/{token}").status_code == 410
    assert _session_user(db, client) is None


def test_invalid_address_shows_an_accessible_error(client: LoketClient,
                                                   session: Session) -> None:
    r = client.post("/inloggen", data={"email": "not-an-address"})
    assert r.status_code == 400
    assert 'aria-describedby="f-email-error"' in r.text
    assert 'id="f-email-error"' in r.text and 'aria-invalid="true"' in r.text
    assert 'href="#f-email"' in r.text  # the error summary links to the field
    assert _mails(session) == []


def test_link_keeps_a_local_next_only(client: LoketClient, session: Session) -> None:
    create_user(session, email="next@example.nl")
    session.commit()
    client.post("/inloggen", data={"email": "next@example.nl", "next": "https://evil.example/"})
    client.post("/inloggen", data={"email": "next@example.nl", "next": "/beheer/audit"})
    texts = [m.payload["text"] for m in _mails(session, "next@example.nl")]
    assert "evil" not in texts[0] and "?next=" not in texts[0]
    assert "?next=/beheer/audit" in texts[1]
