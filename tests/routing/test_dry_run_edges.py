"""Odd input to the dry run, on the page "Welk loket helpt mij?" as through the API (issue 13:
an unknown postcode, an unknown municipality, an empty text, 5,000 characters, only emoji,
control characters or bidi overrides): a clear answer or a clear 422 naming the field, never
a 500."""

from __future__ import annotations

import pytest

from tests.client import LoketClient

PAGE = "/welk-loket"
URL = "/api/v1/routing/dry-run"
ODD_TEXTS = [
    "🙂🚀🏭💶" * 10,  # only emoji
    "a" * 5000,
    ("Wij zijn een bouwbedrijf in Zwolle en zoeken subsidie voor een lasrobot. " * 80)[:5000],
    "\u202e\u0000\u200b",  # bidi override, NUL, zero-width space
    "Wij zoeken\u0007 personeel\u001b[31m in Zwolle\u202e",  # bell, an ANSI escape, bidi
    "\u2066\u2067\u2068\u2069\u200e\u200f\ufeff",  # only bidi isolates and marks, a BOM
    "\ud7ff\U0010ffff\ufffd",  # the edges of Unicode
]


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_page_gives_a_clear_answer_to_odd_text(seeded: object, client: LoketClient,
                                               text: str) -> None:
    r = client.get(PAGE, params={"vraag": text})
    assert r.status_code in (200, 422), r.text[:300]
    if r.status_code == 422:  # only text that is empty once trimmed
        assert "Beschrijf uw vraag." in r.text
    else:
        assert "Waarom dit loket" in r.text


@pytest.mark.parametrize("text", ODD_TEXTS[4:])
def test_api_gives_a_clear_answer_to_control_characters_and_bidi(
        seeded: object, client: LoketClient, text: str) -> None:
    r = client.post(URL, json={"text": text})
    assert r.status_code == 200, r.text
    assert r.json()["desk"]["slug"] and r.json()["explanation"]


def test_page_says_the_text_is_too_long(seeded: object, client: LoketClient) -> None:
    """The form again, the field marked, in Dutch: not the general error page."""
    for length in (5001, 20_000):
        r = client.get(PAGE, params={"vraag": "x" * length, "gemeente": "Zwolle"})
        assert r.status_code == 422, (length, r.text[:300])
        assert "Deze tekst is te lang (maximaal 5000 tekens)." in r.text
        assert 'id="f-vraag"' in r.text and 'aria-invalid="true"' in r.text
        assert "Waarom dit loket" not in r.text


def test_api_says_the_text_is_too_long(seeded: object, client: LoketClient) -> None:
    for length in (5001, 100_000):
        r = client.post(URL, json={"text": "x" * length})
        assert r.status_code in (413, 422), (length, r.text[:300])
        if r.status_code == 422:
            assert "text" in r.json()["error"]["fields"]


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"vraag": "Wij zoeken personeel", "gemeente": "Atlantis"}, "gemeente",
     "Deze gemeente kennen wij niet."),
    ({"vraag": "Wij zoeken personeel", "gemeente": "🙂"}, "gemeente",
     "Deze gemeente kennen wij niet."),
    ({"vraag": "Wij zoeken personeel", "postcode": "🙂🙂"}, "postcode", None),
    ({"vraag": "Wij zoeken personeel", "postcode": "12345"}, "postcode", None),
    ({"vraag": "", "postcode": "7411"}, "vraag", "Beschrijf uw vraag."),
    ({"vraag": "   ", "gemeente": "Zwolle"}, "vraag", "Beschrijf uw vraag."),
    ({"vraag": "Wij zoeken personeel", "gemeente": "x" * 101}, "gemeente",
     "Deze tekst is te lang (maximaal 100 tekens)."),
    ({"vraag": "Wij zoeken personeel", "postcode": "7" * 500}, "postcode",
     "Deze tekst is te lang (maximaal 100 tekens)."),
])
def test_page_names_the_field_in_error(seeded: object, client: LoketClient,
                                       params: dict[str, str], field: str,
                                       message: str | None) -> None:
    r = client.get(PAGE, params=params)
    assert r.status_code == 422, r.text[:300]
    assert 'aria-invalid="true"' in r.text
    assert f'id="f-{field}"' in r.text or f'name="{field}"' in r.text
    if message:
        assert message in r.text


def test_page_routes_with_an_unknown_postcode_and_says_so(seeded: object,
                                                          client: LoketClient) -> None:
    r = client.get(PAGE, params={"vraag": "Wij zoeken een investeerder", "postcode": "7500"})
    assert r.status_code == 200
    assert "Postcode 7500 kennen wij niet" in r.text and "Waarom dit loket" in r.text


def test_page_with_only_emoji_and_a_place(seeded: object, client: LoketClient) -> None:
    r = client.get(PAGE, params={"vraag": "🙂🙂🙂", "gemeente": "Zwolle"})
    assert r.status_code == 200 and "Waarom dit loket" in r.text
