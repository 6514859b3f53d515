"""'Did you mean' for the embedded engine, built from the words the index holds.

A word that is not in the index is replaced by the most frequent indexed word one edit away
(found by asking the index for every one-edit variant), else by the closest word within two edits
that shares its first two letters.
"""

from __future__ import annotations

import string
from collections.abc import Sequence

import tantivy

from backend.search import dutch

_ALPHABET = string.ascii_lowercase + "0123456789"
_SCAN_LIMIT = 5_000


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    inserts = {a + c + b for a, b in splits for c in _ALPHABET}
    return (deletes | transposes | replaces | inserts) - {word}


def correct(searcher: tantivy.Searcher, field: str, word: str) -> str | None:
    """The likeliest indexed word for a misspelt one, or None."""
    if len(word) < 3:
        return None
    best, best_freq = None, 0
    for candidate in _edits1(word):
        freq = searcher.doc_freq(field, candidate)
        if freq > best_freq or (freq == best_freq and best is not None and candidate < best):
            best, best_freq = candidate, freq
    if best is not None and best_freq > 0:
        return best
    if len(word) < 5:
        return None
    best_dist = 3
    for term, freq in searcher.terms_with_prefix(field, word[:2], limit=_SCAN_LIMIT):
        dist = dutch.edit_distance(word, term, 2)
        if dist < best_dist or (dist == best_dist and freq > best_freq):
            best, best_dist, best_freq = term, dist, freq
    return best if best_dist <= 2 else None


def suggest(
    searcher: tantivy.Searcher, field: str, words: Sequence[str], unknown: Sequence[str]
) -> str | None:
    """The query with each unknown word corrected, or None if nothing could be corrected."""
    if not unknown:
        return None
    fixes = {w: c for w in dict.fromkeys(unknown) if (c := correct(searcher, field, w))}
    if not fixes:
        return None
    return " ".join(fixes.get(w, w) for w in words)
