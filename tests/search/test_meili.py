"""Meilisearch adapter: the parts that need no server, and task failures when one is set."""

from __future__ import annotations

import base64
import os
from datetime import UTC, date, datetime

import pytest

from backend.search import SearchDoc, SearchQuery, SearchUnavailable, get_backend
from backend.search.meili import (
    POST,
    PRE,
    MeiliBackend,
    filter_expression,
    marked_words,
    primary_key,
    query_text,
    render_snippet,
    settings,
    suggest_from_marks,
    to_document,
)

DOC = SearchDoc(
    id="practice:scania-leren-op-de-werkvloer",
    type="practice",
    title="Scania: leren op de werkvloer",
    summary="De arbeidsproductiviteit steeg.",
    body="",
    url="/kennisbank/practice/scania",
    published_at=datetime(2024, 5, 1, tzinfo=UTC),
    themes=("leren-en-ontwikkelen",),
    closes_on=date(2025, 1, 1),
)


def test_primary_key_is_meili_safe_and_reversible() -> None:
    pk = primary_key(DOC.id)
    assert pk.replace("-", "").replace("_", "").isalnum()
    assert base64.urlsafe_b64decode(pk + "=" * (-len(pk) % 4)).decode() == DOC.id


def test_document_carries_facets_sort_keys_and_compound_parts() -> None:
    doc = to_document(DOC)
    assert doc["theme"] == ["leren-en-ontwikkelen"]
    assert doc["published_at"] == int(DOC.published_at.timestamp())
    assert doc["closes_on"] == date(2025, 1, 1).toordinal()
    assert "productiviteit" in doc["parts"].split()
    assert "status" not in doc  # absent, not null


def test_filter_expression_ors_within_and_ands_across() -> None:
    expr = filter_expression({"type": ["scheme", "event"], "status": ['op"en']})
    assert expr == [['type = "scheme"', 'type = "event"'], ['status = "op\\"en"']]
    with pytest.raises(ValueError, match="colour"):
        filter_expression({"colour": ["red"]})


def test_settings_rank_title_first_and_carry_synonyms() -> None:
    s = settings()
    assert s["searchableAttributes"][0] == "title"
    assert s["rankingRules"][0] == "sort"
    assert "kunstmatige intelligentie" in s["synonyms"]["ai"]
    assert set(s["filterableAttributes"]) >= {"type", "theme", "status"}


def test_query_compounds_are_sent_as_parts() -> None:
    assert query_text("arbeidsproductiviteit mkb") == "arbeid productiviteit mkb"
    assert query_text("subsidie") == "subsidie"


def test_snippet_is_escaped_before_marking() -> None:
    raw = f"Een {PRE}robot{POST} <script>alert(1)</script>"
    assert render_snippet(raw) == "Een <mark>robot</mark> &lt;script&gt;alert(1)&lt;/script&gt;"


def test_suggestion_from_marked_typo_matches() -> None:
    marked = marked_words([f"{PRE}Subsidie{POST} voor {PRE}lean{POST}"])
    assert marked == {"subsidie", "lean"}
    assert suggest_from_marks(["subsdie", "lean"], marked) == "subsidie lean"
    assert suggest_from_marks(["subsidie"], marked) is None
    assert suggest_from_marks(["subsi"], marked) is None  # a prefix being typed


def test_unreachable_server_raises_search_unavailable() -> None:
    backend = get_backend("meilisearch", path=None, meili_url="http://127.0.0.1:9", meili_key=None)
    assert isinstance(backend, MeiliBackend)
    with pytest.raises(SearchUnavailable):
        backend.search(SearchQuery(q="robot"))
    with pytest.raises(SearchUnavailable):
        backend.index([DOC])
    health = backend.health()
    assert health.ok is False
    assert health.backend == "meilisearch"


@pytest.mark.skipif(
    not os.environ.get("MEILI_URL"),
    reason="MEILI_URL is not set: no Meilisearch server to run the contract against",
)
def test_failed_task_raises_with_its_error() -> None:
    backend = MeiliBackend(
        os.environ["MEILI_URL"],
        os.environ.get("MEILI_KEY") or os.environ.get("MEILI_MASTER_KEY"),
        index_name=f"loket_test_task_{os.getpid()}",
    )
    try:
        index = backend._ensure()
        task = index.add_documents([{"pk": "not a valid id!"}], "pk")
        with pytest.raises(SearchUnavailable, match="invalid_document_id"):
            backend._wait(task.task_uid)
    finally:
        backend.drop_index()


def test_english_fields_are_indexed_searchable_and_tokenised_as_english() -> None:
    from dataclasses import replace

    doc = to_document(replace(DOC, title_en="Learning on the job", summary_en="Staff learn.",
                              body_en="Informal learning."))
    assert (doc["title_en"], doc["summary_en"], doc["body_en"]) == (
        "Learning on the job", "Staff learn.", "Informal learning.")
    s = settings()
    searchable = s["searchableAttributes"]
    for name in ("title_en", "summary_en", "body_en"):
        assert name in searchable
    # Each English field ranks right after its Dutch counterpart.
    assert searchable.index("title_en") == searchable.index("title") + 1
    assert searchable.index("summary_en") == searchable.index("summary") + 1
    english = [r for r in s["localizedAttributes"] if r["locales"] == ["eng"]]
    assert english and english[0]["attributePatterns"] == ["*_en"]
