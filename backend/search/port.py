"""The search port: value types and the protocol every search backend implements.

Callers (the outbox indexer, the API, the CLI) depend only on this module; the engines live in
`embedded.py` (tantivy) and `meili.py` (Meilisearch).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol, runtime_checkable

FACET_FIELDS: tuple[str, ...] = ("type", "theme", "pillar", "sector", "region", "size", "status")

SortOrder = Literal["relevance", "newest", "closing"]


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """One published, public item as the engine sees it."""

    id: str  # "<type>:<slug>", e.g. "practice:scania-leren-op-de-werkvloer"
    type: str  # practice | case_study | scheme | expert | event | organisation | qa
    title: str
    summary: str
    body: str  # plain text (markdown stripped by the caller)
    url: str  # "/kennisbank/..." path
    published_at: datetime  # tz-aware UTC
    themes: tuple[str, ...] = ()
    pillars: tuple[str, ...] = ()  # technologie | organisatie | personeel
    sectors: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()  # province slugs or "nl"
    sizes: tuple[str, ...] = ()  # zzp | micro | klein | middel | groot
    status: str | None = None  # schemes: open | upcoming | closed | exhausted
    keywords: tuple[str, ...] = ()  # extra terms: synonyms, organisation names, tags
    closes_on: date | None = None  # scheme closing date / event date, for sort "closing"
    boost: float = 1.0
    # The English translation, when the item has one ("" when not): indexed with an English
    # analyser beside the Dutch text.
    title_en: str = ""
    summary_en: str = ""
    body_en: str = ""

    @property
    def rank_boost(self) -> float:
        """The document boost times its type's (TYPE_BOOST): what both engines rank by."""
        return self.boost * TYPE_BOOST.get(self.type, 1.0)


# Substantive content (practices, case studies, schemes, answers) ranks above pages that point
# elsewhere when a query names a topic: the top hit for "subsidie" is a scheme, not an event,
# and for "personeelstekort" a practice, not an organisation page. A name typed in full still
# finds its organisation in the top 3 (its title match outweighs the factor).
TYPE_BOOST: dict[str, float] = {
    "practice": 1.0,
    "case_study": 1.0,
    "scheme": 1.0,
    "qa": 1.0,
    "expert": 0.75,
    "organisation": 0.75,
    "event": 0.7,
}


@dataclass(frozen=True, slots=True)
class SearchQuery:
    q: str = ""
    # Keys from FACET_FIELDS; values are OR-ed within a field and AND-ed across fields.
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    sort: SortOrder = "relevance"
    page: int = 1
    per_page: int = 10
    # Only the best hits, in the same order: no snippets (empty), no facet counts (empty), no
    # spelling suggestion or corrected search. For callers that need to know which items match
    # best and nothing else (routing's knowledge-base vote), at a fraction of the cost.
    bare: bool = False


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    type: str
    title: str
    url: str
    snippet: str  # HTML-escaped text with <mark>…</mark> around matched words
    score: float


@dataclass(frozen=True, slots=True)
class Results:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]  # field (from FACET_FIELDS) -> value -> count
    took_ms: float
    suggestion: str | None = None  # "did you mean" when few or no hits


@dataclass(frozen=True, slots=True)
class Health:
    ok: bool
    backend: str
    documents: int
    detail: str = ""


class SearchUnavailable(Exception):
    """Raised by any backend when the engine cannot answer; callers show a friendly message."""


@runtime_checkable
class SearchBackend(Protocol):
    name: str

    def index(self, docs: Sequence[SearchDoc]) -> None:
        """Upsert by id, in one batched commit."""
        ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def search(self, query: SearchQuery) -> Results: ...

    def health(self) -> Health: ...

    def generation(self) -> Hashable:
        """Changes whenever search results may have changed (backend.core.pagecache)."""
        ...

    def clear(self) -> None:
        """Drop all documents."""
        ...

    def reindex_all(
        self, docs: Iterable[SearchDoc], progress: Callable[[int], None] | None = None
    ) -> int:
        """Clear, then index in batches; returns the number of documents indexed."""
        ...
