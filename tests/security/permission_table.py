"""The permission matrix: who may call which route, on whose object.

HOW TO ADD A ROUTE (``test_every_route_is_in_the_table`` fails, naming it, until you do):

1. Add a ``Row`` below, in the section of its domain::

       Row("POST", "/groepen/{slug}/berichten/{post_id}/verbergen", obj="post",
           allow={MODERATOR}, form={"hidden": "1"})

   - ``path`` is the route's path template exactly as FastAPI shows it (``{slug:kbslug}``
     included); ``method`` one method (write one row per method).
   - ``obj`` names a list of *targets* in ``world.py`` (``World.targets``): objects that fill the
     path parameters, each with the actors that stand in a relation to it. The row is checked
     against every target of that kind, so own and other objects are both tried. Leave ``obj``
     out for routes without path parameters. A new kind of object: add targets in
     ``build_world`` (give private text a ``kxq…geheim`` marker and list who may see it in
     ``secrets``).
   - ``allow`` is who gets through: actor names (``ADMIN``, ``EDITORS``, ``EVERYONE``…) and
     relations to the target (``DESK``: member of the desk the case is at, ``OWNER``: the
     entrepreneur or user it belongs to, ``GROUP``: member of the group, ``MODERATOR``: its
     coordinator, ``TO_DESK``: member of the desk a hand-off is offered to, ``DESK_COORD``:
     coordinator of the desk, ``PUBLIC``: the object is public, e.g. a published item).
     Everyone else must be denied.
   - ``form`` / ``json`` / ``files``: a body that *succeeds* for an allowed actor. Values may
     use ``{name}`` placeholders from ``World.vars`` and the target's params.
   - ``ok``: extra statuses that still count as "allowed" for this row (e.g. 409 when the
     actor's own state makes the action a no-op); use sparingly and say why.
   - ``query``: a query string (placeholders as in bodies); several rows may cover the same
     route (e.g. ``?status=draft``).

2. Run ``pytest tests/security -q`` on SQLite and PostgreSQL.

WHAT COUNTS:
- allowed: 2xx, or a 3xx that does not lead to the login page (``/inloggen``), or a status in
  the row's ``ok``.
- denied, pages: 401, 403, 404, or a 303/307 to ``/inloggen``; denied, API (``/api/``): 401,
  403 or 404 with a JSON error body. A denial never contains the target's secret marker, and
  for a private target (a case, a saved answer, a profile… see ``Target.missing``) it is the
  same as for a missing object: a 403 there against a 404 would confirm that it exists.
- every response, allowed or not: no secret marker the actor may not see (``World.secrets``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import yaml

from backend.core.settings import ROOT
from tests.security.world import (
    ACTORS,
    ADMIN,
    ADV_A,
    ADV_B,
    ANALYST,
    ANALYST_P,
    CONTENT_API,
    CONTENT_KB,
    DESK_COORD,
    EDITOR,
    GROUP_COORD,
    MEMBER_TOKEN,
    MEMBER_X,
    MEMBER_Y,
    MINTED_ADV,
    MINTED_MEMBER,
    REVOKED,
    TOKEN,
)

# Consent recorded "now" (a recorded consent may not lie in the future or 90 days back).
_NOW_LOCAL = datetime.now(ZoneInfo("Europe/Amsterdam")).strftime("%Y-%m-%dT%H:%M")
_NOW_UTC = datetime.now(UTC).isoformat()

# Relations (see world.py): an actor stands in these to a target.
DESK = "@desk"
TO_DESK = "@to_desk"
DESK_COORDINATOR = "@coordinator"
OWNER = "@owner"
GROUP = "@group"
MODERATOR = "@moderator"
PUBLIC = "@public"

EVERYONE = frozenset(ACTORS)
USERS = frozenset({ADV_A, ADV_B, DESK_COORD, GROUP_COORD, MEMBER_X, MEMBER_Y, EDITOR, ADMIN,
                   ANALYST, ANALYST_P})
ANALYSTS = frozenset({ANALYST, ANALYST_P, ADMIN})
# Tokens that authenticate but hold no role and no membership (issue 12): an admin-made token
# for someone else, and a token whose owner lost the role. They get what any principal gets.
EMPTY_TOKENS = frozenset({MINTED_ADV, MINTED_MEMBER, REVOKED})
PRINCIPALS = USERS | {TOKEN, MEMBER_TOKEN} | EMPTY_TOKENS  # anyone logged in or with a token
# Routes for a user that a token made by its owner may use too, acting as the owner: REVOKED is
# such a token (its owner now holds no role and no membership). Session-only routes
# (/groepen/sleutels, /mijn-gegevens) keep USERS.
AS_USER = USERS | {REVOKED}
EDITORS = frozenset({EDITOR, ADMIN, TOKEN})
ADMINS = frozenset({ADMIN})


def in_groups_api(path: str) -> bool:
    return path == "/api/v1/me" or path.startswith("/api/v1/groups/")


# Actors that only work on some paths: elsewhere they are denied, except on public routes
# (allowed for EVERYONE), where being treated as anonymous or refused are both fine.
SCOPES = {MEMBER_TOKEN: in_groups_api}


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    allow: Iterable[str]
    obj: str | None = None
    form: dict[str, str] | None = None
    json: object | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    query: str = ""
    ok: frozenset[int] = field(default_factory=frozenset)
    headers: dict[str, str] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path


def R(method: str, path: str, allow: Iterable[str], obj: str | None = None, *,
      ok: Iterable[int] = (), **kw: object) -> Row:
    return Row(method, path, frozenset(allow), obj, ok=frozenset(ok), **kw)  # type: ignore[arg-type]


ROWS: list[Row] = []


def add(*rows: Row) -> None:
    ROWS.extend(rows)


# --- site, operations, regions ------------------------------------------------------------------
add(
    R("GET", "/", EVERYONE),
    R("GET", "/toegankelijkheid", EVERYONE),
    R("GET", "/privacy", EVERYONE),
    R("GET", "/colofon", EVERYONE),
    R("GET", "/taal/{lang}", EVERYONE, "language"),
    R("GET", "/api/v1/docs", EVERYONE),
    R("GET", "/api/v1/openapi.json", EVERYONE),
    R("GET", "/healthz", EVERYONE),
    R("GET", "/readyz", EVERYONE, ok={503}),  # 503 while the search index is still empty
    R("GET", "/metrics", ()),  # outside development only with LOKET_METRICS_TOKEN (issue 12)
    R("GET", "/beheer/uitgaand", ADMINS),
    R("GET", "/beheer/uitgaand/{message_id}", ADMINS, "outbox"),
    R("POST", "/beheer/uitgaand/{message_id}/opnieuw", ADMINS, "outbox"),
    R("POST", "/beheer/uitgaand/opnieuw", ADMINS),
    R("GET", "/beheer/mail", ADMINS),
    R("GET", "/beheer/mail/{message_id}", ADMINS, "outbox"),
    R("GET", "/api/v1/regions/municipalities", EVERYONE, query="q=dev"),
    R("GET", "/api/v1/regions/municipalities/{code}", EVERYONE, "municipality"),
    R("GET", "/gemeenten/opties", EVERYONE, query="q=dev"),
)

# --- routing: desks -----------------------------------------------------------------------------
add(
    R("POST", "/api/v1/routing/dry-run", EVERYONE,
      json={"text": "Hoe krijg ik subsidie voor een robot?", "municipality": "GM0150"}),
    R("GET", "/api/v1/desks", EVERYONE),
    R("GET", "/api/v1/desks/{slug}", EVERYONE, "public_desk"),
    R("GET", "/welk-loket", EVERYONE),
    R("GET", "/loketten", EVERYONE),
    R("GET", "/loketten/{slug}", EVERYONE, "public_desk"),
    R("GET", "/api/v1/desks/{slug}/figures", EVERYONE, "public_desk"),
    R("GET", "/beheer/loketten", {ADMIN, DESK_COORD}),
    R("GET", "/beheer/dekking", {ADMIN, DESK_COORD}),
    R("GET", "/api/v1/routing/coverage", {ADMIN, DESK_COORD}),
    R("GET", "/beheer/loketten/nieuw", ADMINS),
    R("POST", "/beheer/loketten/nieuw", ADMINS,
      form={"slug": "nieuw-loket", "name": "Nieuw loket", "capacity": "10",
            "first_response_hours": "16", "languages": "nl", "coverage": "national"}),
    R("GET", "/beheer/loketten/{slug}", {ADMIN, DESK_COORDINATOR}, "desk"),
    R("POST", "/beheer/loketten/{slug}", {ADMIN, DESK_COORDINATOR}, "desk",
      form={"name": "Loket", "first_response_hours": "16", "capacity": "50",
            "languages": "nl", "coverage": "national", "is_active": "on"}),
    R("POST", "/beheer/loketten/{slug}/leden", {ADMIN, DESK_COORDINATOR}, "desk",
      form={"email": "{plain_user_email}", "role": "advisor"}),
    R("POST", "/beheer/loketten/{slug}/leden/{user_id}/verwijderen", {ADMIN, DESK_COORDINATOR},
      "desk_member"),
)

# --- accounts -----------------------------------------------------------------------------------
add(
    R("GET", "/inloggen", EVERYONE),
    R("POST", "/inloggen", EVERYONE, form={"email": "{plain_user_email}"}),
    R("GET", "/inloggen/link-verstuurd", EVERYONE),
    R("GET", "/inloggen/link/{token}", EVERYONE, "login_link"),
    R("POST", "/inloggen/link/{token}", EVERYONE, "login_link"),
    R("GET", "/inloggen/beheer", EVERYONE),
    # the demo login exists only in development (backend/demo.py): 404 for everyone here
    R("GET", "/inloggen/demo", frozenset()),
    R("POST", "/inloggen/demo", frozenset(), form={"email": "beheerder@demo.loket.test"}),
    R("POST", "/inloggen/beheer", EVERYONE, form={"email": "{plain_user_email}",
                                                  "password": "Lang-genoeg-wachtwoord-42"}),
    R("GET", "/inloggen/sso", EVERYONE, ok={404}),  # 404: no OIDC provider configured
    R("GET", "/inloggen/sso/callback", EVERYONE, ok={400, 404}),
    R("POST", "/uitloggen", EVERYONE),
    R("GET", "/beheer", ADMINS),
    R("GET", "/beheer/gebruikers", ADMINS),
    R("GET", "/beheer/gebruikers/nieuw", ADMINS),
    R("POST", "/beheer/gebruikers/nieuw", ADMINS,
      form={"email": "{new_email}", "name": "Nieuw"}),
    R("GET", "/beheer/gebruikers/{user_id}", ADMINS, "user"),
    R("POST", "/beheer/gebruikers/{user_id}/rollen", ADMINS, "user", form={"role": "editor"}),
    R("POST", "/beheer/gebruikers/{user_id}/rollen/{role}/intrekken", ADMINS, "user"),
    R("POST", "/beheer/gebruikers/{user_id}/deactiveren", ADMINS, "user"),
    R("POST", "/beheer/gebruikers/{user_id}/activeren", ADMINS, "user"),
    R("GET", "/beheer/tokens", ADMINS),
    R("POST", "/beheer/tokens", ADMINS, form={"name": "Nieuw", "role": "editor", "days": "30"}),
    R("POST", "/beheer/tokens/{token_id}/intrekken", ADMINS, "api_token"),
    R("GET", "/beheer/audit", ADMINS),
    R("GET", "/api/v1/me", PRINCIPALS),
    R("GET", "/api/v1/admin/users", ADMINS),
    R("POST", "/api/v1/admin/users", ADMINS, json={"email": "{new_email}", "name": "Nieuw"}),
    R("POST", "/api/v1/admin/users/{user_id}/roles", ADMINS, "user", json={"role": "editor"}),
    R("DELETE", "/api/v1/admin/users/{user_id}/roles/{role}", ADMINS, "user"),
    R("GET", "/api/v1/admin/tokens", ADMINS),
    R("POST", "/api/v1/admin/tokens", ADMINS, json={"name": "Nieuw", "role": "editor"}),
    R("DELETE", "/api/v1/admin/tokens/{token_id}", ADMINS, "api_token"),
)

# --- cases: asking, following, the workspace ------------------------------------------------------
INTAKE = {"channel": "telefoon", "text": "Hoe financier ik een nieuwe productielijn voor robots?",
          "municipality": "GM0150", "email": "beller@example.nl", "consent": "1",
          "consent_by": "Beller", "consent_at": "2026-01-05T10:00",
          "consent_how": "mondeling, telefonisch", "keep": "1",
          "keep_reason": "Eigen klant", "action": "register"}
SCAN_ANSWERS = {f"q-{q['id']}": "3" for q in yaml.safe_load(
    (ROOT / "seed" / "scan" / "scan-v1.yaml").read_text(encoding="utf-8"))["questions"]}
QUESTION = {"text": "Hoe kan ik mijn productie efficiënter organiseren met robots?",
            "municipality": "GM0150", "email": "vrager@example.nl", "consent": "1"}
add(
    R("GET", "/vraag", EVERYONE),
    R("GET", "/vraag/suggesties", EVERYONE, query="text=robot"),
    R("POST", "/vraag", EVERYONE, form=QUESTION),
    R("GET", "/vraag/volgen/{token}", EVERYONE, "private_link"),
    R("POST", "/vraag/volgen/{token}", EVERYONE, "private_link"),
    R("GET", "/vraag/link-opnieuw", EVERYONE),
    R("POST", "/vraag/link-opnieuw", EVERYONE,
      form={"email": "een@example.nl", "reference": "{case_1_reference}"}),
    R("GET", "/mijn-vraag/{reference}", {OWNER}, "case"),
    R("POST", "/mijn-vraag/{reference}/reactie", {OWNER}, "case", form={"body": "Nog een vraag"}),
    R("POST", "/mijn-vraag/{reference}/beoordeling", {OWNER}, "case", form={"score": "4"}),
    # 409: the world's case has no open question about handing on
    R("POST", "/mijn-vraag/{reference}/doorsturen", {OWNER}, "case", ok={409},
      form={"answer": "ja"}),
    R("GET", "/mijn-vraag/{reference}/gegevens", {OWNER}, "case"),
    R("POST", "/api/v1/questions", EVERYONE,
      json={**QUESTION, "consent": True}),
    R("GET", "/werkplek", PRINCIPALS),
    R("GET", "/werkplek/{desk}", {DESK}, "desk"),
    R("GET", "/werkplek/{desk}/standaardantwoorden", {DESK}, "desk"),
    R("POST", "/werkplek/{desk}/standaardantwoorden", {DESK}, "desk",
      form={"title": "Nieuw", "body": "Tekst"}),
    R("POST", "/werkplek/{desk}/standaardantwoorden/{answer_id}/verwijderen", {DESK},
      "saved_answer"),
    R("GET", "/werkplek/zaken/{reference}", {DESK, TO_DESK}, "case"),
    # another desk's saved answer must not be filled in through the query string
    R("GET", "/werkplek/zaken/{reference}", {DESK, TO_DESK}, "case",
      query="standaardantwoord={saved_b_id}"),
    # 409 for allowed actors: a colleague has the case already (it is assigned by its answer)
    R("POST", "/werkplek/zaken/{reference}/oppakken", {DESK}, "case", ok={409}),
    R("POST", "/werkplek/zaken/{reference}/toewijzen", {DESK}, "case",
      form={"user_id": "{assignee}"}),
    R("POST", "/werkplek/zaken/{reference}/antwoord", {DESK}, "case", form={"body": "Antwoord"}),
    R("POST", "/werkplek/zaken/{reference}/notitie", {DESK}, "case", form={"note": "Notitie"}),
    R("POST", "/werkplek/zaken/{reference}/sluiten", {DESK}, "case",
      form={"outcome": "no_follow_up", "without_answer": "1"}),
    # 409 for allowed actors on the offered case: it is offered already / not answered yet
    # 422: the entrepreneur's consent to that desk is not recorded in the world
    R("POST", "/werkplek/zaken/{reference}/overdragen", {DESK}, "case", ok={409, 422},
      form={"to_desk": "{desk_c}", "handoff_note": "Beter daar"}),
    R("POST", "/werkplek/zaken/{reference}/toestemming/vragen", {DESK}, "case", ok={409},
      form={"ask_desk": "{desk_c}"}),
    R("POST", "/werkplek/zaken/{reference}/toestemming/vastleggen", {DESK}, "case", ok={409},
      form={"phone_desk": "{desk_c}", "given_by": "Jan de Vries", "given_at": _NOW_LOCAL}),
    R("POST", "/werkplek/zaken/{reference}/overdracht/{handoff_id}/accepteren", {TO_DESK},
      "handoff"),
    R("POST", "/werkplek/zaken/{reference}/overdracht/{handoff_id}/weigeren", {TO_DESK},
      "handoff", form={"decline_note": "Niet voor ons"}),
    R("GET", "/werkplek/zaken/{reference}/kennis", {DESK}, "case", ok={409}),
    R("POST", "/werkplek/zaken/{reference}/kennis", {DESK}, "case", ok={409},
      form={"title": "Robots in de productie", "body_md": "Een antwoord over robots " * 3,
            "summary": "Kort", "personal_data_checked": "1"}),
    # --- the human door (issue 18): intake, appointments, referral, scan with a client ---
    R("GET", "/werkplek/{desk}/intake", {DESK}, "desk"),
    R("POST", "/werkplek/{desk}/intake", {DESK}, "desk", form=INTAKE),
    R("GET", "/werkplek/{desk}/afspraken", {DESK_COORDINATOR}, "desk"),
    R("POST", "/werkplek/{desk}/afspraken", {DESK_COORDINATOR}, "desk",
      form={"day": "2099-01-15", "start": "09:00", "end": "10:00", "minutes": "30",
            "location": "Kantoor"}),
    R("POST", "/werkplek/{desk}/afspraken/{slot_id}/verwijderen", {DESK_COORDINATOR}, "slot"),
    R("POST", "/werkplek/zaken/{reference}/verwijzen", {DESK}, "case",
      form={"organisation_name": "Stichting Elders", "reason": "Zij kennen de regeling."}),
    R("GET", "/werkplek/zaken/{reference}/scan", {DESK}, "case"),
    R("POST", "/werkplek/zaken/{reference}/scan", {DESK}, "case", form=SCAN_ANSWERS),
    R("POST", "/mijn-vraag/{reference}/afspraak", {OWNER}, "case",
      form={"slot_id": "{free_slot}"}),
    # 409 for the owner: the world's cases hold no appointment to cancel
    R("POST", "/mijn-vraag/{reference}/afspraak/annuleren", {OWNER}, "case", ok={409}),
    R("GET", "/vraag/nazorg/{token}", EVERYONE, "followup"),  # the link is the key
    R("POST", "/vraag/nazorg/{token}", EVERYONE, "followup", form={"acted": "yes"}),
    R("GET", "/vraag/nazorg/{token}/afmelden", EVERYONE, "followup"),
    R("POST", "/vraag/nazorg/{token}/afmelden", EVERYONE, "followup"),
    R("GET", "/api/v1/desks/{desk}/cases", {DESK}, "desk"),
    R("GET", "/api/v1/cases/{reference}", {DESK, TO_DESK}, "case"),
    R("POST", "/api/v1/cases/{reference}/claim", {DESK}, "case", ok={409}),
    R("POST", "/api/v1/cases/{reference}/assign", {DESK}, "case",
      json={"user_id": "{assignee}"}),
    R("POST", "/api/v1/cases/{reference}/replies", {DESK}, "case", json={"body": "Antwoord"}),
    R("POST", "/api/v1/cases/{reference}/notes", {DESK}, "case", json={"body": "Notitie"}),
    R("POST", "/api/v1/cases/{reference}/close", {DESK}, "case",
      json={"outcome": "no_follow_up", "without_answer": True}),
    R("POST", "/api/v1/cases/{reference}/handoffs", {DESK}, "case", ok={409},
      json={"to_desk": "{desk_c}", "note": "Beter daar", "consent_given_by": "Jan de Vries",
            "consent_given_at": _NOW_UTC}),
    R("POST", "/api/v1/cases/{reference}/handoffs/{handoff_id}/accept", {TO_DESK}, "handoff"),
    R("POST", "/api/v1/cases/{reference}/handoffs/{handoff_id}/decline", {TO_DESK}, "handoff",
      json={"note": "Niet voor ons"}),
)

# --- community: groups, feed, benchmarks ----------------------------------------------
FIRM = {"firm_name": "Nieuwe firma", "sector": "installatie", "size_class": "klein",
        "kvk": "12345678"}
add(
    R("GET", "/groepen", EVERYONE),
    R("GET", "/groepen/nieuw", EDITORS),
    R("POST", "/groepen/nieuw", EDITORS, form={
        "name": "Nieuwe groep", "purpose": "Samen beter.", "sector": "installatie",
        "region": "Overijssel", "coordinator_email": "coordinator@example.nl"}),
    # an invitation is for the address it was sent to (OWNER), not for whoever has the link
    R("GET", "/groepen/uitnodiging/{token}", {OWNER}, "invitation"),
    R("POST", "/groepen/uitnodiging/{token}", {OWNER}, "invitation", form=FIRM),
    R("GET", "/groepen/{slug}", EVERYONE, "group"),
    R("POST", "/groepen/{slug}/aanvragen", AS_USER, "group", form={**FIRM, "message": "Graag"},
      ok={409}),
    R("GET", "/groepen/{slug}/ruimte", {GROUP}, "group"),
    R("GET", "/groepen/{slug}/instellingen", {MODERATOR}, "group"),
    R("POST", "/groepen/{slug}/instellingen", {MODERATOR}, "group", form={
        "purpose": "Samen nog beter.", "sector": "installatie", "region": "Overijssel"}),
    R("POST", "/groepen/{slug}/uitnodigen", {MODERATOR}, "group",
      form={"email": "nieuw-lid@example.nl"}),
    R("POST", "/groepen/{slug}/aanvragen/{request_id}", {MODERATOR}, "join_request",
      form={"decision": "approve"}),
    # 409: the last coordinating firm cannot leave
    R("POST", "/groepen/{slug}/verlaten", {GROUP}, "group", ok={409}),
    R("POST", "/groepen/{slug}/leden/{firm_id}/verwijderen", {MODERATOR}, "group_member"),
    R("POST", "/groepen/{slug}/berichten", {GROUP}, "group",
      form={"title": "Nieuw", "body": "Een bericht"}),
    R("POST", "/groepen/{slug}/berichten/{post_id}/reacties", {GROUP, MODERATOR}, "post",
      form={"body": "Een reactie"}),
    R("POST", "/groepen/{slug}/berichten/{post_id}/melden", {GROUP, MODERATOR}, "post",
      form={"reason": "Klopt niet"}),
    R("POST", "/groepen/{slug}/berichten/{post_id}/verbergen", {MODERATOR}, "post",
      form={"hidden": "1"}),
    R("POST", "/groepen/{slug}/berichten/{post_id}/verwijderen", {MODERATOR, OWNER}, "post"),
    R("POST", "/groepen/{slug}/berichten/{post_id}/voorstellen", {MODERATOR, OWNER}, "post"),
    R("GET", "/groepen/{slug}/kengetallen", {GROUP}, "group"),
    R("POST", "/groepen/{slug}/kengetallen/perioden/{period_id}", {GROUP}, "period",
      form={}),
    R("POST", "/groepen/{slug}/kengetallen/perioden/{period_id}/csv", {GROUP}, "period",
      files={"file": ("figures.csv", b"kpi,value\noee,55\n", "text/csv")}),
    R("POST", "/groepen/{slug}/kengetallen/perioden/{period_id}/afsluiten", {MODERATOR},
      "period"),
    R("POST", "/groepen/{slug}/kengetallen/perioden", {MODERATOR}, "group",
      form={"label": "2027"}),
    R("POST", "/groepen/{slug}/kengetallen/kpis", {MODERATOR}, "group",
      form={"key": "omzet", "name": "Omzet", "unit": "EUR"}),
    R("POST", "/groepen/{slug}/kengetallen/sjablonen", {MODERATOR}, "group",
      form={"template": "value_added_per_hour"}),
    R("GET", "/groepen/{slug}/kengetallen/export.csv", {GROUP}, "group"),
    R("GET", "/groepen/{slug}/kengetallen/kengetallen.csv", {GROUP}, "group"),
    R("GET", "/groepen/{slug}/berichten/{post_id}/bijlagen/{attachment_id}", {GROUP},
      "attachment"),
    R("GET", "/mijn-groepen", PRINCIPALS),
    R("GET", "/groepen/sleutels", USERS),
    # 409: people without a firm in a group cannot make a groups token
    R("POST", "/groepen/sleutels", USERS, form={"name": "Boekhouding", "expires": "90"},
      ok={409}),
    R("POST", "/groepen/sleutels/{token_id}/intrekken", {OWNER}, "personal_token"),
    R("GET", "/api/v1/groups/{slug}/kpis", {GROUP}, "group"),
    R("GET", "/api/v1/groups/{slug}/periods", {GROUP}, "group"),
    R("PATCH", "/api/v1/groups/{slug}/periods/{period_id}/figures", {GROUP}, "period",
      json={"figures": {"oee": 55.5}}),
    R("GET", "/api/v1/groups/{slug}/figures", {GROUP}, "group"),
    R("GET", "/api/v1/groups/{slug}/comparisons", {GROUP}, "group"),
)

# --- schemes and the productivity scan -----------------------------------------------
add(
    R("GET", "/api/v1/schemes/match", EVERYONE, query="size=klein"),
    R("GET", "/regelingen/zoeker", EVERYONE),
    R("POST", "/regelingen/zoeker/profielen", AS_USER, form={"size": "klein", "name": "Mijn"}),
    R("GET", "/regelingen/mijn-profielen", AS_USER),
    R("POST", "/regelingen/mijn-profielen/{profile_id}/verwijderen", {OWNER}, "profile"),
    R("POST", "/regelingen/bewaard", AS_USER, form={"slug": "{scheme_slug}"}),
    R("POST", "/regelingen/bewaard/{saved_id}/verwijderen", {OWNER}, "saved_scheme"),
    R("GET", "/scan", EVERYONE),
    R("POST", "/scan", EVERYONE, form={"size": "klein", "sector": "", "municipality": ""}),
    R("GET", "/scan/vraag/{n}", EVERYONE, "scan_step"),
    R("POST", "/scan/vraag/{n}", EVERYONE, "scan_step", form={"answer": "3"}),
    R("GET", "/scan/resultaat/{token}", EVERYONE, "scan"),  # the private link is the key
    R("GET", "/scan/resultaat/{token}/scores.csv", EVERYONE, "scan"),
    R("GET", "/scan/resultaat/{token}/scan.pdf", EVERYONE, "scan"),
    R("POST", "/scan/resultaat/{token}/bespreken", EVERYONE, "scan",
      form={"email": "scan@example.nl", "municipality": "Deventer", "consent": "1",
            "text": "Graag een gesprek over de uitkomst van de scan."}),
    R("GET", "/scan/vergelijking", EVERYONE),
    R("GET", "/scan/mijn-scans", AS_USER),
    R("GET", "/scan/mijn-scans/{result_id}", {OWNER}, "scan"),
    R("GET", "/scan/vergelijking", EVERYONE),
    # editors change the scan as YAML (backend/scan/routes_editor.py)
    R("GET", "/redactie/scan", EDITORS),
    R("POST", "/redactie/scan/concept", EDITORS),
    R("GET", "/redactie/scan/concept", EDITORS),
    R("POST", "/redactie/scan/concept/bewerken", EDITORS,
      form={"actie": "voorbeeld", "text": (
          "version: 9\ntitle_nl: Proef\nscale:\n- value: 1\n  nl: Nee\n- value: 2\n  nl: Ja\n"
          "pillars:\n- slug: p\n  nl: P\ndimensions:\n- slug: d\n  pillar: p\n  nl: D\n"
          "questions:\n- id: q1\n  dimension: d\n  nl: Vraag\n")}),  # no braces: {} fill
    R("POST", "/redactie/scan/concept/weggooien", EDITORS),
    R("GET", "/redactie/scan/versies/{version}", EDITORS, "scan_version"),
)

# --- knowledge base: API, editors' pages, public pages --------------------------------------------
CREATE_BODIES: dict[str, dict[str, object]] = {
    "event": {"starts_at": "2030-01-01T10:00:00Z", "place": "Zwolle"},
}
add(
    R("GET", "/api/v1/search", EVERYONE, query="q=robot"),
    R("GET", "/api/v1/taxonomy", EVERYONE),
)
for _type, _api in CONTENT_API.items():
    _p = f"/api/v1/{_api}"
    _obj = f"item:{_type}"
    add(
        R("GET", _p, EVERYONE),
        R("GET", _p, EDITORS, query="status=draft"),
        R("POST", _p, EDITORS, json={"title": f"Nieuw {_type}", **CREATE_BODIES.get(_type, {})}),
        R("GET", _p + "/{slug}", {PUBLIC, *EDITORS}, _obj),
        R("PATCH", _p + "/{slug}", EDITORS, _obj, json={"summary": "Anders"}),
        R("DELETE", _p + "/{slug}", EDITORS, _obj),
        R("POST", _p + "/{slug}/publish", EDITORS, _obj, ok={409}),  # 409: published already
        R("POST", _p + "/{slug}/unpublish", EDITORS, _obj, ok={409}),
        R("GET", _p + "/{slug}/revisions", EDITORS, _obj),
    )
    _kb = CONTENT_KB[_type]
    add(
        R("GET", _kb, EVERYONE),
        R("GET", _kb + "/{slug:kbslug}", {PUBLIC}, _obj),  # drafts: not even for editors here
    )
add(  # issue 17: the opt-in expert directory, introductions through the desk, agenda feed
    R("GET", "/agenda.ics", EVERYONE),
    R("GET", "/experts/aanmelden", EVERYONE),
    R("POST", "/experts/aanmelden", EVERYONE,
      form={"name": "Eva Test", "email": "eva@example.org", "role": "Adviseur",
            "summary": "Helpt met roosters in het mkb.", "themes": "digitalisering",
            "regions": "overijssel", "availability": "Op dinsdag", "consent": "1"}),
    R("POST", "/experts/{slug:kbslug}/introductie", {PUBLIC}, "item:expert",
      form={"text": "Graag een introductie over roosters in ons bedrijf.",
            "email": "ondernemer@example.org", "municipality": "Deventer", "consent": "1"}),
)
add(
    R("GET", "/zoeken", EVERYONE, query="q=robot"),
    R("GET", "/kennisbank", EVERYONE),
    R("GET", "/redactie", EDITORS),
    R("GET", "/redactie/nieuw/{type_}", EDITORS, "editor_type"),
    R("POST", "/redactie/nieuw/{type_}", EDITORS, "editor_type",
      form={"title": "Nieuw voorbeeld", "summary": "Kort"}),
    R("GET", "/redactie/items/{item_id}", EDITORS, "item"),
    R("POST", "/redactie/items/{item_id}", EDITORS, "item",
      form={"title": "Andere titel", "summary": "Kort"}),
    R("GET", "/redactie/items/{item_id}/voorbeeld", EDITORS, "item"),
    R("POST", "/redactie/items/{item_id}/publiceren", EDITORS, "item"),
    R("POST", "/redactie/items/{item_id}/depubliceren", EDITORS, "item"),
    R("POST", "/redactie/items/{item_id}/verwijderen", EDITORS, "item"),
    R("GET", "/redactie/items/{item_id}/versies", EDITORS, "item"),
    R("GET", "/redactie/items/{item_id}/versies/{number}", EDITORS, "revision"),
    R("POST", "/redactie/items/{item_id}/versies/{number}/herstellen", EDITORS, "revision"),
    R("GET", "/redactie/taxonomie", EDITORS),
    R("POST", "/redactie/taxonomie/themas", EDITORS,
      form={"slug": "nieuw-thema", "name_nl": "Nieuw thema", "pillar": "{pillar}"}),
    R("POST", "/redactie/taxonomie/themas/{theme_id}", EDITORS, "theme",
      form={"name_nl": "Ander thema", "pillar": "{pillar}"}),
    R("POST", "/redactie/taxonomie/sectoren", EDITORS,
      form={"slug": "nieuwe-sector", "name_nl": "Nieuwe sector"}),
    R("POST", "/redactie/taxonomie/sectoren/{sector_id}", EDITORS, "sector",
      form={"name_nl": "Andere sector"}),
)

# --- privacy: one's own data, admins' export and erasure ------------------------------------------
add(
    R("GET", "/api/v1/me/data", AS_USER),  # a token without a user holds no personal data
    R("POST", "/api/v1/admin/privacy/export", ADMINS, json={"subject": "{plain_user_email}"}),
    R("POST", "/api/v1/admin/privacy/erase", ADMINS,
      json={"subject": "{plain_user_email}", "confirm": "{plain_user_email}"}),
    R("GET", "/beheer/privacy", ADMINS),
    R("POST", "/beheer/privacy/export", ADMINS, form={"wie": "{plain_user_email}"}),
    R("POST", "/beheer/privacy/verwijderen", ADMINS,
      form={"wie": "{plain_user_email}", "bevestiging": "{plain_user_email}"}),
    R("GET", "/mijn-gegevens", USERS),
    R("GET", "/mijn-gegevens/export", USERS),
    # 409: editors and admins are erased by another admin, not by themselves
    R("POST", "/mijn-gegevens/verwijderen", USERS, form={"bevestiging": "ja"}, ok={409}),
    R("GET", "/mijn-gegevens/verwijderd", EVERYONE),
)

# --- insight: aggregates for analysts (a province analyst only their province); a desk's
# coordinator sees the desks view of their own desk ----------------------------------------------
for _slug, _api in (("vraag", "demand"), ("onvervulde-vraag", "unmet"), ("loketten", "desks"),
                    ("uitkomsten", "outcomes"), ("scan", "scan")):
    _who = ANALYSTS | {DESK_COORD} if _api == "desks" else ANALYSTS
    add(
        R("GET", f"/inzicht/{_slug}", _who),
        R("GET", f"/inzicht/{_slug}", _who - {ANALYST_P}, query="province=PV26"),
        R("GET", f"/inzicht/{_slug}.csv", _who),
        R("GET", f"/inzicht/{_slug}.csv", _who - {ANALYST_P}, query="province=PV26"),
        R("GET", f"/api/v1/insight/{_api}", _who),
        R("GET", f"/api/v1/insight/{_api}", _who - {ANALYST_P}, query="province=PV26"),
    )
add(R("GET", "/inzicht", ANALYSTS | {DESK_COORD}))
add(
    R("GET", "/open-data", EVERYONE),
    R("GET", "/open-data/catalogus.jsonld", EVERYONE),
    *[R("GET", f"/open-data/{_name}.{_ext}", EVERYONE)
      for _name in ("loketten", "regelingen", "kwartaalcijfers") for _ext in ("json", "csv")],
)
add(
    R("GET", "/inzicht/rapport", ANALYSTS, query="province=PV23&quarter=2026-Q3"),
    R("GET", "/inzicht/rapport", ANALYSTS - {ANALYST_P}, query="province=PV26&quarter=2026-Q3"),
    R("GET", "/inzicht/rapport.pdf", ANALYSTS, query="province=PV23&quarter=2026-Q3"),
    R("GET", "/inzicht/rapport.pdf", ANALYSTS - {ANALYST_P},
      query="province=PV26&quarter=2026-Q3"),
)
