"""Tantivy text analyzers for Dutch, and cached analysis of single words and short phrases.

Two chains, registered on every opened index under the names below:

- `nl_stem`: simple tokenizer -> drop tokens over 40 chars -> lowercase -> ascii fold ->
  split compounds (dictionary in data/nl_compound_parts.txt) -> Dutch stop words -> drop linking
  morphemes -> Dutch Snowball stemmer. Used by the BM25 fields; "productiviteit" and
  "arbeidsproductiviteit" share the term "productif".
- `nl_raw`: simple tokenizer -> drop long tokens -> lowercase -> ascii fold. Whole, unstemmed words
  for prefix and typo matching: a prefix like "innovat" must meet "innovatie", not its stem
  "innoveer".

- `en_stem`: simple tokenizer -> drop long tokens -> lowercase -> ascii fold -> English stop
  words -> English Snowball stemmer. Used by the English fields (an item's English title,
  summary and text, when it has them).

Split parts keep the position of their compound, so a compound in a query becomes a phrase whose
terms all sit at one position and matches only the same compound.
"""

from __future__ import annotations

from functools import lru_cache

import tantivy

from backend.search import language

STEM = "nl_stem"
RAW = "nl_raw"
EN_STEM = "en_stem"
_MAX_TOKEN = language.MAX_TOKEN


def _stem_analyzer() -> tantivy.TextAnalyzer:
    return language.index_stem_chain()


def _raw_analyzer() -> tantivy.TextAnalyzer:
    return language.index_raw_chain()


# Analyzers are stateless on the Python side and safe to share between threads.
_STEM_ANALYZER = _stem_analyzer()
_EN_ANALYZER = language.index_english_chain()


def register(index: tantivy.Index) -> None:
    """Register the chains on an opened index (tokenizers are not stored in the index)."""
    index.register_tokenizer(STEM, _stem_analyzer())
    index.register_tokenizer(RAW, _raw_analyzer())
    index.register_tokenizer(EN_STEM, language.index_english_chain())


@lru_cache(maxsize=200_000)
def stems(word: str) -> tuple[str, ...]:
    """Terms the stemmed fields hold for one word (several for a split compound, none for a
    stop word)."""
    return tuple(_STEM_ANALYZER.analyze(word))


@lru_cache(maxsize=20_000)
def stem_positions(phrase: str) -> tuple[tuple[int, str], ...]:
    """(position, term) pairs of a phrase through the stemmed chain, positions starting at 0."""
    tokens = _STEM_ANALYZER.pre_tokenize(phrase).tokens
    if not tokens:
        return ()
    first = tokens[0].position
    return tuple((t.position - first, t.text) for t in tokens)


@lru_cache(maxsize=20_000)
def en_stem_positions(phrase: str) -> tuple[tuple[int, str], ...]:
    """(position, term) pairs of a phrase through the English chain, positions from 0."""
    tokens = _EN_ANALYZER.pre_tokenize(phrase).tokens
    if not tokens:
        return ()
    first = tokens[0].position
    return tuple((t.position - first, t.text) for t in tokens)
