"""The question form's choices come from the one taxonomy service (the database), not from
``seed/taxonomy.yaml``: what an editor adds is offered and accepted by every door at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from backend.cases import choices
from backend.cases.models import Case
from backend.content import taxonomy
from backend.content.models import SectorCreate, Theme, ThemeCreate
from backend.core.errors import Invalid
from backend.insight import service as insight
from backend.routing import service as routing
from backend.routing.models import Desk
from tests.cases.test_asking import QUESTION, form
from tests.client import LoketClient
from tests.factories.accounts import create_token
from tests.factories.content import add_company_size, create_taxonomy


def _add_printing(session: Session) -> None:
    create_taxonomy(session)
    taxonomy.create_sector(session, SectorCreate(slug="drukkerij", name_nl="Drukkerijen",
                                                 name_en="Printing", parent="industrie"))
    session.commit()


def test_a_sector_an_editor_adds_is_offered_and_accepted_by_every_door(
        app: FastAPI, client: LoketClient, client_for: Callable[..., LoketClient],
        session: Session, desks: dict[str, Desk]) -> None:
    _add_printing(session)
    page = client.get("/vraag")
    assert 'value="drukkerij"' in page.text and "Drukkerijen" in page.text
    # The web form (it refused this with "Kies een sector uit de lijst" while it read the
    # seed file), the API and the "which desk" page all take it.
    r = client.post("/vraag", data=form(sector="drukkerij"))
    assert r.status_code == 303, r.text
    case = session.exec(select(Case).where(Case.contact_email == "els@bakkerij.example")).one()
    assert case.sector == "drukkerij"
    token = create_token(session, role="editor")
    session.commit()
    api = client_for(app).post("/api/v1/questions", headers={"Authorization": f"Bearer {token}"},
                      json={"text": QUESTION, "municipality": "Deventer", "sector": "drukkerij",
                            "email": "piet@druk.example", "consent": True})
    assert api.status_code == 201, api.text
    which = client.get("/welk-loket", params={"vraag": QUESTION, "gemeente": "Deventer",
                                              "sector": "drukkerij"})
    assert which.status_code == 200 and "Kies een sector" not in which.text
    # The router knows the new sector's place in the tree at once (no waiting for a TTL).
    tax = routing.routing_context(session).taxonomy
    assert "industrie" in tax.sector_family("drukkerij")


def test_a_size_an_editor_adds_is_accepted_by_every_door_and_by_insight(
        app: FastAPI, client: LoketClient, client_for: Callable[..., LoketClient],
        session: Session, desks: dict[str, Desk]) -> None:
    """Company sizes are the taxonomy's too: no fixed list in the question's schema (it
    refused this size with a 422 before the service saw it) nor in insight's filters. The
    slug is longer than the 8 characters the case column once had."""
    create_taxonomy(session)
    add_company_size(session, "scale-up-met-groeiambitie", "Scale-up met groeiambitie")
    session.commit()
    page = client.get("/vraag")
    assert 'value="scale-up-met-groeiambitie"' in page.text
    r = client.post("/vraag", data=form(company_size="scale-up-met-groeiambitie"))
    assert r.status_code == 303, r.text
    case = session.exec(select(Case).where(Case.contact_email == "els@bakkerij.example")).one()
    assert case.company_size == "scale-up-met-groeiambitie"
    token = create_token(session, role="editor")
    session.commit()
    api = client_for(app)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"text": QUESTION, "municipality": "Deventer", "email": "piet@groei.example",
            "consent": True}
    r = api.post("/api/v1/questions", headers=headers,
                 json={**body, "company_size": "scale-up-met-groeiambitie"})
    assert r.status_code == 201, r.text
    stored = session.exec(select(Case).where(Case.contact_email == "piet@groei.example")).one()
    assert stored.company_size == "scale-up-met-groeiambitie"
    # Insight takes it as a filter and offers it.
    filters = insight.parse_filters({"size": "scale-up-met-groeiambitie"}, session)
    assert filters.size == "scale-up-met-groeiambitie"
    assert ("scale-up-met-groeiambitie", "Scale-up met groeiambitie") in \
        insight.filter_options(session, insight.Access(views=frozenset(insight.VIEWS)))["size"]
    # A size in no list is still refused, naming the field: the API, the form (in Dutch)
    # and insight.
    r = api.post("/api/v1/questions", headers=headers, json={**body, "company_size": "reus"})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["fields"]["company_size"]
    r = client.post("/vraag", data=form(company_size="reus", email="jan@reus.example"))
    assert r.status_code == 422
    assert "Kies een bedrijfsgrootte uit de lijst" in r.text
    assert session.exec(select(Case).where(Case.contact_email == "jan@reus.example")).first() \
        is None
    with pytest.raises(Invalid) as refused:
        insight.parse_filters({"size": "reus"}, session)
    assert "size" in refused.value.fields


def test_once_the_database_holds_a_taxonomy_the_seed_file_has_no_say(
        client: LoketClient, session: Session, desks: dict[str, Desk]) -> None:
    create_taxonomy(session)  # industrie, bouw, installatie: no "metaal" (in the seed file)
    session.commit()
    page = client.get("/vraag")
    assert 'value="metaal"' not in page.text
    r = client.post("/vraag", data=form(sector="metaal"))
    assert r.status_code == 422
    assert "Kies een sector uit de lijst" in r.text


def test_labels_follow_an_editors_rename(session: Session) -> None:
    create_taxonomy(session)
    session.flush()
    assert choices.label(session, "theme", "digitalisering") == "Digitalisering"
    theme = session.exec(select(Theme).where(
        Theme.slug == "digitalisering")).one()
    assert theme.id is not None
    taxonomy.update_theme(session, theme.id, ThemeCreate(
        name_nl="Digitale bedrijfsvoering", pillar="technologie"))
    assert choices.label(session, "theme", "digitalisering") == "Digitale bedrijfsvoering"
    assert choices.is_known(session, "theme", "digitalisering")
    assert not choices.is_known(session, "theme", "ruimtevaart")


def test_a_database_without_taxonomy_uses_the_shipped_terms(session: Session) -> None:
    """Before the first seed the form still offers the shipped sectors."""
    assert taxonomy.load(session) is taxonomy.shipped()
    assert choices.is_known(session, "sector", "metaal")
    assert choices.label(session, "size", "klein").startswith("Klein")
