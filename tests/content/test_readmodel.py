"""List and item pages read the published items' views once per content version and taxonomy
(``content.readmodel``, issue 19 item 4), and show every change at the next request."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from backend.content import readmodel
from backend.content import service as content
from backend.content import taxonomy as tx
from backend.content.models import ContentItem, ThemeCreate
from tests.client import LoketClient
from tests.factories.content import create_item, create_organisation


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many items each build of the kept views loaded."""
    done: list[int] = []
    real = readmodel.load_views

    def counted(session: Session, items: Any, tax: Any = None) -> Any:
        done.append(len(items))
        return real(session, items, tax)

    monkeypatch.setattr(readmodel, "load_views", counted)
    return done


def test_pages_read_the_views_once_and_follow_every_change(
        client: LoketClient, session: Session, taxonomy: None, builds: list[int]) -> None:
    other = create_item(session, "practice", title="Slim plannen",
                        themes=["robotisering-automatisering"])
    item = create_item(session, "practice", title="Cobots in de werkplaats",
                       themes=["robotisering-automatisering"], related=["practice:slim-plannen"])
    session.commit()
    page, listing = "/kennisbank/goede-voorbeelden/cobots-in-de-werkplaats", \
        "/kennisbank/goede-voorbeelden"
    for _ in range(2):
        assert "Slim plannen" in client.get(page).text
        assert "Cobots in de werkplaats" in client.get(listing).text
    assert builds == [2]  # both practices, once for both pages and both visits

    content.update_item(session, item, {"title": "Cobots aan de lopende band"}, "test")
    session.commit()
    assert "Cobots aan de lopende band" in client.get(page).text
    assert "Cobots aan de lopende band" in client.get(listing).text
    # The related item is another row: renaming it changes the item's page too.
    content.update_item(session, other, {"title": "Slimmer plannen"}, "test")
    session.commit()
    assert "Slimmer plannen" in client.get(page).text
    assert builds == [2, 2, 2]

    # A renamed theme is a new taxonomy: the kept views are read again.
    tx.update_theme(session, tx.load(session).by_slug["theme"]["robotisering-automatisering"].id
                    or 0, ThemeCreate(name_nl="Robots en automatisering",
                                         pillar="technologie", name_en="Robots"))
    session.commit()
    assert "Robots en automatisering" in client.get(page).text
    assert builds == [2, 2, 2, 2]

    content.unpublish_item(session, item, "test")
    session.commit()
    assert client.get(page).status_code == 404
    assert "Cobots" not in client.get(listing).text


def test_an_organisations_page_lists_what_names_it_after_a_change(
        client: LoketClient, session: Session, taxonomy: None) -> None:
    create_organisation(session, title="Brainport Development")
    session.commit()
    page = "/organisaties/brainport-development"
    assert "Robots in Helmond" not in client.get(page).text
    create_item(session, "practice", title="Robots in Helmond",
                organisations=["brainport-development"])
    session.commit()
    assert "Robots in Helmond" in client.get(page).text


def test_kept_items_belong_to_no_session(session: Session, taxonomy: None) -> None:
    create_item(session, "practice", title="Cobots")
    session.commit()
    view = readmodel.published(session, "practice").by_slug["cobots"]
    assert sa.inspect(view.item).session is None
    assert session.get(ContentItem, view.id) is not view.item


def test_a_list_pages_ids_are_read_once_per_content_version(
        client: LoketClient, session: Session, taxonomy: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``readmodel.page_ids``: the list query runs once per filters, page and content version,
    and again after any change."""
    calls: list[Any] = []
    real = content.list_item_ids

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(content, "list_item_ids", counted)
    readmodel._pages.clear()
    create_item(session, "practice", title="Cobots in de werkplaats",
                themes=["robotisering-automatisering"])
    session.commit()
    listing = "/kennisbank/goede-voorbeelden"
    for _ in range(2):
        assert "Cobots in de werkplaats" in client.get(listing).text
        client.get(listing, params={"theme": "robotisering-automatisering"})
    assert len(calls) == 2  # no filter, one theme: once each

    create_item(session, "practice", title="Slim plannen")
    session.commit()
    assert "Slim plannen" in client.get(listing).text
    assert "Cobots in de werkplaats" in client.get(
        listing, params={"theme": "robotisering-automatisering"}).text
    assert len(calls) == 4
    # A renamed theme slug is another taxonomy: the filter is read again.
    theme = tx.load(session).by_slug["theme"]["robotisering-automatisering"]
    session.execute(sa.update(type(theme)).where(type(theme).id == theme.id)
                    .values(slug="robots"))
    session.commit()
    assert "Cobots in de werkplaats" not in client.get(
        listing, params={"theme": "robotisering-automatisering"}).text
    assert "Cobots in de werkplaats" in client.get(listing, params={"theme": "robots"}).text


def test_a_list_pages_ids_follow_the_day(session: Session, taxonomy: None,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A scheme's status filter depends on the date: kept ids are per day."""
    from datetime import timedelta

    from backend.content import views
    from tests.factories.content import create_scheme

    readmodel._pages.clear()
    create_scheme(session, title="Sluit vandaag", closes_on=views.today())
    session.commit()

    def open_ids() -> list[int]:
        kept = readmodel.published(session, "scheme")
        return readmodel.page_ids(session, kept, content.ListFilters(
            types=("scheme",), scheme_statuses=["open"]), page=1, per_page=20, order="title",
            find=content.list_item_ids)[0]

    assert len(open_ids()) == 1
    tomorrow = views.today() + timedelta(days=1)
    monkeypatch.setattr(readmodel, "today", lambda: tomorrow)
    monkeypatch.setattr(content, "today", lambda: tomorrow)
    assert open_ids() == []


def test_kept_list_pages_are_bounded() -> None:
    from backend.core.memo import Memos

    memos: Memos[int, int, int] = Memos(limit=3)
    for group in range(10):
        assert memos.get(group, 0, lambda g=group: g) == group  # type: ignore[misc]
    assert len(memos) == 3
    assert readmodel._pages._limit == 1024


def test_a_list_pages_cards_are_made_once_per_view_language_and_day(
        client: LoketClient, session: Session, taxonomy: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``routes_html.item_card``: a card is kept while its view (per content version) and the
    day are the same, in each language; a scheme's status badge follows the date."""
    from datetime import timedelta

    from backend.content import routes_html, views
    from backend.core import i18n
    from tests.factories.content import create_scheme

    made: list[int] = []
    real = routes_html.env.get_template

    def counted(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "content/_macros.html":
            made.append(1)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(routes_html.env, "get_template", counted)
    create_scheme(session, title="Sluit vandaag", closes_on=views.today())
    session.commit()
    view = readmodel.published(session, "scheme").by_slug["sluit-vandaag"]
    card = routes_html.item_card(view)
    assert "kb-status--open" in card and routes_html.item_card(view) is card
    assert made == [1]
    token = i18n.set_language("en")
    try:
        english = routes_html.item_card(view)
    finally:
        i18n.reset_language(token)
    assert english is not card and made == [1, 1]

    tomorrow = views.today() + timedelta(days=1)
    monkeypatch.setattr(views, "today", lambda: tomorrow)
    monkeypatch.setattr(routes_html, "today", lambda: tomorrow)
    assert "kb-status--closed" in routes_html.item_card(view)

    content.update_item(session, _item(session, "sluit-vandaag"), {"title": "Sluit morgen"},
                        "test")
    session.commit()
    renamed = readmodel.published(session, "scheme").by_slug["sluit-vandaag"]
    assert "Sluit morgen" in routes_html.item_card(renamed)


def _item(session: Session, slug: str) -> ContentItem:
    from sqlmodel import select

    found = session.exec(select(ContentItem).where(ContentItem.slug == slug)).one()
    return found
