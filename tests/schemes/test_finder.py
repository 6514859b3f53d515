"""The finder page and GET /api/v1/schemes/match over the published schemes."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from tests.client import LoketClient
from tests.factories.content import create_scheme


def _schemes(session: Session) -> None:
    create_scheme(session, "Robots landelijk", slug="robots-nl")
    create_scheme(session, "Robots Overijssel", slug="robots-ov", regions=["overijssel"])
    create_scheme(session, "Gesloten regeling", slug="gesloten",
                  closes_on=date.today() - timedelta(days=3))
    create_scheme(session, "Bouw en opleiding", slug="bouw", sectors=["bouw"],
                  themes=["leren-en-ontwikkelen"], budget_status="exhausted", closes_on=None)
    create_scheme(session, "Concept", slug="concept", publish=False)
    session.commit()


def test_api_match_with_reasons(client: LoketClient, session: Session,
                                finder_data: None) -> None:
    _schemes(session)
    r = client.get("/api/v1/schemes/match", params={
        "size": "klein", "municipality": "Zwolle", "theme": ["robotisering-automatisering"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["profile"]["province"] == "overijssel"
    slugs = {i["slug"]: i for i in body["items"]}
    assert "concept" not in slugs and "gesloten" not in slugs and "bouw" not in slugs
    assert body["hidden_closed"] == 2
    assert slugs["robots-nl"]["verdict"] == "fits" and slugs["robots-ov"]["verdict"] == "fits"
    assert any(w["criterion"] == "region" for w in slugs["robots-ov"]["why"])

    elsewhere = client.get("/api/v1/schemes/match", params={
        "size": "klein", "municipality": "Arnhem", "theme": "robotisering-automatisering",
        "include_closed": "true"}).json()
    items = {i["slug"]: i for i in elsewhere["items"]}
    assert items["robots-ov"]["verdict"] == "near_miss"
    assert [w["criterion"] for w in items["robots-ov"]["why_not"]] == ["region"]
    assert items["gesloten"]["status"] == "closed"
    assert items["bouw"]["status"] == "exhausted"


def test_api_sub_sector_and_missing_fields(client: LoketClient, session: Session,
                                           finder_data: None) -> None:
    create_scheme(session, "Bouw", slug="bouw-open", sectors=["bouw"])
    session.commit()
    fits = client.get("/api/v1/schemes/match", params={"sector": "installatie"}).json()
    item = next(i for i in fits["items"] if i["slug"] == "bouw-open")
    assert item["verdict"] == "fits"
    assert {u["criterion"] for u in item["unknown"]} == {"size", "theme"}


def test_api_422_names_the_parameter(client: LoketClient, finder_data: None) -> None:
    r = client.get("/api/v1/schemes/match", params={"size": "reus"})
    assert r.status_code == 422
    assert "size" in r.json()["error"]["fields"]
    assert "size" in r.json()["error"]["message"]
    r = client.get("/api/v1/schemes/match", params={"municipality": "Atlantis"})
    assert r.status_code == 422 and "municipality" in r.json()["error"]["fields"]
    r = client.get("/api/v1/schemes/match", params={"amount": "veel"})
    assert r.status_code == 422 and "amount" in r.json()["error"]["fields"]


def test_page_without_and_with_htmx(client: LoketClient, session: Session,
                                    finder_data: None) -> None:
    _schemes(session)
    empty = client.get("/regelingen/zoeker")
    assert empty.status_code == 200 and "Regelingenwijzer" in empty.text
    page = client.get("/regelingen/zoeker", params={
        "size": "klein", "municipality": "Zwolle", "theme": "robotisering-automatisering"})
    assert page.status_code == 200
    assert "Robots Overijssel" in page.text and "Gesloten regeling" not in page.text
    assert "Waarom dit past" in page.text
    fragment = client.get("/regelingen/zoeker", params={"size": "klein"},
                          headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="scheme-results"' in fragment.text
    bad = client.get("/regelingen/zoeker", params={"municipality": "Atlantis"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text


def test_api_empty_profile_lists_open_schemes_with_every_criterion_unknown(
        client: LoketClient, session: Session, finder_data: None) -> None:
    _schemes(session)
    body = client.get("/api/v1/schemes/match").json()
    items = {i["slug"]: i for i in body["items"]}
    assert set(items) == {"robots-nl", "robots-ov"} and body["hidden_closed"] == 2
    # nothing is refused for what the firm did not say: each missing field is "unknown"
    assert all(i["verdict"] == "fits" and not i["why_not"] for i in items.values())
    assert {u["criterion"] for u in items["robots-ov"]["unknown"]} == {"size", "region",
                                                                       "theme"}
    assert "Vul uw gemeente in" in next(u["text"] for u in items["robots-ov"]["unknown"]
                                        if u["criterion"] == "region")
    # a national scheme needs no municipality
    assert "region" not in {u["criterion"] for u in items["robots-nl"]["unknown"]}


def test_a_loan_or_guarantee_is_not_unfit_for_a_theme(client: LoketClient, session: Session,
                                                      finder_data: None) -> None:
    """Issue 17: BMKB was "does not support what you want to invest in" for a robot loan."""
    create_scheme(session, "Borgstelling", slug="borg", kind="guarantee",
                  themes=["financiering"])
    create_scheme(session, "Opleidingssubsidie", slug="opleiding",
                  themes=["leren-en-ontwikkelen"])
    session.commit()
    items = {i["slug"]: i for i in client.get("/api/v1/schemes/match", params={
        "size": "klein", "theme": "robotisering-automatisering"}).json()["items"]}
    assert items["borg"]["verdict"] == "fits"
    assert "theme" not in {w["criterion"] for w in items["borg"]["why_not"]}
    assert any(r["criterion"] == "theme" for r in items["borg"]["info"])
    assert items["opleiding"]["verdict"] != "fits"


def test_finder_in_english_shows_the_english_title_and_summary(client: LoketClient,
                                                                session: Session,
                                                                finder_data: None) -> None:
    create_scheme(session, "Robots landelijk", slug="robots-nl", summary="Subsidie voor robots.",
                  title_en="Robots nationwide", summary_en="A subsidy for robots.")
    create_scheme(session, "Robots Overijssel", slug="robots-ov", regions=["overijssel"])
    session.commit()
    params = {"size": "klein", "municipality": "Zwolle", "theme": "robotisering-automatisering"}
    client.cookies.set("loket_lang", "en")
    page = client.get("/regelingen/zoeker", params=params)
    assert ">Robots nationwide</a>" in page.text and "A subsidy for robots." in page.text
    assert "Robots landelijk" not in page.text
    # Untranslated: the Dutch title, marked as Dutch.
    assert '<h4 class="utrecht-heading-4" lang="nl"><a href="/regelingen/robots-ov">' in page.text
    client.cookies.set("loket_lang", "nl")
    page = client.get("/regelingen/zoeker", params=params)
    assert ">Robots landelijk</a>" in page.text and "Robots nationwide" not in page.text
