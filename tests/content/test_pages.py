"""Public pages: search (full page and HTMX fragment), browse and detail pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from fastapi import FastAPI
from sqlmodel import Session

from backend.search import Health, Results, SearchDoc, SearchQuery, SearchUnavailable
from tests.client import LoketClient
from tests.factories.content import (
    create_event,
    create_item,
    create_organisation,
    create_scheme,
)

HX = {"HX-Request": "true"}


def _seed(session: Session) -> None:
    rvo = create_organisation(session, title="Rijksdienst voor Ondernemend Nederland",
                              slug="rvo")
    create_scheme(session, title="Subsidie voor robotisering", provider=rvo.slug, slug="robots",
                  body_md="Geld voor **robots** en cobots in de maakindustrie.",
                  funding_rate=40, max_amount=20000, cost_kinds=["investering"])
    create_item(session, title="Cobots bij een installateur", slug="cobots-installateur",
                themes=["robotisering-automatisering"], sectors=["installatie"],
                regions=["overijssel"], source_title="Expeditie Werkkracht (2026)",
                source_section="Route Technologie", related=["scheme:robots"])
    create_item(session, title="Geheime robotplannen", publish=False)
    create_event(session, title="Workshop robots programmeren")
    session.commit()


def test_search_page_lists_hits_with_facets_and_marks(client: LoketClient, session: Session,
                                                      taxonomy: None,
                                                      drain: Callable[[], int]) -> None:
    _seed(session)
    drain()
    r = client.get("/zoeken", params={"q": "robots"})
    assert r.status_code == 200
    assert "HX-Request" in r.headers["vary"]
    html = r.text
    assert "<html" in html and 'id="search-results"' in html
    assert "Subsidie voor robotisering" in html and "Workshop robots programmeren" in html
    assert "Geheime robotplannen" not in html  # drafts are never found
    assert "<mark>" in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert 'hx-push-url="true"' in html
    # facets with counts, as links that work without JavaScript
    assert "/zoeken?q=robots&amp;type=scheme" in html
    assert 'class="count"' in html


def test_search_fragment_for_htmx(client: LoketClient, session: Session, taxonomy: None,
                                  drain: Callable[[], int]) -> None:
    _seed(session)
    drain()
    r = client.get("/zoeken", params={"q": "robots", "type": "scheme"}, headers=HX)
    assert r.status_code == 200
    assert "HX-Request" in r.headers["vary"]
    assert "<html" not in r.text and "site-header" not in r.text
    assert "Subsidie voor robotisering" in r.text
    assert "Workshop robots programmeren" not in r.text  # filtered on type
    assert '<input type="hidden" name="type" value="scheme">' in r.text


def test_search_filters_and_sorting(client: LoketClient, session: Session, taxonomy: None,
                                    drain: Callable[[], int]) -> None:
    _seed(session)
    drain()
    r = client.get("/zoeken", params={"theme": "robotisering-automatisering",
                                      "sector": "bouw", "sort": "newest"})
    assert "Cobots bij een installateur" in r.text  # found under the parent sector
    assert "Subsidie voor robotisering" not in r.text
    assert '<option value="newest" selected>' in r.text


def test_empty_result_offers_a_way_on(client: LoketClient, session: Session, taxonomy: None,
                                      drain: Callable[[], int]) -> None:
    _seed(session)
    drain()
    r = client.get("/zoeken", params={"q": "robotz", "type": "event", "region": "gelderland"})
    assert r.status_code == 200
    text = r.text
    assert "Niets gevonden" in text or "Nothing found" in text
    assert "/zoeken?q=robotz&amp;region=gelderland" in text  # broader: without the type filter
    assert "/zoeken?q=robotz" in text


def test_ask_door_shows_only_when_it_exists(app: FastAPI, client: LoketClient,
                                            session: Session, taxonomy: None) -> None:
    r = client.get("/zoeken", params={"q": "qqqqzzzz"})
    from starlette.routing import Match

    scope = {"type": "http", "method": "GET", "path": "/vraag", "root_path": ""}
    has_door = any(route.matches(scope)[0] == Match.FULL for route in app.router.routes)
    empty = r.text.split('class="info-band kb-empty"', 1)[-1]
    assert ('href="/vraag"' in empty) == has_door


class _Down:
    name = "down"

    def search(self, query: SearchQuery) -> Results:
        raise SearchUnavailable("engine down")

    def index(self, docs: Sequence[SearchDoc]) -> None:
        raise SearchUnavailable("engine down")

    def delete(self, ids: Sequence[str]) -> None:
        raise SearchUnavailable("engine down")

    def health(self) -> Health:
        return Health(ok=False, backend="down", documents=0, detail="engine down")

    def clear(self) -> None:
        raise SearchUnavailable("engine down")

    def reindex_all(self, docs: Iterable[SearchDoc],
                    progress: Callable[[int], None] | None = None) -> int:
        raise SearchUnavailable("engine down")


class _Broken(_Down):
    def search(self, query: SearchQuery) -> Results:
        raise RuntimeError("index corrupt")


def test_search_page_survives_an_engine_failure(app: FastAPI, client: LoketClient) -> None:
    for backend in (_Down(), _Broken()):
        app.state.search_backend = backend
        r = client.get("/zoeken", params={"q": "robots"})
        assert r.status_code == 200
        assert "Zoeken is tijdelijk niet beschikbaar" in r.text
        fragment = client.get("/zoeken", params={"q": "robots"}, headers=HX)
        assert fragment.status_code == 200 and "tijdelijk niet beschikbaar" in fragment.text
        assert client.get("/").status_code == 200


def test_browse_pages_filter_from_the_database(client: LoketClient, session: Session,
                                               taxonomy: None) -> None:
    _seed(session)
    for path in ("/kennisbank", "/kennisbank/goede-voorbeelden", "/kennisbank/praktijkcasussen",
                 "/regelingen", "/experts", "/agenda", "/organisaties", "/kennisbank/vragen"):
        assert client.get(path).status_code == 200, path
    r = client.get("/kennisbank/goede-voorbeelden")
    assert "Cobots bij een installateur" in r.text and "Geheime robotplannen" not in r.text
    assert '<option value="installatie"' in r.text
    r = client.get("/kennisbank/goede-voorbeelden", params={"region": "gelderland"})
    assert "Cobots bij een installateur" not in r.text
    r = client.get("/regelingen", params={"status": "open", "kind": "subsidy"}, headers=HX)
    assert "<html" not in r.text and "Subsidie voor robotisering" in r.text
    r = client.get("/agenda")
    assert "Workshop robots programmeren" in r.text


def test_detail_pages_show_terms_source_and_related(client: LoketClient, session: Session,
                                                    taxonomy: None) -> None:
    _seed(session)
    r = client.get("/regelingen/robots")
    assert r.status_code == 200
    text = r.text
    assert "<strong>robots</strong>" in text  # rendered Markdown
    assert "40%" in text and "20.000" in text  # terms table in Dutch number format
    assert 'href="/organisaties/rvo"' in text
    assert 'href="/kennisbank/goede-voorbeelden/cobots-installateur"' in text  # related, back
    r = client.get("/kennisbank/goede-voorbeelden/cobots-installateur")
    assert "Expeditie Werkkracht (2026)" in r.text and "Route Technologie" in r.text
    assert 'href="/regelingen/robots"' in r.text
    r = client.get("/organisaties/rvo")
    assert 'href="/regelingen/robots"' in r.text  # where the organisation is named


def test_drafts_and_unknown_items_are_404(client: LoketClient, session: Session,
                                          taxonomy: None) -> None:
    _seed(session)
    assert client.get("/kennisbank/goede-voorbeelden/geheime-robotplannen").status_code == 404
    assert client.get("/regelingen/bestaat-niet").status_code == 404


def test_pages_in_english(client: LoketClient, session: Session, taxonomy: None) -> None:
    _seed(session)
    client.cookies.set("loket_lang", "en")
    r = client.get("/regelingen/robots")
    assert '<html lang="en">' in r.text and "Terms at a glance" in r.text
    # The item itself is Dutch: the English page says so and marks the text as Dutch.
    assert "This content is only available in Dutch." in r.text
    assert '<article class="kb-detail" aria-labelledby="kb-title" lang="nl">' in r.text
    client.cookies.set("loket_lang", "nl")
    r = client.get("/regelingen/robots")
    assert "This content is only available in Dutch." not in r.text
    assert "alleen in het Nederlands" not in r.text


def test_detail_routes_do_not_shadow_fixed_pages(app: FastAPI, client: LoketClient) -> None:
    from starlette.routing import Match

    scope = {"type": "http", "method": "GET", "path": "/regelingen/zoeker", "root_path": ""}
    finder = any(route.matches(scope)[0] == Match.FULL for route in app.router.routes)
    assert ('href="/regelingen/zoeker"' in client.get("/").text) == finder
    if not finder:
        assert client.get("/regelingen/zoeker").status_code == 404


def test_search_pages_through_results(client: LoketClient, session: Session, taxonomy: None,
                                      drain: Callable[[], int]) -> None:
    for n in range(12):
        create_item(session, title=f"Roosteren in bedrijf {n}", slug=f"roosteren-{n}")
    session.commit()
    drain()
    first = client.get("/zoeken", params={"q": "roosteren"})
    assert first.text.count('<p class="kb-meta"><span class="badge">') == 10
    assert "12 resultaten" in first.text
    assert 'href="/zoeken?q=roosteren&amp;page=2" rel="next"' in first.text
    second = client.get("/zoeken", params={"q": "roosteren", "page": "2"}, headers=HX)
    assert second.text.count('<p class="kb-meta"><span class="badge">') == 2
    assert 'rel="prev"' in second.text
