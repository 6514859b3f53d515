"""Place and municipality names in a question's text (``regions.service.places_in_text``)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.regions.places import PROVINCE_NAME, best_location
from backend.regions.service import places_in_text, seed_region_index


def one(text: str) -> list[str]:
    """Municipality names of the single match in ``text``."""
    matches = [m for m in places_in_text(text) if m.kind != PROVINCE_NAME]
    assert len(matches) == 1, (text, matches)
    return [c.name for c in matches[0].candidates]


@pytest.mark.parametrize(("text", "municipality"), [
    ("ons bouwbedrijf in Zwolle zoekt personeel", "Zwolle"),
    ("vlak bij Leeuwarden", "Leeuwarden"),
    ("wij zitten in zwolle", "Zwolle"),  # case
    ("ZWOLLE", "Zwolle"),
    ("gevestigd in Sudwest-Fryslan", "Súdwest-Fryslân"),  # diacritics
    ("gevestigd in Súdwest-Fryslân", "Súdwest-Fryslân"),
    ("een kantoor in Den Haag", "'s-Gravenhage"),
    ("een kantoor in 's-Gravenhage", "'s-Gravenhage"),
    ("een kantoor in s Gravenhage", "'s-Gravenhage"),
    ("based in The Hague", "'s-Gravenhage"),
    ("een winkel in Den Bosch", "'s-Hertogenbosch"),
    ("een winkel in 's-Hertogenbosch", "'s-Hertogenbosch"),
    ("ons bedrijf in Veghel", "Meierijstad"),  # former municipality
    ("uit Weesp", "Amsterdam"),
    ("een bakkerij in Rosmalen", "'s-Hertogenbosch"),  # a woonplaats
    ("Hengelo (O.) heeft een fieldlab", "Hengelo"),
    ("Hengelo (Gld) heeft een smederij", "Bronckhorst"),
    ("in Hengelo Gld", "Bronckhorst"),
    ("Zoeterwoude", "Zoeterwoude"),
    ("We are a bakery from Enschede looking for staff", "Enschede"),
    ("Wij zitten in Best", "Best"),
    ("in de buurt van Putten", "Putten"),
    ("een werkplaats in Lent", "Nijmegen"),
    ("wij komen uit Epe", "Epe"),
    ("we zitten in Kampen", "Kampen"),
    ("een tegelzetter uit Tegelen", "Venlo"),
    ("een bedrijf in Zetten", "Overbetuwe"),
    ("een bakkerij in Sint Willebrord", "Rucphen"),  # CBS: "St. Willebrord"
    ("een bakkerij in St. Oedenrode", "Meierijstad"),  # CBS: "Sint-Oedenrode"
])
def test_names_are_recognised(text: str, municipality: str) -> None:
    assert one(text) == [municipality]


def test_span_and_kind() -> None:
    text = "Ons bouwbedrijf in 's-Gravenhage en Hengelo (O.)"
    a, b = places_in_text(text)
    assert (text[a.start:a.end], a.kind, a.cued) == ("'s-Gravenhage", "municipality", True)
    assert text[b.start:b.end] == "Hengelo (O.)" and b.municipality is not None


def test_hengelo_alone_is_ambiguous_with_its_candidates() -> None:
    (m,) = places_in_text("Wij zijn een metaalbedrijf in Hengelo")
    assert m.ambiguous and m.municipality is None
    assert [(c.name, c.province_name) for c in m.candidates] == [
        ("Hengelo", "Overijssel"), ("Bronckhorst", "Gelderland")]  # the municipality first
    # A province in the text or a qualifier settles it.
    m = places_in_text("Wij zitten in Hengelo in Gelderland")[0]
    assert [c.name for c in m.candidates] == ["Bronckhorst"]
    m = places_in_text("Hengelo, Overijssel")[0]
    assert [c.name for c in m.candidates] == ["Hengelo"]
    assert [c.name for c in places_in_text("Hengelo (Ov)")[0].candidates] == ["Hengelo"]


@pytest.mark.parametrize("text", [
    "Best lastig om personeel te vinden",
    "wat is het beste advies voor ons",
    "wij zijn op zoek naar de best passende regeling",
    "we kampen met een tekort aan monteurs",
    "de handel in metaal loopt terug",
    "een winkel in de binnenstad",
    "het loon van onze medewerkers",
    "in de wijk waar wij zitten",
    "Putten is lastig",  # sentence-initial capital without a location word
    "we lent money to a supplier",
    "it goes well, but hiring is hard",
    "Epe-achtige constructies",
    "wij verkopen in Nederland en Duitsland",
    "export naar America",
    "een West-Europees bedrijf",
    "Jan van Delft belt morgen terug",
    "mevrouw Van Houten is onze directeur",
    "de omzet zal dalen",
    "de waarde van ons pand",
    "ee, ik weet het niet",
    "wij willen slim roosteren in de zorg",
    "de mens centraal zetten",
    "banen creëren voor anderen",
    "De wethouder opende de bijeenkomst",
    "ons ERP-systeem is verouderd",
    "we werken in ERP en Excel",
    "wij gieten aluminium en tegelen badkamers",
    "we zijn in BEST shape",
    "in de rijen voor de kassa",
])
def test_ordinary_words_are_not_places(text: str) -> None:
    assert [m.text for m in places_in_text(text)] == []


def test_provinces_are_reported_but_name_no_municipality() -> None:
    matches = places_in_text("Wij zitten in Zeeland en in de provincie Utrecht")
    assert [(m.kind, m.province_code) for m in matches] == [
        ("province", "PV29"), ("province", "PV26")]
    assert best_location(matches) is None
    # Groningen and Utrecht alone are the cities.
    assert one("een kantoor in Utrecht") == ["Utrecht"]
    assert one("een kantoor in Groningen") == ["Groningen"]


def test_best_location_prefers_a_cued_name() -> None:
    matches = places_in_text("Wij leveren aan Deventer, maar wij zitten in Zwolle")
    best = best_location(matches)
    assert best is not None and best.municipality is not None
    assert best.municipality.name == "Zwolle"


def test_every_place_and_municipality_of_the_table_is_found() -> None:
    """Every woonplaats and municipality name, written as CBS writes it, is recognised after
    "in" (capitalised) with its exact span, except the few never read in text: the country
    and foreign places that are also Dutch villages."""
    index = seed_region_index()
    names = set(index.places.values()) | {m.name for m in index.municipalities.values()}
    assert len(set(index.places.values())) == 2410
    missed = []
    for name in sorted(names):
        found = places_in_text(f"Wij zitten in {name}.")
        if not found or found[0].text != name:
            missed.append(name)
    assert missed == ["America", "Bern", "Halle", "Nederland", "Sint Maarten", "Zurich"]


def test_fast() -> None:
    index = seed_region_index()
    index.place_index()
    text = ("Wij zijn een bouwbedrijf met twaalf medewerkers in Zwolle en zoeken subsidie "
            "voor een lasrobot. ") * 50
    start = time.perf_counter()
    for _ in range(20):
        places_in_text(text[:5000], index)
    per_call = (time.perf_counter() - start) / 20
    assert per_call < 0.02, per_call  # measured ~1.5 ms for 5,000 characters


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.lists(st.sampled_from(
    ["in", "uit", "bij", "Best", "Hengelo", "(O.)", "(Gld)", "'s-", "Den", "Haag", "de", "Wijk",
     "Gelderland", "provincie", "Utrecht", "van", "Delft", "ee", "🙂", "\u0000", ",", "."]),
    max_size=30).map(" ".join))
def test_any_text_gives_well_formed_matches(text: str) -> None:
    matches = places_in_text(text)
    last_end = 0
    for m in matches:
        assert 0 <= m.start < m.end <= len(text) and m.start >= last_end
        assert text[m.start:m.end] == m.text
        assert bool(m.candidates) == (m.kind != PROVINCE_NAME)
        last_end = m.end


@pytest.mark.parametrize(("text", "province"), [
    ("Our agritech firm wants to join an ecosystem in South Holland.", "PV28"),
    ("A machine builder in North Brabant", "PV30"),
    ("Where can a small Frisian dairy start-up get a loan?", "PV21"),
    ("Wij zijn een Zeeuws familiebedrijf", "PV29"),
    ("de Limburgse maakindustrie", "PV31"),
])
def test_english_province_names_and_adjectives(text: str, province: str) -> None:
    found = [m.province_code for m in places_in_text(text) if m.kind == PROVINCE_NAME]
    assert found == [province]


def test_a_named_province_outweighs_an_uncued_name_outside_it() -> None:
    # "Mussel" is a village in Groningen; the text says the business is in Zeeland.
    matches = places_in_text("We are a Zeeland mussel company with a Mussel brand")
    assert best_location(matches) is None
    # After a location word the name counts even outside the province the text names.
    cued = best_location(places_in_text("Our Zeeland oysters are sold from Stadskanaal"))
    assert cued is not None and cued.municipality is not None
    assert cued.municipality.name == "Stadskanaal"
    # A name inside the named province is kept.
    inside = best_location(places_in_text("Our Zeeland company near Goes"))
    assert inside is not None and inside.municipality is not None
    assert inside.municipality.name == "Goes"


def test_lookup_takes_a_whole_name_as_typed_in_a_field() -> None:
    places = seed_region_index().place_index()
    badhoevedorp = places.lookup("  badhoevedorp ")
    assert badhoevedorp is not None and badhoevedorp.municipality is not None
    assert badhoevedorp.municipality.name == "Haarlemmermeer"
    assert badhoevedorp.kind == "place" and badhoevedorp.name == "Badhoevedorp"
    geesteren = places.lookup("Geesteren")
    assert geesteren is not None and geesteren.municipality is None
    assert {m.name for m in geesteren.candidates} == {"Tubbergen", "Berkelland"}
    # The field says it is a place: ordinary-word places count, provinces and parts do not.
    best = places.lookup("Best")
    assert best is not None and best.municipality is not None
    assert places.lookup("Zeeland") is None
    assert places.lookup("Badhoevedorp Noord") is None
    assert places.lookup("") is None
