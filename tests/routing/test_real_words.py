"""Real words are never read as typos of a known word (``language.real_words``)."""

from __future__ import annotations

from backend.routing import real_words
from backend.routing.router import default_taxonomy
from backend.search import language


def themes(text: str) -> list[str]:
    return [m.theme for m in default_taxonomy().themes.recognise(text)]


def test_the_list_was_made_for_the_current_vocabulary() -> None:
    matcher = default_taxonomy().themes.matcher
    assert real_words.recorded_fingerprint() == real_words.fingerprint(matcher), (
        "The router's vocabulary changed since backend/search/data/real_words.txt was made; "
        "run `sudo apt-get install wdutch wbritish && .venv/bin/python -m "
        "backend.routing.real_words` and commit the list.")


def test_the_list_carries_its_sources() -> None:
    head = real_words.OUTPUT.read_text(encoding="utf-8")[:800]
    assert "OpenTaal" in head and "SCOWL" in head and "Kevin Atkinson" in head


def test_a_real_word_is_not_a_typo_of_a_known_word() -> None:
    matcher = default_taxonomy().themes.matcher
    for word in ("tellen", "metal", "expert", "steeds"):
        assert word in language.real_words()
        readings = matcher.analyse_word(word)
        assert all(kind != "typo" for _, _, kind in readings), (word, readings)
    # "tellen" (counting) is no lifting ("tillen"), "metal" no mental health
    assert "duurzame-inzetbaarheid" not in themes("We tellen de bollen met de hand")
    assert "duurzame-inzetbaarheid" not in themes("We bend sheet metal for kitchens")


def test_a_misspelling_is_still_read_as_the_word_meant() -> None:
    assert "finaciering" not in language.real_words()
    assert themes("Ik zoek finaciering")[0] == "financiering"


def test_the_maker_keeps_real_words_within_typo_reach_only() -> None:
    matcher = default_taxonomy().themes.matcher
    found = real_words.real_words_near(matcher, ["tellen", "fiets", "financiering", "metal"])
    assert found == ["metal", "tellen"]  # "fiets" is far from every known word; "financiering"
    # is a known word itself
