"""What keeps the finder fast (issue 19 item 4) and still current: the published schemes' facts
are loaded once per content version, day and taxonomy; the municipality datalist is made once
per list and language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from markupsafe import Markup, escape
from sqlmodel import Session, select

from backend.content import queries as content_q
from backend.content import service as content
from backend.content.models import ContentItem, Theme
from backend.content.views import ItemView
from backend.core import i18n
from backend.regions import service as regions
from backend.regions.index import MunicipalityHit, MunicipalityInfo
from backend.regions.routes_html import municipality_datalist
from backend.schemes import routes_html as routes
from backend.schemes import service
from tests.client import LoketClient
from tests.factories.content import create_organisation, create_scheme


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every load of the schemes' views from the database."""
    calls: list[str] = []
    real = content_q.published_views

    def counted(session: Session, type_: str) -> list[ItemView]:
        calls.append(type_)
        return real(session, type_)

    monkeypatch.setattr(content_q, "published_views", counted)
    return calls


def _titles(session: Session) -> dict[str, str]:
    return {s.slug: s.title for s in service.published_schemes(session)}


def test_facts_are_loaded_once_and_follow_every_change(
        session: Session, finder_data: None, loads: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    tno = create_organisation(session, "TNO", slug="tno")
    robots = create_scheme(session, "Robots", slug="robots", provider="tno")
    create_scheme(session, "Bouw", slug="bouw")
    session.commit()
    assert _titles(session) == {"robots": "Robots", "bouw": "Bouw"}
    assert _titles(session) == {"robots": "Robots", "bouw": "Bouw"}
    assert service.find_schemes(session, service.ProfileParams.build(size="klein")).matches
    assert loads == ["scheme"]  # three readers, one load

    content.update_item(session, robots, {"title": "Robots 2"}, "test")
    session.commit()
    assert _titles(session)["robots"] == "Robots 2"
    content.update_item(session, tno, {"title": "TNO Nederland"}, "test")  # the provider
    session.commit()
    assert [s.provider for s in service.published_schemes(session)
            if s.slug == "robots"] == ["TNO Nederland"]
    content.unpublish_item(session, robots, "test")
    session.commit()
    assert set(_titles(session)) == {"bouw"}
    content.delete_item(session, _item(session, "bouw"), "test")
    session.commit()
    assert _titles(session) == {}
    create_scheme(session, "Later", slug="later")
    session.commit()
    assert set(_titles(session)) == {"later"}
    assert len(loads) == 6

    # A new day: terms can turn stale overnight.
    # (the service's day is Amsterdam's: an hour or two ahead of the machine's UTC date)
    tomorrow = service.today() + timedelta(days=1)
    monkeypatch.setattr(service, "today", lambda: tomorrow)
    assert set(_titles(session)) == {"later"}
    assert len(loads) == 7


def _item(session: Session, slug: str) -> ContentItem:
    return session.exec(select(ContentItem).where(ContentItem.slug == slug)).one()


def test_facts_are_not_shared_between_databases(session: Session, finder_data: None) -> None:
    create_scheme(session, "Robots", slug="robots")
    session.commit()
    key = content_q.content_version(session)
    assert key[0] == str(session.get_bind().engine.url)


def _hit(name: str, matched: str) -> MunicipalityHit:
    info = MunicipalityInfo(code="GM0001", name=name, province_code="PV21",
                            province_name="Overijssel")
    return MunicipalityHit(info, matched)


def test_the_datalist_is_made_once_per_list_and_language() -> None:
    options = [_hit("'s-Hertogenbosch", "'s-Hertogenbosch"),
               _hit("Meierijstad", 'Veghel <"b">')]
    token = i18n.set_language("nl")
    try:
        html = municipality_datalist(options)
        assert isinstance(html, Markup)
        assert str(html) == (
            '<option value="&#39;s-Hertogenbosch"></option>'
            '<option value="Meierijstad" label="Veghel &lt;&#34;b&#34;&gt; (nu Meierijstad)">'
            '</option>')
        assert municipality_datalist(options) is html
        assert municipality_datalist(list(options)) is html  # a copy of the same hits
        other = [_hit("'s-Hertogenbosch", "'s-Hertogenbosch")]
        assert municipality_datalist(other) is not html  # other hits: made again
    finally:
        i18n.reset_language(token)
    token = i18n.set_language("en")
    try:
        assert "(now Meierijstad)" in municipality_datalist(options)
    finally:
        i18n.reset_language(token)


def test_the_finder_page_lists_every_municipality(client: LoketClient, session: Session,
                                                  finder_data: None) -> None:
    text = client.get("/regelingen/zoeker").text
    options = regions.all_options(session)
    assert text.count("<option value=") >= len(options) > 300
    former = next(h for h in options if h.matched != h.municipality.name)
    assert f'label="{escape(former.matched)} (nu {escape(former.municipality.name)})"' in text


def test_the_cost_kinds_offered_follow_the_schemes(session: Session, finder_data: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []
    real = content_q.cost_kinds_in_use

    def counted(s: Session) -> list[str]:
        reads.append(1)
        return real(s)

    monkeypatch.setattr(content_q, "cost_kinds_in_use", counted)
    robots = create_scheme(session, "Robots", slug="robots", cost_kinds=["advies"])
    session.commit()
    assert service.cost_kind_options(session) == [("advies", "Advies")]
    assert service.cost_kind_options(session) == [("advies", "Advies")]
    assert len(reads) == 1  # kept per content version
    content.update_item(session, robots, {"cost_kinds": ["opleiding"]}, "test")
    session.commit()
    assert service.cost_kind_options(session) == [("opleiding", "Opleiding")]
    token = i18n.set_language("en")
    try:
        assert service.cost_kind_options(session) == [("opleiding", "Training")]
    finally:
        i18n.reset_language(token)


def test_a_results_made_parts_follow_the_scheme_and_language(
        client: LoketClient, session: Session, finder_data: None) -> None:
    robots = create_scheme(session, "Robots", slug="robots", summary="Voor robots.",
                           title_en="Robots EN", budget_status="limited",
                           first_come_first_served=True)
    session.commit()
    path = "/regelingen/zoeker?size=klein"
    text = client.get(path).text
    assert ">Robots</a></h4>" in text and "Voor robots." in text
    assert "Nog beperkt budget" in text and "Wie het eerst komt" in text
    client.cookies.set("loket_lang", "en")
    text = client.get(path).text
    assert ">Robots EN</a></h4>" in text and '<p lang="nl">Voor robots.</p>' in text
    assert "Limited budget left" in text and "First come, first served" in text
    client.cookies.set("loket_lang", "nl")
    content.update_item(session, robots, {"title": "Robots 2", "budget_status": "open"}, "test")
    session.commit()
    text = client.get(path).text
    assert ">Robots 2</a></h4>" in text and "Nog beperkt budget" not in text


def _item_of(text: str, slug: str) -> str:
    start = text.rindex('<li class="scheme-match', 0, text.index(f'<a href="/regelingen/{slug}">'))
    return text[start:text.index("</li>\n", start)]


def test_a_results_item_is_made_from_kept_parts_and_its_own_reasons(
        client: LoketClient, session: Session, finder_data: None) -> None:
    """A result's head and terms are made once per scheme's facts, language, verdict and
    status; its reasons every time, escaped, under their headings in their order."""
    theme = session.exec(select(Theme).where(Theme.slug == "financiering")).one()
    theme.name_nl = "R&D <financiering>"
    session.add(theme)
    create_scheme(session, "Robots", slug="robots", closes_on=None, first_come_first_served=True)
    session.commit()
    params = {"size": "groot"}  # not for this size: a miss; the themes are not said: unknown
    item = _item_of(client.get("/regelingen/zoeker", params=params).text, "robots")
    why, why_not, good = (item.index(f'<p class="scheme-match__heading">{h}</p>')
                          for h in ("Waarom dit past", "Waarom niet", "Goed om te weten"))
    assert why < why_not < good
    assert "R&amp;D &lt;financiering&gt;" in item and "<financiering>" not in item
    assert item.index("explanation__item--unknown") < item.index(
        "explanation__item--info")  # what the profile does not say, then what is worth knowing
    assert 'scheme-match--near_miss">' in item and '<span class="badge">Past bijna</span>' in item
    english = client.get("/regelingen/zoeker", params={**params, "lang": "en"}).text
    assert '<p class="scheme-match__heading">Why not</p>' in _item_of(english, "robots")
    # the same facts: the same head, kept
    heads = dict(routes._heads._memos)
    assert any(key[1] == "robots" for key in heads)
    client.get("/regelingen/zoeker", params=params)
    assert all(routes._heads._memos[k].peek() is v.peek() for k, v in heads.items())
    # an edit is new facts: made again, with the new title
    content.update_item(session, _item(session, "robots"), {"title": "Robots 2"}, "test")
    session.commit()
    assert ">Robots 2</a>" in _item_of(
        client.get("/regelingen/zoeker", params=params).text, "robots")
