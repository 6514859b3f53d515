"""An advisor's intake (issue 18, item 1): a phone question goes through ``ask_question``
like a web question, with the channel and the oral consent recorded; the advisor sees the
routing first and may keep the question at their own desk with a reason; the entrepreneur
gets the reference and a private link; coordinators see the counts per channel."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from backend.cases.figures import desk_figures
from backend.cases.models import KEPT_AT_DESK, RECEIVED, ROUTED, Case, CaseEvent
from backend.routing.models import COORDINATOR, Desk
from tests.cases.conftest import link_token, mails
from tests.client import LoketClient
from tests.factories.content import add_company_size, create_taxonomy
from tests.factories.routing import add_member

NOW_LOCAL = (datetime.now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")


def form(**over: str) -> dict[str, str]:
    data = {"channel": "telefoon", "text": "Hoe financier ik een nieuwe productielijn voor "
            "mijn metaalbedrijf?", "municipality": "Deventer", "theme": "financiering",
            "email": "bellende@example.nl", "name": "Bep Bel", "consent": "1",
            "consent_by": "Bep Bel", "consent_at": NOW_LOCAL,
            "consent_how": "mondeling, telefonisch", "followup": "1", "action": "register"}
    data.update(over)
    return data


def kinds(session: Session, case: Case) -> list[str]:
    return list(session.exec(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)
                             .order_by(col(CaseEvent.id))).all())


def test_preview_shows_the_routing_and_stores_nothing(client: LoketClient, session: Session,
                                                      login, desks: dict[str, Desk]) -> None:
    advisor = add_member(session, desks["rvo"])
    session.commit()
    login(advisor)
    r = client.post("/werkplek/rvo/intake", data=form(action="preview"))
    assert r.status_code == 200, r.text
    assert "Oost NL" in r.text and 'value="register"' in r.text
    assert session.exec(select(Case)).first() is None


def test_phone_question_is_routed_mailed_and_counted(client: LoketClient, session: Session,
                                                     login, desks: dict[str, Desk]) -> None:
    advisor = add_member(session, desks["rvo"])
    session.commit()
    login(advisor)
    r = client.post("/werkplek/rvo/intake", data=form())
    assert r.status_code == 303, r.text
    session.expire_all()
    case = session.exec(select(Case)).one()
    # Not a member of the desk it went to: back to the intake with a confirmation.
    done = client.get(r.headers["location"])
    assert done.status_code == 200
    assert f"Vraag {case.reference} is geregistreerd en doorgestuurd naar Oost NL" in done.text
    # Routed exactly like a web question: Oost NL covers Deventer for financing.
    assert case.desk_id == desks["oost-nl"].id
    assert case.channel == "telefoon" and case.source == "advisor" and case.followup_opt_in
    assert case.consent_record is not None
    assert case.consent_record["given_by"] == "Bep Bel"
    assert case.consent_record["how"] == "mondeling, telefonisch"
    assert case.consent_record["recorded_by"] == advisor.id
    assert kinds(session, case) == [RECEIVED, ROUTED]
    # The entrepreneur gets the reference and a private link that works.
    mail = mails(session, "bellende@example.nl")[-1]
    assert case.reference in mail["subject"]
    token = link_token(mail)
    other = LoketClient(client.app)
    assert other.post(f"/vraag/volgen/{token}").status_code == 303
    page = other.get(f"/mijn-vraag/{case.reference}")
    assert page.status_code == 200 and "Vraag ontvangen (telefoon)" in page.text
    assert desk_figures(session, desks["oost-nl"].id).per_channel == {"telefoon": 1}


def test_keep_at_own_desk_needs_a_reason_and_records_it(client: LoketClient, session: Session,
                                                        login, desks: dict[str, Desk]) -> None:
    advisor = add_member(session, desks["rvo"])
    session.commit()
    login(advisor)
    r = client.post("/werkplek/rvo/intake", data=form(keep="1"))
    assert r.status_code == 422
    assert "Geef aan waarom de vraag bij uw loket blijft." in r.text  # Dutch UI
    r = client.post("/werkplek/rvo/intake",
                    data=form(keep="1", keep_reason="Vaste klant van ons loket"))
    assert r.status_code == 303
    session.expire_all()
    case = session.exec(select(Case)).one()
    assert case.desk_id == desks["rvo"].id
    assert case.routing["desk"] == "oost-nl" and case.routing["kept_at"] == "rvo"
    kept = session.exec(select(CaseEvent).where(CaseEvent.kind == KEPT_AT_DESK)).one()
    assert kept.body == "Vaste klant van ons loket" and kept.internal
    assert kept.data["routed_to"] == "oost-nl"
    page = client.get(f"/werkplek/zaken/{case.reference}")
    assert "Vaste klant van ons loket" in page.text
    routed = session.exec(select(CaseEvent).where(CaseEvent.kind == ROUTED)).one()
    assert routed.data["desk"] == "rvo"  # the entrepreneur reads where the question is


def test_the_question_checks_are_those_of_every_door(client: LoketClient, session: Session,
                                                     login, desks: dict[str, Desk]) -> None:
    advisor = add_member(session, desks["rvo"])
    session.commit()
    login(advisor)
    r = client.post("/werkplek/rvo/intake",
                    data=form(consent="", consent_by="", channel="fax", text="kort"))
    assert r.status_code == 422
    for name in ("f-consent", "f-consent_by", "f-channel", "f-text"):
        assert f'href="#{name}"' in r.text, name
    assert session.exec(select(Case)).first() is None


def test_only_members_register_at_their_desk(client: LoketClient, session: Session, login,
                                             desks: dict[str, Desk]) -> None:
    outsider = add_member(session, desks["kvk"])
    session.commit()
    login(outsider)
    assert client.get("/werkplek/rvo/intake").status_code == 404
    assert client.post("/werkplek/rvo/intake", data=form()).status_code == 404
    assert session.exec(select(Case)).first() is None


def test_coordinator_sees_counts_per_channel(client: LoketClient, session: Session, login,
                                             desks: dict[str, Desk]) -> None:
    coordinator = add_member(session, desks["rvo"], role=COORDINATOR)
    session.commit()
    login(coordinator)
    for channel in ("telefoon", "balie", "balie"):
        assert client.post("/werkplek/rvo/intake", data=form(
            channel=channel, keep="1", keep_reason="Eigen klant")).status_code == 303
    page = client.get("/werkplek/rvo")
    table = page.text.split('id="per-channel"')[1].split("</table>")[0]
    assert "telefoon" in table.lower() or "telefoon" in table
    assert ">2<" in table and ">1<" in table


def test_an_intake_takes_a_size_an_editor_added_and_refuses_an_unknown_one(
        client: LoketClient, session: Session, login, desks: dict[str, Desk]) -> None:
    """The intake checks the size against the taxonomy, like the form and the API (the
    question's schema had a fixed list of five that refused an editor's new size)."""
    create_taxonomy(session)
    add_company_size(session, "scale-up-met-groeiambitie", "Scale-up met groeiambitie")
    advisor = add_member(session, desks["rvo"])
    session.commit()
    login(advisor)
    r = client.post("/werkplek/rvo/intake", data=form(company_size="reus"))
    assert r.status_code == 422
    assert "Kies een bedrijfsgrootte uit de lijst" in r.text
    assert session.exec(select(Case)).first() is None
    r = client.post("/werkplek/rvo/intake",
                    data=form(company_size="scale-up-met-groeiambitie"))
    assert r.status_code == 303, r.text
    session.expire_all()
    assert session.exec(select(Case)).one().company_size == "scale-up-met-groeiambitie"
