"""Search: one port (`SearchBackend`) and two engines, embedded tantivy and Meilisearch."""

from __future__ import annotations

from pathlib import Path

from backend.search.embedded import EmbeddedBackend
from backend.search.meili import MeiliBackend
from backend.search.port import (
    FACET_FIELDS,
    Health,
    Hit,
    Results,
    SearchBackend,
    SearchDoc,
    SearchQuery,
    SearchUnavailable,
)

__all__ = [
    "FACET_FIELDS",
    "Health",
    "Hit",
    "Results",
    "SearchBackend",
    "SearchDoc",
    "SearchQuery",
    "SearchUnavailable",
    "get_backend",
]


def get_backend(
    kind: str,
    *,
    path: Path | None,
    meili_url: str | None,
    meili_key: str | None,
    index_name: str = "loket",
) -> SearchBackend:
    """Build the configured backend: "embedded" (tantivy, needs `path`) or "meilisearch"."""
    # Imported lazily so that a process using one engine never loads the other's client.
    if kind == "embedded":
        if path is None:
            raise ValueError("the embedded search backend needs an index path")

        return EmbeddedBackend(Path(path))
    if kind in ("meilisearch", "meili"):
        if not meili_url:
            raise ValueError("the meilisearch backend needs a URL")

        return MeiliBackend(meili_url, meili_key, index_name=index_name)
    raise ValueError(f"unknown search backend {kind!r}; expected 'embedded' or 'meilisearch'")
