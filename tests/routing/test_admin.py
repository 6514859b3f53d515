"""Desk administration: who may see and change what under /beheer/loketten."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from backend.routing import service
from backend.routing.models import COORDINATOR, DeskCoverage, DeskMember
from backend.routing.router import RoutingInput
from tests.client import LoketClient
from tests.factories.accounts import create_user
from tests.factories.routing import add_member, create_desk, get_desk


def _form(html: str) -> dict[str, list[str]]:
    """The values an HTML form would post (inputs, checked boxes, textareas)."""
    out: dict[str, list[str]] = {}
    for m in re.finditer(r'<input[^>]*?name="([^"]+)"[^>]*>', html):
        tag = m.group(0)
        if "disabled" in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                out.setdefault(m.group(1), []).append(value.group(1) if value else "on")
            continue
        out.setdefault(m.group(1), []).append(value.group(1) if value else "")
    for m in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        if "disabled" not in m.group(0).split(">")[0]:
            out.setdefault(m.group(1), []).append(m.group(2).replace("&#34;", '"')
                                                  .replace("&#39;", "'").replace("&amp;", "&"))
    return out


def test_anonymous_goes_to_login(client: LoketClient) -> None:
    r = client.get("/beheer/loketten")
    assert r.status_code == 303 and r.headers["location"].startswith("/inloggen")


def test_plain_users_and_advisors_are_refused(seeded: object, client: LoketClient, login,
                                              session: Session) -> None:
    user = create_user(session)
    session.commit()
    login(user)
    assert client.get("/beheer/loketten").status_code == 403
    assert client.get("/beheer/loketten/oost-nl").status_code == 403
    advisor = add_member(session, get_desk(session, "oost-nl"))
    session.commit()
    login(advisor)
    assert client.get("/beheer/loketten/oost-nl").status_code == 403
    assert client.post("/beheer/loketten/oost-nl", data={"capacity": "1"}).status_code == 403


def test_admin_lists_creates_and_edits_desks(seeded: object, client: LoketClient, login,
                                             session: Session) -> None:
    admin = create_user(session, roles=("admin",))
    session.commit()
    login(admin)
    directory = client.get("/loketten").text  # kept per desks version (routes_html._directory)
    assert "Novel-T" in directory and "WSP Achterhoek" not in directory
    page = client.get("/beheer/loketten")
    assert page.status_code == 200 and "Novel-T" in page.text
    assert "/beheer/loketten/nieuw" in page.text
    new = client.get("/beheer/loketten/nieuw")
    assert 'name="csrf_token"' in new.text
    r = client.post("/beheer/loketten/nieuw", data={
        "slug": "wsp-achterhoek", "name": "WSP Achterhoek", "summary": "Personeel",
        "coverage": "arbeidsmarktregio: AM09\ngemeente: Doetinchem",
        "themes": ["werving-en-arbeidsmarkt"], "languages": "nl", "capacity": "30",
        "first_response_hours": "8", "is_active": "on", "keywords": "vacature\nbanenafspraak"})
    assert r.status_code == 303, r.text
    desk = get_desk(session, "wsp-achterhoek")
    cov = {(c.kind, c.code) for c in session.exec(
        select(DeskCoverage).where(DeskCoverage.desk_id == desk.id)).all()}
    assert cov == {("labour_market_region", "AM09"), ("municipality", "GM0222")}
    # Routing sees the new desk at once.
    decision = service.route_question(session, RoutingInput(
        "We zoeken personeel voor de werkplaats", municipality_code="GM0197"))
    assert decision.slug == "wsp-achterhoek"
    # Edit: the form round-trips, and a change is saved.
    form = _form(client.get("/beheer/loketten/wsp-achterhoek").text)
    form["capacity"] = ["45"]
    r = client.post("/beheer/loketten/wsp-achterhoek", data=form)
    assert r.status_code == 303, r.text
    session.expire_all()
    assert get_desk(session, "wsp-achterhoek").capacity == 45
    # The public directory shows the new desk, and an edit, at the next visit.
    directory = client.get("/loketten").text
    assert "WSP Achterhoek" in directory and "arbeidsmarktregio" in directory
    form["summary"] = ["Personeel en opleiding"]
    assert client.post("/beheer/loketten/wsp-achterhoek", data=form).status_code == 303
    assert "Personeel en opleiding" in client.get("/loketten").text
    # Unknown coverage is refused with the field marked.
    form["coverage"] = ["gemeente: Atlantis"]
    r = client.post("/beheer/loketten/wsp-achterhoek", data=form)
    assert r.status_code == 422 and 'id="f-coverage' in r.text


def test_there_is_only_one_national_fallback(seeded: object, client: LoketClient, login,
                                             session: Session) -> None:
    admin = create_user(session, roles=("admin",))
    session.commit()
    login(admin)
    form = _form(client.get("/beheer/loketten/rvo").text)
    form["is_fallback"] = ["on"]
    r = client.post("/beheer/loketten/rvo", data=form)
    assert r.status_code == 422
    assert "landelijke vangnet" in r.text
    session.expire_all()
    assert not get_desk(session, "rvo").is_fallback
    assert get_desk(session, "kvk").is_fallback


def test_coordinator_edits_topics_target_and_members_of_own_desk_only(
        seeded: object, client: LoketClient, login, session: Session) -> None:
    novel_t = get_desk(session, "novel-t")
    coordinator = add_member(session, novel_t, role=COORDINATOR, name="Coördinator")
    colleague = create_user(session, email="collega@example.nl")
    session.commit()
    login(coordinator)
    listing = client.get("/beheer/loketten")
    assert listing.status_code == 200
    assert "Novel-T" in listing.text and "Oost NL" not in listing.text
    assert client.get("/beheer/loketten/oost-nl").status_code == 403
    assert client.get("/beheer/loketten/nieuw").status_code == 403
    page = client.get("/beheer/loketten/novel-t")
    assert page.status_code == 200
    form = _form(page.text)
    assert "coverage" not in form and "capacity" not in form  # read-only for coordinators
    form["themes"] = ["kennisdeling-ecosystemen", "kunstmatige-intelligentie"]
    form["first_response_hours"] = ["4"]
    form["keywords"] = ["startup\nai-startup"]
    r = client.post("/beheer/loketten/novel-t", data=form)
    assert r.status_code == 303, r.text
    session.expire_all()
    desk = get_desk(session, "novel-t")
    assert desk.first_response_hours == 4 and "kunstmatige-intelligentie" in desk.themes
    assert desk.capacity == 40  # untouched
    # A forged capacity field is ignored for a coordinator (admins only).
    r = client.post("/beheer/loketten/novel-t", data={**form, "capacity": "999"})
    session.expire_all()
    assert get_desk(session, "novel-t").capacity == 40
    # Members.
    r = client.post("/beheer/loketten/novel-t/leden",
                    data={"email": "collega@example.nl", "role": "advisor"})
    assert r.status_code == 303 and "gedaan=member_set" in r.headers["location"]
    assert session.get(DeskMember, (desk.id, colleague.id)) is not None
    r = client.post(f"/beheer/loketten/novel-t/leden/{colleague.id}/verwijderen")
    assert r.status_code == 303
    session.expire_all()
    assert session.get(DeskMember, (desk.id, colleague.id)) is None
    # Not on another desk.
    oost = get_desk(session, "oost-nl")
    assert client.post("/beheer/loketten/oost-nl/leden",
                       data={"email": "collega@example.nl", "role": "advisor"}
                       ).status_code == 403
    assert session.get(DeskMember, (oost.id, colleague.id)) is None


def test_service_refuses_coordinator_changes_to_admin_fields(seeded: object,
                                                             session: Session) -> None:
    import pytest

    from backend.accounts.principal import Principal
    from backend.core.errors import Forbidden
    from backend.routing.models import DeskUpdate

    desk = create_desk(session, "test-desk", coverage=[("province", "PV23")])
    user = add_member(session, desk, role=COORDINATOR)
    me = Principal(user.id, user.email, user.name)
    service.update_desk(session, desk, DeskUpdate(first_response_hours=3), actor=me)
    with pytest.raises(Forbidden):
        service.update_desk(session, desk, DeskUpdate(capacity=1), actor=me)
    with pytest.raises(Forbidden):
        service.update_desk(session, get_desk(session, "kvk"),
                            DeskUpdate(first_response_hours=3), actor=me)


def test_a_size_an_editor_adds_is_accepted_wherever_routing_checks_sizes(
        seeded: object, client: LoketClient, login, session: Session) -> None:
    """Routing's sizes are the taxonomy's (content.taxonomy.load), not a fixed list of its
    own: a size added to the taxonomy is offered, accepted and routed on at once."""
    from backend.content.models import CompanySize
    from backend.content.seed import SEED_DIR, load_taxonomy
    from backend.routing.models import DeskUpdate

    load_taxonomy(session, SEED_DIR / "taxonomy.yaml")  # the database holds the taxonomy
    session.add(CompanySize(slug="scale-up", name_nl="Scale-up", name_en="Scale-up",
                            position=99))
    session.commit()
    assert service.company_sizes(session)[-1] == "scale-up"
    # The API's dry run takes it (and still refuses a size that is in no list).
    r = client.post("/api/v1/routing/dry-run", json={"text": "Wij zoeken een investeerder",
                                                     "company_size": "scale-up"})
    assert r.status_code == 200, r.text
    assert "Geen bedrijfsgrootte opgegeven." not in r.text
    r = client.post("/api/v1/routing/dry-run", json={"text": "vraag", "company_size": "reus"})
    assert r.status_code == 422 and "scale-up" in r.json()["error"]["fields"]["company_size"]
    # The "which desk" page routes on it instead of dropping it.
    page = client.get("/welk-loket", params={"vraag": "Wij zoeken een investeerder",
                                             "gemeente": "Deventer", "omvang": "scale-up"})
    assert page.status_code == 200
    assert 'value="scale-up"' in page.text
    assert "Geen bedrijfsgrootte opgegeven." not in page.text
    # A desk may name it: the service accepts it and the desk form offers it.
    desk = get_desk(session, "oost-nl")
    service.update_desk(session, desk, DeskUpdate(company_sizes=["klein", "scale-up"]))
    session.commit()
    assert get_desk(session, "oost-nl").company_sizes == ["klein", "scale-up"]
    admin = create_user(session, roles=("admin",))
    session.commit()
    login(admin)
    form = _form(client.get("/beheer/loketten/oost-nl").text)
    assert form["company_sizes"] == ["klein", "scale-up"]
