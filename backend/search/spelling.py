"""Typo handling for the embedded engine, from the words the index holds.

`neighbours` finds the indexed words within the allowed edits of a word that the index does not
hold. The query matches those words (so a typo costs one lookup, not a fuzzy automaton over the
whole term dictionary, twice per query), the highlighter marks them, and the best of them makes
the "did you mean" suggestion.

One-edit variants are generated and looked up (a few hundred exact term lookups); when none
exists, words two edits away are found by scanning the most frequent indexed words that share the
first three letters.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Mapping, Sequence

import tantivy

from backend.search import dutch

# Letters only: a typo is rarely a digit, and every extra symbol costs a lookup per position.
_ALPHABET = string.ascii_lowercase
# The most frequent words sharing the first three letters: the likeliest corrections.
_SCAN_LIMIT = 500


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    inserts = {a + c + b for a, b in splits for c in _ALPHABET}
    return (deletes | transposes | replaces | inserts) - {word}


def _letters_apart(letters: Counter[str], term: str) -> int:
    """How many letters two words do not share, counted with multiplicity.

    One edit changes this by at most two (a substitution: one letter out, another in), so words
    more than 2 * k apart here are more than k edits apart.
    """
    other = Counter(term)
    apart = 0
    for ch, n in letters.items():
        m = other.get(ch, 0)
        if n > m:
            apart += n - m
    for ch, m in other.items():
        n = letters.get(ch, 0)
        if m > n:
            apart += m - n
    return apart


def neighbours(
    searcher: tantivy.Searcher, field: str, word: str, edits: int
) -> list[tuple[str, int, int]]:
    """Indexed words within `edits` of `word` as (word, distance, doc freq), best first."""
    if edits <= 0:
        return []
    found: dict[str, tuple[int, int]] = {}
    for candidate in _edits1(word):
        freq = searcher.doc_freq(field, candidate)
        if freq:
            found[candidate] = (1, freq)
    # Two edits only when one finds nothing: a word one edit away is the likelier meaning, and
    # the scan below is the dearest part of a misspelt query.
    if edits >= 2 and not found and len(word) >= 3:
        letters = Counter(word)
        for term, freq in searcher.terms_with_prefix(field, word[:3], limit=_SCAN_LIMIT):
            if term not in found and abs(len(term) - len(word)) <= 2:
                if _letters_apart(letters, term) > 4:
                    continue  # more than two edits apart, without the dearer distance
                dist = dutch.edit_distance(word, term, 2)
                if dist <= 2:
                    found[term] = (dist, freq)
    return sorted(((t, d, f) for t, (d, f) in found.items()), key=lambda x: (x[1], -x[2], x[0]))


def correct(searcher: tantivy.Searcher, field: str, word: str) -> str | None:
    """The likeliest indexed word for a misspelt one (up to two edits), or None."""
    if len(word) < 3:
        return None
    near = neighbours(searcher, field, word, max(2, dutch.max_edits(word)))
    return near[0][0] if near else None


def suggest(
    searcher: tantivy.Searcher,
    field: str,
    words: Sequence[str],
    unknown: Sequence[str],
    known_fixes: Mapping[str, str | None] | None = None,
) -> str | None:
    """The query with each unknown word corrected, or None if nothing could be corrected.

    `known_fixes` holds corrections the query planner already looked up (None: none exists).
    """
    if not unknown:
        return None
    known = known_fixes or {}
    fixes: dict[str, str] = {}
    for w in dict.fromkeys(unknown):
        fix = known[w] if w in known else correct(searcher, field, w)
        if fix:
            fixes[w] = fix
    if not fixes:
        return None
    return " ".join(fixes.get(w, w) for w in words)

