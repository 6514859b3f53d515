"""The permission matrix applied to search results and lists (issue 7): every actor finds only
what they may see.

- The public search (``/zoeken``, ``/api/v1/search``) finds published items and never a
  draft, whoever asks (editors included: the index holds public content only), and an item
  that is unpublished leaves the results for everyone once the outbox has run.
- The in-database lists of private items, the advisors' inbox with its filters and the desk's
  case API, show a desk's own cases and the cases offered to it, never another desk's.
- A group's feed shows that group's posts to its members, never another group's; hidden posts
  only to its coordinator.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backend.core.worker import Worker
from tests.client import LoketClient
from tests.security.conftest import Env
from tests.security.permission_table import SCOPES
from tests.security.world import (
    ACTORS,
    ADV_A,
    ADV_B,
    CONTENT_API,
    DESK_COORD,
    EDITOR,
    GROUP_COORD,
    MEMBER_X,
    MEMBER_Y,
    SEARCH_WORD,
    Actor,
)


@pytest.fixture(scope="module")
def indexed(env: Env) -> Env:
    """The world's published items in the search index (the outbox delivered)."""
    asyncio.run(Worker(env.db, env.settings).drain())
    return env


def get(env: Env, actor: Actor, url: str) -> Any:
    with LoketClient(env.app) as client:
        for name, value in actor.cookies.items():
            client.cookies.set(name, value)
        return client.get(url, headers=actor.headers)


PUBLISHED = [*(f"Gepubliceerd {t}" for t in CONTENT_API), "Gepubliceerd met verwijzingen"]


@pytest.mark.parametrize("actor_name", ACTORS)
def test_public_search_finds_published_items_never_drafts(indexed: Env, actor_name: str
                                                          ) -> None:
    actor = indexed.world.actors[actor_name]
    page = get(indexed, actor, f"/zoeken?q={SEARCH_WORD}")
    api = get(indexed, actor, f"/api/v1/search?q={SEARCH_WORD}&per_page=50")
    if actor_name in SCOPES and 403 in (page.status_code, api.status_code):
        pytest.skip("a scoped token may be refused outside its scope (the matrix checks it)")
    assert page.status_code == 200 and api.status_code == 200
    titles = [h["title"] for h in api.json()["hits"]]
    assert sorted(titles) == sorted(PUBLISHED), titles
    assert api.json()["total"] == len(PUBLISHED)
    for title in PUBLISHED[:5]:  # the first page of the HTML results
        assert title in page.text or api.json()["total"] > 10
    for response in (page, api):
        assert "kxqDRAFTgeheim" not in response.text and "Concept " not in response.text
    # the secret marker itself is not searchable either
    api = get(indexed, actor, "/api/v1/search?q=kxqDRAFTgeheim")
    assert api.json()["total"] == 0


def test_unpublished_item_leaves_the_search_for_everyone(indexed: Env) -> None:
    env = indexed
    world = env.world
    editor = world.actors[EDITOR]
    slug = world.vars["practice_slug"]
    with LoketClient(env.app) as client:
        for name, value in editor.cookies.items():
            client.cookies.set(name, value)
        assert client.post(f"/api/v1/practices/{slug}/unpublish").status_code == 200
        asyncio.run(Worker(env.db, env.settings).drain())
        try:
            for actor in world.actors.values():
                hits = get(env, actor, f"/api/v1/search?q={SEARCH_WORD}&per_page=50").json()
                titles = [h["title"] for h in hits["hits"]]
                assert "Gepubliceerd practice" not in titles, actor.name
                assert "Gepubliceerd practice" not in get(
                    env, actor, f"/zoeken?q={SEARCH_WORD}").text, actor.name
        finally:
            assert client.post(f"/api/v1/practices/{slug}/publish").status_code == 200
            asyncio.run(Worker(env.db, env.settings).drain())
    titles = [h["title"] for h in get(env, world.actors[ADV_A],
                                      f"/api/v1/search?q={SEARCH_WORD}").json()["hits"]]
    assert "Gepubliceerd practice" in titles


# Which case references each desk actor may find in the lists of their own desk.
DESK_LISTS = {
    ADV_A: ("desk_a", {"case_1_reference", "offered_reference"}),
    DESK_COORD: ("desk_a", {"case_1_reference", "offered_reference"}),
    ADV_B: ("desk_b", {"case_2_reference", "offered_reference"}),
}
ALL_CASES = {"case_1_reference", "case_2_reference", "offered_reference"}


@pytest.mark.parametrize("actor_name", sorted(DESK_LISTS))
def test_desk_lists_show_only_the_desks_own_cases(env: Env, actor_name: str) -> None:
    world = env.world
    actor = world.actors[actor_name]
    desk_var, visible = DESK_LISTS[actor_name]
    desk = world.vars[desk_var]
    pages = {
        "inbox": get(env, actor, f"/werkplek/{desk}?status=all").text,
        "inbox, theme filter": get(env, actor, f"/werkplek/{desk}?status=all&theme=").text,
        "inbox, mine": get(env, actor, f"/werkplek/{desk}?status=all&mijn=1").text,
        "workspace": get(env, actor, "/werkplek").text,
        "api": get(env, actor, f"/api/v1/desks/{desk}/cases?status=all").text,
    }
    for var in ALL_CASES:
        ref = world.vars[var]
        shown = [name for name, text in pages.items() if ref in text]
        if var in visible:
            assert "inbox" in shown, (actor_name, var, shown)
        else:
            assert not shown, f"{actor_name} finds {var} in {shown}"
    # the other desk's lists are not reachable at all
    other = world.vars["desk_b" if desk_var == "desk_a" else "desk_a"]
    for url in (f"/werkplek/{other}?status=all", f"/api/v1/desks/{other}/cases"):
        assert get(env, actor, url).status_code == 404, url


@pytest.mark.parametrize("actor_name", ACTORS)
def test_nobody_outside_a_desk_finds_its_cases(env: Env, actor_name: str) -> None:
    if actor_name in DESK_LISTS:
        pytest.skip("desk members: see the test above")
    world = env.world
    actor = world.actors[actor_name]
    for desk in (world.vars["desk_a"], world.vars["desk_b"]):
        for url in (f"/werkplek/{desk}?status=all", f"/api/v1/desks/{desk}/cases"):
            response = get(env, actor, url)
            to_login = (response.status_code == 303
                        and response.headers["location"].startswith("/inloggen?"))
            assert response.status_code in (401, 403, 404) or to_login, (url, response.status_code)
            for var in ALL_CASES:
                assert world.vars[var] not in response.text


# Which posts each actor sees in the feed of each group (None: no access to the feed).
FEEDS: dict[str, dict[str, set[str] | None]] = {
    GROUP_COORD: {"group_1": {"kxqPOSTXgeheim", "kxqPOSTCgeheim", "kxqHIDDENgeheim"},
                  "group_2": None},
    MEMBER_X: {"group_1": {"kxqPOSTXgeheim", "kxqPOSTCgeheim"}, "group_2": None},
    MEMBER_Y: {"group_1": None, "group_2": {"kxqPOSTYgeheim"}},
}
ALL_POSTS = {"kxqPOSTXgeheim", "kxqPOSTCgeheim", "kxqHIDDENgeheim", "kxqPOSTYgeheim"}


@pytest.mark.parametrize("actor_name", ACTORS)
def test_group_feeds_show_only_the_groups_own_posts(env: Env, actor_name: str) -> None:
    world = env.world
    actor = world.actors[actor_name]
    expected = FEEDS.get(actor_name, {"group_1": None, "group_2": None})
    for group_var, visible in expected.items():
        slug = world.vars[group_var]
        for url in (f"/groepen/{slug}/ruimte", f"/groepen/{slug}"):
            response = get(env, actor, url)
            found = {m for m in ALL_POSTS if m in response.text}
            if url.endswith("/ruimte") and visible is not None:
                assert response.status_code == 200
                assert found == visible, (url, found)
            else:
                assert found == set(), (url, found)
                if url.endswith("/ruimte"):
                    assert response.status_code in (303, 401, 403, 404), response.status_code


def _titles(env: Env, actor: Actor, q: str) -> list[str]:
    return [h["title"] for h in get(env, actor, f"/api/v1/search?q={q}&per_page=50").json()[
        "hits"]]


def test_an_unpublished_organisations_name_leaves_the_items_that_named_it(indexed: Env
                                                                          ) -> None:
    """A published item names its organisations in its search document; a draft
    organisation's name is never in it, and unpublishing one takes its name out."""
    env = indexed
    world = env.world
    anonymous = world.actors["anonymous"]
    # "Gepubliceerd met verwijzingen" names a published and a draft organisation
    assert "Gepubliceerd met verwijzingen" in _titles(env, anonymous, "organisation")
    assert _titles(env, anonymous, "kxqDRAFTgeheim") == []
    slug = world.vars["organisation_slug"]
    with LoketClient(env.app) as client:
        for name, value in world.actors[EDITOR].cookies.items():
            client.cookies.set(name, value)
        assert client.post(f"/api/v1/organisations/{slug}/unpublish").status_code == 200
        asyncio.run(Worker(env.db, env.settings).drain())
        try:
            for actor in world.actors.values():
                assert _titles(env, actor, "organisation") == [], actor.name
        finally:
            assert client.post(f"/api/v1/organisations/{slug}/publish").status_code == 200
            asyncio.run(Worker(env.db, env.settings).drain())
    assert "Gepubliceerd met verwijzingen" in _titles(env, anonymous, "organisation")
