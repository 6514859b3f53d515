"""Fixtures for the search contract: one factory per backend, each test on a fresh index."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from backend.search import SearchBackend, SearchDoc
from backend.search.embedded import EmbeddedBackend
from backend.search.meili import MeiliBackend

BackendFactory = Callable[[Sequence[SearchDoc]], SearchBackend]

MEILI_SKIP = "MEILI_URL is not set: no Meilisearch server to run the contract against"


@pytest.fixture(params=["embedded", "meilisearch"])
def make_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BackendFactory]:
    """Build a backend of the parametrised kind, loaded with the given documents."""
    kind: str = request.param
    meili_url = os.environ.get("MEILI_URL")
    if kind == "meilisearch" and not meili_url:
        pytest.skip(MEILI_SKIP)
    made: list[SearchBackend] = []

    def factory(docs: Sequence[SearchDoc] = ()) -> SearchBackend:
        backend: SearchBackend
        if kind == "embedded":
            backend = EmbeddedBackend(tmp_path / f"index-{len(made)}")
        else:
            assert meili_url is not None
            backend = MeiliBackend(
                meili_url,
                os.environ.get("MEILI_KEY") or os.environ.get("MEILI_MASTER_KEY"),
                index_name=f"loket_test_{uuid.uuid4().hex[:12]}",
            )
        made.append(backend)
        if docs:
            backend.index(docs)
        return backend

    yield factory
    for backend in made:
        if isinstance(backend, MeiliBackend):
            backend.drop_index()
