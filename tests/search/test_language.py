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
