"""Knowledge that matches a question while it is being typed (practices, schemes, published
answers). Search is a help, never a condition: when the engine is unavailable the form simply
shows nothing beside it."""

from __future__ import annotations

import logging

from fastapi import Request

from backend.content.indexing import backend_for_app
from backend.search.breaker import breaker
from backend.search.port import Hit, SearchQuery

log = logging.getLogger("loket.cases")

MIN_CHARS = 12
MAX_QUERY = 300
TYPES = ("practice", "case_study", "scheme", "qa")


def suggestions(request: Request, text: str, *, limit: int = 5) -> list[Hit]:
    text = " ".join((text or "").split())[:MAX_QUERY]
    if len(text) < MIN_CHARS:
        return []
    try:
        backend = backend_for_app(request.app)
        query = SearchQuery(q=text, filters={"type": list(TYPES)}, per_page=limit)
        # Fails fast while the engine is away (a hanging engine would hold a thread per key).
        results = breaker.call(backend, lambda: backend.search(query))
    except Exception:
        log.warning("suggestions unavailable", exc_info=True)
        return []
    return list(results.hits)
