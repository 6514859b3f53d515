"""CSRF: every state-changing route refuses a cookie-authenticated request without a valid
token, with a wrong one, or from a foreign site; and passes the gate for a plain form post with
the token and for an HTMX request with the token header.

``UNSAFE_ROUTES`` is written out by hand: a new POST/PUT/PATCH/DELETE route fails
``test_every_unsafe_route_is_listed`` until it is added here, and is then checked like the rest.
"Passes the gate" means the answer is not the CSRF refusal; it may still be a 404, 403, 422 or a
redirect, because the body of these probes is not a valid form for most routes.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import Response
from sqlmodel import Session

from backend.core.db import Database
from backend.core.i18n import translations
from backend.core.security import CsrfFailed
from backend.core.settings import Settings
from tests.client import LoketClient
from tests.factories.accounts import create_token, create_user
from tests.security.site_world import World, all_routes, build_world

UNSAFE_ROUTES = {
    "DELETE /api/v1/admin/tokens/{token_id}",
    "DELETE /api/v1/admin/users/{user_id}/roles/{role}",
    "DELETE /api/v1/answers/{slug}",
    "DELETE /api/v1/case-studies/{slug}",
    "DELETE /api/v1/events/{slug}",
    "DELETE /api/v1/experts/{slug}",
    "DELETE /api/v1/organisations/{slug}",
    "DELETE /api/v1/practices/{slug}",
    "DELETE /api/v1/schemes/{slug}",
    "PATCH /api/v1/answers/{slug}",
    "PATCH /api/v1/case-studies/{slug}",
    "PATCH /api/v1/events/{slug}",
    "PATCH /api/v1/experts/{slug}",
    "PATCH /api/v1/groups/{slug}/periods/{period_id}/figures",
    "PATCH /api/v1/organisations/{slug}",
    "PATCH /api/v1/practices/{slug}",
    "PATCH /api/v1/schemes/{slug}",
    "POST /api/v1/admin/privacy/erase",
    "POST /api/v1/admin/privacy/export",
    "POST /api/v1/admin/tokens",
    "POST /api/v1/admin/users",
    "POST /api/v1/admin/users/{user_id}/roles",
    "POST /api/v1/answers",
    "POST /api/v1/answers/{slug}/publish",
    "POST /api/v1/answers/{slug}/unpublish",
    "POST /api/v1/case-studies",
    "POST /api/v1/case-studies/{slug}/publish",
    "POST /api/v1/case-studies/{slug}/unpublish",
    "POST /api/v1/cases/{reference}/assign",
    "POST /api/v1/cases/{reference}/claim",
    "POST /api/v1/cases/{reference}/close",
    "POST /api/v1/cases/{reference}/handoffs",
    "POST /api/v1/cases/{reference}/handoffs/{handoff_id}/accept",
    "POST /api/v1/cases/{reference}/handoffs/{handoff_id}/decline",
    "POST /api/v1/cases/{reference}/notes",
    "POST /api/v1/cases/{reference}/replies",
    "POST /api/v1/events",
    "POST /api/v1/events/{slug}/publish",
    "POST /api/v1/events/{slug}/unpublish",
    "POST /api/v1/experts",
    "POST /api/v1/experts/{slug}/publish",
    "POST /api/v1/experts/{slug}/unpublish",
    "POST /api/v1/organisations",
    "POST /api/v1/organisations/{slug}/publish",
    "POST /api/v1/organisations/{slug}/unpublish",
    "POST /api/v1/practices",
    "POST /api/v1/practices/{slug}/publish",
    "POST /api/v1/practices/{slug}/unpublish",
    "POST /api/v1/questions",
    "POST /api/v1/routing/dry-run",
    "POST /api/v1/schemes",
    "POST /api/v1/schemes/{slug}/publish",
    "POST /api/v1/schemes/{slug}/unpublish",
    "POST /beheer/gebruikers/nieuw",
    "POST /beheer/gebruikers/{user_id}/activeren",
    "POST /beheer/gebruikers/{user_id}/deactiveren",
    "POST /beheer/gebruikers/{user_id}/rollen",
    "POST /beheer/gebruikers/{user_id}/rollen/{role}/intrekken",
    "POST /beheer/loketten/nieuw",
    "POST /beheer/loketten/{slug}",
    "POST /beheer/loketten/{slug}/leden",
    "POST /beheer/loketten/{slug}/leden/{user_id}/verwijderen",
    "POST /beheer/privacy/export",
    "POST /beheer/privacy/verwijderen",
    "POST /beheer/tokens",
    "POST /beheer/tokens/{token_id}/intrekken",
    "POST /beheer/uitgaand/opnieuw",
    "POST /beheer/uitgaand/{message_id}/opnieuw",
    "POST /experts/aanmelden",
    "POST /experts/{slug:kbslug}/introductie",
    "POST /groepen/nieuw",
    "POST /groepen/sleutels",
    "POST /groepen/sleutels/{token_id}/intrekken",
    "POST /groepen/uitnodiging/{token}",
    "POST /groepen/{slug}/aanvragen",
    "POST /groepen/{slug}/aanvragen/{request_id}",
    "POST /groepen/{slug}/berichten",
    "POST /groepen/{slug}/berichten/{post_id}/melden",
    "POST /groepen/{slug}/berichten/{post_id}/reacties",
    "POST /groepen/{slug}/berichten/{post_id}/verbergen",
    "POST /groepen/{slug}/berichten/{post_id}/verwijderen",
    "POST /groepen/{slug}/berichten/{post_id}/voorstellen",
    "POST /groepen/{slug}/instellingen",
    "POST /groepen/{slug}/kengetallen/kpis",
    "POST /groepen/{slug}/kengetallen/perioden",
    "POST /groepen/{slug}/kengetallen/perioden/{period_id}",
    "POST /groepen/{slug}/kengetallen/perioden/{period_id}/afsluiten",
    "POST /groepen/{slug}/kengetallen/perioden/{period_id}/csv",
    "POST /groepen/{slug}/kengetallen/sjablonen",
    "POST /groepen/{slug}/leden/{firm_id}/verwijderen",
    "POST /groepen/{slug}/uitnodigen",
    "POST /groepen/{slug}/verlaten",
    "POST /inloggen",
    "POST /inloggen/beheer",
    "POST /inloggen/demo",
    "POST /inloggen/link/{token}",
    "POST /mijn-gegevens/verwijderen",
    "POST /mijn-vraag/{reference}/afspraak",
    "POST /mijn-vraag/{reference}/afspraak/annuleren",
    "POST /mijn-vraag/{reference}/beoordeling",
    "POST /mijn-vraag/{reference}/doorsturen",
    "POST /mijn-vraag/{reference}/reactie",
    "POST /redactie/items/{item_id}",
    "POST /redactie/items/{item_id}/depubliceren",
    "POST /redactie/items/{item_id}/publiceren",
    "POST /redactie/items/{item_id}/versies/{number}/herstellen",
    "POST /redactie/items/{item_id}/verwijderen",
    "POST /redactie/nieuw/{type_}",
    "POST /redactie/scan/concept",
    "POST /redactie/scan/concept/bewerken",
    "POST /redactie/scan/concept/weggooien",
    "POST /redactie/taxonomie/sectoren",
    "POST /redactie/taxonomie/sectoren/{sector_id}",
    "POST /redactie/taxonomie/themas",
    "POST /redactie/taxonomie/themas/{theme_id}",
    "POST /regelingen/bewaard",
    "POST /regelingen/bewaard/{saved_id}/verwijderen",
    "POST /regelingen/mijn-profielen/{profile_id}/verwijderen",
    "POST /regelingen/zoeker/profielen",
    "POST /scan",
    "POST /scan/resultaat/{token}/bespreken",
    "POST /scan/vraag/{n}",
    "POST /uitloggen",
    "POST /vraag",
    "POST /vraag/link-opnieuw",
    "POST /vraag/nazorg/{token}",
    "POST /vraag/nazorg/{token}/afmelden",
    "POST /vraag/volgen/{token}",
    "POST /werkplek/zaken/{reference}/antwoord",
    "POST /werkplek/zaken/{reference}/kennis",
    "POST /werkplek/zaken/{reference}/notitie",
    "POST /werkplek/zaken/{reference}/oppakken",
    "POST /werkplek/zaken/{reference}/overdracht/{handoff_id}/accepteren",
    "POST /werkplek/zaken/{reference}/overdracht/{handoff_id}/weigeren",
    "POST /werkplek/zaken/{reference}/overdragen",
    "POST /werkplek/zaken/{reference}/scan",
    "POST /werkplek/zaken/{reference}/sluiten",
    "POST /werkplek/zaken/{reference}/toestemming/vastleggen",
    "POST /werkplek/zaken/{reference}/toestemming/vragen",
    "POST /werkplek/zaken/{reference}/toewijzen",
    "POST /werkplek/zaken/{reference}/verwijzen",
    "POST /werkplek/{desk}/afspraken",
    "POST /werkplek/{desk}/afspraken/{slot_id}/verwijderen",
    "POST /werkplek/{desk}/intake",
    "POST /werkplek/{desk}/standaardantwoorden",
    "POST /werkplek/{desk}/standaardantwoorden/{answer_id}/verwijderen",
}

CSRF_CODES = {"csrf_failed", "csrf_origin"}
_MESSAGES = [CsrfFailed.message, "Request from a foreign origin refused."]
CSRF_TEXTS = _MESSAGES + [translations("nl").gettext(m) for m in _MESSAGES]


def csrf_refusal(response: Response) -> str | None:
    """The CSRF error code of a refusal (JSON under /api, the error page elsewhere), or None."""
    if response.status_code != 403:
        return None
    if response.headers.get("content-type", "").startswith("application/json"):
        code = response.json().get("error", {}).get("code")
        return code if code in CSRF_CODES else None
    return "csrf_page" if any(t in response.text for t in CSRF_TEXTS) else None


@pytest.fixture
def world(session: Session, db: Database, settings: Settings) -> World:
    return build_world(session, db, settings)


def test_every_unsafe_route_is_listed(app: FastAPI) -> None:
    found = {f"{m} {p}" for m, p in all_routes(app) if m not in ("GET", "HEAD", "OPTIONS")}
    assert found - UNSAFE_ROUTES == set(), "new state-changing routes: add them to UNSAFE_ROUTES"


def test_every_unsafe_route_refuses_forged_requests_and_accepts_real_ones(
        app: FastAPI, client: LoketClient, world: World, session: Session,
        login: Callable[..., LoketClient]) -> None:
    failures: list[str] = []
    evil = "https://evil.example"
    present = {f"{m} {p}" for m, p in all_routes(app)}
    basic = base64.b64encode(b"medewerker:welkom01").decode()
    bare = LoketClient(app)  # no cookies at all
    # A token of its own (the walk revokes the world's API token on the way), valid but of a
    # user without roles: it passes the gate and then changes nothing.
    bearer = create_token(session, role="editor", user=create_user(session), name="csrf-suite")
    session.commit()
    for route in sorted(UNSAFE_ROUTES & present):
        method, path = route.split(" ", 1)
        url = world.fill(path)
        login(world.admin)  # a fresh session each time: /uitloggen and others end it
        token = client.csrf_token()
        form = {"x": "1"}

        def send(what: str, expect: bool, *, route: str = route, method: str = method,
                 url: str = url, cookies: bool = True, **kw: Any) -> None:
            if cookies:
                r = client.request(method, url, csrf=False, **kw)
            else:
                bare.cookies.clear()
                r = bare.request(method, url, csrf=False, **kw)
            refused = csrf_refusal(r)
            if expect and refused is None:
                failures.append(f"{route}: {what} was not refused ({r.status_code})")
            if not expect and refused is not None:
                failures.append(f"{route}: {what} was refused as CSRF")
            if r.status_code >= 500:
                failures.append(f"{route}: {what} gave {r.status_code}")

        assert client.cookies.get("loket_session")
        # Half of the refusals ask for JSON: the gate is the same, and the JSON error is
        # cheaper to produce than the error page (the suite's time budget is tight).
        as_json = {"Accept": "application/json"}
        send("no token", True, data=form)
        send("wrong token", True, data={**form, "csrf_token": "0" * 64}, headers=as_json)
        send("foreign Origin", True, data={**form, "csrf_token": token},
             headers={"Origin": evil})
        send("Sec-Fetch-Site: cross-site", True, data=form,
             headers={**as_json, "Sec-Fetch-Site": "cross-site", "X-CSRF-Token": token})
        if path.startswith("/api/"):
            send("JSON with cookies, no token", True, json={"x": 1})
        # Issue 12: a browser adds Basic/Negotiate by itself (HTTP or Kerberos login in front
        # of the site); with the session cookie beside it, such a request is a cookie request.
        send("session cookie + Authorization: Basic, no token", True, data=form,
             headers={"Authorization": f"Basic {basic}"})
        send("session cookie + Authorization: Negotiate, JSON, no token", True,
             json={"x": 1}, headers={"Authorization": "Negotiate YIIBhgYGKwYBBQUCoIIBejCCAXag"})
        send("session cookie + Authorization: Basic, cross-site, with token", True,
             data={**form, "csrf_token": token},
             headers={"Authorization": f"Basic {basic}", "Sec-Fetch-Site": "cross-site"})
        # A valid Bearer token is exempt from the token only without the session cookie, and
        # never from the foreign-origin refusal.
        send("session cookie + valid Bearer, no token", True, data=form,
             headers={"Authorization": f"Bearer {bearer}"})
        send("valid Bearer from a foreign Origin", True, json={"x": 1}, cookies=False,
             headers={"Authorization": f"Bearer {bearer}", "Origin": evil})
        send("valid Bearer, no session cookie, form without token", False, data=form,
             cookies=False, headers={"Authorization": f"Bearer {bearer}",
                                     "Cookie": "loket_csrf=" + "a" * 43})
        send("plain form post with token", False, data={**form, "csrf_token": token},
             headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
        login(world.admin)
        token = client.csrf_token()  # a logout or a private link just renewed the CSRF cookie
        send("HTMX request with token header", False, data=form,
             headers={"HX-Request": "true", "X-CSRF-Token": token,
                      "Sec-Fetch-Site": "same-origin"})
    assert not failures, "\n".join(failures)


def test_refusal_is_recognised(client: LoketClient) -> None:
    """The detector above is not vacuous: a forged post is seen as a CSRF refusal on a page
    and in the API, and an ordinary 403 is not."""
    client.get("/healthz")
    page = client.post("/uitloggen", csrf=False)
    assert csrf_refusal(page) == "csrf_page"
    api = client.post("/api/v1/practices", csrf=False, json={})
    assert csrf_refusal(api) == "csrf_failed"
    ordinary = client.post("/api/v1/practices", json={})
    assert ordinary.status_code in (401, 403) and csrf_refusal(ordinary) is None
    wrong = client.post("/uitloggen", csrf=False, data={"csrf_token": "0" * 64},
                        headers={"Accept": "application/json"})
    assert csrf_refusal(wrong) == "csrf_failed"
    foreign = client.post("/uitloggen", headers={"Origin": "https://evil.example"})
    assert csrf_refusal(foreign) == "csrf_page"


def _set_cookie_value(response: Response, name: str) -> str | None:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(name + "="):
            return header.split(";", 1)[0].split("=", 1)[1]
    return None


def test_csrf_cookie_is_renewed_at_login_and_logout(client: LoketClient,
                                                    session: Session) -> None:
    """Issue 12: a CSRF token read before login (or before logout) is worthless after it."""
    from tests.factories.accounts import create_admin

    password = "correct horse battery staple"
    create_admin(session, email="csrf-rotate@example.nl", password=password)
    session.commit()
    before = client.csrf_token()
    r = client.post("/inloggen/beheer", data={"email": "csrf-rotate@example.nl",
                                               "password": password, "csrf_token": before})
    assert r.status_code == 303, r.text[:200]
    renewed = _set_cookie_value(r, "loket_csrf")
    assert renewed and renewed != before
    after_login = client.csrf_token()
    assert after_login != before
    stale = client.post("/uitloggen", csrf=False, data={"csrf_token": before})
    assert csrf_refusal(stale) == "csrf_page"
    out = client.post("/uitloggen", csrf=False, data={"csrf_token": after_login})
    assert out.status_code == 303
    assert _set_cookie_value(out, "loket_csrf") not in (None, renewed)
    assert client.csrf_token() not in (before, after_login)


def test_a_cookie_keeping_api_client_posts_twice(client: LoketClient,
                                                 session: Session) -> None:
    """Issue 12: README promises integrations a cookieless JSON API. ``httpx.Client`` (which
    ``LoketClient`` is) keeps cookies; the first answer set a CSRF cookie, so the second POST
    was no longer cookieless and got 403. No ``/api/`` response sets that cookie now."""
    from tests.factories.cases import regional_setup

    regional_setup(session)
    session.commit()
    body = {"text": "Ik zoek subsidie voor een robot in mijn werkplaats in Deventer."}
    for _ in range(2):
        r = client.post("/api/v1/routing/dry-run", csrf=False, json=body)
        assert r.status_code == 200, r.text[:200]
        assert not any(h.startswith("loket_csrf") for h in r.headers.get_list("set-cookie"))
    assert "loket_csrf" not in client.cookies
    assert client.get("/").headers.get("set-cookie", "").startswith("loket_csrf=")


def test_the_api_docs_page_still_gets_a_token_that_works(client: LoketClient) -> None:
    """The one HTML page under /api/ carries the header's forms (log out): it gets the cookie
    its token belongs to."""
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert page.headers.get("set-cookie", "").startswith("loket_csrf=")
    assert client.csrf_token() in page.text
