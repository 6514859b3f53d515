"""Closing a case (issue 15): the outcome is asked for explicitly (no default), closing a
question nobody answered must be confirmed and never counts as answered — not in the desk's
public figures, not in insight's facts — and the entrepreneur is told by mail and on the
timeline. The rules are in ``cases.workspace.close``, which the form and the API call."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from backend.cases import queries, workspace
from backend.cases.display import timeline_view
from backend.cases.figures import desk_figures
from backend.cases.models import Case
from backend.core.db import utcnow
from backend.core.errors import Invalid
from backend.routing.models import Desk
from tests.cases.conftest import mails
from tests.client import LoketClient
from tests.factories.cases import as_principal, create_case, past
from tests.factories.routing import add_member


def test_the_form_has_no_default_outcome_and_warns_without_an_answer(
        client: LoketClient, session: Session, login, desks: dict[str, Desk]) -> None:
    advisor = add_member(session, desks["oost-nl"])
    case = create_case(session, desks["oost-nl"])
    session.commit()
    login(advisor)
    page = client.get(f"/werkplek/zaken/{case.reference}").text
    form = page[page.index('action="/werkplek/zaken/' + case.reference + '/sluiten"'):]
    form = form[:form.index("</form>")]
    options = re.findall(r'<option value="([^"]*)"( selected)?>', form)
    assert options[0] == ("", "")  # "Kies een uitkomst" comes first, nothing is chosen
    assert not any(selected for _, selected in options)
    assert "answered" not in [value for value, _ in options]  # nothing was answered
    assert "Er is nog geen antwoord naar de ondernemer verstuurd." in form
    assert 'name="without_answer"' in form

    # Submitting without choosing is refused, naming the field, and nothing changes.
    r = client.post(f"/werkplek/zaken/{case.reference}/sluiten", data={})
    assert r.status_code == 422
    assert "Kies de uitkomst van deze vraag." in r.text
    assert "Bevestig dat u de vraag sluit zonder antwoord." in r.text
    session.refresh(case)
    assert case.status == "new" and case.outcome is None


def test_an_unanswered_case_cannot_be_closed_as_answered(session: Session,
                                                        desks: dict[str, Desk]) -> None:
    advisor = add_member(session, desks["oost-nl"])
    case = create_case(session, desks["oost-nl"])
    with pytest.raises(Invalid) as refused:
        workspace.close(session, case, as_principal(advisor), "answered", without_answer=True)
    assert set(refused.value.fields) == {"outcome"}
    with pytest.raises(Invalid) as refused:
        workspace.close(session, case, as_principal(advisor), "no_follow_up")
    assert set(refused.value.fields) == {"without_answer"}
    assert case.status == "new"


def test_closing_without_an_answer_tells_the_entrepreneur(
        session: Session, desks: dict[str, Desk]) -> None:
    advisor = add_member(session, desks["oost-nl"])
    case = create_case(session, desks["oost-nl"], email="zonder-antwoord@example.nl")
    workspace.close(session, case, as_principal(advisor), "referred", without_answer=True)
    assert case.status == "closed" and case.outcome == "referred"
    [mail] = mails(session, "zonder-antwoord@example.nl")
    assert mail["subject"] == f"Uw vraag {case.reference} is afgesloten"
    assert "elders naartoe verwezen" in mail["text"]
    assert "geen schriftelijk antwoord" in mail["text"]
    assert "/vraag/volgen/" in mail["text"]
    titles = [e.title for e in timeline_view(session, case, for_entrepreneur=True)]
    assert titles[-1] == "Afgesloten zonder antwoord (elders naartoe verwezen)"


def test_closing_an_answered_case_tells_the_entrepreneur_in_their_language(
        session: Session, desks: dict[str, Desk]) -> None:
    advisor = add_member(session, desks["oost-nl"])
    case = create_case(session, desks["oost-nl"], email="answered@example.com", language="en")
    workspace.reply(session, case, as_principal(advisor), "Here is our answer.")
    workspace.close(session, case, as_principal(advisor), "answered")
    closed = [m for m in mails(session, "answered@example.com") if "closed" in m["subject"]]
    assert [m["subject"] for m in closed] == [f"Your question {case.reference} has been closed"]
    assert "no written answer" not in closed[0]["text"].lower()
    titles = [e.title for e in timeline_view(session, case, for_entrepreneur=True)]
    assert titles[-1] == "Afgesloten (beantwoord)"  # the page's language (Dutch by default)


def test_the_api_asks_the_same(client: LoketClient, session: Session,
                               desks: dict[str, Desk]) -> None:
    from tests.factories.accounts import create_token

    advisor = add_member(session, desks["oost-nl"])
    case = create_case(session, desks["oost-nl"])
    token = create_token(session, role="editor", user=advisor)
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/cases/{case.reference}/close"
    r = client.post(url, json={"outcome": "answered"}, headers=headers)
    assert r.status_code == 422
    assert set(r.json()["error"]["fields"]) == {"outcome", "without_answer"}
    r = client.post(url, json={"outcome": "no_follow_up", "without_answer": True},
                    headers=headers)
    assert r.status_code == 200 and r.json()["outcome"] == "no_follow_up"


def test_an_unanswered_close_never_counts_as_answered(client: LoketClient, session: Session,
                                                     desks: dict[str, Desk]) -> None:
    desk = desks["oost-nl"]
    advisor = add_member(session, desk)
    # One answered on time, one overdue question that is then closed without an answer.
    on_time = create_case(session, desk)
    workspace.reply(session, on_time, as_principal(advisor), "Antwoord.")
    overdue = create_case(session, desk, received_at=past(24 * 14))
    assert desk.id is not None
    before = desk_figures(session, desk.id)
    assert (before.answered_cases, before.share_within_target) == (1, 0.5)
    workspace.close(session, overdue, as_principal(advisor), "no_follow_up",
                    without_answer=True)
    after = desk_figures(session, desk.id)
    # Closing it neither makes it answered nor drops it out of the share.
    assert (after.answered_cases, after.share_within_target) == (1, 0.5)
    session.commit()
    page = client.get(f"/loketten/{desk.slug}").text
    assert "50%" in page

    # A case closed as "answered" without an answer (the form's old default) is counted as
    # no follow-up in insight's facts, and judged as not answered in time.
    legacy = create_case(session, desk)
    legacy.status, legacy.outcome, legacy.closed_at = "closed", "answered", utcnow()
    session.add(legacy)
    session.flush()
    facts = {f.id: f for f in queries.case_facts(session, past(24 * 30), utcnow(),
                                                   now=utcnow())}
    assert legacy.id is not None and overdue.id is not None and on_time.id is not None
    assert facts[legacy.id].outcome == "no_follow_up"
    assert facts[legacy.id].responded_on_time is False
    assert facts[overdue.id].responded_on_time is False
    assert facts[on_time.id].outcome is None and facts[on_time.id].responded_on_time is True
    assert isinstance(session.get(Case, legacy.id), Case)
