"""Search as you type (``GET /zoeken?q=…`` with ``HX-Request``): what each keystroke shows.

The fragment a prefix answers is pinned for a few prefixes of a small knowledge base — the
hits in order with their snippets, the count line, every facet's values with their counts and
the spelling suggestion — so that work on how the answer is computed (caches, threads, the
engine's counting) cannot change what a visitor sees. A second test checks that the answer of a
prefix is the same, byte for byte, the first time and when it comes from the engine's cache
of the index generation or from the page cache.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from sqlmodel import Session

from backend.core.pagecache import HIT
from tests.client import LoketClient
from tests.factories.content import create_event, create_item, create_organisation, create_scheme

HX = {"HX-Request": "true"}


def _seed(session: Session) -> None:
    rvo = create_organisation(session, title="Rijksdienst voor Ondernemend Nederland",
                              slug="rvo")
    create_scheme(session, title="Subsidie voor robotisering", provider=rvo.slug, slug="robots",
                  summary="Geld voor robots en cobots in de maakindustrie.",
                  body_md="Geld voor **robots** en cobots in de maakindustrie.")
    create_scheme(session, title="Opleidingssubsidie personeel", slug="opleiding",
                  themes=["financiering"], company_sizes=["klein"],
                  summary="Subsidie voor opleiding van personeel.",
                  body_md="Scholing en omscholing van personeel in het mkb.")
    create_item(session, title="Cobots bij een installateur", slug="cobots-installateur",
                themes=["robotisering-automatisering"], sectors=["installatie"],
                regions=["overijssel"], summary="Een installateur zet cobots in.",
                body_md="Robotisering bij een installateur met twaalf monteurs.")
    create_item(session, title="Roosters plannen met de ploeg", slug="roosters",
                summary="Slim roosteren in de zorg.",
                body_md="Een rooster dat de ploeg zelf maakt.")
    create_item(session, title="Geheime robotplannen", publish=False)
    create_event(session, title="Workshop robots programmeren",
                 summary="Leer een robot programmeren.")
    session.commit()


def _shown(fragment: str) -> dict[str, object]:
    """What a visitor sees of a fragment."""
    def text(s: str) -> str:
        return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", s))).strip()

    facets = []
    for legend, body in re.findall(r"<legend>(.*?)</legend>(.*?)</fieldset>", fragment, re.S):
        values = re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>\s*<span class="count"[^>]*>(\d+)<',
                            body, re.S)
        facets.append((text(legend), [(text(label), int(n), html.unescape(href))
                                      for href, label, n in values]))
    hits = [(text(title), html.unescape(href))
            for href, title in re.findall(r'<h3><a href="([^"]*)"[^>]*>(.*?)</a></h3>', fragment)]
    snippets = re.findall(r'<p class="kb-snippet">(.*?)</p>', fragment, re.S)
    count = re.search(r'class="kb-results-count" role="status">(.*?)</h2>', fragment, re.S)
    suggestion = re.search(r'class="kb-suggestion">(.*?)</p>', fragment, re.S)
    return {"count": text(count.group(1)) if count else None, "hits": hits,
            "snippets": snippets, "facets": facets,
            "suggestion": text(suggestion.group(1)) if suggestion else None,
            "empty": "kb-empty" in fragment}


# prefix -> (count line, hit titles in order, snippets, facets: (title, "label count" in
# order), spelling suggestion); taken from the code before issue 19's work on the mix.
Pinned = tuple[str, tuple[str, ...], tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...],
               str | None]
# The facets every robot prefix shows (the same three items match "rob" … "robotz").
ROBOT_FACETS = (
    ('Soort', ('Agenda 1', 'Goede voorbeelden 1', 'Regelingen 1')),
    ('Thema', ('Robotisering en automatisering 2', 'Financiering en subsidies 1')),
    ('TOP-pijler', ('Technologie 2', 'Organisatie 1')),
    ('Sector', ('Bouwnijverheid 1', 'Installatietechniek 1')),
    ('Regio', ('Heel Nederland 1', 'Overijssel 1')),
    ('Bedrijfsgrootte', ('Klein 1', 'Micro 1')),
    ('Status van de regeling', ('Open 1',)),
)
PINNED: dict[str, Pinned] = {
    'cob': (
        '2 resultaten voor ‘cob’',
        ('Cobots bij een installateur', 'Subsidie voor robotisering'),
        (
            'Een installateur zet <mark>cobots</mark> in.',
            'Geld voor robots en <mark>cobots</mark> in de maakindustrie.',
        ),
        (
            ('Soort', ('Goede voorbeelden 1', 'Regelingen 1')),
            ('Thema', ('Robotisering en automatisering 2', 'Financiering en subsidies 1')),
            ('TOP-pijler', ('Technologie 2', 'Organisatie 1')),
            ('Sector', ('Bouwnijverheid 1', 'Installatietechniek 1')),
            ('Regio', ('Heel Nederland 1', 'Overijssel 1')),
            ('Bedrijfsgrootte', ('Klein 1', 'Micro 1')),
            ('Status van de regeling', ('Open 1',)),
        ),
        None),
    'opleidingssub': (
        '1 resultaat voor ‘opleidingssub’',
        ('Opleidingssubsidie personeel',),
        (
            'Subsidie voor opleiding van personeel.',
        ),
        (
            ('Soort', ('Regelingen 1',)),
            ('Thema', ('Financiering en subsidies 1',)),
            ('TOP-pijler', ('Organisatie 1',)),
            ('Regio', ('Heel Nederland 1',)),
            ('Bedrijfsgrootte', ('Klein 1',)),
            ('Status van de regeling', ('Open 1',)),
        ),
        None),
    'qqqq': (
        '0 resultaten voor ‘qqqq’',
        (),
        (),
        (),
        None),
    'rob': (
        '3 resultaten voor ‘rob’',
        ('Subsidie voor robotisering', 'Workshop robots programmeren',
         'Cobots bij een installateur'),
        (
            'Geld voor <mark>robots</mark> en cobots in de maakindustrie.',
            'Leer een <mark>robot</mark> programmeren.',
            '<mark>Robotisering</mark> bij een installateur met twaalf monteurs.',
        ),
        ROBOT_FACETS,
        None),
    'robo': (
        '3 resultaten voor ‘robo’',
        ('Subsidie voor robotisering', 'Workshop robots programmeren',
         'Cobots bij een installateur'),
        (
            'Geld voor <mark>robots</mark> en cobots in de maakindustrie.',
            'Leer een <mark>robot</mark> programmeren.',
            '<mark>Robotisering</mark> bij een installateur met twaalf monteurs.',
        ),
        ROBOT_FACETS,
        None),
    'robot': (
        '3 resultaten voor ‘robot’',
        ('Workshop robots programmeren', 'Subsidie voor robotisering',
         'Cobots bij een installateur'),
        (
            'Leer een <mark>robot</mark> programmeren.',
            'Geld voor <mark>robots</mark> en cobots in de maakindustrie.',
            '<mark>Robotisering</mark> bij een installateur met twaalf monteurs.',
        ),
        ROBOT_FACETS,
        None),
    'robots': (
        '3 resultaten voor ‘robots’',
        ('Workshop robots programmeren', 'Subsidie voor robotisering',
         'Cobots bij een installateur'),
        (
            'Leer een <mark>robot</mark> programmeren.',
            'Geld voor <mark>robots</mark> en cobots in de maakindustrie.',
            'Een installateur zet cobots in.',
        ),
        ROBOT_FACETS,
        None),
    'robotz': (
        '3 resultaten voor ‘robotz’',
        ('Workshop robots programmeren', 'Subsidie voor robotisering',
         'Cobots bij een installateur'),
        (
            'Leer een <mark>robot</mark> programmeren.',
            'Geld voor <mark>robots</mark> en cobots in de maakindustrie.',
            'Een installateur zet cobots in.',
        ),
        ROBOT_FACETS,
        'Bedoelde u robots?'),
    'roost': (
        '1 resultaat voor ‘roost’',
        ('Roosters plannen met de ploeg',),
        (
            'Slim <mark>roosteren</mark> in de zorg.',
        ),
        (
            ('Soort', ('Goede voorbeelden 1',)),
        ),
        None),
    'subsid': (
        '2 resultaten voor ‘subsid’',
        ('Subsidie voor robotisering', 'Opleidingssubsidie personeel'),
        (
            'Geld voor robots en cobots in de maakindustrie.',
            '<mark>Subsidie</mark> voor opleiding van personeel.',
        ),
        (
            ('Soort', ('Regelingen 2',)),
            ('Thema', ('Financiering en subsidies 2', 'Robotisering en automatisering 1')),
            ('TOP-pijler', ('Organisatie 2', 'Technologie 1')),
            ('Regio', ('Heel Nederland 2',)),
            ('Bedrijfsgrootte', ('Klein 2', 'Micro 1')),
            ('Status van de regeling', ('Open 2',)),
        ),
        None),
    'workshop rob': (
        '1 resultaat voor ‘workshop rob’',
        ('Workshop robots programmeren',),
        (
            'Leer een <mark>robot</mark> programmeren.',
        ),
        (
            ('Soort', ('Agenda 1',)),
        ),
        None),
}


def _compact(shown: dict[str, object]) -> tuple[object, ...]:
    facets = shown["facets"]
    assert isinstance(facets, list) and isinstance(shown["hits"], list)
    return (shown["count"], tuple(t for t, _ in shown["hits"]), tuple(shown["snippets"]),  # type: ignore[arg-type]
            tuple((legend, tuple(f"{label} {n}" for label, n, _ in values))
                  for legend, values in facets),
            shown["suggestion"])


@pytest.mark.parametrize("q", list(PINNED))
def test_each_keystroke_shows_what_it_showed(q: str, client: LoketClient, session: Session,
                                             taxonomy: None, drain: Callable[[], int]) -> None:
    _seed(session)
    drain()
    r = client.get("/zoeken", params={"q": q}, headers=HX)
    assert r.status_code == 200 and "<html" not in r.text
    shown = _shown(r.text)
    assert _compact(shown) == PINNED[q]
    assert shown["empty"] == (not PINNED[q][1])
    # Every facet value links to the same search with that one filter added.
    facets = shown["facets"]
    assert isinstance(facets, list)
    for _legend, values in facets:
        for _label, _n, href in values:
            assert re.fullmatch(r"/zoeken\?q=[^&]+&(type|theme|pillar|sector|region|size|status)"
                                r"=[a-z0-9-]+", href), href
    hits = shown["hits"]
    assert isinstance(hits, list)
    assert all(url.startswith("/") for _title, url in hits)


def test_a_prefix_answers_the_same_from_every_cache(client: LoketClient, session: Session,
                                                    taxonomy: None,
                                                    drain: Callable[[], int]) -> None:
    """Typed once, typed again (rendered, the engine's cache of this index generation
    answering), and typed by everyone after (the page cache fills, then serves)."""
    _seed(session)
    drain()
    client.get("/")  # the CSRF cookie: from now on the page cache may keep these fragments
    rendered = {"Cookie": "other=1", **HX}  # a cookie the page cache does not allow: rendered
    first = {q: client.get("/zoeken", params={"q": q}, headers=rendered).text for q in PINNED}
    for headers, hits in ((rendered, 0), (HX, 0), (HX, len(PINNED))):
        before = HIT._value.get()
        for q in reversed(PINNED):
            assert client.get("/zoeken", params={"q": q}, headers=headers).text == first[q], q
        assert HIT._value.get() - before == hits
