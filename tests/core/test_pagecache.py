"""The shared cache of public pages (backend/core/pagecache.py).

A change made behind the ORM's back (plain SQL, as another program would) shows whether a page
came from the cache: the ORM path, which every service uses, must be seen at once.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import sqlalchemy as sa
from fastapi import FastAPI
from sqlmodel import Session

from backend.content import service
from backend.core.db import Database
from backend.core.security import csrf_token_for
from tests.client import LoketClient
from tests.conftest import TEST_SECRET, make_settings
from tests.factories.accounts import create_user
from tests.factories.content import create_item


def page_token(html: str) -> str:
    """The token HTMX sends with every request (``<body hx-headers>``)."""
    match = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


PATH = "/kennisbank/goede-voorbeelden/slim-roosteren"


def rename_behind_the_orm(session: Session, slug: str, title: str) -> None:
    """What an edit in another process leaves in the database (the item's new title, version
    and time, as ``content.service`` writes them), without this process's page cache hearing of
    it: the page cache is what these tests examine, not the read models below it, which follow
    the items' version (``content.readmodel``)."""
    session.execute(sa.text("UPDATE content_item SET title = :t, version = version + 1, "
                            "updated_at = CURRENT_TIMESTAMP WHERE slug = :s"),
                    {"t": title, "s": slug})


def cached_page(client: LoketClient, session: Session) -> str:
    """Fill the cache with the item page; afterwards the stored title differs from the page."""
    create_item(session, title="Slim roosteren")
    session.commit()
    first = client.get(PATH)
    assert first.status_code == 200 and "Slim roosteren" in first.text
    rename_behind_the_orm(session, "slim-roosteren", "Anders genoemd")
    return first.text


def test_an_anonymous_page_is_served_from_the_cache(client: LoketClient,
                                                    session: Session) -> None:
    cached_page(client, session)
    again = client.get(PATH)
    assert "Slim roosteren" in again.text and "Anders genoemd" not in again.text
    # Security headers and a request id of its own, as on any page
    assert again.headers["x-content-type-options"] == "nosniff"
    assert again.headers["content-length"] == str(len(again.content))


def test_a_change_through_the_services_is_seen_at_once(client: LoketClient,
                                                       session: Session) -> None:
    cached_page(client, session)
    item = service.get_item(session, "practice", "slim-roosteren")
    session.refresh(item)
    service.update_item(session, item, {"summary": "Nieuwe samenvatting van het voorbeeld."},
                        "test")
    session.commit()
    page = client.get(PATH)
    assert "Nieuwe samenvatting" in page.text and "Anders genoemd" in page.text
    service.unpublish_item(session, item, "test")
    session.commit()
    assert client.get(PATH).status_code == 404


def test_a_change_by_another_process_is_seen_after_the_check_interval(
        tmp_path: Path, database_url: str, db: Database, session: Session) -> None:
    from backend.main import create_app

    settings = make_settings(tmp_path, database_url, page_cache_check_seconds=0.05)
    app = create_app(settings, db, start_worker=False)
    with LoketClient(app) as client:
        cached_page(client, session)
        assert "Anders genoemd" not in client.get(PATH).text
        # What another process's commit leaves behind: new rows and a raised generation.
        session.execute(sa.text("UPDATE site_generation SET value = value + 1 WHERE id = 1"))
        time.sleep(0.1)
        assert "Anders genoemd" in client.get(PATH).text


def test_each_visitor_gets_their_own_csrf_token(app: FastAPI, session: Session) -> None:
    create_item(session, title="Slim roosteren")
    session.commit()
    tokens = []
    for _ in range(2):
        with LoketClient(app) as visitor:
            visitor.get("/healthz")  # the CSRF cookie, as a first page would set it
            page = visitor.get(PATH)
            own = csrf_token_for(TEST_SECRET, visitor.cookies["loket_csrf"])
            assert page_token(page.text) == own
            tokens.append(own)
    assert tokens[0] != tokens[1]


def test_a_first_visit_gets_a_cookie_and_a_matching_token(app: FastAPI,
                                                          session: Session) -> None:
    create_item(session, title="Slim roosteren")
    session.commit()
    with LoketClient(app) as filler:
        filler.get(PATH)
    with LoketClient(app) as newcomer:
        page = newcomer.get(PATH)  # no cookie yet: served from the cache
        assert "loket_csrf" in page.headers["set-cookie"]
        assert page_token(page.text) == csrf_token_for(TEST_SECRET,
                                                        newcomer.cookies["loket_csrf"])


def test_logged_in_users_and_tokens_never_get_a_cached_page(
        client: LoketClient, session: Session, login) -> None:
    cached_page(client, session)
    assert "Anders genoemd" not in client.get(PATH).text
    user = create_user(session, name="Rita Redacteur", roles=("editor",))
    session.commit()
    logged_in = login(user)
    assert "Anders genoemd" in logged_in.get(PATH).text


def test_fragment_full_page_and_language_are_kept_apart(client: LoketClient,
                                                        session: Session) -> None:
    create_item(session, title="Slim roosteren")
    session.commit()
    full = client.get("/zoeken?q=roosteren")
    fragment = client.get("/zoeken?q=roosteren", headers={"HX-Request": "true"})
    assert "<html" in full.text and "<html" not in fragment.text
    restore = client.get("/zoeken?q=roosteren", headers={"HX-Request": "true",
                                                          "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text
    english = client.get("/zoeken?q=roosteren&lang=en")
    assert '<html lang="en">' in english.text
    assert '<html lang="nl">' in client.get("/zoeken?q=roosteren").text


def test_errors_are_not_kept(client: LoketClient, session: Session) -> None:
    create_item(session, title="Slim roosteren")
    session.commit()
    moved = PATH.replace("slim-roosteren", "slim-plannen")
    assert client.get(moved).status_code == 404
    session.execute(sa.text("UPDATE content_item SET slug = 'slim-plannen' "
                            "WHERE slug = 'slim-roosteren'"))  # behind the ORM's back
    assert client.get(moved).status_code == 200  # a kept 404 would still say 404


def test_routes_that_did_not_opt_in_are_not_kept(client: LoketClient, session: Session) -> None:
    cached_page(client, session)
    api = client.get("/api/v1/practices/slim-roosteren")
    assert api.status_code == 200 and api.json()["title"] == "Anders genoemd"
    rename_behind_the_orm(session, "slim-roosteren", "Derde naam")
    assert client.get("/api/v1/practices/slim-roosteren").json()["title"] == "Derde naam"


def test_turned_off_with_zero_seconds(tmp_path: Path, database_url: str, db: Database,
                                      session: Session) -> None:
    from backend.main import create_app

    settings = make_settings(tmp_path, database_url, page_cache_seconds=0)
    with LoketClient(create_app(settings, db, start_worker=False)) as client:
        cached_page(client, session)
        assert "Anders genoemd" in client.get(PATH).text


def test_the_cache_is_bounded_by_entries_and_bytes(tmp_path: Path, database_url: str,
                                                   db: Database, session: Session,
                                                   monkeypatch) -> None:
    from backend.core import pagecache
    from backend.main import create_app

    settings = make_settings(tmp_path, database_url, page_cache_entries=1)
    with LoketClient(create_app(settings, db, start_worker=False)) as client:
        cached_page(client, session)
        client.get("/kennisbank")  # the one entry now: the item page made room
        assert "Anders genoemd" in client.get(PATH).text
        rename_behind_the_orm(session, "slim-roosteren", "Derde naam")
        assert "Anders genoemd" in client.get(PATH).text  # kept again, as the one entry
        monkeypatch.setattr(pagecache, "MAX_BYTES", 1)  # no page fits any more
        client.get("/kennisbank")
        assert "Derde naam" in client.get(PATH).text
        rename_behind_the_orm(session, "slim-roosteren", "Vierde naam")
        assert "Vierde naam" in client.get(PATH).text
