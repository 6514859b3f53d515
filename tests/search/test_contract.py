"""The search contract: every SearchBackend must pass these, on the same Dutch documents.

The embedded backend always runs; Meilisearch runs when MEILI_URL is set (see conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from backend.search import FACET_FIELDS, SearchBackend, SearchDoc, SearchQuery

BackendFactory = Callable[[Sequence[SearchDoc]], SearchBackend]


def _doc(id: str, title: str, summary: str, body: str, published: date, **kw: object) -> SearchDoc:
    type_ = id.split(":", 1)[0]
    when = datetime(published.year, published.month, published.day, 9, 0, tzinfo=UTC)
    return SearchDoc(
        id=id,
        type=type_,
        title=title,
        summary=summary,
        body=body,
        url=f"/kennisbank/{id.replace(':', '/')}",
        published_at=when,
        **kw,  # type: ignore[arg-type]
    )


SCANIA = _doc(
    "practice:scania-leren-op-de-werkvloer",
    "Scania: leren op de werkvloer",
    "Scania in Zwolle koppelt opleiding aan het dagelijkse werk, zodat nieuwe collega's "
    "sneller meedraaien.",
    "Bij Scania Production Zwolle leren operators van ervaren collega's aan de lijn. Het bedrijf "
    "meet de arbeidsproductiviteit per team en ziet dat teams die samen verbeteren minder "
    "uitval hebben.",
    date(2024, 5, 1),
    keywords=("Scania", "leren op de werkplek"),
    themes=("leren-en-ontwikkelen",),
    pillars=("personeel",),
    sectors=("maakindustrie",),
    regions=("overijssel",),
    sizes=("groot",),
)
SLIM = _doc(
    "scheme:slim",
    "SLIM-subsidie voor leren en ontwikkelen",
    "Subsidie voor scholing en leercultuur in het midden- en kleinbedrijf.",
    "Met de SLIM-regeling kunnen ondernemers een bijdrage krijgen voor een analyse van hun "
    "opleidingsbehoefte, loopbaanadvies en de ontwikkeling van een leercultuur. De "
    "aanvraagperiode is in maart.",
    date(2024, 1, 15),
    themes=("leren-en-ontwikkelen",),
    pillars=("personeel",),
    regions=("nl",),
    sizes=("micro", "klein", "middel"),
    status="open",
    closes_on=date(2025, 3, 31),
)
WBSO = _doc(
    "scheme:wbso",
    "WBSO: fiscale regeling voor speur- en ontwikkelingswerk",
    "Ondernemers die technische innovaties ontwikkelen, dragen minder loonheffing af.",
    "De WBSO verlaagt de loonkosten van onderzoek en ontwikkeling. Starters krijgen een extra "
    "aftrek. Aanvragen kan het hele jaar via RVO.",
    date(2023, 12, 1),
    themes=("innovatie",),
    pillars=("technologie",),
    regions=("nl",),
    sizes=("zzp", "micro", "klein", "middel", "groot"),
    status="open",
    closes_on=date(2025, 9, 30),
)
ROBOT = _doc(
    "practice:robotisering-metaalbewerking",
    "Robotisering in de metaalbewerking",
    "Een lasrobot neemt zwaar en eentonig werk over in een klein metaalbedrijf.",
    "Door robotisering konden de lassers zich richten op maatwerk. De eigenaar combineerde de "
    "investering met lean om verspilling in de werkplaats te verminderen.",
    date(2024, 9, 10),
    themes=("robotisering-automatisering", "lean-procesinnovatie"),
    pillars=("technologie",),
    sectors=("maakindustrie",),
    regions=("gelderland",),
    sizes=("klein",),
)
KI_CASE = _doc(
    "case_study:ai-installatiebedrijf",
    "Kunstmatige intelligentie plant onderhoud bij een installatiebedrijf",
    "Een installateur voorspelt storingen met kunstmatige intelligentie en zet monteurs "
    "slimmer in.",
    "Het model leert van meldingen uit het verleden. Monteurs rijden minder vaak voor niets.",
    date(2024, 11, 2),
    themes=("kunstmatige-intelligentie",),
    pillars=("technologie",),
    sectors=("installatietechniek",),
    regions=("noord-brabant",),
    sizes=("middel",),
)
AI_PRACTICE = _doc(
    "practice:ai-offertes",
    "AI-assistent schrijft offertes voor een drukkerij",
    "Een kleine drukkerij laat AI conceptoffertes opstellen, die een medewerker controleert.",
    "De drukkerij bespaart zo vier uur per week. Belangrijk bleek dat medewerkers zelf bepalen "
    "welke teksten de software gebruikt.",
    date(2025, 2, 20),
    themes=("kunstmatige-intelligentie", "digitalisering"),
    pillars=("technologie",),
    sectors=("grafische-industrie",),
    regions=("utrecht",),
    sizes=("micro",),
)
EXPERT = _doc(
    "expert:anna-de-vries",
    "Anna de Vries, financieel adviseur",
    "Begeleidt zelfstandige ondernemers bij hun financiële huishouding en bij het aanvragen "
    "van een krediet.",
    "Anna werkt in Zuid-Holland en spreekt Nederlands en Engels.",
    date(2023, 6, 1),
    themes=("financiering",),
    pillars=("organisatie",),
    regions=("zuid-holland",),
    sizes=("zzp",),
)
EVENT = _doc(
    "event:webinar-groeien-als-zzper",
    "Webinar: groeien als zzp'er",
    "Online bijeenkomst over het aannemen van je eerste medewerker.",
    "Ervaren ondernemers vertellen wat zij leerden toen zij hun eerste personeel in dienst namen.",
    date(2025, 1, 5),
    themes=("personeel-werven",),
    pillars=("personeel",),
    regions=("nl",),
    sizes=("zzp",),
    closes_on=date(2025, 2, 10),
)
LEAN = _doc(
    "practice:lean-productiviteit-mkb",
    "Productiviteit in het mkb verhogen met lean",
    "Een familiebedrijf in Limburg halveerde de doorlooptijd met kleine, dagelijkse verbeteringen.",
    "Elke ochtend bespreekt het team knelpunten bij het bord. Die innovatie in de werkwijze "
    "kostte weinig en leverde veel op.",
    date(2022, 6, 1),
    themes=("lean-procesinnovatie",),
    pillars=("organisatie",),
    sectors=("voedingsmiddelenindustrie",),
    regions=("limburg",),
    sizes=("klein",),
)
MIT = _doc(
    "scheme:mit-haalbaarheid",
    "MIT-haalbaarheidsprojecten",
    "Regionale regeling voor een haalbaarheidsonderzoek naar een innovatief product.",
    "Het budget is op: aanvragen worden verdeeld op volgorde van binnenkomst en de pot voor "
    "dit jaar is uitgeput.",
    date(2024, 3, 15),
    themes=("innovatie",),
    pillars=("technologie",),
    regions=("gelderland", "overijssel"),
    sizes=("micro", "klein", "middel"),
    status="exhausted",
)
FIELDLAB = _doc(
    "organisation:fieldlab-veilige-software",
    "Fieldlab Veilige Software",
    "Test je software veilig voordat klanten er last van hebben.",
    "Voorbeeld van een aanval: <script>alert('hack')</script> in een formulier. Het fieldlab "
    "leert ontwikkelaars invoer te controleren.",
    date(2024, 7, 1),
    themes=("digitalisering",),
    pillars=("technologie",),
    regions=("noord-holland",),
)

DOCS = [SCANIA, SLIM, WBSO, ROBOT, KI_CASE, AI_PRACTICE, EXPERT, EVENT, LEAN, MIT, FIELDLAB]


@pytest.fixture
def backend(make_backend: BackendFactory) -> SearchBackend:
    return make_backend(DOCS)


def ids(backend: SearchBackend, q: str = "", **kw: object) -> list[str]:
    results = backend.search(SearchQuery(q=q, per_page=50, **kw))  # type: ignore[arg-type]
    return [h.id for h in results.hits]


def snippet_of(backend: SearchBackend, q: str, doc_id: str) -> str:
    hits = backend.search(SearchQuery(q=q, per_page=50)).hits
    return next(h.snippet for h in hits if h.id == doc_id)


# --- browsing, health -----------------------------------------------------------------------


def test_empty_query_browses_everything_with_facets(backend: SearchBackend) -> None:
    results = backend.search(SearchQuery())
    assert results.total == len(DOCS)
    assert len(results.hits) == 10
    assert set(results.facets) == set(FACET_FIELDS)
    assert results.facets["type"] == {
        "practice": 4,
        "scheme": 3,
        "case_study": 1,
        "expert": 1,
        "event": 1,
        "organisation": 1,
    }
    assert results.facets["status"] == {"open": 2, "exhausted": 1}
    assert results.facets["theme"]["kunstmatige-intelligentie"] == 2
    assert results.facets["sector"]["maakindustrie"] == 2
    assert results.took_ms > 0


def test_health_counts_documents(backend: SearchBackend) -> None:
    health = backend.health()
    assert health.ok
    assert health.backend == backend.name
    assert health.documents == len(DOCS)


# --- Dutch matching -------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["innovatie", "innovaties"])
def test_stemming_finds_singular_and_plural(backend: SearchBackend, q: str) -> None:
    found = ids(backend, q)
    assert {WBSO.id, LEAN.id} <= set(found)  # WBSO says "innovaties", LEAN "innovatie"


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("subsdie", SLIM.id),  # one edit
        ("robotisring", ROBOT.id),  # one edit
        ("robbotiserin", ROBOT.id),  # two edits, allowed from nine letters
        ("kunstmatige inteligentie", KI_CASE.id),
    ],
)
def test_typos_are_tolerated(backend: SearchBackend, q: str, expected: str) -> None:
    assert expected in ids(backend, q)


def test_short_words_get_no_typos(backend: SearchBackend) -> None:
    # "leen" is one edit from "lean", but four letters is too short to guess.
    assert ids(backend, "leen") == []


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("robot", {ROBOT.id}),
        ("subsi", {SLIM.id}),
        # Against the unstemmed field: the stems of these words are "innoveer", not "innovat".
        ("innovat", {WBSO.id, LEAN.id, MIT.id}),
    ],
)
def test_prefix_of_last_word_matches(backend: SearchBackend, q: str, expected: set[str]) -> None:
    assert expected <= set(ids(backend, q))


@pytest.mark.parametrize("q", ["financiele", "financiële", "FINANCIËLE"])
def test_diacritics_and_case_are_ignored(backend: SearchBackend, q: str) -> None:
    assert EXPERT.id in ids(backend, q)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # Each pair: one document uses the short form, the other the long form.
        ("AI", {KI_CASE.id, AI_PRACTICE.id}),
        ("kunstmatige intelligentie", {KI_CASE.id, AI_PRACTICE.id}),
        ("mkb", {SLIM.id, LEAN.id}),
        ("midden- en kleinbedrijf", {SLIM.id, LEAN.id}),
        ("zzp", {EXPERT.id, EVENT.id}),
        ("zelfstandige", {EXPERT.id, EVENT.id}),
    ],
)
def test_synonyms_work_both_ways(backend: SearchBackend, q: str, expected: set[str]) -> None:
    assert expected <= set(ids(backend, q))


def test_part_of_a_compound_finds_the_compound(backend: SearchBackend) -> None:
    found = ids(backend, "productiviteit")
    assert {SCANIA.id, LEAN.id} <= set(found)  # SCANIA only says "arbeidsproductiviteit"


def test_compound_in_the_query_finds_its_parts(backend: SearchBackend) -> None:
    assert SCANIA.id in ids(backend, "arbeidsproductiviteit")
    # "scholingssubsidie" appears nowhere, but SLIM offers "subsidie voor scholing".
    assert SLIM.id in ids(backend, "scholingssubsidie")


def test_all_words_must_match_when_some_document_has_them_all(backend: SearchBackend) -> None:
    assert ids(backend, "subsidie scholing") == [SLIM.id]
    # Stop words are not required: "voor" and "het" are in nearly every text.
    assert ids(backend, "subsidie voor scholing in het") == [SLIM.id]


def test_falls_back_to_any_word_when_no_document_has_all(backend: SearchBackend) -> None:
    assert SLIM.id in ids(backend, "subsidie fruitbomen")


# --- ranking --------------------------------------------------------------------------------


def test_title_match_ranks_above_body_match(backend: SearchBackend) -> None:
    found = ids(backend, "lean")
    assert found.index(LEAN.id) < found.index(ROBOT.id)


def test_exact_match_ranks_above_typo_and_prefix(make_backend: BackendFactory) -> None:
    day = date(2024, 1, 1)
    # The exact word sits once in a long body; the near miss sits in a short title, where BM25
    # alone would rank it higher.
    filler = "Het team bespreekt elke week de voortgang met de klant en de leverancier. " * 12
    typo_in_title = _doc("practice:a", "Planting van fruitbomen", "Een boomgaard.", "", day)
    exact_in_body = _doc(
        "practice:b", "Werkoverleg", "Afspraken.", filler + "Een goede planning helpt.", day
    )
    prefix_in_title = _doc("practice:c", "Robotisering van de inpaklijn", "Dozen.", "", day)
    exact_prefix_in_body = _doc("practice:d", "Inpakken", "Dozen.", filler + "Een robot.", day)
    backend = make_backend([typo_in_title, exact_in_body, prefix_in_title, exact_prefix_in_body])
    assert ids(backend, "planning") == ["practice:b", "practice:a"]
    assert ids(backend, "robot") == ["practice:d", "practice:c"]


def test_document_boost_breaks_ties(make_backend: BackendFactory) -> None:
    day = date(2024, 1, 1)
    plain = _doc("practice:plain", "Slim roosteren", "Roosters.", "Roosters maken.", day)
    boosted = replace(plain, id="practice:boosted", boost=3.0)
    backend = make_backend([plain, boosted])
    assert ids(backend, "roosteren") == ["practice:boosted", "practice:plain"]


def test_substantive_types_rank_above_events_and_organisation_pages(
    make_backend: BackendFactory,
) -> None:
    """Issue 17: the top hit for "subsidie" was a webinar, for "personeelstekort" an
    organisation page. The same text ranks practice, case study and scheme first."""
    day = date(2024, 1, 1)
    texts = ("Personeelstekort aanpakken", "Minder personeelstekort.", "Over personeelstekort.")
    docs = [_doc(f"{t}:x", *texts, day) for t in ("event", "organisation", "practice", "scheme")]
    backend = make_backend(docs)
    top = ids(backend, "personeelstekort")
    assert set(top[:2]) == {"practice:x", "scheme:x"}
    assert set(top[2:]) == {"event:x", "organisation:x"}


# --- facets, filters, sorting, paging -------------------------------------------------------


def test_facet_counts_follow_the_filters(backend: SearchBackend) -> None:
    results = backend.search(SearchQuery(filters={"type": ["scheme"]}))
    assert results.total == 3
    assert results.facets["type"] == {"scheme": 3}
    assert results.facets["status"] == {"open": 2, "exhausted": 1}
    assert results.facets["region"] == {"nl": 2, "gelderland": 1, "overijssel": 1}
    assert results.facets["size"]["klein"] == 3


def test_filters_or_within_a_field_and_across_fields(backend: SearchBackend) -> None:
    either = ids(backend, filters={"type": ["scheme", "event"]})
    assert set(either) == {SLIM.id, WBSO.id, MIT.id, EVENT.id}
    both = ids(backend, filters={"type": ["scheme"], "status": ["open"]})
    assert set(both) == {SLIM.id, WBSO.id}
    assert ids(backend, filters={"type": ["scheme"], "region": ["utrecht"]}) == []


def test_filters_apply_to_text_queries(backend: SearchBackend) -> None:
    results = backend.search(SearchQuery(q="regeling", filters={"status": ["open"]}))
    assert {h.id for h in results.hits} == {SLIM.id, WBSO.id}
    assert results.facets["status"] == {"open": 2}


def test_unknown_filter_field_is_rejected(backend: SearchBackend) -> None:
    with pytest.raises(ValueError, match="colour"):
        backend.search(SearchQuery(filters={"colour": ["red"]}))


def test_sort_newest_first(backend: SearchBackend) -> None:
    expected = [d.id for d in sorted(DOCS, key=lambda d: d.published_at, reverse=True)]
    assert ids(backend, sort="newest") == expected
    assert ids(backend, "regeling", sort="newest") == [MIT.id, SLIM.id, WBSO.id]


def test_sort_closing_soonest_first_and_undated_last(backend: SearchBackend) -> None:
    found = ids(backend, sort="closing")
    assert found[:3] == [EVENT.id, SLIM.id, WBSO.id]
    assert set(found[3:]) == {d.id for d in DOCS if d.closes_on is None}


@pytest.mark.parametrize(
    "q",
    [
        "productiviteit",
        "subsi",
        "subsdie",
        "ai",
        "lean robot",
        "mkb",
        "scholingssubsidie",
        "de",
        "pl",
    ],
)
def test_total_and_facets_agree_with_the_hits(backend: SearchBackend, q: str) -> None:
    results = backend.search(SearchQuery(q=q, per_page=100))
    assert results.total == len(results.hits)
    assert sum(results.facets["type"].values()) == results.total


def test_pagination_covers_every_document_once(backend: SearchBackend) -> None:
    seen: list[str] = []
    for page in (1, 2, 3):
        results = backend.search(SearchQuery(page=page, per_page=4))
        assert results.total == len(DOCS)
        seen += [h.id for h in results.hits]
    assert sorted(seen) == sorted(d.id for d in DOCS)
    beyond = backend.search(SearchQuery(page=4, per_page=4))
    assert beyond.hits == []
    assert beyond.total == len(DOCS)


# --- snippets and suggestions ---------------------------------------------------------------


def test_snippet_marks_matches(backend: SearchBackend) -> None:
    assert "<mark>" in snippet_of(backend, "verspilling", ROBOT.id)


def test_snippet_marks_typo_and_prefix_matches(backend: SearchBackend) -> None:
    assert re.search(r"<mark>robotisering</mark>", snippet_of(backend, "robotisring", ROBOT.id))
    assert re.search(r"<mark>Subsi", snippet_of(backend, "subsi", SLIM.id))


def test_snippet_is_html_escaped(backend: SearchBackend) -> None:
    snippet = snippet_of(backend, "formulier", FIELDLAB.id)
    assert "<mark>formulier</mark>" in snippet
    assert "&lt;script&gt;" in snippet
    assert "<script" not in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_hits_carry_display_fields(backend: SearchBackend) -> None:
    hit = backend.search(SearchQuery(q="wbso")).hits[0]
    assert hit.id == WBSO.id
    assert hit.type == "scheme"
    assert hit.title == WBSO.title
    assert hit.url == "/kennisbank/scheme/wbso"
    assert hit.score > 0


@pytest.mark.parametrize(
    ("q", "suggestion"),
    [
        ("subsdie", "subsidie"),
        ("robotisring lean", "robotisering lean"),
        ("subsidie", None),
        ("qwxzyv", None),
    ],
)
def test_spelling_suggestion(backend: SearchBackend, q: str, suggestion: str | None) -> None:
    assert backend.search(SearchQuery(q=q)).suggestion == suggestion


@pytest.mark.parametrize(
    ("typo", "corrected", "filters"),
    [
        ("subsdie", "subsidie", {}),
        ("robotisring lean", "robotisering lean", {}),
        ("subsdie", "subsidie", {"type": ["scheme"]}),
    ],
)
def test_a_corrected_search_returns_exactly_the_corrected_hits(
    backend: SearchBackend, typo: str, corrected: str, filters: dict[str, list[str]]
) -> None:
    """Issue 17: "subsdie" found 12 while "subsidie" found 19, under "Bedoelde u subsidie?"."""
    wrong = backend.search(SearchQuery(q=typo, filters=filters, per_page=100))
    right = backend.search(SearchQuery(q=corrected, filters=filters, per_page=100))
    assert wrong.suggestion == corrected
    assert right.total > 0
    assert (wrong.total, [h.id for h in wrong.hits]) == (right.total, [h.id for h in right.hits])
    assert [h.score for h in wrong.hits] == [h.score for h in right.hits]
    assert wrong.facets == right.facets


# --- writing --------------------------------------------------------------------------------


def test_delete_removes_documents(backend: SearchBackend) -> None:
    backend.delete([SLIM.id, "scheme:does-not-exist"])
    assert SLIM.id not in ids(backend, "subsidie")
    assert backend.search(SearchQuery()).total == len(DOCS) - 1
    assert backend.health().documents == len(DOCS) - 1


def test_index_upserts_by_id(backend: SearchBackend) -> None:
    changed = replace(
        SLIM,
        title="SLIM-regeling voor wendbare bedrijven",
        summary="Nieuwe ronde.",
        body="Aanvragen in september.",
    )
    backend.index([changed])
    assert backend.search(SearchQuery()).total == len(DOCS)
    assert ids(backend, "wendbare") == [SLIM.id]
    assert ids(backend, "leercultuur") == []


def test_clear_and_reindex_all(backend: SearchBackend) -> None:
    backend.clear()
    assert backend.search(SearchQuery()).total == 0
    assert backend.health().documents == 0
    progress: list[int] = []
    assert backend.reindex_all(iter(DOCS), progress.append) == len(DOCS)
    assert progress and progress[-1] == len(DOCS)
    assert backend.search(SearchQuery()).total == len(DOCS)
    # A rebuild replaces everything: documents not in it are gone.
    assert backend.reindex_all(DOCS[:3]) == 3
    assert set(ids(backend)) == {d.id for d in DOCS[:3]}


@pytest.mark.parametrize("q", ["subsidie", "leren op de werkvloer", "robot lassen subsidie",
                               "scania leren werkplek opleiding", "", "zwaluwstaart"])
def test_a_bare_search_ranks_the_same_hits_without_snippets_or_facets(
        backend: SearchBackend, q: str) -> None:
    """``SearchQuery.bare`` (routing's knowledge-base vote): the same best hits in the same
    order as the full search, and nothing it would not use."""
    full = backend.search(SearchQuery(q=q, per_page=5))
    bare = backend.search(SearchQuery(q=q, per_page=5, bare=True))
    assert [h.id for h in bare.hits] == [h.id for h in full.hits]
    assert bare.total == full.total
    assert all(h.snippet == "" and h.url for h in bare.hits)
    assert not any(bare.facets.values()) and bare.suggestion is None
