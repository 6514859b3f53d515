"""The Meilisearch backend: the same contract as the embedded engine, through index settings.

Meilisearch brings typo tolerance, prefix search, facets and highlighting; Dutch specifics are
added here: synonyms from dutch.SYNONYMS, Dutch stop words, and compound parts (Meilisearch does
not split Dutch compounds) indexed in a hidden lowest-ranked attribute `parts`, so that
"productiviteit" still finds "arbeidsproductiviteit". It has no Dutch stemmer; typo and prefix
tolerance cover most inflections (innovatie/innovaties).

Every write waits for its task and raises SearchUnavailable with the task's error if it failed.
"""

from __future__ import annotations

import base64
import html
import itertools
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC
from typing import TYPE_CHECKING, Any

from backend.search import dutch
from backend.search.port import (
    FACET_FIELDS,
    Health,
    Hit,
    Results,
    SearchDoc,
    SearchQuery,
    SearchUnavailable,
)

if TYPE_CHECKING:
    from meilisearch.index import Index as MeiliIndex

MAX_PER_PAGE = 100
# How long a cached public page may show results of an older index (see generation()).
GENERATION_SECONDS = 5
# Private-use characters as highlight tags: the text is HTML-escaped after Meilisearch marks it,
# then these become <mark> tags; Meilisearch's own output is never trusted as HTML.
PRE, POST = "\ue000", "\ue001"
CROP_WORDS = 30

SETTINGS: dict[str, Any] = {
    # Order is rank: a match in the title beats one in the keywords, and so on.
    # The English translation (when an item has one) ranks beside its Dutch counterpart.
    "searchableAttributes": ["title", "title_en", "keywords", "summary", "summary_en", "body",
                             "body_en", "parts"],
    # Tokenise the English fields as English and the rest as Dutch (Meilisearch does not stem;
    # the embedded engine's English chain does).
    "localizedAttributes": [
        {"attributePatterns": ["*_en"], "locales": ["eng"]},
        {"attributePatterns": ["title", "keywords", "summary", "body", "parts"],
         "locales": ["nld"]},
    ],
    "displayedAttributes": ["id", "type", "title", "url", "summary", "body"],
    "filterableAttributes": [*FACET_FIELDS, "pk"],
    "sortableAttributes": ["published_at", "closes_on"],
    # "sort" first so that an explicit sort (newest, closing) wins over relevance; it does
    # nothing without one. "exactness" before "attribute" so that an exact word in the body beats
    # a typo or prefix in the title, as in the embedded engine; the boost breaks remaining ties.
    "rankingRules": [
        "sort",
        "words",
        "typo",
        "exactness",
        "proximity",
        "attribute",
        "boost:desc",
    ],
    "typoTolerance": {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
    },
    "faceting": {"maxValuesPerFacet": 1000},
    "pagination": {"maxTotalHits": 10_000},
}
_FACET_SOURCES = {
    "theme": "themes",
    "pillar": "pillars",
    "sector": "sectors",
    "region": "regions",
    "size": "sizes",
}


def settings() -> dict[str, Any]:
    """The full index settings, synonyms and stop words included."""
    return {
        **SETTINGS,
        "synonyms": dutch.meili_synonyms(),
        "stopWords": list(dutch.STOPWORDS),
    }


def primary_key(doc_id: str) -> str:
    """Meilisearch ids allow only [A-Za-z0-9_-]; ours hold a colon, so encode them reversibly."""
    return base64.urlsafe_b64encode(doc_id.encode()).decode().rstrip("=")


def compound_parts(texts: Iterable[str]) -> str:
    """Part-words of every compound in the texts, for the hidden `parts` attribute."""
    parts: dict[str, None] = {}
    for text in texts:
        for word in dutch.words(text):
            split = dutch.split_compound(word)
            if len(split) > 1:
                parts.update(dict.fromkeys(split))
    return " ".join(parts)


def to_document(doc: SearchDoc) -> dict[str, Any]:
    published = doc.published_at
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    out: dict[str, Any] = {
        "pk": primary_key(doc.id),
        "id": doc.id,
        "type": doc.type,
        "title": doc.title,
        "summary": doc.summary,
        "body": doc.body,
        "url": doc.url,
        "keywords": list(doc.keywords),
        "parts": compound_parts((doc.title, doc.summary, doc.body, *doc.keywords)),
        "title_en": doc.title_en,
        "summary_en": doc.summary_en,
        "body_en": doc.body_en,
        "published_at": int(published.timestamp()),
        "boost": doc.rank_boost,
    }
    for name, attr in _FACET_SOURCES.items():
        out[name] = list(dict.fromkeys(getattr(doc, attr)))
    if doc.status:
        out["status"] = doc.status
    # Left out when absent: Meilisearch sorts documents without the field last either way.
    if doc.closes_on is not None:
        out["closes_on"] = doc.closes_on.toordinal()
    return out


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def query_text(q: str) -> str:
    """The query as sent: compounds are replaced by their parts, which the `parts` attribute
    holds for compounds in documents, and which also meet the parts written apart."""
    out: list[str] = []
    for word in q.split():
        split = dutch.split_compound(dutch.fold(word))
        out.append(" ".join(split) if len(split) > 1 else word)
    return " ".join(out)


def filter_expression(filters: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Meilisearch's array form: inner lists are OR-ed, the outer list is AND-ed."""
    out: list[list[str]] = []
    for name, values in filters.items():
        if name not in FACET_FIELDS:
            raise ValueError(f"unknown filter field {name!r}; expected one of {FACET_FIELDS}")
        wanted = [v for v in dict.fromkeys(values) if v]
        if wanted:
            out.append([f"{name} = {_quote(v)}" for v in wanted])
    return out


def render_snippet(formatted: str) -> str:
    """Escape Meilisearch's marked-up text and turn the private tags into <mark>."""
    escaped = html.escape(formatted)
    return escaped.replace(PRE, "<mark>").replace(POST, "</mark>")


def marked_words(formatted: Iterable[str]) -> set[str]:
    """Folded words that Meilisearch marked as matches."""
    out: set[str] = set()
    for text in formatted:
        for chunk in text.split(PRE)[1:]:
            out.update(dutch.words(chunk.split(POST, 1)[0]))
    return out


def suggest_from_marks(words: Sequence[str], marked: set[str]) -> str | None:
    """Replace query words that matched only through a typo by the word that was found."""
    fixed: list[str] = []
    changed = False
    for i, word in enumerate(words):
        if word in marked or not (edits := dutch.max_edits(word)):
            fixed.append(word)
            continue
        is_last = i == len(words) - 1
        if is_last and any(m.startswith(word) for m in marked):
            fixed.append(word)  # still being typed
            continue
        close = sorted(
            (dist, m) for m in marked if (dist := dutch.edit_distance(word, m, edits)) <= edits
        )
        if close:
            fixed.append(close[0][1])
            changed = True
        else:
            fixed.append(word)
    return " ".join(fixed) if changed else None


class MeiliBackend:
    """SearchBackend on a Meilisearch server (meilisearch-python)."""

    name = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        index_name: str = "loket",
        timeout: int = 10,
        task_timeout_ms: int = 60_000,
        batch_size: int = 1_000,
    ) -> None:
        # lazy: meilisearch-python and requests are 0.06 s of every cold start otherwise
        import meilisearch

        self._client = meilisearch.Client(url, api_key, timeout=timeout)
        self._uid = index_name
        self._task_timeout_ms = task_timeout_ms
        self._batch_size = batch_size
        self._ready = False

    # --- tasks and setup ---------------------------------------------------------------------

    def _wait(self, task_uid: int, timeout_ms: int | None = None) -> None:
        task = self._client.wait_for_task(
            task_uid, timeout_in_ms=timeout_ms or self._task_timeout_ms, interval_in_ms=20
        )
        if task.status != "succeeded":
            error = task.error or {}
            raise SearchUnavailable(
                f"meilisearch task {task.uid} ({task.type}) {task.status}: "
                f"{error.get('code', 'unknown')}: {error.get('message', '')}".rstrip(": ")
            )

    def _ensure(self) -> MeiliIndex:
        index = self._client.index(self._uid)
        if self._ready:
            return index
        try:
            self._wait(self._client.create_index(self._uid, {"primaryKey": "pk"}).task_uid)
        except SearchUnavailable as exc:
            if "index_already_exists" not in str(exc):
                raise
        self._wait(index.update_settings(settings()).task_uid)
        self._ready = True
        return index

    def _guard(self, what: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except SearchUnavailable:
            raise
        except Exception as exc:
            raise SearchUnavailable(f"meilisearch {what} failed: {exc}") from exc

    # --- writing -----------------------------------------------------------------------------

    def index(self, docs: Sequence[SearchDoc]) -> None:
        if not docs:
            return

        def run() -> None:
            index = self._ensure()
            # Meilisearch replaces documents with the same primary key: an upsert.
            self._wait(index.add_documents([to_document(d) for d in docs], "pk").task_uid)

        self._guard("indexing", run)

    def delete(self, ids: Sequence[str]) -> None:
        if not ids:
            return

        def run() -> None:
            index = self._ensure()
            for chunk in _batched(ids, 500):
                expr = "pk IN [" + ", ".join(_quote(primary_key(i)) for i in chunk) + "]"
                self._wait(index.delete_documents(filter=expr).task_uid)

        self._guard("delete", run)

    def clear(self) -> None:
        self._guard("clear", lambda: self._wait(self._ensure().delete_all_documents().task_uid))

    def reindex_all(
        self, docs: Iterable[SearchDoc], progress: Callable[[int], None] | None = None
    ) -> int:
        """Clear, then add in batches; `progress` gets the running count after each batch."""

        def run() -> int:
            index = self._ensure()
            self._wait(index.delete_all_documents().task_uid)
            count = 0
            for batch in _batched(docs, self._batch_size):
                self._wait(index.add_documents([to_document(d) for d in batch], "pk").task_uid)
                count += len(batch)
                if progress is not None:
                    progress(count)
            return count

        result: int = self._guard("reindex", run)
        return result

    def drop_index(self) -> None:
        """Delete the whole index (tests use one index each)."""

        def run() -> None:
            self._wait(self._client.delete_index(self._uid).task_uid)
            self._ready = False

        self._guard("drop index", run)

    # --- reading -----------------------------------------------------------------------------

    def health(self) -> Health:
        try:
            self._client.health()
        except Exception as exc:
            return Health(False, self.name, 0, f"{type(exc).__name__}: {exc}")
        from meilisearch.errors import MeilisearchApiError  # lazy: see __init__

        try:
            stats = self._client.index(self._uid).get_stats()
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found":
                return Health(True, self.name, 0, f"index {self._uid} not created yet")
            return Health(False, self.name, 0, str(exc))
        except Exception as exc:
            return Health(False, self.name, 0, f"{type(exc).__name__}: {exc}")
        return Health(True, self.name, int(stats.number_of_documents), self._uid)

    def generation(self) -> Hashable:
        """Meilisearch indexes asynchronously and has no cheap "changed" signal: a new
        generation every GENERATION_SECONDS, so cached pages age out that fast."""
        return int(time.monotonic() // GENERATION_SECONDS)

    def search(self, query: SearchQuery) -> Results:
        results = self._search(query)
        if query.bare:
            return replace(results, facets={}, suggestion=None)
        if results.suggestion is not None and dutch.within_typo_reach(
            dutch.words(query.q), results.suggestion
        ):
            # Answer the corrected search, so "subsdie" shows exactly the hits of "subsidie"
            # under "Did you mean subsidie?" (as the embedded engine does).
            corrected = self._search(replace(query, q=results.suggestion))
            return replace(corrected, suggestion=results.suggestion)
        return results

    def _search(self, query: SearchQuery) -> Results:
        started = time.perf_counter()
        filters = filter_expression(query.filters)  # ValueError for a bad field, not "down"
        per_page = min(max(1, query.per_page), MAX_PER_PAGE)
        params: dict[str, Any] = {
            "page": max(1, query.page),
            "hitsPerPage": per_page,
            "facets": list(FACET_FIELDS),
            # summary and body too: _formatted only holds retrieved attributes.
            "attributesToRetrieve": ["id", "type", "title", "url", "summary", "body"],
            "attributesToHighlight": ["title", "summary", "body"],
            "attributesToCrop": ["summary", "body"],
            "cropLength": CROP_WORDS,
            "cropMarker": "…",
            "highlightPreTag": PRE,
            "highlightPostTag": POST,
            "showRankingScore": True,
            # Every word must match, as in the embedded engine; we relax below if none do.
            "matchingStrategy": "all",
        }
        if query.bare:  # the best hits only (SearchQuery.bare)
            params = {key: value for key, value in params.items()
                      if key in ("page", "hitsPerPage", "showRankingScore", "matchingStrategy")}
            params["attributesToRetrieve"] = ["id", "type", "title", "url"]
        if filters:
            params["filter"] = filters
        text = query_text(query.q)
        sort = query.sort
        if sort == "relevance" and not text:
            sort = "newest"  # browsing: nothing to rank by, so newest first
        if sort == "newest":
            params["sort"] = ["published_at:desc"]
        elif sort == "closing":
            params["sort"] = ["closes_on:asc"]

        def run() -> dict[str, Any]:
            index = self._ensure()
            response: dict[str, Any] = index.search(text, params)
            if not response.get("totalHits") and len(dutch.words(text)) > 1:
                response = index.search(text, {**params, "matchingStrategy": "last"})
            return response

        response = self._guard("search", run)
        hits: list[Hit] = []
        formatted_texts: list[str] = []
        for raw in response.get("hits", []):
            formatted = raw.get("_formatted", {})
            summary, body = str(formatted.get("summary", "")), str(formatted.get("body", ""))
            formatted_texts += [str(formatted.get("title", "")), summary, body]
            chosen = next((t for t in (summary, body) if PRE in t), summary or body)
            hits.append(
                Hit(
                    id=str(raw.get("id", "")),
                    type=str(raw.get("type", "")),
                    title=str(raw.get("title", "")),
                    url=str(raw.get("url", "")),
                    snippet=render_snippet(chosen),
                    score=float(raw.get("_rankingScore", 0.0))
                    if query.sort == "relevance"
                    else 0.0,
                )
            )
        distribution = response.get("facetDistribution") or {}
        facets = {
            name: {str(k): int(v) for k, v in (distribution.get(name) or {}).items()}
            for name in FACET_FIELDS
        }
        total = int(response.get("totalHits") or 0)
        suggestion = suggest_from_marks(dutch.words(query.q), marked_words(formatted_texts))
        took = (time.perf_counter() - started) * 1000.0
        return Results(hits, total, facets, took, suggestion)
