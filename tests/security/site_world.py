"""A small populated Loket for the XSS, CSRF and read-only-crawl tests: one of everything a
route can show, and the people who may see it.

Built with the domain factories and services inside the test's rollback transaction. ``paths``
fills the path parameters of every route template from it, so a crawler can request every
route (``fill(path)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlmodel import Session

from backend.accounts.models import User
from backend.cases import service as case_service
from backend.cases.models import Case, CaseHandoff
from backend.community import benchmarks as bm
from backend.community import feed
from backend.community import service as community
from backend.community.models import Group
from backend.content.models import ContentItem
from backend.core.db import Database
from backend.core.outbox import enqueue
from backend.core.settings import Settings
from backend.routing.models import COORDINATOR, Desk
from tests.factories.accounts import create_admin, create_login_link, create_token, create_user
from tests.factories.cases import as_principal, create_case, regional_setup
from tests.factories.community import create_group, member_with_person
from tests.factories.content import (
    create_event,
    create_item,
    create_organisation,
    create_scheme,
    create_taxonomy,
)
from tests.factories.routing import add_member

TYPE_PATHS = {"practice": "/kennisbank/goede-voorbeelden", "case_study":
              "/kennisbank/praktijkcasussen", "scheme": "/regelingen", "expert": "/experts",
              "event": "/agenda", "organisation": "/organisaties", "qa": "/kennisbank/vragen"}
API_TYPES = {"practices": "practice", "case-studies": "case_study", "schemes": "scheme",
             "experts": "expert", "events": "event", "organisations": "organisation",
             "answers": "qa"}


@dataclass
class World:
    admin: User
    editor: User
    advisor: User  # coordinator of every desk
    member: User  # coordinator of the group's first firm
    desk: Desk
    other_desk: Desk
    case: Case
    handoff: CaseHandoff
    group: Group
    post_id: int
    request_id: int
    firm_id: int
    period_id: int
    items: dict[str, ContentItem]
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def fill(self, path: str) -> str:
        """A concrete URL for a route template."""
        def item_for(prefix: str) -> ContentItem:
            for type_, p in TYPE_PATHS.items():
                if prefix == p:
                    return self.items[type_]
            raise KeyError(prefix)

        m = re.match(r"^(/.*)/\{slug:kbslug\}(/[a-z]+)?$", path)
        if m:
            return f"{m.group(1)}/{item_for(m.group(1)).slug}{m.group(2) or ''}"
        m = re.match(r"^/api/v1/([a-z-]+)/\{slug\}", path)
        if m and m.group(1) in API_TYPES:
            path = path.replace("{slug}", self.items[API_TYPES[m.group(1)]].slug)
        if path.startswith(("/groepen", "/api/v1/groups")):
            path = path.replace("{slug}", self.group.slug)
        if path.startswith("/vraag/volgen/"):
            path = path.replace("{token}", self.tokens["follow"])
        if path.startswith("/groepen/uitnodiging/"):
            path = path.replace("{token}", self.tokens["invitation"])
        if path.startswith("/scan/resultaat/"):
            path = path.replace("{token}", self.tokens["scan"])
        if path.startswith("/vraag/nazorg/"):  # no follow-up in this world: an unknown link
            path = path.replace("{token}", "x" * 43)
        if path.startswith("/inloggen/link/"):
            path = path.replace("{token}", self.tokens["login_link"])
        values = {
            "{slug}": self.desk.slug, "{desk}": self.desk.slug, "{reference}": self.case.reference,
            "{handoff_id}": str(self.handoff.id), "{post_id}": str(self.post_id),
            "{request_id}": str(self.request_id), "{firm_id}": str(self.firm_id),
            "{period_id}": str(self.period_id), "{user_id}": str(self.member.id),
            "{role}": "editor", "{lang}": "en", "{type_}": "practice",
            "{item_id}": str(self.items["practice"].id), "{number}": "1", "{n}": "1",
            "{code}": "GM0150", "{theme_id}": str(self.ids["theme"]),
            "{sector_id}": str(self.ids["sector"]), "{answer_id}": str(self.ids["answer"]),
            "{token_id}": str(self.ids["api_token"]), "{message_id}": str(self.ids["outbox"]),
            "{result_id}": str(self.ids["scan_result"]), "{profile_id}": str(self.ids["profile"]),
            # Not (yet) in this world: a missing row answers 404, which still exercises the
            # route's gate and its read path.
            "{attachment_id}": "1", "{version}": "1", "{saved_id}": "1", "{slot_id}": "1",
        }
        for key, value in values.items():
            path = path.replace(key, value)
        assert "{" not in path, f"no value for a parameter of {path}"
        return path


def all_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every route, with included routers walked (FastAPI includes
    them lazily, so ``app.routes`` alone does not list them)."""
    out: list[tuple[str, str]] = []

    def walk(routes: Any, prefix: str) -> None:
        for r in routes:
            inner = getattr(r, "original_router", None)
            if inner is not None:
                walk(inner.routes, prefix + r.include_context.prefix)
            elif isinstance(r, APIRoute):
                for method in sorted(r.methods or ()):
                    out.append((method, prefix + r.path))
    walk(app.routes, "")
    return sorted(set(out))


def build_world(session: Session, db: Database, settings: Settings) -> World:
    from backend.scan.service import FirmProfile, complete_scan, definition, load_seed
    from backend.schemes.models import SchemeProfile

    desks = regional_setup(session)
    create_taxonomy(session)
    admin = create_admin(session, name="Beheerder")
    editor = create_user(session, name="Redacteur", roles=("editor",))
    advisor = create_user(session, name="Adviseur")
    for d in desks.values():
        add_member(session, d, advisor, role=COORDINATOR)
    desk, other = desks["kvk"], desks["oost-nl"]
    case = create_case(session, desk)
    follow = case_service.issue_token(session, case)
    handoff = CaseHandoff(case_id=case.id or 0, from_desk_id=desk.id or 0,
                          to_desk_id=other.id or 0, note="Beter bij Oost NL", consent=True,
                          offered_by=advisor.id)
    session.add(handoff)
    session.flush()

    group = create_group(session, name="Installateurs Oost")
    firm, member = member_with_person(session, group, coordinator=True)
    other_firm, _other = member_with_person(session, group)
    from backend.community.deps import MemberAccess

    macc = MemberAccess(group=group, principal=as_principal(member), firm=firm,
                        membership=community.membership(session, group.id, firm.id))
    post = feed.create_post(session, macc, title="Onze planning", body="Wij plannen **slim**.")
    feed.add_comment(session, macc, post, body="Goed idee")
    bm.add_template(session, group, "oee")
    period = bm.add_period(session, group, "2026")
    outsider_firm = community.create_firm(session, name="Aanvrager BV", sector="installatie",
                                          size_class="klein", kvk="87654321")
    join = community.request_join(session, group, outsider_firm, actor=as_principal(admin),
                                  message="Graag")
    invitation = community.invite(session, group, email="nieuw@example.nl",
                                  actor=as_principal(member), base_url=settings.base_url)

    org = create_organisation(session)
    items = {
        "practice": create_item(session, "practice", title="Slim roosteren"),
        "case_study": create_item(session, "case_study", title="Robot bij bakker"),
        "scheme": create_scheme(session),
        "expert": create_item(session, "expert", title="Piet Expert", kind="person"),
        "event": create_event(session),
        "organisation": org,
        "qa": create_item(session, "qa", title="Hoe vraag ik subsidie aan"),
    }
    from sqlmodel import select

    from backend.content.models import Sector, Theme
    theme = session.exec(select(Theme)).first()
    sector = session.exec(select(Sector)).first()
    assert theme is not None and sector is not None
    from backend.cases.models import SavedAnswer
    answer = SavedAnswer(desk_id=desk.id or 0, title="Standaard", body="Dank voor uw vraag.",
                         created_by=advisor.id)
    session.add(answer)
    token_plain = create_token(session, role="editor", user=editor)
    from backend.accounts.models import ApiToken
    api_token = session.exec(select(ApiToken)).first()
    assert api_token is not None
    msg = enqueue(session, "test.noop", {"x": 1})

    load_seed(db, settings)
    scan_def = definition(session)
    answers = {q["id"]: 1 for q in scan_def.questions}
    result, scan_token = complete_scan(session, scan_def.version, answers, FirmProfile(),
                                       user_id=member.id)
    profile = SchemeProfile(user_id=member.id or 0, name="Mijn profiel")
    session.add(profile)
    session.flush()
    login_link = create_login_link(session, member)
    return World(
        admin=admin, editor=editor, advisor=advisor, member=member, desk=desk, other_desk=other,
        case=case, handoff=handoff, group=group, post_id=post.id or 0, request_id=join.id or 0,
        firm_id=other_firm.id or 0, period_id=period.id or 0, items=items,
        tokens={"follow": follow, "invitation": invitation, "scan": scan_token,
                "login_link": login_link, "api": token_plain},
        ids={"theme": theme.id or 0, "sector": sector.id or 0, "answer": answer.id or 0,
             "api_token": api_token.id or 0, "outbox": (msg.id or 0) if msg is not None else 0,
             "scan_result": result.id or 0, "profile": profile.id or 0},
    )
