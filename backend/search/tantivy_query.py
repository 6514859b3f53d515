"""Turn a user's query text into tantivy queries for the embedded engine.

Each query word (or synonym phrase, see dutch.segment) becomes one clause that matches through:

1. its stems in title > keywords > summary > everything (`all`: title, keywords, summary and
   body), BM25, best field wins with a small tie breaker, over the word and every synonym
   phrase; a split compound becomes a same-position phrase in the short fields and its own
   unstemmed word in the whole text (and, in the broader retry only, its parts anywhere);
2. typos, 1 edit from 5 letters, 2 from 9: a word the index lacks matches the indexed words
   within reach (spelling.neighbours); a rare word it holds is expanded by a fuzzy automaton;
3. for the last word while typing: a prefix on the unstemmed fields (titles only for a
   two-letter prefix, which would otherwise match nearly every document);
4. a compound no document holds whole: the parts the index holds, split against the dictionary
   and the index's own vocabulary (`_compound_apart`).

English phrases of the glossary (dutch.english_index) are translated like synonyms; a query
that is mostly English matches any clause, with a bonus for documents that match them all.
Items with an English translation also hold it in English fields (English stemmer): a segment
of an English query (`_is_english`), or a word that only the English text holds, also matches
there (`_english`). A Dutch query on words the Dutch text holds never looks at them, so its
results do not change with the translations.

Typo and prefix matches score a small constant, far below BM25, so a document matching a word
exactly outranks one that matches it only through a typo or a prefix (Meilisearch's "typo" and
"exactness" rules).

All clauses must match (AND); the caller retries with OR (`Plan.relaxed`) when that finds
nothing. Every query comes twice: one that scores, for the top hits, and one that only matches
the same documents through the combined fields (`all`, `all_raw`), for the facet counts and the
total, at a fraction of the cost.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import tantivy

from backend.search import analysis, dutch, language, spelling
from backend.search.port import FACET_FIELDS

Occur = tantivy.Occur
Q = tantivy.Query

# Field weights for BM25 on the stemmed fields; "all" holds the body and everything else.
STEM_FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 4.0),
    ("keywords", 2.5),
    ("summary", 1.5),
    ("all", 1.0),
)
TIE_BREAKER = 0.2
# The English fields with their BM25 weights; "en" holds the whole English translation.
EN_FIELDS: tuple[tuple[str, float], ...] = (("title_en", 4.0), ("summary_en", 1.5), ("en", 1.0))
# Constant scores of typo and prefix matches, by unstemmed field: far below any BM25 score of an
# exact match, so that "matched exactly" outranks "matched through a typo or a prefix".
FUZZY_TITLE = 0.02
FUZZY_ALL = 0.01
PREFIX_MIN_LEN = 2
PREFIX_ALL_FIELDS_LEN = 3
# A known word is expanded by typos only while it is this rare (in documents, or as a share).
RARE_WORD_DOCS = 50
RARE_WORD_SHARE = 0.01
# Weight of a query compound matched by its parts apart rather than as the same compound.
COMPOUND_APART = 0.5
# Proximity: two neighbouring query segments found side by side ("mkb ecosysteem" in
# "mkb-ecosysteem") in a short field add a phrase score with these weights. Short fields only:
# a phrase over whole bodies walks positions of common words and costs far more.
PROXIMITY_FIELDS: tuple[tuple[str, float], ...] = (("title", 2.0), ("summary", 1.0))
PROXIMITY_MAX_PAIRS = 8  # synonym variants multiply; keep the cheapest few combinations


@dataclass(slots=True)
class Plan:
    """Built queries plus what the highlighter and the speller need to know about them."""

    words: tuple[str, ...]  # folded query words
    strict: tantivy.Query  # every clause must match; scores
    relaxed: tantivy.Query | None  # any clause may match; None when it would equal strict
    strict_match: tantivy.Query  # the same documents as strict, without scoring
    relaxed_match: tantivy.Query | None
    exact: set[str] = field(default_factory=set)  # single words searched, synonyms included
    stem_sets: set[frozenset[str]] = field(default_factory=set)  # their stems, one set per word
    phrases: set[tuple[tuple[str, ...], ...]] = field(default_factory=set)  # stems per word
    phrase_words: set[str] = field(default_factory=set)  # folded words of those phrases
    neighbours: set[str] = field(default_factory=set)  # indexed words a typo matched
    # Misspelt word -> likeliest indexed word (None: nothing within two edits), when known.
    fixes: dict[str, str | None] = field(default_factory=dict)
    prefix: str | None = None
    unknown: list[str] = field(default_factory=list)  # words absent from the index


@dataclass(slots=True)
class _Clause:
    """One segment's alternatives, scored and match-only, strict and with compounds apart."""

    score: list[Q] = field(default_factory=list)
    match: list[Q] = field(default_factory=list)
    score_apart: list[Q] = field(default_factory=list)
    match_apart: list[Q] = field(default_factory=list)
    # (position, stem) terms of each phrase of the segment, for the proximity bonus.
    variants: list[tuple[tuple[int, str], ...]] = field(default_factory=list)

    def add(self, score: Q, match: Q) -> None:
        self.score.append(score)
        self.match.append(match)


def _field_query(schema: tantivy.Schema, name: str, terms: Sequence[tuple[int, str]]) -> Q:
    if len(terms) == 1:
        return Q.term_query(schema, name, terms[0][1])
    return Q.phrase_query(schema, name, list(terms))


def _any(queries: Sequence[Q]) -> Q:
    if len(queries) == 1:
        return queries[0]
    return Q.boolean_query([(Occur.Should, q) for q in queries])


def _all(queries: Sequence[Q]) -> Q:
    if len(queries) == 1:
        return queries[0]
    return Q.boolean_query([(Occur.Must, q) for q in queries])


def _exact(
    schema: tantivy.Schema, phrases: Sequence[tuple[str, ...]], plan: Plan, clause: _Clause
) -> None:
    """Add the stem matches of every phrase of a segment (nothing if all are stop words)."""
    parts: list[Q] = []
    matches: list[Q] = []
    apart: list[Q] = []
    in_all: list[tuple[tuple[int, str], ...]] = []  # terms of each match in `all`
    for phrase in phrases:
        terms = analysis.stem_positions(" ".join(phrase))
        if not terms:
            continue
        clause.variants.append(terms)
        if len(phrase) == 1:
            plan.exact.add(phrase[0])
            plan.stem_sets.add(frozenset(t for _, t in terms))
        else:
            plan.phrases.add(tuple(s for w in phrase if (s := analysis.stems(w))))
            plan.phrase_words.update(w for w in phrase if analysis.stems(w))
        if len(phrase) == 1 and len(terms) > 1:
            # A compound: its parts sit at one position. That phrase is cheap in the short
            # fields but dear in the whole text, where a part like "werk" is everywhere; there
            # the compound's own unstemmed word stands in for it.
            short = [(n, w) for n, w in STEM_FIELDS if n != "all"]
            for name, weight in short:
                parts.append(Q.boost_query(_field_query(schema, name, terms), weight))
            whole = Q.term_query(schema, "all_raw", phrase[0])
            parts.append(whole)
            matches += [_field_query(schema, n, terms) for n, _ in short] + [whole]
            apart.append(_all([Q.term_query(schema, "all", t) for _, t in terms]))
            continue
        for name, weight in STEM_FIELDS:
            parts.append(Q.boost_query(_field_query(schema, name, terms), weight))
        in_all.append(terms)
    # Matching only (the scoring keeps every variant): a phrase finds only documents that hold
    # each of its words, so one that holds a word that is a variant on its own adds nothing
    # ("zelfstandige zonder personeel" beside "zelfstandige"); skipping it saves reading
    # positions in every document with that word.
    alone = {t[0][1] for t in in_all if len(t) == 1}
    for terms in dict.fromkeys(in_all):
        if len(terms) == 1 or not any(stem in alone for _, stem in terms):
            matches.append(_field_query(schema, "all", terms))
    if not parts:
        return
    exact = Q.disjunction_max_query(parts, tie_breaker=TIE_BREAKER)
    clause.add(exact, _any(matches))
    if apart:
        clause.score_apart.append(Q.boost_query(_any(apart), COMPOUND_APART))
        clause.match_apart.append(_any(apart))


def build(
    schema: tantivy.Schema,
    text: str,
    searcher: tantivy.Searcher,
    *,
    prefix_last: bool = True,
) -> Plan | None:
    """Plan a query for `text`, or None when it has no words (browse everything)."""
    words = dutch.words(text)
    # English function words the (Dutch) index does not hold say nothing ("the", "for").
    content = [
        w for w in words
        if w not in language.ENGLISH_STOPWORDS or searcher.doc_freq("all_raw", w) > 0
    ]
    words = content or words
    if not words:
        return None
    # A trailing space means the last word is finished: no prefix expansion for it.
    prefix_last = prefix_last and not text[-1:].isspace()
    empty = Q.empty_query()
    plan = Plan(tuple(words), empty, None, empty, None)
    segments = dutch.segment(words)
    # Dutch document frequency per word, looked up once for the English checks below.
    dutch_freq = {w: searcher.doc_freq("all_raw", w) for w in dict.fromkeys(words)}
    english_query = _is_english(searcher, text, dutch_freq, segments)
    clauses: list[_Clause] = []
    for i, seg in enumerate(segments):
        clause = _Clause()
        _exact(schema, (seg.words, *seg.synonyms), plan, clause)
        in_english = False
        if english_query or not all(dutch_freq[w] > 0 for w in seg.words):
            in_english = _english(schema, searcher, seg.words, plan, clause)
        if len(seg.words) == 1:
            word = seg.words[0]
            is_last = i == len(segments) - 1
            freq = dutch_freq[word]
            # A stop word after other words is taken as finished ("subsidie voor"): as a prefix
            # it would match nearly everything; one more letter ("voorr") makes it a prefix.
            stop_after_words = len(segments) > 1 and not analysis.stems(word)
            as_prefix = (
                is_last and prefix_last and len(word) >= PREFIX_MIN_LEN and not stop_after_words
            )
            # A word being typed that some indexed word starts with is not a typo either.
            known = freq > 0 or (
                as_prefix and len(word) >= PREFIX_ALL_FIELDS_LEN and _has_prefix(searcher, word)
            )
            # An English word the glossary translates is no typo of a Dutch one ("staff" is
            # not "staat"), when a translation is in the index.
            known = known or (seg.english and _any_phrase_held(searcher, seg.synonyms))
            known = known or in_english  # a word of the English translations
            edits = dutch.max_edits(word)
            if not known and _compound_apart(schema, searcher, word, plan, clause):
                known = True  # a compound the index lacks whole but holds the head of
            elif not known and edits:
                near = spelling.neighbours(searcher, "all_raw", word, edits)
                if edits >= 2 or near:
                    plan.fixes[word] = near[0][0] if near else None
                if near:
                    terms = [t for t, _, _ in near]
                    plan.neighbours.update(terms)
                    in_all = Q.term_set_query(schema, "all_raw", terms)
                    in_title = Q.term_set_query(schema, "title_raw", terms)
                    score = _any(
                        [Q.boost_query(in_title, FUZZY_TITLE), Q.boost_query(in_all, FUZZY_ALL)]
                    )
                    clause.add(score, in_all)
            elif edits and 0 < freq < max(RARE_WORD_DOCS, RARE_WORD_SHARE * searcher.num_docs):
                # A rare word may still be a typo for another one ("planting" for "planning"):
                # expand it too, below its exact matches. A frequent word is what the user
                # meant, and expanding it would cost more than the rest of the query.
                fuzzy = Q.fuzzy_term_query(schema, "all_raw", word, edits, True)
                clause.add(Q.boost_query(fuzzy, FUZZY_ALL), fuzzy)
            if as_prefix:
                plan.prefix = word
                in_title = Q.fuzzy_term_query(schema, "title_raw", word, 0, True, True)
                if len(word) >= PREFIX_ALL_FIELDS_LEN:
                    in_all = Q.fuzzy_term_query(schema, "all_raw", word, 0, True, True)
                    score = _any(
                        [Q.boost_query(in_title, FUZZY_TITLE), Q.boost_query(in_all, FUZZY_ALL)]
                    )
                    clause.add(score, in_all)
                else:
                    clause.add(Q.boost_query(in_title, FUZZY_TITLE), in_title)
            if not known and not (as_prefix and _has_prefix(searcher, word)):
                plan.unknown.append(word)
        if clause.score:
            clauses.append(clause)
    if not clauses:
        # Only stop words ("de", "voor het"): they still have to match something literal.
        literal = _any([Q.term_query(schema, "all_raw", w) for w in dict.fromkeys(words)])
        clause = _Clause()
        clause.add(literal, literal)
        clauses.append(clause)
    proximity = _proximity(schema, clauses)
    plan.strict = _all([_any(c.score) for c in clauses])
    if proximity is not None:
        plan.strict = Q.boolean_query([(Occur.Must, plan.strict), (Occur.Should, proximity)])
    plan.strict_match = _all([_any(c.match) for c in clauses])
    if len(clauses) > 1 or clauses[0].score_apart:
        relaxed = [_any(c.score + c.score_apart) for c in clauses]
        plan.relaxed = _any(relaxed + ([proximity] if proximity is not None else []))
        plan.relaxed_match = _any([_any(c.match + c.match_apart) for c in clauses])
        if dutch.is_mostly_english(segments) and len(clauses) > 1:
            # Mostly English, translated word by word through the glossary: a translation
            # rarely has every word the Dutch text uses, so any clause may match; a document
            # that matches them all counts its score twice (a coordination bonus: "subsidy
            # robot" puts the KIA, which has both, above a subsidy that says nothing of robots).
            every = Q.boolean_query([(Occur.Must, plan.strict), (Occur.Should, plan.relaxed)])
            plan.strict = Q.boolean_query([(Occur.Should, plan.relaxed), (Occur.Should, every)])
            plan.strict_match = plan.relaxed_match
            plan.relaxed = plan.relaxed_match = None
    return plan


def _en_held(searcher: tantivy.Searcher, terms: Sequence[tuple[int, str]]) -> bool:
    return bool(terms) and all(searcher.doc_freq("en", t) > 0 for _, t in terms)


def _is_english(
    searcher: tantivy.Searcher,
    text: str,
    dutch_freq: Mapping[str, int],
    segments: Sequence[dutch.Segment],
) -> bool:
    """Whether a query is English: mostly glossary phrases, English function words, or at
    least half of its words held by the English translations and not by the Dutch text
    (`dutch_freq`: each word's document frequency in the Dutch text)."""
    if dutch.is_mostly_english(segments) or language.detect_language(text) == "en":
        return True
    only_english = sum(
        1 for w, freq in dutch_freq.items()
        if freq == 0 and _en_held(searcher, analysis.en_stem_positions(w))
    )
    return only_english > 0 and 2 * only_english >= len(dutch_freq)


def _english(
    schema: tantivy.Schema,
    searcher: tantivy.Searcher,
    phrase: Sequence[str],
    plan: Plan,
    clause: _Clause,
) -> bool:
    """Match a segment in the English fields through the English stemmer, when the English
    translations hold all its stems. Returns whether it added anything."""
    terms = analysis.en_stem_positions(" ".join(phrase))
    if not _en_held(searcher, terms):
        return False
    parts = [Q.boost_query(_field_query(schema, n, terms), w) for n, w in EN_FIELDS]
    clause.add(Q.disjunction_max_query(parts, tie_breaker=TIE_BREAKER),
               _field_query(schema, "en", terms))
    plan.exact.update(phrase)
    return True


def _any_phrase_held(searcher: tantivy.Searcher, phrases: Sequence[tuple[str, ...]]) -> bool:
    """Whether the index holds every stem of at least one of the phrases."""
    for phrase in phrases:
        stems = [t for _, t in analysis.stem_positions(" ".join(phrase))]
        if stems and all(searcher.doc_freq("all", t) > 0 for t in stems):
            return True
    return False


def _compound_apart(
    schema: tantivy.Schema, searcher: tantivy.Searcher, word: str, plan: Plan, clause: _Clause
) -> bool:
    """Match a compound that no document holds whole ("lasrobot", "arbeidsmarktkrapte") by its
    parts anywhere in a document, at COMPOUND_APART weight. The word is split against the
    dictionary and the index's own vocabulary (dutch.decompound); parts the index does not
    hold are left out ("las" in "lasrobot": a welding robot is a robot), but the head, the
    last part, must be held. Returns False, adding nothing, when the word cannot be split so."""
    if len(word) < dutch.MIN_PART + dutch.MIN_HEAD:
        return False
    parts = dutch.decompound(
        word, lambda p: p in dutch.compound_parts() or searcher.doc_freq("all_raw", p) > 0
    )
    if len(parts) < 2:
        return False
    held: list[tuple[str, tuple[str, ...]]] = []
    for part in parts:
        stems = analysis.stems(part)
        if stems and all(searcher.doc_freq("all", t) > 0 for t in stems):
            held.append((part, stems))
    if not held or held[-1][0] != parts[-1]:
        return False
    scored: list[Q] = []
    matched: list[Q] = []
    for part, stems in held:
        terms = tuple(enumerate(stems))
        plan.exact.add(part)
        plan.stem_sets.add(frozenset(stems))
        scored.append(
            Q.disjunction_max_query(
                [Q.boost_query(_field_query(schema, n, terms), w) for n, w in STEM_FIELDS],
                tie_breaker=TIE_BREAKER,
            )
        )
        matched.append(_field_query(schema, "all", terms))
    clause.add(Q.boost_query(_all(scored), COMPOUND_APART), _all(matched))
    return True


def _proximity(schema: tantivy.Schema, clauses: Sequence[_Clause]) -> Q | None:
    """A bonus for neighbouring segments side by side in a short field, or None."""
    phrases: list[tuple[tuple[int, str], ...]] = []
    for left, right in itertools.pairwise(clauses):
        pairs = 0
        for a in left.variants:
            for b in right.variants:
                if pairs >= PROXIMITY_MAX_PAIRS:
                    break
                shift = a[-1][0] + 1
                phrases.append(a + tuple((p + shift, t) for p, t in b))
                pairs += 1
    if not phrases:
        return None
    parts = [
        Q.boost_query(Q.phrase_query(schema, name, list(terms)), weight)
        for terms in dict.fromkeys(phrases)
        for name, weight in PROXIMITY_FIELDS
    ]
    return Q.disjunction_max_query(parts, tie_breaker=TIE_BREAKER)


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
