"""Knowledge that matches a question while it is being typed (practices, schemes, published
answers). Search is a help, never a condition: when the engine is unavailable the form simply
shows nothing beside it."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request

from backend.search.breaker import breaker
from backend.search.port import Hit, SearchBackend, SearchQuery

log = logging.getLogger("loket.cases")

MIN_CHARS = 12
MAX_QUERY = 300
TYPES = ("practice", "case_study", "scheme", "qa")


def _backend(request: Request) -> SearchBackend | None:
    state: Any = request.app.state
    for name in ("search", "search_backend"):
        found = getattr(state, name, None)
        if found is not None:
            return found
    cached = getattr(state, "cases_search", None)
    if cached is not None:
        return cached
    from backend.search import get_backend

    settings = request.app.state.settings
    backend = get_backend(settings.search_backend, path=settings.search_path,
                          meili_url=settings.meili_url, meili_key=settings.meili_key,
                          index_name=settings.meili_index)
    state.cases_search = backend
    return backend


def suggestions(request: Request, text: str, *, limit: int = 5) -> list[Hit]:
    text = " ".join((text or "").split())[:MAX_QUERY]
    if len(text) < MIN_CHARS:
        return []
    try:
        backend = _backend(request)
        if backend is None:
            return []
        query = SearchQuery(q=text, filters={"type": list(TYPES)}, per_page=limit)
        # Fails fast while the engine is away (a hanging engine would hold a thread per key).
        results = breaker.call(backend, lambda: backend.search(query))
    except Exception:
        log.warning("suggestions unavailable", exc_info=True)
        return []
    return list(results.hits)
