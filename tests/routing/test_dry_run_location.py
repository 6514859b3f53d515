"""The dry run's location (issue 13): the whole country, unknown postcodes, places in the text,
and odd input that must give a clear answer or a clear 422, never a 500."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from backend.routing import service
from backend.routing.router import RoutingInput
from tests.client import LoketClient

URL = "/api/v1/routing/dry-run"


def location_text(body: dict[str, object]) -> str:
    explanation = body["explanation"]
    assert isinstance(explanation, list)
    return str(explanation[0]["text"]) if explanation[0]["criterion"] == "location" else ""


def test_a_postcode_outside_overijssel_and_gelderland_is_understood(
        seeded: object, client: LoketClient) -> None:
    # Regression: 5611 (Eindhoven) answered 422 when the table covered two provinces.
    r = client.post(URL, json={"text": "Wij zoeken een investeerder", "postcode": "5611"})
    assert r.status_code == 200, r.text
    assert r.json()["municipality"]["name"] == "Eindhoven"
    assert r.json()["location"]["source"] == "postcode"
    assert r.json()["location"]["place"] == "Eindhoven"
    for pc, name in (("9711", "Groningen"), ("8911 AB", "Leeuwarden"), ("6211", "Maastricht"),
                     ("4331", "Middelburg"), ("1011", "Amsterdam")):
        r = client.post(URL, json={"text": "vraag", "postcode": pc})
        assert r.status_code == 200 and r.json()["municipality"]["name"] == name, pc


def test_unknown_postcode_means_location_unknown_never_422(seeded: object,
                                                           client: LoketClient) -> None:
    r = client.post(URL, json={"text": "Wij zoeken een investeerder", "postcode": "7500 AA"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["municipality"] is None
    assert "7500" in location_text(body) and "onbekend" in location_text(body)
    assert body["location"] == {"source": None, "postcode": "7500", "postcode_known": False,
                                "place": None, "ambiguous": None, "candidates": [],
                                "data_source": "CBS (CC BY 4.0)"}
    # Routed on the rest: only nationwide desks are candidates.
    assert all(d["coverage"]["kind"] == "national" for d in body["ranking"]
               if d["coverage"])


def test_unknown_postcode_amsterdam_po_boxes(seeded: object, client: LoketClient) -> None:
    r = client.post(URL, json={"text": "vraag", "postcode": "1000"},
                    headers={"Accept-Language": "nl"})
    assert r.status_code == 200
    assert "1000" in location_text(r.json())


def test_place_in_the_text_is_used_when_no_location_is_given(seeded: object,
                                                             client: LoketClient) -> None:
    r = client.post(URL, json={"text": "Wij zoeken een investeerder voor ons bouwbedrijf "
                                       "in Deventer"})
    assert r.status_code == 200
    body = r.json()
    assert body["municipality"]["name"] == "Deventer"
    assert body["desk"]["slug"] == "oost-nl"  # as with postcode 7411 or municipality Deventer
    assert "Deventer" in location_text(body)
    assert body["location"]["source"] == "text" and body["location"]["place"] == "Deventer"
    # A given municipality wins over the text.
    r = client.post(URL, json={"text": "ons bouwbedrijf in Deventer", "municipality": "Zwolle"})
    assert r.json()["municipality"]["name"] == "Zwolle"


def test_ambiguous_place_in_the_text_is_said(seeded: object, client: LoketClient) -> None:
    r = client.post(URL, json={"text": "Wij zijn een metaalbedrijf in Hengelo"})
    assert r.status_code == 200
    body = r.json()
    assert body["municipality"] is None
    text = location_text(body)
    assert "Hengelo (Overijssel)" in text and "Bronckhorst (Gelderland)" in text
    assert body["location"]["ambiguous"] == "Hengelo"
    assert [c["code"] for c in body["location"]["candidates"]] == ["GM0164", "GM1876"]
    r = client.post(URL, json={"text": "Wij zijn een metaalbedrijf in Hengelo (O.)"})
    assert r.json()["municipality"]["name"] == "Hengelo"


def test_unknown_municipality_is_422_naming_the_field(seeded: object,
                                                      client: LoketClient) -> None:
    r = client.post(URL, json={"text": "vraag", "municipality": "Atlantis"})
    assert r.status_code == 422
    assert "municipality" in r.json()["error"]["fields"]


def test_a_place_in_the_municipality_field_is_its_municipality(seeded: object,
                                                              client: LoketClient) -> None:
    # People type where they are, not the municipality: Badhoevedorp is in Haarlemmermeer.
    for place, municipality in (("Badhoevedorp", "Haarlemmermeer"),
                                ("hoogezand", "Midden-Groningen"),
                                ("'s-Heerenhoek", "Borsele"), ("Hengelo (Gld)", "Bronckhorst")):
        r = client.post(URL, json={"text": "Wij zoeken personeel", "municipality": place},
                        headers={"Accept-Language": "nl"})
        assert r.status_code == 200, (place, r.text)
        body = r.json()
        assert body["municipality"]["name"] == municipality, place
        assert body["location"]["source"] == "municipality"
    assert "Badhoevedorp" in location_text(client.post(
        URL, json={"text": "vraag", "municipality": "Badhoevedorp"}).json())


def test_an_ambiguous_place_in_the_municipality_field_asks_which(seeded: object,
                                                                 client: LoketClient) -> None:
    # Hengelo is a municipality (wins), but Geesteren is a village in Tubbergen and in
    # Berkelland: the field asks rather than guess.
    r = client.post(URL, json={"text": "vraag", "municipality": "Hengelo"})
    assert r.status_code == 200 and r.json()["municipality"]["code"] == "GM0164"
    r = client.post(URL, json={"text": "vraag", "municipality": "Geesteren"},
                    headers={"Accept-Language": "nl"})
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "ambiguous_municipality"
    assert "Tubbergen" in error["fields"]["municipality"]
    assert "Berkelland" in error["fields"]["municipality"]


@pytest.mark.parametrize("body", [
    {"text": ""},
    {"text": "x" * 5001},
    {},
    {"text": None},
    {"text": 12},
])
def test_bad_text_is_422_naming_text(seeded: object, client: LoketClient,
                                     body: dict[str, object]) -> None:
    r = client.post(URL, json=body)
    assert r.status_code == 422, r.text
    assert "text" in r.json()["error"]["fields"]


@pytest.mark.parametrize("text", [
    "🙂🚀🏭💶" * 10,  # only emoji
    "a" * 5000,
    ("Wij zijn een bouwbedrijf in Zwolle en zoeken subsidie voor een lasrobot. " * 80)[:5000],
    "   ",
    "\u202e\u0000\u200b",  # bidi override, NUL, zero-width space
    "Best Epe Ee Wijk Putten Lent",
    "'s-'s-'s- ( ) (O.) Gld",
])
def test_odd_text_gets_a_clear_answer(seeded: object, client: LoketClient, text: str) -> None:
    r = client.post(URL, json={"text": text})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["desk"]["slug"] and body["explanation"]


@pytest.mark.parametrize(("field", "value"), [
    ("postcode", "🙂🙂"), ("postcode", "0000"), ("postcode", "12345"),
    ("municipality", "🙂"), ("municipality", "x" * 100), ("municipality", "\u0000"),
])
def test_odd_location_is_422_naming_the_field(seeded: object, client: LoketClient,
                                              field: str, value: str) -> None:
    r = client.post(URL, json={"text": "vraag", field: value})
    assert r.status_code == 422, r.text
    assert field in r.json()["error"]["fields"]


def test_which_desk_page_credits_cbs_and_says_the_postcode_is_unknown(
        seeded: object, client: LoketClient) -> None:
    r = client.get("/welk-loket")
    assert "Bron: CBS" in r.text
    r = client.get("/welk-loket", params={"vraag": "Wij zoeken een investeerder",
                                          "postcode": "7500"})
    assert r.status_code == 200
    assert "Postcode 7500 kennen wij niet" in r.text and "Bron: CBS" in r.text
    r = client.get("/welk-loket", params={"vraag": "Wij zoeken personeel in Hengelo"})
    assert r.status_code == 200 and "Bronckhorst (Gelderland)" in r.text
    # The page asks: a link per candidate sends the municipality along.
    assert "“Hengelo” kan zijn:" in r.text and "gemeente=GM1876" in r.text
    r = client.get("/welk-loket", params={"vraag": "Wij zoeken personeel in Hengelo",
                                          "gemeente": "GM1876"})
    assert "Bronckhorst" in r.text and "kan zijn:" not in r.text


def test_autocomplete_credits_cbs(seeded: object, client: LoketClient) -> None:
    body = client.get("/api/v1/regions/municipalities", params={"q": "zwol"}).json()
    assert "CBS" in body["source"]


def test_route_question_uses_a_place_in_the_text(seeded: object, session: Session) -> None:
    """The seam the question form uses (``routing.service.route_question``): without a
    municipality, the place in the text decides, and the explanation says so."""
    decision = service.route_question(session, RoutingInput(
        "We hebben twaalf vacatures voor monteurs en vinden niemand; ons bedrijf zit in Zwolle"))
    assert decision.municipality is not None and decision.municipality.name == "Zwolle"
    assert decision.slug == "wsp-regio-zwolle"
    assert "Zwolle" in decision.explanation[0].text
    # No place: as before, only nationwide desks.
    decision = service.route_question(session, RoutingInput(
        "We hebben twaalf vacatures voor monteurs en vinden niemand"))
    assert decision.municipality is None
