"""Searching the knowledge base: request parameters to a ``SearchQuery`` and back.

Shared by the search page and ``GET /api/v1/search``. Any engine failure becomes
``SearchUnavailable`` so callers can answer "temporarily unavailable" instead of a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlencode

from backend.core.domain import registrations_complete
from backend.search import FACET_FIELDS, Results, SearchBackend, SearchQuery, SearchUnavailable
from backend.search.breaker import breaker

log = logging.getLogger("loket.content.search")

SortParam = Literal["relevance", "newest", "closing"]
# query parameter name -> SearchQuery filter field (they are the same names)
FILTER_PARAMS: tuple[str, ...] = tuple(f for f in FACET_FIELDS)
MAX_PER_PAGE = 50

# Called with (query, total hits) after a first page of a search with words; the insight
# domain's search log registers here (backend/insight/searchlog.py). A listener must be cheap
# and must not raise: it runs in the request.
search_listeners: list[Callable[[str, int], None]] = []


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: SortParam = "relevance"
    page: int = 1
    per_page: int = 10

    @classmethod
    def build(cls, q: str | None, filters: dict[str, Sequence[str] | None], sort: str,
              page: int, per_page: int) -> SearchParams:
        clean: dict[str, tuple[str, ...]] = {}
        for name in FILTER_PARAMS:
            values = [v for v in (filters.get(name) or []) if v]
            if values:
                clean[name] = tuple(dict.fromkeys(values))
        return cls(q=(q or "").strip()[:200], filters=clean,
                   sort=sort if sort in ("relevance", "newest", "closing") else "relevance",  # type: ignore[arg-type]
                   page=max(1, page), per_page=max(1, min(MAX_PER_PAGE, per_page)))

    def to_query(self) -> SearchQuery:
        return SearchQuery(q=self.q, filters={k: list(v) for k, v in self.filters.items()},
                           sort=self.sort, page=self.page, per_page=self.per_page)

    @property
    def has_filters(self) -> bool:
        return bool(self.filters)

    def is_active(self, name: str, value: str) -> bool:
        return value in self.filters.get(name, ())

    # URLs for links that change one thing (pages keep working without JavaScript).
    def url(self, path: str = "/zoeken", **changes: object) -> str:
        params = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        pairs: list[tuple[str, str]] = []
        if params.q:
            pairs.append(("q", params.q))
        for name in FILTER_PARAMS:
            pairs += [(name, v) for v in params.filters.get(name, ())]
        if params.sort != "relevance":
            pairs.append(("sort", params.sort))
        if params.page > 1:
            pairs.append(("page", str(params.page)))
        return path + ("?" + urlencode(pairs) if pairs else "")

    def toggle(self, name: str, value: str) -> str:
        current = list(self.filters.get(name, ()))
        if value in current:
            current.remove(value)
        else:
            current.append(value)
        filters = {k: v for k, v in self.filters.items() if k != name}
        if current:
            filters[name] = tuple(current)
        return self.url(filters=filters, page=1)

    def without(self, name: str | None = None) -> str:
        """Broader search: drop one filter (or all filters when ``name`` is None)."""
        filters = {} if name is None else {k: v for k, v in self.filters.items() if k != name}
        return self.url(filters=filters, page=1)


def run_search(backend: SearchBackend | None, params: SearchParams) -> Results:
    """Search, failing fast for a few seconds after the engine failed (``breaker``)."""
    if backend is None:
        raise SearchUnavailable("no search backend")

    def search() -> Results:
        try:
            return backend.search(params.to_query())
        except SearchUnavailable:
            raise
        except Exception as exc:
            log.exception("search failed")
            raise SearchUnavailable(f"{type(exc).__name__}: {exc}") from exc

    results: Results = breaker.call(backend, search)
    if params.q and params.page == 1:
        registrations_complete()  # insight counts searches
        for listener in search_listeners:
            try:
                listener(params.q, results.total)
            except Exception:  # a count is never worth a failed search
                log.exception("search listener failed")
    return results
