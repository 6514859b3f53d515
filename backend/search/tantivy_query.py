"""Turn a user's query text into a tantivy query for the embedded engine.

Each query word (or synonym phrase, see dutch.segment) becomes one clause that matches through:

1. its stems in title > keywords > summary > body (BM25, best field wins, with a small tie
   breaker), over the word and every synonym phrase; a split compound becomes a same-position
   phrase (and, in the broader retry only, its parts anywhere in one field);
2. for a word the index does not hold: the indexed words within 1 edit (from 5 letters) or 2
   (from 9) on the unstemmed fields (constant, small score);
3. for the last word while typing: a prefix on the unstemmed fields (constant, small score).

Typo and prefix matches score a small constant, far below BM25, so a document matching a word
exactly outranks one that matches it only through a typo or a prefix (Meilisearch's "typo" and
"exactness" rules). A correct word is still expanded by the edits it allows, on one field.

All clauses must match (AND); the caller retries with OR (`Plan.relaxed`) when that finds
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import tantivy

from backend.search import analysis, dutch, spelling
from backend.search.port import FACET_FIELDS

Occur = tantivy.Occur
Q = tantivy.Query

# Field weights for BM25 on the stemmed fields.
STEM_FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 4.0),
    ("keywords", 2.5),
    ("summary", 1.5),
    ("body", 1.0),
)
TIE_BREAKER = 0.2
# Constant scores of typo and prefix matches, by unstemmed field: far below any BM25 score of an
# exact match, so that "matched exactly" outranks "matched through a typo or a prefix".
FUZZY_TITLE = 0.02
FUZZY_ALL = 0.01
PREFIX_MIN_LEN = 2
# Weight of a query compound matched by its parts apart rather than as the same compound.
COMPOUND_APART = 0.5


@dataclass(slots=True)
class Plan:
    """A built query plus what the highlighter and the speller need to know about it."""

    words: tuple[str, ...]  # folded query words
    strict: tantivy.Query  # every clause must match
    relaxed: tantivy.Query | None  # any clause may match; None when there is a single clause
    exact: set[str] = field(default_factory=set)  # single words searched, synonyms included
    stem_sets: set[frozenset[str]] = field(default_factory=set)  # their stems, one set per word
    phrases: set[tuple[tuple[str, ...], ...]] = field(default_factory=set)  # stems per word
    phrase_words: set[str] = field(default_factory=set)  # folded words of those phrases
    neighbours: set[str] = field(default_factory=set)  # indexed words a typo matched
    fixes: dict[str, str] = field(default_factory=dict)  # misspelt word -> likeliest word
    prefix: str | None = None
    unknown: list[str] = field(default_factory=list)  # words absent from the index


def _field_query(schema: tantivy.Schema, name: str, terms: Sequence[tuple[int, str]]) -> Q:
    if len(terms) == 1:
        return Q.term_query(schema, name, terms[0][1])
    return Q.phrase_query(schema, name, list(terms))


def _exact(
    schema: tantivy.Schema, phrases: Sequence[tuple[str, ...]], plan: Plan
) -> tuple[Q | None, Q | None]:
    """Best-field BM25 over every phrase of a segment, or None if all are stop words.

    The second query also lets a compound in the query match its parts apart ("scholingssubsidie"
    finds "subsidie voor scholing"); it is used only by the broader retry, because parts like
    "werk" are frequent enough to make every query slow.
    """
    parts: list[Q] = []
    apart: list[Q] = []
    for phrase in phrases:
        terms = analysis.stem_positions(" ".join(phrase))
        if not terms:
            continue
        if len(phrase) == 1:
            plan.exact.add(phrase[0])
            plan.stem_sets.add(frozenset(t for _, t in terms))
        else:
            plan.phrases.add(tuple(s for w in phrase if (s := analysis.stems(w))))
            plan.phrase_words.update(w for w in phrase if analysis.stems(w))
        for name, weight in STEM_FIELDS:
            parts.append(Q.boost_query(_field_query(schema, name, terms), weight))
        if len(phrase) == 1 and len(terms) > 1:
            for name, weight in STEM_FIELDS:
                each = Q.boolean_query(
                    [(Occur.Must, Q.term_query(schema, name, t)) for _, t in terms]
                )
                apart.append(Q.boost_query(each, weight * COMPOUND_APART))
    if not parts:
        return None, None
    exact = Q.disjunction_max_query(parts, tie_breaker=TIE_BREAKER)
    if not apart:
        return exact, None
    return exact, Q.disjunction_max_query(parts + apart, tie_breaker=TIE_BREAKER)


def build(
    schema: tantivy.Schema,
    text: str,
    searcher: tantivy.Searcher,
    *,
    prefix_last: bool = True,
) -> Plan | None:
    """Plan a query for `text`, or None when it has no words (browse everything)."""
    words = dutch.words(text)
    if not words:
        return None
    # A trailing space means the last word is finished: no prefix expansion for it.
    prefix_last = prefix_last and not text[-1:].isspace()
    plan = Plan(words=tuple(words), strict=Q.empty_query(), relaxed=None)
    segments = dutch.segment(words)
    clauses: list[Q] = []
    loose: list[Q] = []  # the same clauses with compounds also matched apart
    for i, seg in enumerate(segments):
        should: list[tuple[tantivy.Occur, Q]] = []
        exact, exact_apart = _exact(schema, (seg.words, *seg.synonyms), plan)
        if exact is not None:
            should.append((Occur.Should, exact))
        if len(seg.words) == 1:
            word = seg.words[0]
            is_last = i == len(segments) - 1
            known = searcher.doc_freq("all_raw", word) > 0
            edits = dutch.max_edits(word)
            if not known and edits:
                # Typos: only for words the index lacks, matched through the indexed words
                # within reach (see spelling.neighbours), at a small constant score.
                near = spelling.neighbours(searcher, "all_raw", word, edits)
                if near:
                    terms = [t for t, _, _ in near]
                    plan.neighbours.update(terms)
                    plan.fixes[word] = terms[0]
                    for name, score in (("title_raw", FUZZY_TITLE), ("all_raw", FUZZY_ALL)):
                        fuzzy = Q.term_set_query(schema, name, terms)
                        should.append((Occur.Should, Q.boost_query(fuzzy, score)))
            elif edits:
                # A correct word may still be a typo for another one ("planting" for
                # "planning"): expand it too, below its exact matches. One field only: the
                # automaton is the dearest part of a query.
                fuzzy = Q.fuzzy_term_query(schema, "all_raw", word, edits, True)
                should.append((Occur.Should, Q.boost_query(fuzzy, FUZZY_ALL)))
            if is_last and prefix_last and len(word) >= PREFIX_MIN_LEN:
                plan.prefix = word
                for name, score in (("title_raw", FUZZY_TITLE), ("all_raw", FUZZY_ALL)):
                    pre = Q.fuzzy_term_query(schema, name, word, 0, True, True)
                    should.append((Occur.Should, Q.boost_query(pre, score)))
            if not known and not (is_last and plan.prefix == word and _has_prefix(searcher, word)):
                plan.unknown.append(word)
            if exact is None and not should:
                # A lone stop word ("de") still has to match something literal.
                should.append((Occur.Should, Q.term_query(schema, "all_raw", word)))
        if should:
            clauses.append(_any(should))
            if exact_apart is not None:
                should[0] = (Occur.Should, exact_apart)
            loose.append(_any(should))
    if not clauses:
        return None
    plan.strict = clauses[0] if len(clauses) == 1 else _all(clauses)
    if len(clauses) > 1 or loose[0] is not clauses[0]:
        plan.relaxed = (
            loose[0] if len(loose) == 1 else Q.boolean_query([(Occur.Should, c) for c in loose])
        )
    return plan


def _any(should: list[tuple[tantivy.Occur, Q]]) -> Q:
    return should[0][1] if len(should) == 1 else Q.boolean_query(should)


def _all(clauses: list[Q]) -> Q:
    return Q.boolean_query([(Occur.Must, c) for c in clauses])


def _has_prefix(searcher: tantivy.Searcher, word: str) -> bool:
    return bool(searcher.terms_with_prefix("all_raw", word, limit=1))


def facet_term(name: str, value: str) -> str:
    """The term of the `facets` field that holds one facet value."""
    return f"{name}:{value}"


def filter_query(schema: tantivy.Schema, filters: Mapping[str, Sequence[str]]) -> list[Q]:
    """One clause per facet field: any of its values (OR), all fields together (AND)."""
    out: list[Q] = []
    for name, values in filters.items():
        if name not in FACET_FIELDS:
            raise ValueError(f"unknown filter field {name!r}; expected one of {FACET_FIELDS}")
        wanted = [facet_term(name, v) for v in dict.fromkeys(values) if v]
        if not wanted:
            continue
        if len(wanted) == 1:
            out.append(Q.term_query(schema, "facets", wanted[0]))
        else:
            out.append(Q.term_set_query(schema, "facets", wanted))
    return out


def combine(text: Q | None, filters: Sequence[Q]) -> Q:
    """AND the text query with the filters; filters alone (or nothing) browse everything."""
    if text is None and not filters:
        return Q.all_query()
    clauses = [(Occur.Must, text if text is not None else Q.all_query())]
    # Filters must not add to the score: a constant 0 keeps the text ranking unchanged.
    clauses += [(Occur.Must, Q.const_score_query(f, 0.0)) for f in filters]
    return Q.boolean_query(clauses)
