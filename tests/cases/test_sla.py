"""SLA: overdue cases are flagged, the coordinator is told once, and at twice the target the
case moves to the fallback desk. The job is idempotent and keeps its state in the database."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from backend.cases.models import Case, CaseEvent
from backend.cases.sla import check_sla
from backend.cases.workhours import add_working_hours
from backend.core.db import Database
from backend.core.errors import Invalid
from backend.core.settings import SLA_ESCALATION_FACTOR, Settings
from backend.core.worker import Worker, periodic_jobs
from backend.routing import service as routing
from backend.routing.models import COORDINATOR, Desk, DeskUpdate
from tests.cases.conftest import mails
from tests.client import LoketClient
from tests.factories.cases import as_principal, create_case, past
from tests.factories.routing import add_member


def kinds(session: Session, case: Case) -> list[tuple[str, bool]]:
    return [(e.kind, e.internal) for e in session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.id))).all()]


def test_job_is_registered_every_five_minutes() -> None:
    import backend.main

    backend.main.register_handlers()
    spec = {j.name: j for j in periodic_jobs()}["cases.sla"]
    assert spec.every == timedelta(minutes=5)


def test_overdue_tells_the_coordinator_once(session: Session, desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    coordinator = add_member(session, desk, role=COORDINATOR)
    advisor = add_member(session, desk)
    case = create_case(session, desk, received_at=past(24 * 3))
    moment = case.first_response_due_at + timedelta(minutes=1)
    assert moment < case.escalate_at
    assert check_sla(session, now=moment) == {"overdue": 1, "moved": 0}
    assert check_sla(session, now=moment + timedelta(minutes=5)) == {"overdue": 0, "moved": 0}
    assert case.escalation_level == 1 and case.desk_id == desk.id
    overdue_mails = [m for m in mails(session) if "overdue" in m["subject"].lower()
                     or "te laat" in m["subject"].lower()]
    assert [m["to"] for m in overdue_mails] == [coordinator.email]
    assert advisor.email not in [m["to"] for m in overdue_mails]
    assert kinds(session, case)[-1] == ("escalated", True)


def test_answered_cases_are_left_alone(session: Session, desks: dict[str, Desk]) -> None:
    from backend.cases import workspace

    desk = desks["oost-nl"]
    advisor = add_member(session, desk)
    case = create_case(session, desk, received_at=past(24 * 20))
    workspace.reply(session, case, as_principal(advisor), "Antwoord")
    assert check_sla(session) == {"overdue": 0, "moved": 0}


def test_twice_the_target_moves_the_case_to_the_fallback_desk(
        session: Session, desks: dict[str, Desk]) -> None:
    desk, kvk = desks["oost-nl"], desks["kvk"]
    add_member(session, desk, role=COORDINATOR)
    kvk_advisor = add_member(session, kvk)
    case = create_case(session, desk, received_at=past(24 * 20), email="wacht@example.nl")
    due, reference = case.first_response_due_at, case.reference
    assert check_sla(session) == {"overdue": 1, "moved": 1}
    assert case.desk_id == kvk.id and case.escalation_level == 2 and case.status == "new"
    assert case.reference == reference and case.first_response_due_at == due
    assert kinds(session, case)[-2:] == [("escalated", True), ("escalated", False)]
    assert any(m["to"] == kvk_advisor.email for m in mails(session))
    assert any(m["to"] == "wacht@example.nl" and "KvK" in m["text"] for m in mails(session))
    assert check_sla(session) == {"overdue": 0, "moved": 0}


def test_the_worker_runs_the_job_and_survives_a_restart(
        db: Database, settings: Settings, session: Session, desks: dict[str, Desk]) -> None:
    import backend.main

    backend.main.register_handlers()
    case = create_case(session, desks["oost-nl"], received_at=past(24 * 20))
    session.commit()
    first = Worker(db, settings, worker_id="w1")
    assert "cases.sla" in __import__("asyncio").run(first.run_periodic_once(only=["cases.sla"]))
    session.expire_all()
    moved = session.get(Case, case.id)
    assert moved is not None and moved.desk_id == desks["kvk"].id
    # A new worker (after a restart) does not run it again before it is due, and a run
    # would change nothing: the level is stored on the case.
    second = Worker(db, settings, worker_id="w2")
    assert __import__("asyncio").run(second.run_periodic_once(only=["cases.sla"])) == []
    assert check_sla(session) == {"overdue": 0, "moved": 0}


def test_the_escalation_time_is_the_desks_own_or_the_one_default(
        client: LoketClient, session: Session, desks: dict[str, Desk]) -> None:
    """The SLA lives once, in the desk's data; the default rule is settings' factor times the
    desk's target (it was a literal 2 in cases.service)."""
    from tests.cases.test_asking import form

    oost = desks["oost-nl"]  # target 16 working hours, no escalation time of its own
    assert oost.escalation_hours() == SLA_ESCALATION_FACTOR * 16
    r = client.post("/vraag", data=form())
    assert r.status_code == 303, r.text
    case = session.exec(select(Case).where(Case.contact_email == "els@bakkerij.example")).one()
    assert case.escalate_at == add_working_hours(case.received_at,
                                                 SLA_ESCALATION_FACTOR * 16)
    routing.update_desk(session, oost, DeskUpdate(escalate_after_hours=20))
    session.commit()
    r = client.post("/vraag", data=form(email="jan@bakkerij.example"))
    assert r.status_code == 303, r.text
    case = session.exec(select(Case).where(Case.contact_email == "jan@bakkerij.example")).one()
    assert case.first_response_due_at == add_working_hours(case.received_at, 16)
    assert case.escalate_at == add_working_hours(case.received_at, 20)


def test_a_desk_cannot_escalate_before_its_target(session: Session,
                                                  desks: dict[str, Desk]) -> None:
    with pytest.raises(Invalid) as refused:
        routing.update_desk(session, desks["oost-nl"], DeskUpdate(escalate_after_hours=8))
    assert "escalate_after_hours" in refused.value.fields


def test_an_admin_sets_the_escalation_time_on_the_desk_form(
        client: LoketClient, login, session: Session, desks: dict[str, Desk]) -> None:
    """The desk form has the escalation time: stored on the desk and used for the next case;
    emptied again, the desk falls back to the one default."""
    from tests.cases.test_asking import form as question
    from tests.factories.accounts import create_user
    from tests.routing.test_admin import _form

    admin = create_user(session, roles=("admin",))
    session.commit()
    login(admin)
    page = client.get("/beheer/loketten/oost-nl")
    assert 'name="escalate_after_hours"' in page.text
    assert "Doorzetten naar het landelijk vangnet na (werkuren)" in page.text
    values = _form(page.text)
    assert values["escalate_after_hours"] == [""]  # no time of its own: the default
    values["escalate_after_hours"] = ["24"]
    r = client.post("/beheer/loketten/oost-nl", data=values)
    assert r.status_code == 303, r.text
    session.expire_all()
    oost = session.exec(select(Desk).where(Desk.slug == "oost-nl")).one()
    assert oost.escalate_after_hours == 24 and oost.escalation_hours() == 24
    assert _form(client.get("/beheer/loketten/oost-nl").text)["escalate_after_hours"] == ["24"]
    r = client.post("/vraag", data=question(email="piet@bakkerij.example"))
    assert r.status_code == 303, r.text
    case = session.exec(select(Case).where(Case.contact_email == "piet@bakkerij.example")).one()
    assert case.desk_id == oost.id
    assert case.escalate_at == add_working_hours(case.received_at, 24)
    values["escalate_after_hours"] = [""]
    assert client.post("/beheer/loketten/oost-nl", data=values).status_code == 303
    session.expire_all()
    oost = session.exec(select(Desk).where(Desk.slug == "oost-nl")).one()
    assert oost.escalate_after_hours is None
    assert oost.escalation_hours() == SLA_ESCALATION_FACTOR * oost.first_response_hours


@pytest.mark.parametrize("bad", ["abc", "0", "-5", "12.5", "99999999999", "8"])
def test_a_bad_escalation_time_is_refused_in_dutch_and_nothing_is_lost(
        bad: str, client: LoketClient, login, session: Session,
        desks: dict[str, Desk]) -> None:
    from tests.factories.accounts import create_user
    from tests.routing.test_admin import _form

    admin = create_user(session, roles=("admin",))
    session.commit()
    login(admin)
    values = _form(client.get("/beheer/loketten/oost-nl").text)
    values["escalate_after_hours"] = [bad]
    values["capacity"] = ["77"]
    values["summary"] = ["Een nieuwe omschrijving"]
    r = client.post("/beheer/loketten/oost-nl", data=values)
    assert r.status_code == 422
    field = re.search(r'<input[^>]*id="f-escalate_after_hours"[^>]*>', r.text)
    assert field is not None and 'aria-invalid="true"' in field.group(0)
    expected = ("Laat niet eerder escaleren dan de termijn voor de eerste reactie." if bad == "8"
                else "Vul een heel aantal werkuren in, of laat het leeg voor de standaardtermijn.")
    assert expected in r.text
    # What the admin typed is shown again, the bad value included; nothing was saved.
    again = _form(r.text)
    assert again["escalate_after_hours"] == [bad]
    assert again["capacity"] == ["77"] and again["summary"] == ["Een nieuwe omschrijving"]
    session.expire_all()
    oost = session.exec(select(Desk).where(Desk.slug == "oost-nl")).one()
    assert oost.escalate_after_hours is None and oost.capacity != 77
