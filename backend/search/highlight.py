"""Snippets for the embedded engine: an HTML-escaped fragment with <mark> around matched words.

tantivy's SnippetGenerator only knows the literal terms of a query, so it cannot mark words found
through a typo or a prefix. This highlighter marks a word when it is one of the query words or
synonyms, when it shares a stem (or a compound part) with them, when it starts with the prefix
being typed, or when it is within the allowed edits of a misspelt query word.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from backend.search import analysis, dutch

_WORD_RE = re.compile(r"[^\W_]+")
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Matcher:
    exact: frozenset[str]  # folded single words searched
    stem_sets: tuple[frozenset[str], ...]  # stems of each single word (a compound has several)
    phrases: tuple[tuple[tuple[str, ...], ...], ...]  # multi-word synonyms: stems per word
    prefix: str | None
    fuzzy: tuple[tuple[str, int], ...]  # only the misspelt words: correct ones match by stem

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
            if any(s.issubset(doc_stems) for s in self.stem_sets):
                return True
        return any(dutch.edit_distance(word, q, d) <= d for q, d in self.fuzzy)


def matcher(
    exact: Iterable[str] = (),
    stem_sets: Iterable[frozenset[str]] = (),
    phrases: Iterable[tuple[tuple[str, ...], ...]] = (),
    prefix: str | None = None,
    fuzzy: Iterable[tuple[str, int]] = (),
) -> Matcher:
    return Matcher(
        frozenset(exact), tuple(stem_sets), tuple(p for p in phrases if p), prefix, tuple(fuzzy)
    )


NO_MATCH = matcher()


def _spans(text: str, match: Matcher, cache: dict[str, bool]) -> list[tuple[int, int]]:
    tokens = [(m.span(), dutch.fold(m.group())) for m in _WORD_RE.finditer(text)]
    spans = [span for span, word in tokens if match.word(word, cache)]
    if match.phrases:
        spans = sorted(set(spans) | set(_phrase_spans(tokens, match.phrases)))
    return spans


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
    """A window of about max_chars starting near `start`, on word boundaries."""
    if len(text) <= max_chars:
        return 0, len(text)
    # Start a little before the first mark so it has some context.
    begin = max(0, start - max_chars // 5)
    if begin > 0:
        space = text.rfind(" ", 0, begin)
        begin = space + 1 if space >= 0 else 0
    end = min(len(text), begin + max_chars)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        if space > begin:
            end = space
    return begin, end


def _render(text: str, begin: int, end: int, spans: Sequence[tuple[int, int]]) -> str:
    out: list[str] = [ELLIPSIS] if begin > 0 else []
    pos = begin
    for s, e in spans:
        if s < begin or e > end:
            continue
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    if end < len(text):
        out.append(ELLIPSIS)
    return "".join(out).strip()


def snippet(texts: Sequence[str], match: Matcher, max_chars: int = 220) -> str:
    """The best fragment of the first text that has a match (summary before body).

    The window starts at the match whose following max_chars hold the most matches.
    """
    cache: dict[str, bool] = {}
    for text in texts:
        if not text:
            continue
        spans = _spans(text, match, cache)
        if not spans:
            continue
        best_start, best_count = spans[0][0], 0
        for i, (s, _) in enumerate(spans[:50]):
            count = sum(1 for s2, _ in spans[i:] if s2 < s + max_chars)
            if count > best_count:
                best_start, best_count = s, count
        begin, end = _cut(text, best_start, max_chars)
        return _render(text, begin, end, spans)
    for text in texts:
        if text:
            begin, end = _cut(text, 0, max_chars)
            return _render(text, begin, end, ())
    return ""
