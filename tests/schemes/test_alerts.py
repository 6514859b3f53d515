"""Saved profiles and alerts: once per event, through the outbox."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from backend.core.db import utcnow
from backend.core.mail import MAIL_KIND
from backend.core.outbox import OutboxMessage
from backend.schemes import alerts, service
from backend.schemes.models import SchemeProfile
from tests.client import LoketClient
from tests.factories.accounts import create_user
from tests.factories.content import create_scheme


def _mails(session: Session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == MAIL_KIND)
                             .where(col(OutboxMessage.dedupe_key).like("schemes.%"))))


def _profile(session: Session, **kw: Any) -> SchemeProfile:
    user = create_user(session, email="ondernemer@example.nl")
    params = service.ProfileParams.build(size="klein", municipality="Zwolle",
                                         themes=["robotisering-automatisering"])
    profile = alerts.save_profile(session, user.id or 0, params)
    for k, v in kw.items():
        setattr(profile, k, v)
    session.add(profile)
    session.flush()
    return profile


def test_new_fitting_scheme_mails_once(session: Session, finder_data: None) -> None:
    create_scheme(session, "Oude regeling", slug="oud", closes_on=None, budget_status="continuous")
    _profile(session)
    assert alerts.check_all(session) == 0  # published before the profile was saved
    create_scheme(session, "Nieuwe robotregeling", slug="robot-nieuw", closes_on=None,
                  budget_status="continuous")
    create_scheme(session, "Niet passend", slug="anders", themes=["leren-en-ontwikkelen"],
                  closes_on=None, budget_status="continuous")
    assert alerts.check_all(session) == 1
    assert alerts.check_all(session) == 0  # the job again: the dedupe key drops it
    [mail] = _mails(session)
    assert mail.payload["to"] == "ondernemer@example.nl"
    assert "Nieuwe robotregeling" in mail.payload["subject"]


def test_closing_within_14_days_mails_once(session: Session, finder_data: None) -> None:
    profile = _profile(session)
    profile.created_at = utcnow() + timedelta(days=1)  # nothing counts as new
    session.add(profile)
    create_scheme(session, "Sluit bijna", slug="sluit", closes_on=date.today() + timedelta(days=10))
    create_scheme(session, "Sluit later", slug="later", closes_on=date.today() + timedelta(days=40))
    create_scheme(session, "Gesloten", slug="dicht", closes_on=date.today() - timedelta(days=1))
    session.flush()
    assert alerts.check_all(session) == 1
    assert alerts.check_all(session) == 0
    [mail] = _mails(session)
    assert mail.dedupe_key is not None and mail.dedupe_key.startswith("schemes.closing:")
    assert "Sluit bijna" in mail.payload["subject"]


def test_save_list_and_delete_profile_pages(client: LoketClient, session: Session, login: Any,
                                            finder_data: None) -> None:
    anonymous = client.post("/regelingen/zoeker/profielen",
                            data={"size": "klein", "theme": "digitalisering"})
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/inloggen?next=")
    user = create_user(session)
    session.commit()
    login(user)
    r = client.post("/regelingen/zoeker/profielen",
                    data={"size": "klein", "municipality": "Zwolle",
                          "theme": ["digitalisering", "financiering"]})
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and "Profiel opgeslagen" in page.text
    [profile] = alerts.profiles_of(session, user.id or 0)
    assert profile.themes == ["digitalisering", "financiering"]
    other = create_user(session)
    session.commit()
    login(other)
    assert client.post(f"/regelingen/mijn-profielen/{profile.id}/verwijderen").status_code == 404
    login(user)
    assert client.post(f"/regelingen/mijn-profielen/{profile.id}/verwijderen").status_code == 303
    assert alerts.profiles_of(session, user.id or 0) == []


def test_saved_scheme_mails_once_when_it_closes_within_14_days(
        client: LoketClient, session: Session, login: Any, finder_data: None) -> None:
    soon_closes = date.today() + timedelta(days=10)
    soon = create_scheme(session, "Sluit binnenkort", slug="sluit-snel", closes_on=soon_closes)
    create_scheme(session, "Sluit later", slug="sluit-later",
                          closes_on=date.today() + timedelta(days=40))
    user = create_user(session, email="bewaarder@example.nl")
    other = create_user(session)
    session.commit()
    assert client.post("/regelingen/bewaard", data={"slug": "sluit-snel"}
                       ).headers["location"].startswith("/inloggen")
    login(user)
    finder = client.get("/regelingen/zoeker", params={"size": "klein"}).text
    assert "Bewaar deze regeling" in finder
    for slug in ("sluit-snel", "sluit-later", "sluit-snel"):  # saving twice changes nothing
        r = client.post("/regelingen/bewaard", data={"slug": slug})
        assert r.status_code == 303 and r.headers["location"].endswith("bericht=bewaard")
    assert client.post("/regelingen/bewaard", data={"slug": "bestaat-niet"}).status_code == 404
    page = client.get("/regelingen/mijn-profielen").text
    assert "Bewaarde regelingen" in page and "Sluit binnenkort" in page and "Sluit later" in page

    assert alerts.check_all(session) == 1
    assert alerts.check_all(session) == 0  # once per event
    [mail] = [m for m in _mails(session) if "saved_closing" in (m.dedupe_key or "")]
    assert mail.payload["to"] == "bewaarder@example.nl"
    assert "Sluit binnenkort" in mail.payload["subject"]
    assert mail.dedupe_key == f"schemes.saved_closing:{user.id}:{soon.id}:{soon_closes}"

    # only the owner can stop saving it
    saved = alerts.saved_schemes_of(session, user.id or 0)
    row_id = next(row.id for row, m in saved if m.scheme.slug == "sluit-later")
    login(other)
    assert client.post(f"/regelingen/bewaard/{row_id}/verwijderen").status_code == 404
    login(user)
    r = client.post(f"/regelingen/bewaard/{row_id}/verwijderen")
    assert r.status_code == 303
    assert [m.scheme.slug for _row, m in alerts.saved_schemes_of(session, user.id or 0)] == [
        "sluit-snel"]


def test_saved_schemes_are_in_the_data_export_and_go_with_the_account(
        session: Session, finder_data: None) -> None:
    from backend.privacy.erasure import Subject
    from backend.privacy.export import export_subject
    from backend.schemes.models import SavedScheme

    create_scheme(session, "Bewaarde regeling", slug="bewaard")
    user = create_user(session)
    alerts.save_scheme(session, user.id or 0, "bewaard")
    data = export_subject(session, Subject(user_id=user.id), include_internal=False)
    [saved] = data["saved_schemes"]
    assert saved["slug"] == "bewaard" and saved["title"] == "Bewaarde regeling"
    session.delete(user)
    session.flush()
    assert session.exec(select(SavedScheme)).first() is None  # the account's rows cascade


def test_a_saved_scheme_that_opens_soon_sends_one_reminder(session: Session,
                                                           finder_data: None) -> None:
    """Issue 17 item 2: "opent op …" with a reminder alert."""
    opens = date.today() + timedelta(days=5)
    scheme = create_scheme(session, "Voucher opent binnenkort", slug="opent-snel",
                           opens_on=opens, closes_on=opens + timedelta(days=60),
                           first_come_first_served=True)
    create_scheme(session, "Opent later", slug="opent-later",
                  opens_on=date.today() + timedelta(days=30), closes_on=None)
    user = create_user(session, email="wachter@example.nl")
    session.commit()
    alerts.save_scheme(session, user.id or 0, "opent-snel")
    alerts.save_scheme(session, user.id or 0, "opent-later")
    assert alerts.check_all(session) == 1
    assert alerts.check_all(session) == 0
    [mail] = [m for m in _mails(session) if "saved_opening" in (m.dedupe_key or "")]
    assert mail.dedupe_key == f"schemes.saved_opening:{user.id}:{scheme.id}:{opens}"
    assert opens.isoformat() in mail.payload["text"]
