"""What only the embedded engine promises: readers in other processes, one writer, failures."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tantivy
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.search import SearchDoc, SearchQuery, SearchUnavailable, get_backend, highlight
from backend.search.embedded import EmbeddedBackend
from backend.search.port import TYPE_BOOST

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def make_doc(n: int, title: str = "Slim roosteren in de zorg") -> SearchDoc:
    return SearchDoc(
        id=f"practice:p{n}",
        type="practice",
        title=title,
        summary="Een rooster dat meebeweegt met de drukte.",
        body="Medewerkers kiezen zelf hun diensten in een app.",
        url=f"/kennisbank/practice/p{n}",
        published_at=NOW,
        themes=("slim-roosteren",),
    )


def test_get_backend_builds_embedded(tmp_path: Path) -> None:
    backend = get_backend(
        "embedded", path=tmp_path / "var" / "search", meili_url=None, meili_key=None
    )
    assert backend.name == "embedded"
    assert (tmp_path / "var" / "search").is_dir()
    with pytest.raises(ValueError, match="unknown search backend"):
        get_backend("elastic", path=tmp_path, meili_url=None, meili_key=None)


def test_reader_sees_commits_from_another_process(tmp_path: Path) -> None:
    reader = EmbeddedBackend(tmp_path)
    assert reader.search(SearchQuery(q="roosteren")).total == 0
    script = textwrap.dedent(
        f"""
        from datetime import UTC, datetime
        from pathlib import Path
        from backend.search import SearchDoc
        from backend.search.embedded import EmbeddedBackend
        EmbeddedBackend(Path({str(tmp_path)!r})).index([SearchDoc(
            id="practice:x", type="practice", title="Slim roosteren", summary="", body="",
            url="/x", published_at=datetime(2025, 1, 1, tzinfo=UTC))])
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert [h.id for h in reader.search(SearchQuery(q="roosteren")).hits] == ["practice:x"]


def test_concurrent_searches_while_one_writer_writes(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path)
    other = EmbeddedBackend(tmp_path)  # a second instance in the same process shares the lock
    backend.index([make_doc(i) for i in range(50)])
    errors: list[BaseException] = []
    totals: list[int] = []

    def read() -> None:
        try:
            for _ in range(30):
                totals.append(backend.search(SearchQuery(q="roost")).total)
        except BaseException as exc:
            errors.append(exc)

    def write(instance: EmbeddedBackend, start: int) -> None:
        try:
            for i in range(start, start + 5):
                instance.index([make_doc(i)])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(4)]
    threads += [
        threading.Thread(target=write, args=(backend, 100)),
        threading.Thread(target=write, args=(other, 200)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert min(totals) >= 50
    assert backend.search(SearchQuery()).total == 60


def test_unusable_path_raises_search_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(SearchUnavailable):
        EmbeddedBackend(blocker)


def test_broken_index_raises_search_unavailable(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path)
    backend.index([make_doc(1)])
    (tmp_path / "meta.json").write_text("{ broken")
    with pytest.raises(SearchUnavailable):
        backend.search(SearchQuery(q="rooster"))
    assert backend.health().ok is False


def test_schema_change_recreates_the_index_empty(tmp_path: Path) -> None:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("old", stored=True)
    old = tantivy.Index(sb.build(), path=str(tmp_path))
    writer = old.writer(15_000_000, 1)
    writer.add_document(tantivy.Document(old=["x"]))
    writer.commit()
    writer.wait_merging_threads()
    backend = EmbeddedBackend(tmp_path)
    assert backend.health().documents == 0
    backend.index([make_doc(1)])
    assert backend.search(SearchQuery(q="rooster")).total == 1


def test_edit_is_searchable_well_within_a_second(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path)
    backend.index([make_doc(i) for i in range(200)])
    backend.index([make_doc(7, title="Vierdaagse werkweek in de zorg")])
    results = backend.search(SearchQuery(q="vierdaagse"))
    assert [h.id for h in results.hits] == ["practice:p7"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["script", "rooster", "a", "é"]))
def test_snippets_are_always_escaped(text: str, word: str) -> None:
    match = highlight.matcher(exact=[word], prefix=word)
    snippet = highlight.snippet((text,), match, max_chars=120)
    bare = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in bare
    assert ">" not in bare
    assert snippet.count("<mark>") == snippet.count("</mark>")


def test_both_ways_of_counting_facets_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.search import embedded

    backend = EmbeddedBackend(tmp_path)
    docs = [
        replace(make_doc(i), themes=(f"thema-{i % 3}", "slim-roosteren"), regions=(f"r{i % 4}",))
        for i in range(40)
    ]
    backend.index(docs)
    queries = [SearchQuery(), SearchQuery(q="roost"), SearchQuery(filters={"region": ["r1"]})]
    by_aggregation = [backend.search(q).facets for q in queries]
    monkeypatch.setattr(embedded, "AGGREGATE_BELOW", 0)
    monkeypatch.setattr(embedded, "AGGREGATE_SHARE", 0.0)
    by_postings = [backend.search(q).facets for q in queries]
    assert by_aggregation == by_postings
    assert by_aggregation[0]["theme"] == {
        "thema-0": 14,
        "thema-1": 13,
        "thema-2": 13,
        "slim-roosteren": 40,
    }
    assert by_aggregation[2]["region"] == {"r1": 10}


# --- ranking details of the tantivy engine ------------------------------------------------


def _ranked(backend: EmbeddedBackend, q: str) -> list[tuple[str, float]]:
    return [(h.id, h.score) for h in backend.search(SearchQuery(q=q)).hits]


def test_document_boost_multiplies_the_score(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "idx")
    plain = make_doc(1)
    backend.index([plain, replace(plain, id="practice:half", boost=0.5),
                   replace(plain, id="practice:double", boost=2.0)])  # fmt: skip
    scores = dict(_ranked(backend, "roosteren"))
    base = scores["practice:p1"]
    assert scores["practice:half"] == pytest.approx(base * 0.5, rel=1e-3)
    assert scores["practice:double"] == pytest.approx(base * 2.0, rel=1e-3)


def test_type_boost_multiplies_the_score(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "idx")
    plain = make_doc(1)
    org = replace(plain, id="organisation:o1", type="organisation")
    backend.index([plain, org, replace(org, id="organisation:o2", boost=0.5)])
    scores = dict(_ranked(backend, "roosteren"))
    org_factor = TYPE_BOOST["organisation"]
    assert 0 < org_factor < 1
    assert scores["organisation:o1"] == pytest.approx(scores["practice:p1"] * org_factor, rel=1e-3)
    assert scores["organisation:o2"] == pytest.approx(scores["organisation:o1"] * 0.5, rel=1e-3)


def test_document_boost_also_weights_the_broader_retry(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "idx")
    plain = make_doc(1)
    backend.index([plain, replace(plain, id="practice:half", boost=0.5)])
    # "zorgverzekeraar" matches nothing, so this is the OR retry.
    scores = dict(_ranked(backend, "roosteren zorgverzekeraar"))
    assert scores["practice:half"] == pytest.approx(scores["practice:p1"] * 0.5, rel=1e-3)


def test_a_compound_no_document_holds_is_found_by_the_parts_the_index_holds(
    tmp_path: Path,
) -> None:
    backend = EmbeddedBackend(tmp_path / "idx")
    robots = replace(make_doc(1, "Robots aan de lijn"), body="Een robot neemt zwaar werk over.")
    krapte = replace(make_doc(2, "Krapte op de arbeidsmarkt"), body="Werving kost tijd.")
    backend.index([robots, krapte, make_doc(3)])

    def ids(q: str) -> list[str]:
        return [h.id for h in backend.search(SearchQuery(q=q)).hits]

    # "las" is a dictionary word no document holds: a welding robot is still a robot.
    assert ids("lasrobot") == ["practice:p1"]
    assert ids("lasrobots") == ["practice:p1"]
    # "lijn" is in no dictionary but in the index's own vocabulary.
    assert ids("lijnrobot") == ["practice:p1"]
    assert ids("arbeidsmarktkrapte") == ["practice:p2"]
    assert ids("subsidie lasrobot") == ["practice:p1"]  # the broader retry keeps the compound
    # The head must be held: a "robotlas" is a kind of weld, not a robot.
    assert ids("robotlas") == []
    result = backend.search(SearchQuery(q="lasrobot"))
    assert result.suggestion is None
    assert "<mark>robot</mark>" in result.hits[0].snippet.lower()


def test_an_english_query_finds_dutch_items_through_the_glossary(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "idx")
    eia = replace(make_doc(1, "Energie-investeringsaftrek"),
                  summary="Fiscale aftrek voor energiebesparende bedrijfsmiddelen.", body="")
    staff = replace(make_doc(2, "Werving bij personeelstekort"), summary="", body="")
    backend.index([eia, staff, make_doc(3)])

    def ids(q: str) -> list[str]:
        return [h.id for h in backend.search(SearchQuery(q=q)).hits]

    assert ids("energy saving tax deduction") == ["practice:p1"]
    assert ids("hiring staff shortage")[:1] == ["practice:p2"]
    # "staff" is no typo of a Dutch word, and the query is not "corrected".
    assert backend.search(SearchQuery(q="hiring staff shortage")).suggestion is None
    # Mostly English: not every translated word has to match, those that match all rank first.
    assert ids("the energy deduction for staff")[:1] == ["practice:p1"]


def test_english_fields_are_searched_with_an_english_stemmer(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "idx")
    lean = replace(make_doc(1, "Verspilling wegnemen op de werkvloer"),
                   summary="Een waardestroomanalyse toont waar tijd verloren gaat.",
                   body="Medewerkers verbeteren het proces.",
                   title_en="Removing waste on the shop floor",
                   summary_en="A value stream map shows where time is lost.",
                   body_en="Employees improve the process step by step.")
    dutch_only = make_doc(2)
    backend.index([lean, dutch_only])

    def ids(q: str) -> list[str]:
        return [h.id for h in backend.search(SearchQuery(q=q)).hits]

    # English words only the translation holds, through the English stemmer (maps -> map,
    # improving -> improv), with no "did you mean" to a Dutch word.
    assert ids("value stream maps") == ["practice:p1"]
    assert ids("employees improving processes") == ["practice:p1"]
    result = backend.search(SearchQuery(q="removing waste"))
    assert [h.id for h in result.hits] == ["practice:p1"] and result.suggestion is None
    # The facet counts and the total find the same documents.
    assert result.total == 1 and result.facets["type"] == {"practice": 1}
    # Dutch queries are untouched by the translation: same hits, same order, same scores.
    plain = EmbeddedBackend(tmp_path / "plain")
    plain.index([replace(lean, title_en="", summary_en="", body_en=""), dutch_only])
    for q in ("verspilling", "medewerkers", "rooster", "proces"):
        got = [(h.id, round(h.score, 6)) for h in backend.search(SearchQuery(q=q)).hits]
        want = [(h.id, round(h.score, 6)) for h in plain.search(SearchQuery(q=q)).hits]
        assert got == want, q
    # Without the translation the English query finds nothing.
    assert [h.id for h in plain.search(SearchQuery(q="value stream maps")).hits] == []


def test_hyphenated_coordination_finds_the_completed_compound(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "idx")
    fund = replace(make_doc(1, "Wij Techniek"), summary="Opleidings- en ontwikkelingsfonds.",
                   body="Voor land-, tuin- en installatiebouw.")  # fmt: skip
    backend.index([fund, make_doc(2)])
    for q in ("opleidingsfonds", "ontwikkelingsfonds", "opleidingsfon"):
        assert [h.id for h in backend.search(SearchQuery(q=q)).hits] == ["practice:p1"], q
    hit = backend.search(SearchQuery(q="opleidingsfonds")).hits[0]
    assert hit.title == "Wij Techniek"  # the stored text is unchanged
    assert "Opleidings-" in hit.snippet


def test_neighbouring_words_side_by_side_rank_higher(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "idx")
    apart = replace(make_doc(1, "Netwerk"), summary="Ecosysteem van bedrijven voor het mkb.")
    together = replace(make_doc(2, "Netwerk"), summary="Het mkb-ecosysteem van bedrijven.")
    backend.index([apart, together])
    assert _ranked(backend, "mkb ecosysteem")[0][0] == "practice:p2"


def test_cached_counts_follow_every_commit(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "idx")
    backend.index([make_doc(1)])
    first = backend.search(SearchQuery(q="roosteren"))
    again = backend.search(SearchQuery(q="roosteren", sort="newest"))  # from the cache
    assert (first.total, first.facets) == (again.total, again.facets) == (1, first.facets)
    again.facets["type"]["practice"] = 99  # a caller's change does not reach the cache
    backend.index([replace(make_doc(2), themes=("slim-roosteren", "werkdruk"))])
    after = backend.search(SearchQuery(q="roosteren"))
    assert after.total == 2
    assert after.facets["type"] == {"practice": 2}
    assert after.facets["theme"] == {"slim-roosteren": 2, "werkdruk": 1}
    # A commit from another handle on the same directory (another process) is seen as well.
    EmbeddedBackend(tmp_path / "idx").delete(["practice:p1"])
    assert backend.search(SearchQuery(q="roosteren")).facets["type"] == {"practice": 1}


class _CountingSearcher:
    """A tantivy searcher that counts the passes over the matches a search makes."""

    def __init__(self, inner: tantivy.Searcher, calls: list[str]) -> None:
        self._inner, self._calls = inner, calls

    def search(self, *args: object, **kwargs: object) -> object:
        self._calls.append("search")
        return self._inner.search(*args, **kwargs)  # type: ignore[arg-type]

    def aggregate(self, *args: object, **kwargs: object) -> object:
        self._calls.append("aggregate")
        return self._inner.aggregate(*args, **kwargs)  # type: ignore[arg-type]

    def terms_with_prefix(self, field: str, prefix: str, **kwargs: object) -> object:
        if kwargs.get("filter_query") is not None:
            self._calls.append("facets")
        return self._inner.terms_with_prefix(field, prefix, **kwargs)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


def _count_passes(backend: EmbeddedBackend, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The passes (``search``, ``aggregate``, ``facets``) the backend makes from now on."""
    calls: list[str] = []
    searcher_and_stamp = backend._searcher_and_stamp

    def counting() -> tuple[object, tuple[int, int, int]]:
        searcher, stamp = searcher_and_stamp()
        return _CountingSearcher(searcher, calls), stamp

    monkeypatch.setattr(backend, "_searcher_and_stamp", counting)
    return calls


@pytest.mark.parametrize("aggregate_below", [0, 3_000])
def test_an_uncached_search_walks_the_matches_once_to_rank_and_once_to_count_facets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, aggregate_below: int
) -> None:
    from backend.search import embedded

    monkeypatch.setattr(embedded, "AGGREGATE_BELOW", aggregate_below)
    monkeypatch.setattr(embedded, "AGGREGATE_SHARE", 0.0)
    backend = EmbeddedBackend(tmp_path / "idx", cache_size=0)
    backend.index([make_doc(1), replace(make_doc(2), themes=("werkdruk",))])
    calls = _count_passes(backend, monkeypatch)
    results = backend.search(SearchQuery(q="roosteren"))
    assert results.total == 2
    assert results.facets["theme"] == {"slim-roosteren": 1, "werkdruk": 1}
    # The total comes from the ranking pass; no third pass only to count.
    assert sorted(calls) == sorted(["search", "aggregate" if aggregate_below else "facets"])
    calls.clear()
    assert backend.search(SearchQuery(q="zorgverzekeraar")).total == 0
    assert calls == ["search"]  # nothing matched: nothing to count


def test_the_two_edit_typo_scan_skips_words_whose_letters_are_too_far_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.search import dutch, spelling

    backend = EmbeddedBackend(tmp_path / "idx")
    body = "provinciehuis prototypebouw procesinnovatie proefopstelling productiviteit"
    backend.index([replace(make_doc(1), body=body)])
    measured: list[str] = []
    distance = dutch.edit_distance

    def counting(a: str, b: str, limit: int) -> int:
        measured.append(b)
        return distance(a, b, limit)

    monkeypatch.setattr(dutch, "edit_distance", counting)
    near = spelling.neighbours(backend._searcher(), "all_raw", "productivitijt", 2)
    assert near[0][:2] == ("productiviteit", 2)
    # Words of about the same length but other letters are never measured.
    assert measured == ["productiviteit"]


def test_the_hits_of_one_query_analyse_each_word_once_for_their_snippets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = EmbeddedBackend(tmp_path / "idx")
    backend.index([make_doc(i) for i in range(5)])
    analysed: list[str] = []
    matches = highlight.Matcher._matches

    def counting(self: highlight.Matcher, word: str) -> bool:
        analysed.append(word)
        return matches(self, word)

    monkeypatch.setattr(highlight.Matcher, "_matches", counting)
    results = backend.search(SearchQuery(q="rooster"))
    assert len(results.hits) == 5
    assert all("<mark>rooster</mark>" in h.snippet for h in results.hits)
    assert analysed and len(analysed) == len(set(analysed))


def test_facets_are_aggregated_below_a_share_of_the_index_and_walked_above_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.search import embedded

    monkeypatch.setattr(embedded, "AGGREGATE_BELOW", 0)
    monkeypatch.setattr(embedded, "AGGREGATE_SHARE", 0.1)
    backend = EmbeddedBackend(tmp_path / "idx", cache_size=0)
    rare = [replace(make_doc(i, "Werkdruk meten"), themes=("werkdruk",)) for i in range(3)]
    backend.index(rare + [make_doc(i) for i in range(3, 40)])
    calls = _count_passes(backend, monkeypatch)
    assert backend.search(SearchQuery(q="werkdruk")).facets["theme"] == {"werkdruk": 3}
    assert calls[-1] == "aggregate"  # 3 of 40 documents: within a tenth
    every = backend.search(SearchQuery(q="roosteren")).facets["theme"]
    assert every == {"slim-roosteren": 37, "werkdruk": 3}
    assert calls[-1] == "facets"  # all 40


def test_the_match_only_query_skips_synonym_phrases_a_single_word_synonym_covers(
    tmp_path: Path,
) -> None:
    from backend.search import tantivy_query

    backend = EmbeddedBackend(tmp_path / "idx")
    solo = replace(make_doc(1, "Zelfstandige zonder personeel"), summary="", body="")
    backend.index([solo, replace(make_doc(2, "Een zelfstandig ondernemer"), summary="", body="")])
    plan = tantivy_query.build(backend._schema, "zzp ", backend._searcher())
    assert plan is not None
    # "zelfstandige" matches every document that "zelfstandige zonder personeel" or
    # "zelfstandig ondernemer" matches: the counting query reads no positions for them ...
    assert "PhraseQuery" not in repr(plan.strict_match)
    # ... while the scoring keeps them (a phrase in the title scores above its words apart).
    assert "PhraseQuery" in repr(plan.strict)
    results = backend.search(SearchQuery(q="zzp"))
    assert results.total == 2 and results.facets["type"] == {"practice": 2}


def test_a_repeated_page_is_answered_from_the_cache_until_the_next_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = EmbeddedBackend(tmp_path / "idx")
    backend.index([make_doc(1), replace(make_doc(2), themes=("werkdruk",))])
    calls = _count_passes(backend, monkeypatch)
    first = backend.search(SearchQuery(q="roosteren"))
    assert "search" in calls
    calls.clear()
    again = backend.search(SearchQuery(q="roosteren"))
    assert calls == []  # no pass over the index at all: not even the scoring one
    assert (again.hits, again.total, again.facets) == (first.hits, first.total, first.facets)
    # A caller's change does not reach the cache.
    again.hits.clear()
    again.facets["theme"]["werkdruk"] = 99
    third = backend.search(SearchQuery(q="roosteren"))
    assert third.hits == first.hits and third.facets["theme"]["werkdruk"] == 1
    # Another page, sort or filter is another entry.
    backend.search(SearchQuery(q="roosteren", page=2))
    assert calls == ["search"]
    # A commit starts an empty cache: the new document is found at once.
    backend.index([replace(make_doc(3), title="Roosteren met een app")])
    assert backend.search(SearchQuery(q="roosteren")).total == 3


def test_the_cache_keeps_a_round_of_typing(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of prefixes asked in turn (the load bench's typing: 434) come round again from
    the cache: each takes three entries (plan, counts, page), and an LRU that held fewer
    evicted every one of them before its turn came again."""
    backend = EmbeddedBackend(tmp_path / "idx")
    backend.index([make_doc(1), replace(make_doc(2), title="Roosters plannen met de ploeg")])
    texts = [f"roost {n}" for n in range(450)]
    for q in texts:
        backend.search(SearchQuery(q=q))
    calls = _count_passes(backend, monkeypatch)
    for q in texts:
        backend.search(SearchQuery(q=q))
    assert calls == []


def test_without_a_cache_every_search_reads_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = EmbeddedBackend(tmp_path / "idx", cache_size=0)
    backend.index([make_doc(1)])
    calls = _count_passes(backend, monkeypatch)
    backend.search(SearchQuery(q="roosteren"))
    backend.search(SearchQuery(q="roosteren"))
    assert calls.count("search") == 2


def test_large_pages_are_not_cached_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.search import embedded

    backend = EmbeddedBackend(tmp_path / "idx")
    backend.index([make_doc(1)])
    calls = _count_passes(backend, monkeypatch)
    big = SearchQuery(q="roosteren", per_page=embedded.CACHED_PAGE_MAX + 1)
    assert backend.search(big).total == backend.search(big).total == 1
    assert calls.count("search") == 2  # the counts come from the cache, the page does not


def test_folding_an_ascii_text_takes_the_lower_case_shortcut_with_the_same_result() -> None:
    ascii_text = "".join(chr(c) for c in range(128))
    assert highlight.fold_aligned(ascii_text) == ascii_text.translate(highlight._FOLD)
    mixed = "Financiële STEUN voor Één Ondernemer"
    folded = highlight.fold_aligned(mixed)
    assert folded == "financiele steun voor een ondernemer" and len(folded) == len(mixed)
