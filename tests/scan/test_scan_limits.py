"""The scan's "bespreken" door is a question door like the form: the same rate limit (and the
same counters), honeypot and consent, because it goes through ``cases.service.ask_question``.
In the outside test of 2026-12, 30 of 30 posts went through with no limit and no honeypot."""

from __future__ import annotations

from sqlmodel import Session, col, select

from backend.cases.models import Case
from backend.core.mail import MAIL_KIND
from backend.core.outbox import OutboxMessage
from tests.client import LoketClient
from tests.scan.test_scan_flow import run_scan


def _cases(session: Session) -> int:
    session.expire_all()
    return len(session.exec(select(Case.id)).all())


def _mails(session: Session) -> int:
    session.expire_all()
    return len(session.exec(select(col(OutboxMessage.id)).where(
        OutboxMessage.kind == MAIL_KIND)).all())


def test_thirty_posts_from_one_address_are_limited_like_questions(
        client: LoketClient, session: Session, scan_data: None) -> None:
    path = run_scan(client)
    codes = [client.post(f"{path}/bespreken", data={
        "email": f"doelwit{i}@example.nl", "consent": "1", "text": f"Vraag {i}"}).status_code
        for i in range(30)]
    assert codes.count(303) == 10, codes  # ask_question.address: 10 an hour
    assert codes[10:] == [429] * 20
    assert _cases(session) == 10
    refused = client.post(f"{path}/bespreken", data={"email": "nog@example.nl",
                                                      "consent": "1"})
    assert refused.status_code == 429 and "minuten" in refused.text
    assert refused.headers["retry-after"]


def test_an_address_the_question_form_refused_is_refused_here_too(
        client: LoketClient, session: Session, scan_data: None) -> None:
    from tests.cases.test_asking import form

    for i in range(10):
        assert client.post("/vraag", data=form(email=f"f{i}@example.nl")).status_code == 303
    assert client.post("/vraag", data=form(email="f10@example.nl")).status_code == 429
    path = run_scan(client)
    r = client.post(f"{path}/bespreken", data={"email": "ander@example.nl", "consent": "1"})
    assert r.status_code == 429
    assert _cases(session) == 10


def test_the_same_mailbox_is_limited_across_addresses(
        client: LoketClient, session: Session, scan_data: None) -> None:
    path = run_scan(client)
    for i in range(5):
        client.headers["x-test"] = str(i)
        r = client.post(f"{path}/bespreken", data={"email": "slachtoffer@example.nl",
                                                    "consent": "1"})
        assert r.status_code == 303
    r = client.post(f"{path}/bespreken", data={"email": "slachtoffer@example.nl",
                                                "consent": "1"})
    assert r.status_code == 429  # ask_question.email: 5 a day
    assert _mails(session) <= 5 * 3


def test_honeypot_and_consent_are_checked(client: LoketClient, session: Session,
                                          scan_data: None) -> None:
    path = run_scan(client)
    page = client.get(path)
    assert 'name="website"' in page.text  # the hidden field people leave empty
    r = client.post(f"{path}/bespreken", data={"email": "a@example.nl", "consent": "1",
                                                "website": "http://spam.example"})
    assert r.status_code == 422 and "niet verstuurd" in r.text
    r = client.post(f"{path}/bespreken", data={"email": "a@example.nl"})
    assert r.status_code == 422 and 'id="f-consent-error"' in r.text
    r = client.post(f"{path}/bespreken", data={"email": "a@example.nl", "consent": "0"})
    assert r.status_code == 422 and 'id="f-consent-error"' in r.text
    assert _cases(session) == 0 and _mails(session) == 0
