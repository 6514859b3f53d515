"""The Dutch analysis helpers: folding, compounds, synonyms, edit distance, analyzer chain."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.search import analysis, dutch


def test_fold_strips_diacritics_and_case() -> None:
    assert dutch.fold("Financiële Coöperatie") == "financiele cooperatie"
    assert dutch.words("Midden- en kleinbedrijf, zzp'er!") == [
        "midden",
        "en",
        "kleinbedrijf",
        "zzp",
        "er",
    ]


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("arbeidsproductiviteit", ("arbeid", "productiviteit")),
        ("productiviteitsverbetering", ("productiviteit", "verbetering")),
        ("kennisinstellingen", ("kennis", "instelling")),
        ("ondernemershuis", ("ondernemer", "huis")),
        ("werkvloer", ("werk", "vloer")),
        ("innovatiekrediet", ("innovatie", "krediet")),
        # What entrepreneurs typed in issue 17.
        ("lasrobot", ("las", "robot")),
        ("lasrobots", ("las", "robot")),
        ("arbeidsmarktkrapte", ("arbeid", "markt", "krapte")),
        ("werknemersaandelen", ("werknemer", "aandelen")),
        ("ziekteverzuim", ("ziekte", "verzuim")),
        ("lastig", ("lastig",)),
        ("lasten", ("lasten",)),
        # Not compounds (or not completely covered by the dictionary): left whole.
        ("productiviteit", ("productiviteit",)),
        ("samenwerking", ("samenwerking",)),
        ("zondag", ("zondag",)),
        ("tijdens", ("tijdens",)),
        ("stedendriehoek", ("stedendriehoek",)),
    ],
)
def test_split_compound(word: str, parts: tuple[str, ...]) -> None:
    assert dutch.split_compound(word) == parts


def test_decompound_uses_the_vocabulary_it_is_given() -> None:
    vocabulary = {"lijn", "robot", "sensor", "data", "team"}.__contains__
    assert dutch.decompound("lijnrobots", vocabulary) == ("lijn", "robot")
    assert dutch.decompound("sensordata", vocabulary) == ("sensor", "data")
    assert dutch.decompound("zorgteams", vocabulary) == ("zorg", "team")  # zorg: dictionary
    # The dictionary's split wins; an uncovered word or a short head stays whole.
    assert dutch.decompound("werkdruk", vocabulary) == ("werk", "druk")
    assert dutch.decompound("xyzrobot", vocabulary) == ("xyzrobot",)
    assert dutch.decompound("robotdat", {"robot", "dat"}.__contains__) == ("robotdat",)


def test_compound_dictionary_is_folded_and_has_no_short_parts() -> None:
    words = dutch.compound_parts()
    assert len(words) > 200
    assert all(w == dutch.fold(w) for w in words)
    assert all(len(w) >= 3 for w in words)
    assert set(dutch.LINKING) <= set(dutch.compound_dictionary())


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        # The stemmed chain splits compounds, so a part matches the compound.
        ("arbeidsproductiviteit", {"arbeid", "productif"}),
        ("productiviteit", {"productif"}),
        ("innovaties", {"innoveer"}),
        ("innovatie", {"innoveer"}),
        ("financiële", {"financiel"}),
        ("robots", {"robot"}),  # robot + linking s
        ("de", set()),  # stop word
    ],
)
def test_stemmed_analyzer_chain(text: str, terms: set[str]) -> None:
    assert set(analysis.stems(text)) == terms


def test_compound_parts_share_the_position_of_the_compound() -> None:
    # Positions count from the first kept term; the stop word "de" is gone.
    assert analysis.stem_positions("de arbeidsproductiviteit stijgt") == (
        (0, "arbeid"),
        (0, "productif"),
        (1, "stijgt"),
    )


def test_segment_takes_the_longest_synonym_phrase() -> None:
    segments = dutch.segment(dutch.words("subsidie midden- en kleinbedrijf"))
    assert [s.words for s in segments] == [("subsidie",), ("midden", "en", "kleinbedrijf")]
    assert segments[0].synonyms == (("subsidy",),)
    assert ("mkb",) in segments[1].synonyms


@pytest.mark.parametrize(
    ("phrase", "also"),
    [
        ("mkb", "midden en kleinbedrijf"),
        ("midden- en kleinbedrijf", "mkb"),
        ("AI", "kunstmatige intelligentie"),
        ("kunstmatige intelligentie", "ai"),
        ("zzp", "zelfstandige"),
        ("zelfstandige", "zzp"),
        ("zzp'er", "zelfstandige zonder personeel"),
    ],
)
def test_synonyms_expand_both_ways(phrase: str, also: str) -> None:
    expanded = dutch.expand_synonyms(phrase)
    assert expanded[0] == " ".join(dutch.words(phrase))
    assert also in expanded


def test_unknown_phrase_expands_to_itself() -> None:
    assert dutch.expand_synonyms("Scania") == ["scania"]


def test_meili_synonyms_are_symmetric_and_english_one_way() -> None:
    table = dutch.meili_synonyms()
    dutch_phrases = {" ".join(p) for p in dutch.synonym_index()}
    english = {" ".join(p) for p in dutch.english_index()}
    for phrase, others in table.items():
        assert phrase not in others
        for other in others:
            if phrase in dutch_phrases and other in dutch_phrases:
                assert phrase in table[other]
    assert "kleinschaligheidsinvesteringsaftrek" in table["small scale investment deduction"]
    assert "innovatiekrediet" not in table  # a Dutch word does not widen to English
    assert english <= set(table)


def test_english_glossary_translates_english_phrases_one_way() -> None:
    segments = dutch.segment(dutch.words("energy saving tax deductions"))
    assert [s.words for s in segments] == [("energy", "saving"), ("tax", "deductions")]
    assert all(s.english for s in segments)
    assert ("energiebesparing",) in segments[0].synonyms
    assert ("aftrek",) in segments[1].synonyms  # plural -s added to the English phrase
    assert dutch.is_mostly_english(segments)
    # Dutch stays Dutch; a word both languages share is translated only in an English query.
    assert not dutch.is_mostly_english(dutch.segment(dutch.words("subsidie robot")))
    assert dutch.segment(["robot"])[0].synonyms == ()
    english = dutch.segment(dutch.words("subsidy robot"))
    assert ("robotisering",) in english[1].synonyms
    # Every theme's glossary maps to folded Dutch phrases.
    assert all(len(p) >= 1 for ps in dutch.english_index().values() for p in ps)


@pytest.mark.parametrize(
    ("word", "edits"), [("lean", 0), ("subsi", 1), ("subsidie", 1), ("robotisering", 2)]
)
def test_max_edits(word: str, edits: int) -> None:
    assert dutch.max_edits(word) == edits


def _osa(a: str, b: str) -> int:
    """Reference optimal-string-alignment distance, without the cut-off."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="abcde", max_size=9),
    st.text(alphabet="abcde", max_size=9),
    st.integers(min_value=0, max_value=3),
)
def test_edit_distance_matches_reference_up_to_the_limit(a: str, b: str, limit: int) -> None:
    assert dutch.edit_distance(a, b, limit) == min(_osa(a, b), limit + 1)


def test_edit_distance_counts_a_transposition_once() -> None:
    assert dutch.edit_distance("subsdiie", "subsidie", 2) == 1


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("Opleidings- en ontwikkelingsfonds", "Opleidingsfonds en ontwikkelingsfonds"),
        ("midden- en kleinbedrijf", "middenbedrijf en kleinbedrijf"),
        ("informatie-, opleidings- en ontwikkelingsfonds",
         "informatiefonds, opleidingsfonds en ontwikkelingsfonds"),
        ("speur- of ontwikkelingswerk", "speurwerk of ontwikkelingswerk"),
        # No coordination, or a last word the dictionary cannot split: unchanged.
        ("mkb-ecosysteem en meer", "mkb-ecosysteem en meer"),
        ("in- en verkoop", "in- en verkoop"),
        ("regio - en verder", "regio - en verder"),
    ],
)  # fmt: skip
def test_expand_coordination(text: str, expanded: str) -> None:
    assert dutch.expand_coordination(text) == expanded
