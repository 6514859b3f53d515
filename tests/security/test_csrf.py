"""CSRF: every state-changing route refuses a cookie-authenticated request without a valid
token, with a wrong one, or from a foreign site; and passes the gate for a plain form post with
the token and for an HTMX request with the token header.

``UNSAFE_ROUTES`` is written out by hand: a new POST/PUT/PATCH/DELETE route fails
``test_every_unsafe_route_is_listed`` until it is added here, and is then checked like the rest.
"Passes the gate" means the answer is not the CSRF refusal; it may still be a 404, 403, 422 or a
redirect, because the body of these probes is not a valid form for most routes.
"""

from __future__ import annotations

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
    "PATCH /api/v1/groups/{slug}/periods/{period_id}/figures",
    "PATCH /api/v1/events/{slug}",
    "PATCH /api/v1/experts/{slug}",
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
    "POST /groepen/{slug}/kengetallen/kpis",
    "POST /groepen/{slug}/kengetallen/perioden",
    "POST /groepen/{slug}/kengetallen/perioden/{period_id}",
    "POST /groepen/{slug}/kengetallen/perioden/{period_id}/afsluiten",
    "POST /groepen/{slug}/kengetallen/perioden/{period_id}/csv",
    "POST /groepen/{slug}/kengetallen/sjablonen",
    "POST /groepen/{slug}/instellingen",
    "POST /groepen/{slug}/leden/{firm_id}/verwijderen",
    "POST /groepen/{slug}/uitnodigen",
    "POST /groepen/{slug}/verlaten",
    "POST /inloggen",
    "POST /inloggen/beheer",
    "POST /inloggen/link/{token}",
    "POST /mijn-gegevens/verwijderen",
    "POST /mijn-vraag/{reference}/beoordeling",
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
    "POST /experts/aanmelden",
    "POST /experts/{slug:kbslug}/introductie",
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
    "POST /vraag/volgen/{token}",
    "POST /werkplek/zaken/{reference}/antwoord",
    "POST /werkplek/zaken/{reference}/kennis",
    "POST /werkplek/zaken/{reference}/notitie",
    "POST /werkplek/zaken/{reference}/oppakken",
    "POST /werkplek/zaken/{reference}/overdracht/{handoff_id}/accepteren",
    "POST /werkplek/zaken/{reference}/overdracht/{handoff_id}/weigeren",
    "POST /werkplek/zaken/{reference}/overdragen",
    "POST /werkplek/zaken/{reference}/sluiten",
    "POST /werkplek/zaken/{reference}/toewijzen",
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
        app: FastAPI, client: LoketClient, world: World,
        login: Callable[..., LoketClient]) -> None:
    failures: list[str] = []
    evil = "https://evil.example"
    present = {f"{m} {p}" for m, p in all_routes(app)}
    for route in sorted(UNSAFE_ROUTES & present):
        method, path = route.split(" ", 1)
        url = world.fill(path)
        login(world.admin)  # a fresh session each time: /uitloggen and others end it
        token = client.csrf_token()
        form = {"x": "1"}

        def send(what: str, expect: bool, *, route: str = route, method: str = method,
                 url: str = url, **kw: Any) -> None:
            r = client.request(method, url, csrf=False, **kw)
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
        send("plain form post with token", False, data={**form, "csrf_token": token},
             headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
        login(world.admin)
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
