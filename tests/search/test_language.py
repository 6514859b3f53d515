"""The shared language module: clauses, which of them ask, which open a sentence, stems."""

from __future__ import annotations

from backend.search import language


def test_clause_words_and_roles_line_up() -> None:
    text = ("Wij hebben een bakkerij in Zwolle, met twaalf mensen. Hoe vinden we een bakker? "
            "En is er subsidie")
    clauses = language.clause_words(text)
    assert [c[0] for c in clauses] == ["wij", "met", "hoe", "en"]
    asks, opens = language.clause_roles(text)
    assert asks == [False, False, True, True]  # "En is er …" has no "?"
    assert opens == [True, False, True, True]


def test_a_sentence_without_a_question_mark_asks_when_a_question_word_opens_it() -> None:
    assert language.clause_roles("wie weet iets van sensoren")[0] == [True]
    assert language.clause_roles("we weten niks van sensoren")[0] == [False]
    assert language.clause_roles("") == ([], [])


def test_a_stem_cut_to_two_letters_is_not_trusted() -> None:
    assert language.word_stem("orders") == "orders"  # not "or", the ondernemingsraad
    assert language.word_stem("or") == "or"
    assert language.word_stem("subsidies") == language.word_stem("subsidie")


def test_a_consequence_asks_and_its_reason_tells() -> None:
    # the reason in the sentence before
    text = "Niemand wil bij ons werken. Daarom kijken we naar robots. Wie helpt?"
    assert language.clause_roles(text) == ([False, True, True], [True, True, True])
    # the reason in the same sentence, also when a question mark closes it
    assert language.clause_roles("We find no staff, so could a robot help?")[0] == [False, True]
    # a consequence that opens the text has no reason before it
    assert language.clause_roles("Dus hoe vind ik personeel")[0] == [True]


def test_a_list_number_does_not_open_a_sentence_s_question() -> None:
    assert language.clause_roles("1) hoe vind ik een lasser")[0] == [True, True]


def test_and_therefore_opens_a_clause_of_its_own() -> None:
    text = "We vinden geen mensen en overwegen daarom een robot"
    assert language.clause_words(text) == [["we", "vinden", "geen", "mensen"],
                                           ["en", "overwegen", "daarom", "een", "robot"]]
    assert language.clause_roles(text)[0] == [False, True]
    # "en" without a consequence after it joins within the clause
    assert len(language.clause_words("We zoeken mensen en een robot")) == 1
