"""The embedded search backend: a tantivy index in a local directory (the default engine).

Concurrency model: any number of threads (and processes) search; one writer at a time writes.
Inside a process a lock per index directory serialises writers; across processes tantivy's own
lock file does, and we wait for it a little before giving up. A writer is opened per batch and
closed after its commit, so the lock is never held between batches. Readers notice new commits,
from this process or another one, by the changed meta.json and reload before they search.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import tantivy

from backend.search import analysis, dutch, highlight, spelling, tantivy_query
from backend.search.port import (
    FACET_FIELDS,
    Health,
    Hit,
    Results,
    SearchDoc,
    SearchQuery,
    SearchUnavailable,
)

log = logging.getLogger(__name__)

MAX_PER_PAGE = 100
# Up to this many matches, or this share of the documents if more, facets are counted by
# aggregation (its cost follows the matches); above it by walking the facet terms' postings (a
# cost that follows the whole index: ~1 ms at 100k documents, ~10 ms at a million). The two
# cost the same at about 7 % of the documents, at 100k and at a million (bench/search.py).
AGGREGATE_BELOW = 3_000
AGGREGATE_SHARE = 0.07
# Plans, counts and first pages kept per index generation, by query text (and filters for the
# counts): typing, paging and changing the sort repeat them. A commit starts a new, empty cache.
# A query takes up to three entries (plan, counts, page; routing's knowledge-base vote two more
# per question text): with 1,024 the 434 prefixes of the load bench's typing, asked in turn,
# evicted each other before they came round again (0 hits). ~4.4 kB an entry on average
# (bench/as_you_type.py's prefixes): ~18 MB per process when full.
CACHE_SIZE = 4_096
# Whole pages of results are cached up to this many hits per page (the site's pages and the
# API's default; a page of 100 with its snippets would let the cache grow to ~100 MB).
CACHED_PAGE_MAX = 25
# closes_on for documents without a date, so that they sort last in ascending order.
NO_DATE = date.max.toordinal() + 1
_FACET_SOURCES = {
    "theme": "themes",
    "pillar": "pillars",
    "sector": "sectors",
    "region": "regions",
    "size": "sizes",
}
# tantivy weights a score by a fast field as `score * log2(2 + value)`, which flattens a document
# boost of 0.6 to x1.38 against x1.58 for 1.0. The index stores `2 ** (BOOST_SCALE * boost) - 2`
# instead, so the weight is `BOOST_SCALE * boost`: truly proportional for boosts from
# 1 / BOOST_SCALE up to MAX_BOOST; hit scores are divided by BOOST_SCALE again.
BOOST_SCALE = 16.0
MAX_BOOST = 60.0
_WRITER_LOCKS: dict[Path, threading.Lock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("type", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("url", stored=True, tokenizer_name="raw", index_option="basic")
    for name, stored in (("title", True), ("keywords", False), ("summary", True)):
        sb.add_text_field(name, stored=stored, tokenizer_name=analysis.STEM)
    # Everything stemmed in one field: the body's BM25 field, and the one field that the
    # match-only queries for facets and totals need.
    sb.add_text_field("all", tokenizer_name=analysis.STEM)
    # The body is only shown (in snippets), never searched on its own.
    sb.add_bytes_field("body", stored=True)
    # The English translation (when an item has one), through the English chain: its title
    # and summary for BM25, and everything English in one field for the rest.
    for name in ("title_en", "summary_en", "en"):
        sb.add_text_field(name, tokenizer_name=analysis.EN_STEM)
    # Unstemmed words for prefixes and typos; document ids only, no frequencies or positions.
    sb.add_text_field("title_raw", tokenizer_name=analysis.RAW, index_option="basic")
    sb.add_text_field("all_raw", tokenizer_name=analysis.RAW, index_option="basic")
    # Every facet value as one "field:value" term: filters are term queries on it, and the
    # counts come from one aggregation or one walk over its few terms (see _facets).
    sb.add_text_field("facets", fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_date_field("published_at", fast=True)
    sb.add_integer_field("closes_on", fast=True)
    # Not the boost itself but its encoding for weight_by_field (see BOOST_SCALE); the name
    # changed with the encoding so that an index with the old values is rebuilt.
    sb.add_float_field("weight", fast=True)
    return sb.build()


class _LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._data

    def __getitem__(self, key: Hashable) -> Any:
        with self._lock:
            self._data.move_to_end(key)
            return self._data[key]

    def get(self, key: Hashable) -> Any:
        with self._lock:
            if key not in self._data:
                return None
            self._data.move_to_end(key)
            return self._data[key]

    def __setitem__(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)


_POOL: ThreadPoolExecutor | None = None
_POOL_GUARD = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """Threads for facet counts beside the scoring pass (shared by every backend)."""
    global _POOL
    with _POOL_GUARD:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search-facets")
        return _POOL


def _filter_key(filters: Mapping[str, Sequence[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((k, tuple(sorted(set(v)))) for k, v in filters.items() if v))


def boost_weight(boost: float) -> float:
    """The stored value that makes tantivy's `log2(2 + value)` equal `BOOST_SCALE * boost`."""
    scaled = BOOST_SCALE * min(max(0.0, boost), MAX_BOOST)
    return max(0.0, 2.0**scaled - 2.0)


# Commits per index directory in this process (any backend object): generation() sees them at
# once; another process's commits it sees by meta.json, read at most every GENERATION_POLL s.
_commits: dict[Path, int] = {}
GENERATION_POLL = 0.5


def _writer_lock(path: Path) -> threading.Lock:
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(path.resolve(), threading.Lock())


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class EmbeddedBackend:
    """SearchBackend on tantivy; see docs/search.md for the analysis chain and the ranking."""

    name = "embedded"

    def __init__(
        self,
        path: Path,
        *,
        writer_heap: int = 64_000_000,
        lock_timeout: float = 10.0,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self.path = Path(path)
        self._writer_heap = writer_heap
        self._lock_timeout = lock_timeout
        self._write_lock = _writer_lock(self.path)
        self._reload_lock = threading.Lock()
        self._cache_size = cache_size
        self._cache = _LRU(cache_size)
        self._cache_stamp: tuple[int, int, int] | None = None
        self._generation_checked = float("-inf")
        self._generation_stamp: tuple[int, int, int] = (0, 0, 0)
        self._schema = build_schema()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._index = self._open()
            self._stamp = self._meta_stamp()
        except Exception as exc:
            raise SearchUnavailable(f"cannot open search index at {self.path}: {exc}") from exc

    # --- opening and reloading ---------------------------------------------------------------

    def _open(self) -> tantivy.Index:
        try:
            index = tantivy.Index(self._schema, path=str(self.path), reuse=True)
        except ValueError as exc:
            if "schema does not match" not in str(exc):
                raise
            # The index is a cache of the database: after a schema change rebuild it empty and
            # let `loket search reindex` (or the outbox) fill it again.
            log.warning("search index schema changed; recreating %s empty", self.path)
            self._wipe()
            index = tantivy.Index(self._schema, path=str(self.path), reuse=True)
        analysis.register(index)
        return index

    def _wipe(self) -> None:
        for entry in self.path.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    def _meta_stamp(self) -> tuple[int, int, int]:
        try:
            st = os.stat(self.path / "meta.json")
        except FileNotFoundError:
            return (0, 0, 0)
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _searcher(self) -> tantivy.Searcher:
        return self._searcher_and_stamp()[0]

    def _searcher_and_stamp(self) -> tuple[tantivy.Searcher, tuple[int, int, int]]:
        stamp = self._meta_stamp()
        with self._reload_lock:
            if stamp != self._stamp:
                self._index.reload()
                self._stamp = stamp
            return self._index.searcher(), self._stamp

    def _cache_for(self, stamp: tuple[int, int, int]) -> _LRU:
        """The cache of query plans and counts for one generation of the index (one commit)."""
        with self._reload_lock:
            if self._cache_stamp != stamp:
                self._cache = _LRU(self._cache_size)
                self._cache_stamp = stamp
            return self._cache

    # --- writing -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _writer(self, heap: int | None = None, threads: int = 1) -> Iterator[tantivy.IndexWriter]:
        with self._write_lock:
            writer = self._acquire_writer(heap or self._writer_heap, threads)
            try:
                yield writer
                writer.commit()
            except BaseException:
                with contextlib.suppress(Exception):
                    writer.rollback()
                raise
            finally:
                # Waiting for merges also drops the writer and with it the lock file.
                with contextlib.suppress(Exception):
                    writer.wait_merging_threads()
            self._index.reload()
            self._stamp = self._meta_stamp()
            _commits[self.path] = _commits.get(self.path, 0) + 1

    def _acquire_writer(self, heap: int, threads: int) -> tantivy.IndexWriter:
        deadline = time.monotonic() + self._lock_timeout
        while True:
            try:
                return self._index.writer(heap, threads)
            except ValueError as exc:
                # Another process (a reindex from the CLI) holds the lock: wait for it.
                if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _document(self, doc: SearchDoc) -> tantivy.Document:
        d = tantivy.Document()
        d.add_text("id", doc.id)
        d.add_text("type", doc.type)
        d.add_text("url", doc.url)
        d.add_text("title", doc.title)
        d.add_text("summary", doc.summary)
        d.add_bytes("body", doc.body.encode())
        d.add_text("title_raw", doc.title)
        for text in (doc.title, *doc.keywords, doc.summary, doc.body):
            # Hyphenated coordination completed ("Opleidings- en ontwikkelingsfonds" also
            # holds "opleidingsfonds"): in place in the stemmed text, so phrases still match,
            # and beside the original words in the unstemmed one.
            d.add_text("all", dutch.expand_coordination(text))
            d.add_text("all_raw", text)
        for kw in doc.keywords:
            d.add_text("keywords", kw)
        if doc.title_en or doc.summary_en or doc.body_en:
            d.add_text("title_en", doc.title_en)
            d.add_text("summary_en", doc.summary_en)
            for text in (doc.title_en, doc.summary_en, doc.body_en):
                d.add_text("en", text)
        # The completed compounds as extra values: the first (stored) value of a field stays
        # the original text for display.
        completed: list[str] = []
        for name, texts in (
            ("title", (doc.title,)),
            ("keywords", doc.keywords),
            ("summary", (doc.summary,)),
            ("all_raw", (doc.body,)),
        ):
            extra = " ".join(c for t in texts for _, c in dutch.coordination_compounds(t))
            if extra:
                completed.append(extra)
                if name != "all_raw":
                    d.add_text(name, extra)
                if name == "title":
                    d.add_text("title_raw", extra)
        if completed:
            d.add_text("all_raw", " ".join(completed))
        d.add_text("facets", tantivy_query.facet_term("type", doc.type))
        for name, attr in _FACET_SOURCES.items():
            for value in dict.fromkeys(getattr(doc, attr)):
                d.add_text("facets", tantivy_query.facet_term(name, value))
        if doc.status:
            d.add_text("facets", tantivy_query.facet_term("status", doc.status))
        d.add_date("published_at", _utc(doc.published_at))
        d.add_integer("closes_on", doc.closes_on.toordinal() if doc.closes_on else NO_DATE)
        d.add_float("weight", boost_weight(doc.rank_boost))
        return d

    def index(self, docs: Sequence[SearchDoc]) -> None:
        if not docs:
            return
        try:
            with self._writer() as writer:
                for doc in docs:
                    # Deletes apply to documents added before them, so this is an upsert.
                    writer.delete_documents_by_term("id", doc.id)
                    writer.add_document(self._document(doc))
        except Exception as exc:
            raise SearchUnavailable(f"indexing failed: {exc}") from exc

    def delete(self, ids: Sequence[str]) -> None:
        if not ids:
            return
        try:
            with self._writer() as writer:
                for doc_id in ids:
                    writer.delete_documents_by_term("id", doc_id)
        except Exception as exc:
            raise SearchUnavailable(f"delete failed: {exc}") from exc

    def clear(self) -> None:
        try:
            with self._writer() as writer:
                writer.delete_all_documents()
        except Exception as exc:
            raise SearchUnavailable(f"clear failed: {exc}") from exc

    def reindex_all(
        self,
        docs: Iterable[SearchDoc],
        progress: Callable[[int], None] | None = None,
        *,
        batch_size: int = 2_000,
    ) -> int:
        """Replace the whole index in one commit; `progress` gets the running count per batch.

        Readers keep seeing the old documents until the final commit, so search never goes
        empty during a rebuild.
        """
        count = 0
        try:
            with self._writer(heap=max(self._writer_heap, 256_000_000), threads=2) as writer:
                writer.delete_all_documents()
                it = iter(docs)
                while batch := list(itertools.islice(it, batch_size)):
                    for doc in batch:
                        writer.add_document(self._document(doc))
                    count += len(batch)
                    if progress is not None:
                        progress(count)
        except Exception as exc:
            raise SearchUnavailable(f"reindex failed: {exc}") from exc
        return count

    # --- reading -----------------------------------------------------------------------------

    def health(self) -> Health:
        try:
            searcher = self._searcher()
            return Health(True, self.name, searcher.num_docs, str(self.path))
        except Exception as exc:
            return Health(False, self.name, 0, f"{type(exc).__name__}: {exc}")

    def generation(self) -> Hashable:
        """Changes with every commit: at once for this process's, within GENERATION_POLL
        seconds for another process's (meta.json's identity; a stat per call cost more than
        the page cache's whole lookup)."""
        now = time.monotonic()
        if now - self._generation_checked >= GENERATION_POLL:
            self._generation_stamp = self._meta_stamp()
            self._generation_checked = now
        return (_commits.get(self.path, 0), self._generation_stamp)

    def search(self, query: SearchQuery) -> Results:
        started = time.perf_counter()
        try:
            results = self._search(query, started)
        except SearchUnavailable:
            raise
        except ValueError as exc:
            if "unknown filter field" in str(exc):
                raise
            raise SearchUnavailable(f"search failed: {exc}") from exc
        except Exception as exc:
            raise SearchUnavailable(f"search failed: {exc}") from exc
        return results

    def _search(self, query: SearchQuery, started: float, corrected: bool = False) -> Results:
        searcher, stamp = self._searcher_and_stamp()
        per_page = min(max(1, query.per_page), MAX_PER_PAGE)
        page_no = max(1, query.page)
        cache = self._cache_for(stamp)
        if corrected or not self._cache_size or per_page > CACHED_PAGE_MAX:
            # Without a cache nothing keeps the facet dicts: the caller's are its own.
            return self._answer(query, started, searcher, cache, per_page, page_no, corrected)
        # A repeated page (back, reload, a second visitor) is answered from the cache of this
        # index generation without touching the index: the plan and counts alone would still
        # leave the scoring pass, the stored documents and the snippets to do again.
        page_key = ("page", query.q, _filter_key(query.filters), query.sort, page_no, per_page,
                    query.bare)
        cached: Results | None = cache.get(page_key)
        if cached is None:
            cached = self._answer(query, started, searcher, cache, per_page, page_no, False)
            cache[page_key] = cached
        # Callers may change what they get; the cache keeps its own copy.
        took = (time.perf_counter() - started) * 1000.0
        return Results(
            list(cached.hits),
            cached.total,
            {name: dict(values) for name, values in cached.facets.items()},
            took,
            cached.suggestion,
        )

    def _answer(
        self,
        query: SearchQuery,
        started: float,
        searcher: tantivy.Searcher,
        cache: _LRU,
        per_page: int,
        page_no: int,
        corrected: bool,
    ) -> Results:
        """The results of one page, the plan and counts from `cache` when it has them."""
        schema = self._schema
        offset = (page_no - 1) * per_page
        filters = tantivy_query.filter_query(schema, query.filters)
        plan_key = ("plan", query.q)
        if plan_key in cache:
            plan: tantivy_query.Plan | None = cache[plan_key]
        else:
            plan = tantivy_query.build(schema, query.q, searcher)
        cache[plan_key] = plan
        if query.bare:
            return self._bare(searcher, plan, filters, query, per_page, offset, started)
        suggestion = None
        if plan is not None and plan.unknown and not corrected:
            suggestion = spelling.suggest(searcher, "all_raw", plan.words, plan.unknown,
                                          plan.fixes)
            if suggestion is not None and dutch.within_typo_reach(plan.words, suggestion):
                # A misspelt word with a correction the typo rules allow: answer the corrected
                # search, so "subsdie" shows exactly the hits of "subsidie" under "Did you
                # mean subsidie?". A farther guess ("leen" -> "lean") stays a suggestion only.
                results = self._search(replace(query, q=suggestion), started, corrected=True)
                return replace(results, suggestion=suggestion)
        counts_key = ("counts", query.q, _filter_key(query.filters))
        counted: tuple[bool, int, dict[str, dict[str, int]]] | None = cache.get(counts_key)

        # One scoring pass gives the top hits and the total. The facet counts then run on the
        # cheaper match-only query, which finds the same documents (a contract test checks), in
        # another thread while the stored documents are read and the snippets made (tantivy
        # releases the GIL), or come from the cache of this index generation when the same text
        # and filters were counted before. The total from the scoring pass tells the counting
        # which way is cheaper, so the matches are not walked a third time just to count them.
        relaxed = counted is not None and counted[0] and plan is not None
        if relaxed:
            assert plan is not None and plan.relaxed is not None
            scored = tantivy_query.combine(plan.relaxed, filters)
        else:
            scored = tantivy_query.combine(plan.strict if plan else None, filters)
        total, page = self._run(searcher, scored, query, plan is not None, per_page, offset)
        pending: Future[dict[str, dict[str, int]]] | None = None
        if counted is None:
            if total == 0 and plan is not None and plan.relaxed is not None:
                assert plan.relaxed_match is not None
                relaxed = True
                scored = tantivy_query.combine(plan.relaxed, filters)
                total, page = self._run(searcher, scored, query, True, per_page, offset)
            if total:
                text = None
                if plan is not None:
                    text = plan.relaxed_match if relaxed else plan.strict_match
                matching = tantivy_query.combine(text, filters)
                pending = _pool().submit(self._facets, searcher, matching, total)
        match = highlight.NO_MATCH
        if plan is not None:
            match = highlight.matcher(
                plan.exact | plan.neighbours,
                plan.stem_sets,
                plan.phrases,
                plan.prefix,
                plan.phrase_words,
            )
        hits: list[Hit] = []
        words: dict[str, bool] = {}
        for score, address in page:
            doc = searcher.doc(address)
            summary = doc.get_first("summary") or ""
            body = bytes(doc.get_first("body") or b"").decode()
            snippet = highlight.snippet((summary, body), match, cache=words)
            hits.append(
                Hit(
                    id=doc.get_first("id") or "",
                    type=doc.get_first("type") or "",
                    title=doc.get_first("title") or "",
                    url=doc.get_first("url") or "",
                    snippet=snippet,
                    score=float(score) / BOOST_SCALE if isinstance(score, float) else 0.0,
                )
            )
        # The snippets above ran while the facets were being counted.
        if counted is not None:
            facets = counted[2]
        else:
            facets = pending.result() if pending is not None else self._facets(searcher, None, 0)
            cache[counts_key] = (relaxed, total, facets)
        took = (time.perf_counter() - started) * 1000.0
        return Results(hits, total, facets, took, suggestion)

    def _bare(self, searcher: tantivy.Searcher, plan: tantivy_query.Plan | None,
              filters: Sequence[tantivy.Query], query: SearchQuery, per_page: int,
              offset: int, started: float) -> Results:
        """``SearchQuery.bare``: the hits a full search ranks first (every word must match;
        relaxed when none does), with no snippets, facets or spelling suggestion."""
        scored = tantivy_query.combine(plan.strict if plan else None, filters)
        total, page = self._run(searcher, scored, query, plan is not None, per_page, offset)
        if total == 0 and plan is not None and plan.relaxed is not None:
            scored = tantivy_query.combine(plan.relaxed, filters)
            total, page = self._run(searcher, scored, query, True, per_page, offset)
        hits = []
        for score, address in page:
            doc = searcher.doc(address)
            hits.append(Hit(
                id=doc.get_first("id") or "", type=doc.get_first("type") or "",
                title=doc.get_first("title") or "", url=doc.get_first("url") or "",
                snippet="",
                score=float(score) / BOOST_SCALE if isinstance(score, float) else 0.0))
        return Results(hits, total, {}, (time.perf_counter() - started) * 1000.0)

    def _run(
        self,
        searcher: tantivy.Searcher,
        q: tantivy.Query,
        query: SearchQuery,
        has_text: bool,
        limit: int,
        offset: int,
    ) -> tuple[int, list[tuple[object, tantivy.DocAddress]]]:
        sort = query.sort
        if sort == "relevance" and not has_text:
            sort = "newest"  # browsing: nothing to rank by, so newest first
        if sort == "newest":
            res = searcher.search(
                q, limit, count=True, order_by_field="published_at", offset=offset,
                order=tantivy.Order.Desc,
            )  # fmt: skip
        elif sort == "closing":
            res = searcher.search(
                q, limit, count=True, order_by_field="closes_on", offset=offset,
                order=tantivy.Order.Asc,
            )  # fmt: skip
        else:
            res = searcher.search(q, limit, count=True, offset=offset, weight_by_field="weight")
        # `count` exists at runtime but is missing from tantivy's type stubs.
        count: int | None = getattr(res, "count", None)
        return int(count or 0), list(res.hits)

    def _facets(
        self, searcher: tantivy.Searcher, q: tantivy.Query | None, total: int
    ) -> dict[str, dict[str, int]]:
        """Counts per facet value among the `total` documents that `q` matches."""
        facets: dict[str, dict[str, int]] = {name: {} for name in FACET_FIELDS}
        if total == 0 or q is None:
            return facets
        if total <= max(AGGREGATE_BELOW, AGGREGATE_SHARE * searcher.num_docs):
            # Few matches: an aggregation costs in proportion to them.
            spec = {"f": {"terms": {"field": "facets", "size": 65_000}}}
            buckets = searcher.aggregate(q, spec)["f"]["buckets"]
            counts: Iterator[tuple[str, int]] = (
                (str(b["key"]), int(b["doc_count"])) for b in buckets
            )
        else:
            # Many matches: terms_with_prefix with a filter query walks the postings of the few
            # facet terms once, at a fixed cost well below an aggregation over every match.
            counts = iter(searcher.terms_with_prefix("facets", "", filter_query=q))
        for term, count in counts:
            name, _, value = term.partition(":")
            if count and name in facets:
                facets[name][value] = count
        return facets
