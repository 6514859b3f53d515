"""Every page template on a 320 px phone, in Dutch and in English: no horizontal scrolling
(``scrollWidth <= clientWidth``) and no axe violations (WCAG 2.1 A/AA).

The list of pages is built from the application's GET routes (``site_world.all_routes``) with
the populated world of the security tests (``site_world.build_world``) filling the path
parameters; each route is visited as the first person who can see it (group member, advisor,
editor, admin, then a visitor without an account). One browser context and one page do all
the visits, to keep the test short.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.browser.axe import axe_violations, format_violations
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

WIDTH = 320
# Not pages: files, fragments HTMX swaps into a page, redirects and probes.
SKIP_SUFFIXES = (".csv", ".pdf", ".json", ".jsonld", ".ics", ".xml", ".txt")
SKIP = {"/taal/{lang}", "/metrics", "/healthz", "/readyz", "/inloggen/sso",
        "/inloggen/sso/callback", "/mijn-gegevens/export", "/mijn-vraag/{reference}/gegevens",
        "/gemeenten/opties",
        "/vraag/suggesties", "/groepen/{slug}/berichten/{post_id}/bijlagen/{attachment_id}"}


@dataclass
class Visit:
    route: str
    url: str
    who: str = ""


def _overflow(page: Page) -> tuple[int, str]:
    """How far the page scrolls sideways, and the outermost element that sticks out."""
    return tuple(page.evaluate("""() => {
      const root = document.documentElement, over = root.scrollWidth - root.clientWidth;
      if (over <= 0) return [over, ""];
      for (const el of document.querySelectorAll("body *")) {
        if (el.getBoundingClientRect().right > root.clientWidth + 1
            && !el.closest(".table-wrap table")) {
          return [over, el.tagName.toLowerCase() + (el.className && el.className.baseVal
            === undefined ? "." + String(el.className).trim().replace(/\\s+/g, ".") : "")];
        }
      }
      return [over, "?"];
    }"""))


def _with_lang(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def _is_page(page: Page, status: int | None) -> bool:
    if status != 200:
        return False
    return bool(page.evaluate("() => !!document.querySelector('html[lang] main')"))


def test_every_page_reflows_at_320px_and_passes_axe_in_both_languages(
        new_context: Callable[..., BrowserContext], live_server: LiveServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from backend.scan import service as scan_service
    from tests.security.site_world import all_routes, build_world

    # The scan seed is loaded first, in its own transaction: build_world's call (inside the
    # world's write transaction) would wait for the SQLite write lock it holds itself.
    scan_service.load_seed(live_server.db, live_server.settings)
    monkeypatch.setattr(scan_service, "load_seed", lambda *_a, **_k: None)
    with live_server.db.transaction() as s:
        world = build_world(s, live_server.db, live_server.settings)
        people = [("member", world.member.id), ("advisor", world.advisor.id),
                  ("editor", world.editor.id), ("admin", world.admin.id), ("visitor", None)]
        follow = world.tokens["follow"]
    routes = [p for m, p in all_routes(live_server.app)
              if m == "GET" and not p.startswith("/api/") and p not in SKIP
              and not p.endswith(SKIP_SUFFIXES)]
    assert len(routes) > 70, routes
    todo = [Visit(route, world.fill(route)) for route in routes]
    todo += [Visit("(404)", "/bestaat-niet"), Visit("/zoeken (results)", "/zoeken?q=subsidie")]
    only = os.environ.get("LOKET_EVERY_PAGE_ONLY")  # debugging: "/inzicht,/beheer"
    if only:
        todo = [v for v in todo if v.route.startswith(tuple(only.split(",")))]

    context = new_context(viewport={"width": WIDTH, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    done: list[Visit] = []
    for who, user_id in people:
        context.clear_cookies()
        if user_id is not None:
            live_server.log_in(context, user_id)
        if who == "member":  # the entrepreneur's pages: follow the case by its private link
            page.goto(f"/vraag/volgen/{follow}")
            page.locator("main form button[type=submit]").first.click()
        left: list[Visit] = []
        for visit in todo:
            response = page.goto(_with_lang(visit.url, "nl"))
            status = response.status if response is not None else None
            if not _is_page(page, status) and visit.route != "(404)":
                left.append(visit)
                continue
            visit.who = who
            done.append(visit)
            for lang in ("nl", "en"):
                if lang == "en":
                    page.goto(_with_lang(visit.url, lang))
                where = f"{visit.route} ({visit.url}, {who}, {lang})"
                overflow, culprit = _overflow(page)
                if overflow > 0:
                    problems.append(f"{where}: scrolls sideways by {overflow}px at {WIDTH}px "
                                    f"({culprit})")
                violations = axe_violations(page)
                if violations:
                    problems.append(format_violations(violations, where))
        todo = left
    page.goto("/?lang=nl")  # leave the context's language cookie Dutch
    seen = {v.route for v in done}
    # Routes nobody could open in this world (a missing attachment, an unknown follow-up
    # link…) are listed; they must stay a handful.
    if not only:
        assert len(todo) <= 6, [v.url for v in todo]
        assert len(seen) >= len(routes) - 6
    assert not problems, "\n\n".join(problems)
