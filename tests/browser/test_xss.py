"""XSS in a real browser: pages showing the stored payloads of ``tests/security/xss_payloads.py``
run none of them.

The payloads are stored through the services (the page tests in ``tests/security/test_xss.py``
send them through the forms): in a question, the entrepreneur's replies, advisor answers and
notes, group posts and comments, a knowledge-base item, a desk (with a ``javascript:`` website
as older data could have it) and a revision note. Chromium loads each page as the person who
may see it, and swaps each page's HTMX fragment in with htmx itself (so an injected
``hx-trigger="load"`` would fire). Then nothing may have happened: no dialog, no element with
an ``xss`` id, ``window.__xss`` unset, no element with an event-handler attribute or an
``hx-*`` attribute carrying a payload marker, and no CSP violation (a violation means an
injected script or handler reached the page and only the CSP stopped it).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Dialog, Page

from backend.core.db import Database
from tests.browser.conftest import LiveServer
from tests.security.xss_payloads import PAYLOADS, chunks

pytestmark = pytest.mark.browser

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' '
                         + (e.sample || '')));
"""

INJECTED = """() => {
  const out = [];
  if (window.__xss !== undefined) out.push('window.__xss=' + window.__xss);
  const marked = document.querySelector('[id^=xss], [id^=XSS], [name^=xss]');
  if (marked) out.push('element ' + marked.outerHTML.slice(0, 120));
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const n = a.name.toLowerCase(), v = a.value.toLowerCase();
      if (n.startsWith('on')) out.push('handler ' + n + ' on ' + el.tagName);
      if ((n.startsWith('hx-') || n.startsWith('data-hx-'))
          && (v.includes('xss') || v.includes('alert(') || v.includes('javascript:')))
        out.push('htmx ' + n + '=' + v.slice(0, 60));
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(n)
          && /^\\s*(javascript|vbscript|data:text)/.test(v))
        out.push('url ' + n + '=' + v.slice(0, 60));
    }
  }
  for (const s of document.querySelectorAll('script')) {
    if (!(s.getAttribute('src') || '').startsWith('/static/'))
      out.push('script ' + s.outerHTML.slice(0, 80));
  }
  return out.concat(window.__csp || []);
}"""


def _session(db: Database, user_id: int | None, data: dict[str, Any] | None = None) -> str:
    from backend.accounts.models import WebSession
    from backend.core.db import utcnow
    from backend.core.security import sha256_hex

    token = secrets.token_urlsafe(32)
    now = utcnow()
    with db.transaction() as s:
        s.add(WebSession(id_hash=sha256_hex(token), user_id=user_id, data=data or {},
                         created_at=now, last_seen_at=now, expires_at=now + timedelta(hours=1)))
    return token


def _store_payloads(live_server: LiveServer) -> dict[str, Any]:
    from backend.cases import workspace
    from backend.cases.service import SESSION_KEY, entrepreneur_reply
    from backend.community import feed
    from backend.community import service as community
    from backend.community.deps import MemberAccess
    from backend.content import service as content
    from backend.routing.models import COORDINATOR
    from tests.factories.accounts import create_user
    from tests.factories.cases import as_principal, create_case, unlimited_door
    from tests.factories.community import create_group, member_with_person
    from tests.factories.content import create_item
    from tests.factories.routing import add_member, create_desk

    suffix = os.urandom(3).hex()
    with live_server.db.transaction() as s:
        desk = create_desk(s, f"xss-{suffix}", name=chunks(200)[0],
                           summary=chunks(500)[0][:500], address=chunks(300)[1],
                           website="javascript:window.__xss=99")
        advisor = create_user(s, name=chunks(200)[2])
        add_member(s, desk, advisor, role=COORDINATOR)
        case = create_case(s, desk, text=chunks(4900)[0], name=chunks(200)[3])
        for value in chunks(4900):
            entrepreneur_reply(s, case, value, door=unlimited_door())
        # Ten payloads per answer, post or comment: every one on the page, in fewer rows.
        groups = ["\n\n".join(PAYLOADS[i:i + 10]) for i in range(0, len(PAYLOADS), 10)]
        for body in groups:
            workspace.reply(s, case, as_principal(advisor), body)
        workspace.add_note(s, case, as_principal(advisor), chunks(4900)[1])

        group = create_group(s, slug=f"xss-{suffix}", name="XSS-groep")
        firm, member = member_with_person(s, group, coordinator=True)
        access = MemberAccess(group=group, principal=as_principal(member), firm=firm,
                              membership=community.membership(s, group.id, firm.id))
        posts = [feed.create_post(s, access, title=t, body=b)
                 for t, b in zip(chunks(200), groups[:6], strict=False)]
        for body in groups[6:]:
            feed.add_comment(s, access, posts[0], body=body)

        editor = create_user(s, name="Redacteur", roles=("editor",))
        item = create_item(s, "practice", title=chunks(200)[4], summary=chunks(500)[1],
                           body_md="\n\n".join(PAYLOADS[:60]))
        content.update_item(s, item, {"body_md": "\n\n".join(PAYLOADS[60:])}, "test",
                            note=chunks(500)[2])
        return {"desk": desk.slug, "case": case.reference, "case_id": case.id,
                "advisor": advisor.id, "member": member.id, "group": group.slug,
                "editor": editor.id, "item": item.id, "slug": item.slug,
                "session_key": SESSION_KEY}


def _check(page: Page, url: str, problems: list[str], dialogs: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    # The page's own HTMX fragment, swapped in by htmx (processes hx-* in the new content).
    page.evaluate("""url => new Promise(done => {
        const target = document.querySelector('main') || document.body;
        htmx.ajax('GET', url, {target: target, swap: 'innerHTML'}).then(done, done);
    })""", url)
    page.wait_for_timeout(150)  # let load triggers and image errors fire
    found = page.evaluate(INJECTED)
    problems.extend(f"{url}: {f}" for f in found)
    problems.extend(f"{url}: dialog {d}" for d in dialogs)
    dialogs.clear()


def test_stored_payloads_run_nowhere(new_context: Callable[..., BrowserContext],
                                     live_server: LiveServer) -> None:
    w = _store_payloads(live_server)
    db = live_server.db
    visits = [
        (_session(db, None, {w["session_key"]: [w["case_id"]]}), [f"/mijn-vraag/{w['case']}"]),
        (_session(db, w["advisor"]), [f"/werkplek/zaken/{w['case']}", f"/werkplek/{w['desk']}"]),
        (_session(db, w["member"]), [f"/groepen/{w['group']}/ruimte"]),
        (_session(db, w["editor"]), [f"/redactie/items/{w['item']}/versies",
                                     f"/redactie/items/{w['item']}"]),
        (None, [f"/loketten/{w['desk']}", f"/kennisbank/goede-voorbeelden/{w['slug']}",
                "/zoeken?q=" + PAYLOADS[0], "/vraag/suggesties?text=" + PAYLOADS[3]]),
    ]
    problems: list[str] = []
    shown = 0
    for cookie, urls in visits:
        context = new_context()
        if cookie:
            context.add_cookies([{"name": "loket_session", "value": cookie,
                                  "url": live_server.url}])
        context.add_init_script(WATCH)
        page = context.new_page()
        dialogs: list[str] = []

        def on_dialog(dialog: Dialog, dialogs: list[str] = dialogs) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        for url in urls:
            _check(page, url, problems, dialogs)
            # Not vacuous: the page really shows the payloads, as text.
            if "<script>alert(1)</script>" in page.content().replace("&lt;", "<").replace(
                    "&gt;", ">"):
                shown += 1
        context.close()
    assert not problems, "\n".join(problems[:30])
    assert shown >= 6, shown
