"""Referral outside Loket and the outcome follow-up (issue 18, item 4).

The follow-up job takes its clock as a parameter: the tests travel 3 and 6 months ahead."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from sqlmodel import Session, select

from backend.accounts.models import User
from backend.cases import followup, queries, referral, workspace
from backend.cases.models import FOLLOWUP_STOPPED, REFERRED_OUT, Case, CaseEvent
from backend.cases.models_human import CaseFollowup, CaseReferral
from backend.core.db import Database, utcnow
from backend.core.settings import Settings
from backend.core.worker import Worker
from backend.routing.models import Desk
from tests.cases.conftest import mails
from tests.client import LoketClient
from tests.factories.cases import as_principal, create_case
from tests.factories.content import create_organisation
from tests.factories.routing import add_member
from tests.smtp import SmtpServer


def _closed_case(session: Session, desk: Desk, **kw: object) -> tuple[Case, User]:
    advisor = add_member(session, desk)
    case = create_case(session, desk, followup_opt_in=True, theme="financiering",
                       municipality_code="GM0150", **kw)  # type: ignore[arg-type]
    return case, advisor


def test_referral_from_the_knowledge_base_is_shown_to_the_entrepreneur(
        client: LoketClient, session: Session, login, desks: dict[str, Desk]) -> None:
    org = create_organisation(session, "Stichting Voorbeeld Innovatie",
                              website="https://innovatie.example.nl/")
    desk = desks["oost-nl"]
    advisor = add_member(session, desk)
    case = create_case(session, desk, email="verwezen@example.nl")
    session.commit()
    login(advisor)
    page = client.get(f"/werkplek/zaken/{case.reference}").text
    assert f'value="{org.slug}"' in page
    r = client.post(f"/werkplek/zaken/{case.reference}/verwijzen",
                    data={"organisation": org.slug, "reason": "Zij helpen met een innovatieplan."})
    assert r.status_code == 303
    session.expire_all()
    row = session.exec(select(CaseReferral)).one()
    assert row.organisation_slug == org.slug and row.organisation_url == "https://innovatie.example.nl/"
    event = session.exec(select(CaseEvent).where(CaseEvent.kind == REFERRED_OUT)).one()
    assert not event.internal and event.data["organisation"] == "Stichting Voorbeeld Innovatie"
    mail = mails(session, "verwezen@example.nl")[-1]
    assert "Stichting Voorbeeld Innovatie" in mail["text"] and "innovatieplan" in mail["text"]
    token = re.search(r"/vraag/volgen/([A-Za-z0-9_-]+)", mail["text"]).group(1)  # type: ignore[union-attr]
    other = LoketClient(client.app)
    assert other.post(f"/vraag/volgen/{token}").status_code == 303
    own = other.get(f"/mijn-vraag/{case.reference}").text
    assert "Stichting Voorbeeld Innovatie" in own and "innovatieplan" in own


def test_typed_referral_and_its_checks(session: Session, desks: dict[str, Desk]) -> None:
    from backend.core.errors import Invalid

    desk = desks["oost-nl"]
    advisor = add_member(session, desk)
    case = create_case(session, desk)
    try:
        referral.refer_out(session, case, as_principal(advisor), reason="")
    except Invalid as exc:
        assert set(exc.fields) == {"organisation", "reason"}
    else:
        raise AssertionError("refused")
    got = referral.refer_out(session, case, as_principal(advisor), name="Bakkersvakbond",
                             url="https://bakkers.example.nl", reason="Cao-vragen")
    assert got.organisation_slug is None and got.organisation_name == "Bakkersvakbond"


def test_followup_after_3_and_6_months_once_each(client: LoketClient, session: Session,
                                                desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    case, advisor = _closed_case(session, desk, email="nazorg@example.nl")
    silent = create_case(session, desk, email="geen-nazorg@example.nl")
    referral.refer_out(session, case, as_principal(advisor), name="Bakkersvakbond",
                       reason="Cao-vragen")
    for c in (case, silent):
        workspace.close(session, c, as_principal(advisor), "referred", without_answer=True)
    closed = case.closed_at
    assert closed is not None
    session.commit()
    assert followup.send_followups(session, now=closed + timedelta(days=60)) == {3: 0, 6: 0}
    assert followup.send_followups(session, now=closed + timedelta(days=92)) == {3: 1, 6: 0}
    assert followup.send_followups(session, now=closed + timedelta(days=93)) == {3: 0, 6: 0}
    assert followup.send_followups(session, now=closed + timedelta(days=183)) == {3: 0, 6: 1}
    got = [m for m in mails(session, "nazorg@example.nl") if "maanden" in m["subject"]]
    assert len(got) == 2
    assert mails(session, "geen-nazorg@example.nl") == [] or all(
        "maanden" not in m["subject"] for m in mails(session, "geen-nazorg@example.nl"))

    link = re.search(r"/vraag/nazorg/([A-Za-z0-9_-]+)\n", got[0]["text"]).group(1)  # type: ignore[union-attr]
    page = client.get(f"/vraag/nazorg/{link}")
    assert page.status_code == 200 and 'name="referral_helped"' in page.text
    r = client.post(f"/vraag/nazorg/{link}", data={"acted": "maybe"})
    assert r.status_code == 422
    r = client.post(f"/vraag/nazorg/{link}", data={
        "acted": "yes", "applied_scheme": "yes", "got_scheme": "pending", "change": "too_early",
        "referral_helped": "yes"})
    assert r.status_code == 303
    rows = queries.followup_outcomes(session, utcnow() - timedelta(days=1),
                                     utcnow() + timedelta(days=1))
    assert (desk.id, "financiering", "GM0150", "referral_helped", "yes", 1) in rows
    assert len(rows) == 5

    stop = re.search(r"/vraag/nazorg/([A-Za-z0-9_-]+)/afmelden", got[1]["text"]).group(1)  # type: ignore[union-attr]
    assert client.get(f"/vraag/nazorg/{stop}/afmelden").status_code == 200
    assert client.post(f"/vraag/nazorg/{stop}/afmelden").status_code == 303
    session.expire_all()
    assert not session.get(Case, case.id).followup_opt_in  # type: ignore[union-attr]
    assert session.exec(select(CaseEvent).where(CaseEvent.kind == FOLLOWUP_STOPPED)).one()


def test_only_the_latest_due_round_is_sent(session: Session, desks: dict[str, Desk]) -> None:
    case, advisor = _closed_case(session, desks["oost-nl"])
    workspace.close(session, case, as_principal(advisor), "no_follow_up",
                    without_answer=True)
    assert case.closed_at is not None
    counts = followup.send_followups(session, now=case.closed_at + timedelta(days=200))
    assert counts == {3: 0, 6: 1}
    rows = session.exec(select(CaseFollowup)).all()
    assert [r.round for r in rows] == [6]


def test_referral_question_only_after_a_referral(client: LoketClient, session: Session,
                                                 desks: dict[str, Desk]) -> None:
    case, advisor = _closed_case(session, desks["oost-nl"], email="zonder@example.nl")
    workspace.close(session, case, as_principal(advisor), "no_follow_up",
                    without_answer=True)
    assert case.closed_at is not None
    followup.send_followups(session, now=case.closed_at + timedelta(days=92))
    session.commit()
    mail = [m for m in mails(session, "zonder@example.nl") if "nazorg" in m["text"]][-1]
    link = re.search(r"/vraag/nazorg/([A-Za-z0-9_-]+)\n", mail["text"]).group(1)  # type: ignore[union-attr]
    page = client.get(f"/vraag/nazorg/{link}").text
    assert 'name="acted"' in page and 'name="referral_helped"' not in page
    assert client.get("/vraag/nazorg/onbekend").status_code == 404


def test_followup_mail_reaches_a_real_smtp_server(db: Database, session: Session,
                                                  settings: Settings,
                                                  desks: dict[str, Desk]) -> None:
    server = SmtpServer().start()
    try:
        case, advisor = _closed_case(session, desks["oost-nl"], email="smtp-nazorg@example.nl")
        workspace.close(session, case, as_principal(advisor), "no_follow_up",
                    without_answer=True)
        assert case.closed_at is not None
        followup.send_followups(session, now=case.closed_at + timedelta(days=92),
                                base_url="http://loket.test")
        session.commit()
        asyncio.run(Worker(db, settings.model_copy(update={"smtp_url": server.url})).drain())
        got = [m for m in server.recorder.messages if m["To"] == "smtp-nazorg@example.nl"
               and "maanden" in m["Subject"]]  # the other one says the case was closed
        assert len(got) == 1
        body = got[0].get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        assert "http://loket.test/vraag/nazorg/" in body and "/afmelden" in body
    finally:
        server.stop()


def test_opt_in_on_the_question_form(client: LoketClient, session: Session,
                                     desks: dict[str, Desk]) -> None:
    base = {"text": "Hoe vind ik personeel voor mijn bakkerij in Deventer?",
            "municipality": "Deventer", "email": "optin@example.nl", "consent": "1"}
    assert client.post("/vraag", data={**base, "followup": "1"}).status_code == 303
    assert client.post("/vraag", data={**base, "email": "optout@example.nl"}).status_code == 303
    session.expire_all()
    by_email = {c.contact_email: c.followup_opt_in for c in session.exec(select(Case)).all()}
    assert by_email == {"optin@example.nl": True, "optout@example.nl": False}
    assert 'name="followup"' in client.get("/vraag").text
