"""A person who left traces everywhere, through the real flows: the privacy tests' world.

``build_person`` makes Joke Markerink ask a question (name, e-mail, phone and a marker in the
text), get an answer that names her, ask for a login link, post and comment in a group,
submit her firm's figures, save a scan and write a practice for the knowledge base; mail is
delivered (kept in the outbox) and one mail to her is parked as failed. Bert Buurman, another
entrepreneur, asks a question of his own: what is erased about Joke must leave Bert alone.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from backend.accounts.models import User
from backend.cases.models import Case
from backend.community.models import BenchmarkPeriod, Group, Kpi, KpiFigure
from backend.core.db import Database, utcnow
from backend.core.mail import send_mail
from backend.core.outbox import FAILED, OutboxMessage
from backend.core.settings import Settings
from backend.core.worker import Worker
from backend.routing.models import Desk
from backend.scan.models import ScanResult
from tests.client import LoketClient
from tests.factories.accounts import create_user, session_cookie_for
from tests.factories.cases import as_principal, regional_setup
from tests.factories.community import create_firm, create_group, join
from tests.factories.content import create_item
from tests.factories.routing import add_member

NAME = "Joke Markerink"
EMAIL = "joke.markerink@voorbeeld.nl"
PHONE = "+31 6 4471 2290"
QUESTION_MARKER = "zwaluwstaartverbinding"
POST_MARKER = "kwartelkoningkoffie"
COMMENT_MARKER = "reigersnestrooster"
OTHER_NAME = "Bert Buurman"
OTHER_EMAIL = "bert.buurman@voorbeeld.nl"
OTHER_MARKER = "fazantenveerwerk"

QUESTION = ("Wij willen investeren in een nieuwe productielijn voor onze "
            f"{QUESTION_MARKER}. Welke financiering of lening is er voor ons als klein bedrijf?")


@dataclass
class Person:
    user: User
    case: Case
    other_case: Case
    group: Group
    desks: dict[str, Desk]
    advisor: User
    needles: list[str] = field(default_factory=lambda: [
        NAME, EMAIL, PHONE, QUESTION_MARKER, POST_MARKER, COMMENT_MARKER])
    other_needles: list[str] = field(default_factory=lambda: [
        OTHER_NAME, OTHER_EMAIL, OTHER_MARKER])


def question_form(**overrides: str) -> dict[str, str]:
    data = {"text": QUESTION, "municipality": "Deventer", "sector": "industrie",
            "company_size": "klein", "email": EMAIL, "name": NAME, "phone": PHONE,
            "consent": "1"}
    data.update(overrides)
    return data


def drain(db: Database, settings: Settings) -> None:
    asyncio.run(Worker(db, settings).drain())


def _client_for(client: LoketClient, db: Database, user: User) -> LoketClient:
    c = LoketClient(client.app)
    c.cookies.set("loket_session", session_cookie_for(db, user.id))
    return c


def build_person(client: LoketClient, session: Session, db: Database,
                 settings: Settings) -> Person:
    desks = regional_setup(session)
    advisor = add_member(session, desks["oost-nl"], name="Olga Oost")
    user = create_user(session, email=EMAIL, name=NAME)
    firm = create_firm(session, name="Markerink Houtbouw", people=(user,))
    other_firm = create_firm(session, name="Buurman Metaal")
    group = create_group(session, coordinator=other_firm)
    join(session, group, firm)
    kpi = Kpi(group_id=group.id or 0, key="omzet", name="Omzet")
    period = BenchmarkPeriod(group_id=group.id or 0, label="2026")
    session.add(kpi)
    session.add(period)
    session.flush()
    session.add(KpiFigure(period_id=period.id or 0, firm_id=firm.id or 0, kpi_id=kpi.id or 0,
                          value=123456.0))
    # Plain SQL: only the columns a scan result needs (the model may grow columns).
    session.execute(sa.text("INSERT INTO scan_version (version, definition, digest, source, "
                            "created_at) VALUES (9901, '{}', :d, 'seed', :at)"),
                    {"d": "t" * 64, "at": utcnow()})
    session.add(ScanResult(version=9901, answers={"q1": 3}, scores={"total": 60},
                           user_id=user.id, company_size="klein"))
    # She wrote a practice for the knowledge base (her name is on its revision); it is
    # published, so the search index is built and scanned too.
    create_item(session, "practice", title="Slim roosteren in de houtbouw",
                actor=as_principal(user))
    session.commit()

    # Two entrepreneurs ask, anonymously, through the form.
    r = client.post("/vraag", data=question_form())
    assert r.status_code == 303, r.text
    other = LoketClient(client.app)
    r = other.post("/vraag", data=question_form(
        email=OTHER_EMAIL, name=OTHER_NAME, phone="+31 6 9000 1111",
        text=f"Hoe maken wij ons {OTHER_MARKER} productiever met robots en automatisering?"))
    assert r.status_code == 303, r.text
    session.expire_all()
    case = session.exec(select(Case).where(Case.contact_email == EMAIL)).one()
    other_case = session.exec(select(Case).where(Case.contact_email == OTHER_EMAIL)).one()

    # The advisor answers her by name; an internal note names her too.
    adv = _client_for(client, db, advisor)
    r = adv.post(f"/werkplek/zaken/{case.reference}/antwoord",
                 data={"body": f"Beste {NAME}, bel ons gerust op {PHONE} terug."})
    assert r.status_code in (200, 303), r.text
    r = adv.post(f"/werkplek/zaken/{case.reference}/notitie",
                 data={"note": f"{NAME} belde over de {QUESTION_MARKER}."})
    assert r.status_code in (200, 303), r.text

    # She asks for a login link, logs in, posts and comments in her group.
    r = client.post("/inloggen", data={"email": EMAIL})
    assert r.status_code == 303, r.text
    me = _client_for(client, db, user)
    r = me.post(f"/groepen/{group.slug}/berichten",
                data={"title": "Vraag", "body": f"Wie kent {POST_MARKER}? Groet, {NAME}"})
    assert r.status_code == 303, r.text
    session.expire_all()
    from backend.community.models import GroupPost

    post = session.exec(select(GroupPost).where(GroupPost.author_id == user.id)).one()
    r = me.post(f"/groepen/{group.slug}/berichten/{post.id}/reacties",
                data={"body": f"Aanvulling: {COMMENT_MARKER}"})
    assert r.status_code == 303, r.text

    # Mail is delivered (kept: no SMTP server); one mail to her was parked as failed.
    with db.transaction() as s:
        msg = send_mail(s, to=EMAIL, subject=f"Voor {NAME}", text="Niet bezorgd.")
        assert msg is not None
        msg.status = FAILED
        msg.processed_at = utcnow()
        msg.last_error = f"SMTPRecipientsRefused: {EMAIL}"
        s.add(msg)
    drain(db, settings)
    session.expire_all()
    assert session.exec(select(OutboxMessage)).first() is not None
    session.refresh(user)
    return Person(user=user, case=case, other_case=other_case, group=group, desks=desks,
                  advisor=advisor)
