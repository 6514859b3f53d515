"""The judged relevance set (tests/search/relevance.yaml) through the whole pipeline:
the real seed loaded into the database, indexed through the outbox, queried through the same
search service as the search page and the API. Every expected id must be in the top 3, and when
a case lists ``top1_types`` the first hit must be of one of those types (a topic word must not
open with an event or an organisation page)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from backend.content.indexing import backend_for
from backend.content.searching import SearchParams, run_search
from backend.content.seed import load_seed
from backend.core.db import Database
from backend.core.settings import Settings

RELEVANCE = Path(__file__).resolve().parents[1] / "search" / "relevance.yaml"
# Queries that fail because of the engine, not the pipeline (reported to the search engine's
# owner). They are reported as warnings so the rest of the set keeps guarding the pipeline;
# remove a query here once it passes.
KNOWN_ENGINE_GAPS: set[str] = set()


def _cases() -> list[dict[str, Any]]:
    with RELEVANCE.open(encoding="utf-8") as fh:
        return list(yaml.safe_load(fh))


def _filters(raw: dict[str, Any] | None) -> dict[str, Sequence[str] | None]:
    out: dict[str, Sequence[str] | None] = {}
    for key, value in (raw or {}).items():
        out[key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return out


def test_relevance_set_passes_through_the_pipeline(db: Database, settings: Settings,
                                                   drain: Callable[[], int]) -> None:
    cases = _cases()
    assert len(cases) >= 100
    # Issue 17's measure: 20 English and 10 care/education queries among them.
    tagged = [set(c.get("tags") or ()) for c in cases]
    assert sum("english" in t for t in tagged) >= 20
    assert sum(bool(t & {"care", "education"}) for t in tagged) >= 10
    load_seed(db, settings)
    drain()
    backend = backend_for(settings)
    failures: list[str] = []
    known: list[str] = []
    for case in cases:
        params = SearchParams.build(case["q"], _filters(case.get("filters")), "relevance", 1, 3)
        top3 = [h.id for h in run_search(backend, params).hits]
        missing = [want for want in case["expect_top3"] if want not in top3]
        top1_types = case.get("top1_types")
        if top1_types and (not top3 or top3[0].split(":", 1)[0] not in top1_types):
            missing.append(f"a first hit of type {'/'.join(top1_types)}")
        if missing:
            line = (f"{case['q']!r} {case.get('filters') or ''}: missing {missing}, got {top3} "
                    f"({case.get('why', '')})")
            (known if case["q"] in KNOWN_ENGINE_GAPS else failures).append(line)
    if known:
        warnings.warn(f"{len(known)} known engine gaps in the relevance set:\n"
                      + "\n".join(known), stacklevel=1)
    assert not failures, f"{len(failures)} of {len(cases)} queries fail:\n" + "\n".join(failures)
