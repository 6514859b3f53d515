"""Snippets for the embedded engine: an HTML-escaped fragment with <mark> around matched words.

tantivy's SnippetGenerator only knows the literal terms of a query, so it cannot mark words found
through a typo or a prefix. This highlighter marks a word when it is one of the query words, their
synonyms or the indexed words a typo matched; when it holds all stems of a query word (so
"arbeidsproductiviteit" is marked for "productiviteit"); or when it starts with the prefix being
typed. Multi-word synonyms are marked where their words occur in order.

Speed matters (it runs for every hit): a regular expression over the folded text finds the few
words that contain a root of a query word, and only those are analysed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from backend.search import analysis, dutch

_WORD_RE = re.compile(r"[^\W_]+")
ELLIPSIS = "…"


def _fold_table() -> dict[int, str]:
    # One character in, one out, so that offsets in the folded text are offsets in the original.
    table: dict[int, str] = {}
    for code in [*range(0x41, 0x5B), *range(0xC0, 0x250)]:
        folded = dutch.fold(chr(code))
        if len(folded) == 1 and folded != chr(code):
            table[code] = folded
    return table


_FOLD = _fold_table()


def fold_aligned(text: str) -> str:
    """Lowercase and strip diacritics of Latin letters, keeping every offset."""
    if text.isascii():
        # The table maps no ASCII character but A-Z, and those to a-z (a test checks), so
        # lower() folds an ASCII text the same, at a third of the cost of translate().
        return text.lower()
    return text.translate(_FOLD)


def root(word: str) -> str:
    """The part of a word that its inflections and compounds keep (innovatie -> innova)."""
    return word if len(word) <= 4 else word[: max(4, len(word) - 3)]


@lru_cache(maxsize=512)
def _roots_re(roots: tuple[str, ...]) -> re.Pattern[str]:
    # Literal alternatives only: the engine scans for them quickly; widening a hit to its whole
    # word is done by hand, at the few places where a root occurs.
    return re.compile("|".join(re.escape(r) for r in sorted(roots, key=len, reverse=True)))


def _candidates(folded: str, roots: tuple[str, ...]) -> Iterator[tuple[int, str]]:
    """(start, word) of each word that contains one of the roots, in order."""
    last_end = -1
    for m in _roots_re(roots).finditer(folded):
        start = m.start()
        if start < last_end:
            continue
        while start > 0 and _is_word_char(folded[start - 1]):
            start -= 1
        word = _WORD_RE.match(folded, start)
        if word is None:
            continue
        last_end = word.end()
        yield start, word.group()


def _is_word_char(ch: str) -> bool:
    return ch.isalnum()


@dataclass(frozen=True, slots=True)
class Matcher:
    exact: frozenset[str]  # folded words searched: query words, synonyms, typo neighbours
    stem_sets: tuple[frozenset[str], ...]  # stems of each single query word
    phrases: tuple[tuple[tuple[str, ...], ...], ...]  # multi-word synonyms: stems per word
    prefix: str | None
    roots: tuple[str, ...]  # every matching word contains one of these

    def word(self, word: str, cache: dict[str, bool]) -> bool:
        hit = cache.get(word)
        if hit is None:
            hit = self._matches(word)
            cache[word] = hit
        return hit

    def _matches(self, word: str) -> bool:
        if word in self.exact:
            return True
        if self.prefix is not None and word.startswith(self.prefix):
            return True
        if self.stem_sets:
            # A word matches when it holds all stems of a query word: "arbeidsproductiviteit"
            # holds "productiviteit", but "arbeid" does not hold "arbeidsproductiviteit".
            doc_stems = analysis.stems(word)
            return any(s.issubset(doc_stems) for s in self.stem_sets)
        return False

    def is_phrase_word(self, word: str) -> bool:
        stems = analysis.stems(word)
        return any(stems in phrase for phrase in self.phrases)


def matcher(
    exact: Iterable[str] = (),
    stem_sets: Iterable[frozenset[str]] = (),
    phrases: Iterable[tuple[tuple[str, ...], ...]] = (),
    prefix: str | None = None,
    phrase_words: Iterable[str] = (),
) -> Matcher:
    exact = frozenset(exact)
    phrase_words = tuple(phrase_words)
    roots = {root(w) for w in (*exact, *phrase_words)}
    if prefix:
        roots.add(prefix)
    return Matcher(
        exact,
        tuple(stem_sets),
        tuple(p for p in phrases if p),
        prefix,
        tuple(sorted(r for r in roots if r)),
    )


NO_MATCH = matcher()


def _phrase_spans(
    tokens: Sequence[tuple[tuple[int, int], str]],
    phrases: Sequence[tuple[tuple[str, ...], ...]],
) -> list[tuple[int, int]]:
    """Spans of multi-word synonyms that occur in order; stop words between them are skipped."""
    content = [(span, st) for span, word in tokens if (st := analysis.stems(word))]
    out: list[tuple[int, int]] = []
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(content) - n + 1):
            if all(content[i + k][1] == phrase[k] for k in range(n)):
                out.extend(span for span, _ in content[i : i + n])
    return out


def _cut(text: str, start: int, max_chars: int) -> tuple[int, int]:
    """A window of about max_chars starting a little before `start`, on word boundaries."""
    if len(text) <= max_chars:
        return 0, len(text)
    begin = max(0, start - max_chars // 5)
    if begin > 0:
        space = text.rfind(" ", 0, begin)
        begin = space + 1 if space >= 0 else 0
    end = min(len(text), begin + max_chars)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        if space > start:
            end = space
    return begin, end


def _render(text: str, begin: int, end: int, spans: Sequence[tuple[int, int]]) -> str:
    out: list[str] = [ELLIPSIS] if begin > 0 else []
    pos = begin
    for s, e in spans:
        if s < pos or e > end:
            continue
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    if end < len(text):
        out.append(ELLIPSIS)
    return "".join(out).strip()


def _window(text: str, match: Matcher, max_chars: int, cache: dict[str, bool]) -> str | None:
    folded = fold_aligned(text)
    first: int | None = None
    for start, word in _candidates(folded, match.roots):
        if match.word(word, cache) or (match.phrases and match.is_phrase_word(word)):
            first = start
            break
    if first is None:
        return None
    begin, end = _cut(text, first, max_chars)
    # Every word of the window is looked up (a word holding a query word's stems need not
    # contain its root); most are in `cache` already, so that lookup comes first.
    known = cache.get
    spans: set[tuple[int, int]] = set()
    tokens: list[tuple[tuple[int, int], str]] = []
    keep = bool(match.phrases)
    for m in _WORD_RE.finditer(folded, begin, end):
        word = m.group()
        hit = known(word)
        if hit is None:
            hit = match.word(word, cache)
        if hit:
            spans.add(m.span())
        if keep:
            tokens.append((m.span(), word))
    if keep:
        spans.update(_phrase_spans(tokens, match.phrases))
    if not spans:
        return None
    return _render(text, begin, end, sorted(spans))


def snippet(
    texts: Sequence[str],
    match: Matcher,
    max_chars: int = 220,
    cache: dict[str, bool] | None = None,
) -> str:
    """A fragment of the first text with a match (summary before body), around its first match;
    the start of the first non-empty text when none matches.

    `cache` keeps which words match between calls with the same matcher (the hits of one
    query share most of their words)."""
    if cache is None:
        cache = {}
    if match.roots:
        for text in texts:
            if text and (found := _window(text, match, max_chars, cache)) is not None:
                return found
    for text in texts:
        if text:
            begin, end = _cut(text, 0, max_chars)
            return _render(text, begin, end, ())
    return ""
