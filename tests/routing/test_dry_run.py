"""The public dry run: POST /api/v1/routing/dry-run and the page "Welk loket helpt mij?"."""

from __future__ import annotations

from sqlmodel import Session, func, select

from backend.accounts.models import AuditEvent
from backend.core.outbox import OutboxMessage
from backend.routing.models import Desk
from tests.client import LoketClient

URL = "/api/v1/routing/dry-run"


def test_dry_run_answers_desk_explanation_and_ranking(seeded: object, client: LoketClient
                                                      ) -> None:
    r = client.post(URL, json={"text": "We hebben twaalf vacatures voor monteurs en vinden "
                                       "niemand", "municipality": "Zwolle",
                               "sector": "installatie", "company_size": "klein"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["desk"] == {"slug": "wsp-regio-zwolle",
                            "name": "Werkgeversservicepunt Regio Zwolle (UWV)"}
    criteria = {e["criterion"] for e in body["explanation"]}
    assert {"location", "theme", "sector", "size", "load", "decision"} <= criteria
    assert all(e["text"] for e in body["explanation"])
    assert body["ranking"][0]["slug"] == "wsp-regio-zwolle"
    assert body["ranking"][-1]["slug"] == "kvk"  # the chain ends at the fallback
    assert body["municipality"]["code"] == "GM0193"
    assert "werving-en-arbeidsmarkt" in [t["theme"] for t in body["recognised_themes"]]


def test_only_text_is_required(seeded: object, client: LoketClient) -> None:
    r = client.post(URL, json={"text": "Ik heb een vraag"})
    assert r.status_code == 200
    assert r.json()["desk"]["slug"] == "kvk"
    assert client.post(URL, json={}).status_code == 422
    assert client.post(URL, json={"text": ""}).status_code == 422


def test_municipality_by_code_name_or_former_name_and_postcode(seeded: object,
                                                               client: LoketClient) -> None:
    text = "Wij zoeken een investeerder"
    for place in ("GM1948", "Meierijstad", "meierijstad", "Veghel", "gm1948"):
        r = client.post(URL, json={"text": text, "municipality": place})
        assert r.json()["desk"]["slug"] == "bom", place
    r = client.post(URL, json={"text": text, "postcode": "7411 AB"})
    assert r.json()["municipality"]["name"] == "Deventer"
    assert r.json()["desk"]["slug"] == "oost-nl"


def test_unknown_or_invalid_field_is_422_naming_the_field(seeded: object,
                                                          client: LoketClient) -> None:
    r = client.post(URL, json={"text": "vraag", "municipality": "Atlantis"})
    assert r.status_code == 422
    assert "municipality" in r.json()["error"]["fields"]
    r = client.post(URL, json={"text": "vraag", "postcode": "abc"})
    assert r.status_code == 422 and "postcode" in r.json()["error"]["fields"]
    r = client.post(URL, json={"text": "vraag", "company_size": "reus"})
    assert r.status_code == 422 and "company_size" in r.json()["error"]["fields"]
    r = client.post(URL, json={"text": "vraag", "sector": "ruimtevaart"})
    assert r.status_code == 422 and "sector" in r.json()["error"]["fields"]
    r = client.post(URL, json={"text": "vraag", "theme": "toverkunst"})
    assert r.status_code == 422 and "theme" in r.json()["error"]["fields"]


def test_stores_nothing(seeded: object, client: LoketClient, session: Session) -> None:
    def counts() -> tuple[int, int, int]:
        return (session.exec(select(func.count()).select_from(Desk)).one(),
                session.exec(select(func.count()).select_from(OutboxMessage)).one(),
                session.exec(select(func.count()).select_from(AuditEvent)).one())

    before = counts()
    for _ in range(3):
        assert client.post(URL, json={"text": "subsidie voor een robot"}).status_code == 200
    assert counts() == before


def test_csrf_cookieless_json_passes_but_a_browser_without_token_does_not(
        seeded: object, client: LoketClient) -> None:
    payload = {"text": "Hoe vraag ik WBSO aan?"}
    # An integration: JSON, no cookies, no token.
    assert client.post(URL, json=payload, csrf=False).status_code == 200
    # A browser page: it has cookies, so it must send the token like any form.
    client.get("/welk-loket")
    assert client.cookies
    assert client.post(URL, json=payload, csrf=False).status_code == 403
    assert client.post(URL, json=payload).status_code == 200
    # Never from a foreign origin, cookies or not.
    fresh = LoketClient(client.app)
    r = fresh.post(URL, json=payload, csrf=False, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    # Form posts without cookies still need the token.
    r = fresh.post(URL, content="text=x", csrf=False,
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 403


def test_page_works_without_javascript(seeded: object, client: LoketClient) -> None:
    page = client.get("/welk-loket")
    assert page.status_code == 200
    assert 'action="/welk-loket"' in page.text and 'method="get"' in page.text
    assert '<label class="form-field__label utrecht-form-label" for="f-vraag">' in page.text
    assert '<datalist id="municipality-options">' in page.text
    assert 'label="Veghel (nu Meierijstad)"' in page.text  # former names in the list
    r = client.get("/welk-loket", params={"vraag": "Wij willen een cobot inzetten",
                                          "gemeente": "Almelo", "sector": "maakindustrie"})
    assert r.status_code == 200
    # Issue #13: the hub that covers Almelo, not the national (demo) fieldlab.
    assert "EDIH BOOST Robotics EastNL" in r.text
    assert "Fieldlab Industrial Robotics" in r.text  # further down the ranking
    assert "Waarom dit loket" in r.text  # Dutch by default
    assert "werkt in de provincie Overijssel" in r.text


def test_page_htmx_gets_the_results_fragment(seeded: object, client: LoketClient) -> None:
    r = client.get("/welk-loket", params={"vraag": "Ik zoek durfkapitaal", "gemeente": "Arnhem"},
                   headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section id="which-desk-results"')
    assert "Oost NL" in r.text and "<html" not in r.text
    assert "HX-Request" in r.headers["vary"]


def test_page_shows_field_errors_and_suggestions(seeded: object, client: LoketClient) -> None:
    r = client.get("/welk-loket", params={"vraag": "hulp", "gemeente": "Deventr"})
    assert r.status_code == 422
    assert 'aria-invalid="true"' in r.text
    assert "Deze gemeente kennen wij niet." in r.text
    r = client.get("/welk-loket", params={"vraag": "", "gemeente": "Deventer"})
    assert r.status_code == 422 and "Beschrijf uw vraag." in r.text
    r = client.get("/welk-loket", params={"vraag": "hulp", "gemeente": "Deven"})
    assert "Bedoelt u:" in r.text and "Deventer" in r.text


def test_public_desk_list(seeded: object, client: LoketClient) -> None:
    r = client.get("/loketten")
    assert r.status_code == 200
    assert "Novel-T" in r.text and "/loketten/novel-t" in r.text
    r = client.get("/api/v1/desks")
    slugs = {d["slug"] for d in r.json()}
    assert {"kvk", "rvo", "oost-nl", "rom-inwest"} <= slugs
    r = client.get("/api/v1/desks/oost-nl")
    assert {"kind": "province", "code": "PV25"} in r.json()["coverage"]
