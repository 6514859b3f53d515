"""One world with every kind of actor and the objects they own, for the permission matrix.

Actors (names used in ``permission_table.py``):

==================  =========================================================================
anonymous           no cookie, no token
entrepreneur_1      anonymous browser that exchanged the private link of ``case_1`` (desk A)
entrepreneur_2      anonymous browser that exchanged the private link of ``case_2`` (desk B)
advisor_a           advisor at desk A (``oost-nl``)
advisor_b           advisor at desk B (``rvo``)
desk_coordinator    coordinator of desk A
group_coordinator   person of firm C, the coordinating firm of group 1
member_x            person of firm X, a member of group 1
member_y            person of firm Y, a member of group 2
editor              user with the editor role
admin               user with the admin role
api_token           bearer API token with the editor role (no user)
member_token        member X's personal token: acts as member X, only on the groups API
minted_for_adv_a    an admin-made editor token owned by advisor A (issue 12): not advisor A's
                    desk cases, and no editor role either (advisor A has none)
minted_for_member   an admin-made admin token owned by member X (issue 12): not firm X's
                    figures or group, and no admin role (member X has none)
revoked_editor      an editor's own editor token after the editor role was revoked (issue 12):
                    the role went with it
analyst             user with the analist role (aggregates on /inzicht, every province)
analyst_pv23        user with the analist role limited to province PV23 (Overijssel)
==================  =========================================================================

Objects are *targets*: a target fills a route's path parameters and says which actors stand in
which relation to it (``@desk``: member of the desk the case is at, ``@owner``: the entrepreneur
or user it belongs to, ``@group``: member of the group, ``@moderator``: the group's
coordinator, …). Every private object carries a *secret* marker in its text; the matrix checks
that no response ever shows a marker to an actor outside the marker's audience.
"""

from __future__ import annotations

import re
import secrets as secrets_module
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlmodel import Session, select

from backend.content.views import API_PATHS, TYPE_PATHS
from backend.core.db import Database
from backend.core.security import CSRF_COOKIE
from tests.client import LoketClient

ANON = "anonymous"
ENT1 = "entrepreneur_1"
ENT2 = "entrepreneur_2"
ADV_A = "advisor_a"
ADV_B = "advisor_b"
DESK_COORD = "desk_coordinator"
GROUP_COORD = "group_coordinator"
MEMBER_X = "member_x"
MEMBER_Y = "member_y"
EDITOR = "editor"
ADMIN = "admin"
TOKEN = "api_token"
MEMBER_TOKEN = "member_token"
MINTED_ADV = "minted_for_adv_a"
MINTED_MEMBER = "minted_for_member"
REVOKED = "revoked_editor"
ANALYST = "analyst"
ANALYST_P = "analyst_pv23"

SEARCH_WORD = "kwaliteitsrobots"  # in every published item and every draft
ACTORS: tuple[str, ...] = (ANON, ENT1, ENT2, ADV_A, ADV_B, DESK_COORD, GROUP_COORD, MEMBER_X,
                           MEMBER_Y, EDITOR, ADMIN, TOKEN, MEMBER_TOKEN, MINTED_ADV,
                           MINTED_MEMBER, REVOKED, ANALYST, ANALYST_P)

# Content types: API collection names and public page paths (every type gets its rows).
CONTENT_API = API_PATHS
CONTENT_KB = TYPE_PATHS


@dataclass
class Actor:
    name: str
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    user_id: int | None = None


@dataclass
class Target:
    """One object a route can name: its path parameters and who stands in which relation."""

    name: str
    params: dict[str, str]
    rel: dict[str, frozenset[str]] = field(default_factory=dict)
    secret: str | None = None  # a marker in the object's private text
    # Its existence is private: params naming a missing twin. A refusal must not tell the two
    # apart (a 403 here and a 404 for the twin would confirm that the object exists).
    missing: dict[str, str] | None = None

    def relations_of(self, actor: str) -> set[str]:
        return {r for r, who in self.rel.items() if actor in who}


@dataclass
class World:
    actors: dict[str, Actor]
    targets: dict[str, list[Target]]
    vars: dict[str, str]
    secrets: dict[str, frozenset[str]]  # marker → actors who may see it

    def hidden_from(self, actor: str) -> list[str]:
        return [m for m, who in self.secrets.items() if actor not in who]

    def leaked_to(self, actor: str, body: str) -> list[str]:
        """The secrets `actor` must not see that `body` shows.

        A figure counts only as a number of its own: "91.98" inside "191.98" or in a
        timestamp's "12:91.98…" is not the secret (CI once matched a timestamp's seconds).
        """
        return [m for m in self.hidden_from(actor)
                if (re.search(rf"(?<![\d:.]){re.escape(m)}", body) if m[0].isdigit()
                    else m in body)]


def _t(name: str, rel: dict[str, set[str]] | None = None, secret: str | None = None,
       **params: object) -> Target:
    return Target(name, {k: str(v) for k, v in params.items()},
                  {k: frozenset(v) for k, v in (rel or {}).items()}, secret)


def build_world(app: FastAPI, db: Database, session: Session) -> World:
    """Everything the matrix needs, in the caller's (rolled back) transaction."""
    from backend.accounts import service as accounts
    from backend.cases import service as cases
    from backend.cases import workspace
    from backend.community import benchmarks as bm
    from backend.community import feed
    from backend.community import service as community
    from backend.community.attachments import Upload
    from backend.community.deps import MemberAccess
    from backend.community.models import GroupJoinRequest, GroupPostAttachment
    from backend.content import service as content
    from backend.content.models import Sector, Theme
    from backend.core.mail import send_mail
    from backend.routing.models import COORDINATOR
    from backend.scan.service import load_seed
    from backend.schemes import alerts
    from backend.schemes import service as schemes
    from tests.factories.accounts import create_login_link, create_token, create_user
    from tests.factories.accounts import session_cookie_for as cookie_for
    from tests.factories.cases import as_principal, create_case, phone_consent, regional_setup
    from tests.factories.community import (
        create_firm,
        create_group,
        create_person,
        figures_for,
        join,
    )
    from tests.factories.content import create_item, create_taxonomy
    from tests.factories.routing import add_member, create_desk

    create_taxonomy(session)
    desks = regional_setup(session)
    desk_a, desk_b = desks["oost-nl"], desks["rvo"]
    desk_c = create_desk(session, "desk-c", name="Desk C")
    assert desk_a.id and desk_b.id and desk_c.id

    users: dict[str, Any] = {}
    users[ADV_A] = add_member(session, desk_a, name="Adviseur A")
    users[ADV_B] = add_member(session, desk_b, name="Adviseur B")
    users[DESK_COORD] = add_member(session, desk_a, role=COORDINATOR, name="Coördinator A")
    users[EDITOR] = create_user(session, name="Redacteur", roles=("editor",))
    users[ADMIN] = create_user(session, name="Beheerder", roles=("admin",))
    plain_user = create_user(session, name="Iemand Anders", password="Lang-genoeg-wachtwoord-42")
    users[ANALYST] = create_user(session, name="Analist Overal", roles=("analist",))
    users[ANALYST_P] = create_user(session, name="Analist Overijssel")
    accounts.grant_role(session, users[ANALYST_P].id, "analist", province="PV23")

    # --- cases ----------------------------------------------------------------------------------
    case_1 = create_case(session, desk_a, text="Vraag een over robots kxqCASE1geheim",
                         email="een@example.nl", name="Ondernemer Een")
    case_2 = create_case(session, desk_b, text="Vraag twee over loonkosten kxqCASE2geheim",
                         email="twee@example.nl", name="Ondernemer Twee")
    offered = create_case(session, desk_b, text="Vraag voor A kxqOFFERgeheim")
    handoff = workspace.offer_handoff(session, offered, as_principal(users[ADV_B]),
                                      desk_a.slug, "Past beter bij A",
                                      phone_consent=phone_consent())
    workspace.add_note(session, case_1, as_principal(users[ADV_A]), "Intern kxqNOTEAgeheim")
    workspace.add_note(session, case_2, as_principal(users[ADV_B]), "Intern kxqNOTEBgeheim")
    saved_a = workspace.save_answer(session, desk_a, as_principal(users[ADV_A]), "A-antwoord",
                                    "Standaard kxqSAVEDAgeheim")
    saved_b = workspace.save_answer(session, desk_b, as_principal(users[ADV_B]), "B-antwoord",
                                    "Standaard kxqSAVEDBgeheim")
    for case, who in ((case_1, ADV_A), (case_2, ADV_B)):  # answered: ratable, publishable
        workspace.reply(session, case, as_principal(users[who]), "Ons antwoord op uw vraag.")
    link_1 = cases.issue_token(session, case_1)
    link_2 = cases.issue_token(session, case_2)
    spare_link = cases.issue_token(session, case_2)
    # the human door (issue 18): a free appointment slot at desks A and B, a follow-up link
    slot_a, slot_b = _slot(session, desk_a.id), _slot(session, desk_b.id)
    followup_token = _followup(session, case_2.id)

    # --- groups ---------------------------------------------------------------------------------
    firm_c = create_firm(session, name="Firma C")
    firm_x = create_firm(session, name="Firma X")
    firm_y = create_firm(session, name="Firma Y", sector="industrie", size_class="middel")
    firm_z = create_firm(session, name="Firma Z")
    firm_w = create_firm(session, name="Firma W")
    users[GROUP_COORD] = create_person(session, firm_c, name="Groepscoördinator")
    users[MEMBER_X] = create_person(session, firm_x, name="Lid X")
    users[MEMBER_Y] = create_person(session, firm_y, name="Lid Y")
    create_person(session, firm_z, name="Coördinator Z")
    create_person(session, firm_w, name="Aanvrager W")
    group_1 = create_group(session, slug="groep-een", name="Groep Een", coordinator=firm_c)
    group_2 = create_group(session, slug="groep-twee", name="Groep Twee", coordinator=firm_z)
    join(session, group_1, firm_x)
    join(session, group_2, firm_y)

    def member(user: Any, group: Any, firm: Any) -> MemberAccess:
        return MemberAccess(group=group, principal=as_principal(user), firm=firm,
                            membership=community.membership(session, group.id, firm.id))

    acc_x = member(users[MEMBER_X], group_1, firm_x)
    acc_c = member(users[GROUP_COORD], group_1, firm_c)
    acc_y = member(users[MEMBER_Y], group_2, firm_y)
    post_x = feed.create_post(session, acc_x, title="Van X", body="Bericht kxqPOSTXgeheim",
                              upload=Upload("notitie.txt", b"Bijlage kxqATTACHgeheim"))
    attachment_x = session.exec(select(GroupPostAttachment)
                                .where(GroupPostAttachment.post_id == post_x.id)).one()
    post_c = feed.create_post(session, acc_c, title="Van C", body="Bericht kxqPOSTCgeheim")
    post_y = feed.create_post(session, acc_y, title="Van Y", body="Bericht kxqPOSTYgeheim")
    hidden = feed.create_post(session, acc_x, title="Verborgen", body="Weg kxqHIDDENgeheim")
    feed.set_hidden(session, acc_c, hidden, True)
    for group in (group_1, group_2):
        bm.add_template(session, group, "oee")
    period_1 = bm.add_period(session, group_1, "2026")
    period_2 = bm.add_period(session, group_2, "2026")
    # A firm's own figures: no one else sees them, not even its group's coordinator.
    assert period_1.id is not None and period_2.id is not None
    figures_for(session, group_1, period_1.id, firm_x, {"oee": 91.987654})
    figures_for(session, group_2, period_2.id, firm_y, {"oee": 73.456789})
    request_1 = GroupJoinRequest(group_id=group_1.id or 0, firm_id=firm_w.id or 0,
                                 message="Graag")
    request_2 = GroupJoinRequest(group_id=group_2.id or 0, firm_id=firm_w.id or 0,
                                 message="Graag")
    session.add(request_1)
    session.add(request_2)
    session.flush()
    # addressed to member Y (a member of group 2 only): only Y may accept it (issue #12)
    invitation_1 = community.invite(session, group_1, email=users[MEMBER_Y].email,
                                    actor=as_principal(users[GROUP_COORD]),
                                    base_url="http://testserver")

    # --- personal things: scheme profiles and scans ----------------------------------------
    params = schemes.ProfileParams.build(size="klein", sector="", municipality="",
                                         themes=[], cost_kind="", amount=None)
    profile_x = alerts.save_profile(session, users[MEMBER_X].id, params,
                                    name="Profiel kxqPROFILEXgeheim")
    profile_y = alerts.save_profile(session, users[MEMBER_Y].id, params,
                                    name="Profiel kxqPROFILEYgeheim")
    session.commit()
    load_seed(db, app.state.settings)
    scan_x = _scan_result(session, users[MEMBER_X].id)
    scan_y = _scan_result(session, users[MEMBER_Y].id)

    # --- knowledge base: one published item and one draft of every type ----------------------
    items: dict[str, dict[str, Any]] = {}
    extra: dict[str, dict[str, Any]] = {
        "event": {"starts_at": datetime.now(UTC) + timedelta(days=14), "kind": "workshop",
                  "place": "Zwolle"},
        "scheme": {"kind": "subsidy"}, "organisation": {"kind": "other"},
        "expert": {"kind": "person"},
    }
    for type_ in CONTENT_API:
        items[type_] = {
            "pub": create_item(session, type_, title=f"Gepubliceerd {type_}", publish=True,
                               summary=f"Over {SEARCH_WORD}.", **extra.get(type_, {})),
            "draft": create_item(session, type_, title=f"Concept {type_} kxqDRAFTgeheim",
                                 publish=False, summary=f"Over {SEARCH_WORD}.",
                                 **extra.get(type_, {})),
        }
    # a published item that points at drafts: the drafts must not show through it
    linked = create_item(
        session, "practice", title="Gepubliceerd met verwijzingen", publish=True,
        summary=f"Over {SEARCH_WORD} en meer.",
        related=[f"practice:{items['practice']['draft'].slug}",
                 f"scheme:{items['scheme']['draft'].slug}"],
        organisations=[items["organisation"]["draft"].slug,
                       items["organisation"]["pub"].slug])
    content.update_item(session, items["practice"]["pub"],
                        {"summary": f"Nu over {SEARCH_WORD}."}, "test")
    saved_x = alerts.save_scheme(session, users[MEMBER_X].id, items["scheme"]["pub"].slug)
    saved_y = alerts.save_scheme(session, users[MEMBER_Y].id, items["scheme"]["pub"].slug)
    theme = session.exec(select(Theme)).first()
    sector = session.exec(select(Sector)).first()
    assert theme is not None and sector is not None

    # --- accounts and operations -------------------------------------------------------------
    _, other_token_id = _token(session, accounts)
    mail = send_mail(session, to="iemand@example.nl", subject="Test", text="Hallo")
    assert mail is not None and mail.id is not None
    login_link = create_login_link(session, plain_user)
    api_token = create_token(session, role="editor", name="Koppeling")
    member_token_row, member_token = accounts.create_personal_token(
        session, users[MEMBER_X].id, name="Kengetallen", expires_at=None)
    # Issue 12: tokens an admin made for others, and a token whose owner lost the role.
    by_admin = as_principal(users[ADMIN])
    _, minted_adv = accounts.create_api_token(session, name="Voor A", role="editor",
                                              user_id=users[ADV_A].id, actor=by_admin)
    _, minted_member = accounts.create_api_token(session, name="Voor X", role="admin",
                                                 user_id=users[MEMBER_X].id, actor=by_admin)
    former_editor = create_user(session, name="Oud-redacteur", roles=("editor",))
    _, revoked_token = accounts.create_api_token(
        session, name="Eigen sleutel", role="editor", user_id=former_editor.id,
        actor=as_principal(former_editor))
    accounts.revoke_role(session, former_editor.id or 0, "editor", actor=by_admin)
    session.commit()

    # --- actors: cookies for signed-in users, private links exchanged for the entrepreneurs --
    actors = {ANON: Actor(ANON)}
    for name in (ADV_A, ADV_B, DESK_COORD, GROUP_COORD, MEMBER_X, MEMBER_Y, EDITOR, ADMIN,
                 ANALYST, ANALYST_P):
        actors[name] = Actor(name, {"loket_session": cookie_for(db, users[name].id)},
                             user_id=users[name].id)
    actors[TOKEN] = Actor(TOKEN, headers={"Authorization": f"Bearer {api_token}"})
    actors[MEMBER_TOKEN] = Actor(MEMBER_TOKEN,
                                 headers={"Authorization": f"Bearer {member_token}"})
    for name, plain in ((MINTED_ADV, minted_adv), (MINTED_MEMBER, minted_member),
                        (REVOKED, revoked_token)):
        actors[name] = Actor(name, headers={"Authorization": f"Bearer {plain}"})
    for name, link, case in ((ENT1, link_1, case_1), (ENT2, link_2, case_2)):
        with LoketClient(app) as c:
            r = c.post(f"/vraag/volgen/{link}")
            assert r.status_code == 303 and r.headers["location"] == (
                f"/mijn-vraag/{case.reference}"), (r.status_code, r.text[:300])
            actors[name] = Actor(name, {"loket_session": c.cookies["loket_session"]})
    with LoketClient(app) as c:
        csrf = c.csrf_token() and c.cookies[CSRF_COOKIE]
    for actor in actors.values():
        actor.cookies[CSRF_COOKIE] = csrf

    # --- targets -------------------------------------------------------------------------------
    desk_a_people = {ADV_A, DESK_COORD}
    # member X's personal token stands in for member X (its scope is the table's business)
    g1, g2 = {GROUP_COORD, MEMBER_X, MEMBER_TOKEN}, {MEMBER_Y}
    t: dict[str, list[Target]] = {
        "case": [
            _t("case_1", {"@desk": desk_a_people, "@owner": {ENT1}}, "kxqCASE1geheim",
               reference=case_1.reference, assignee=users[ADV_A].id, free_slot=slot_a),
            _t("case_2", {"@desk": {ADV_B}, "@owner": {ENT2}}, "kxqCASE2geheim",
               reference=case_2.reference, assignee=users[ADV_B].id, free_slot=slot_b),
            # at desk B, offered to desk A: desk A may read it, only desk B may act on it
            _t("offered_case", {"@desk": {ADV_B}, "@to_desk": desk_a_people}, "kxqOFFERgeheim",
               reference=offered.reference, assignee=users[ADV_B].id, free_slot=slot_b),
        ],
        "handoff": [
            _t("offer_b_to_a", {"@to_desk": desk_a_people, "@desk": {ADV_B}}, "kxqOFFERgeheim",
               reference=offered.reference, handoff_id=handoff.id),
            # the offer named under a case it does not belong to: nobody may decide it there
            _t("offer_via_case_1", {}, reference=case_1.reference, handoff_id=handoff.id),
        ],
        "desk": [
            _t("desk_a", {"@desk": desk_a_people, "@coordinator": {DESK_COORD}},
               desk=desk_a.slug, slug=desk_a.slug),
            _t("desk_b", {"@desk": {ADV_B}}, desk=desk_b.slug, slug=desk_b.slug),
        ],
        "slot": [
            _t("slot_a", {"@coordinator": {DESK_COORD}}, desk=desk_a.slug, slot_id=slot_a),
            _t("slot_b", {}, desk=desk_b.slug, slot_id=slot_b),
            _t("slot_b_via_desk_a", {}, desk=desk_a.slug, slot_id=slot_b),
        ],
        "followup": [_t("followup_2", token=followup_token)],
        "desk_member": [
            _t("advisor_a_at_a", {"@coordinator": {DESK_COORD}}, slug=desk_a.slug,
               user_id=users[ADV_A].id),
            _t("advisor_b_at_b", {}, slug=desk_b.slug, user_id=users[ADV_B].id),
        ],
        "saved_answer": [
            _t("saved_a", {"@desk": desk_a_people}, "kxqSAVEDAgeheim", desk=desk_a.slug,
               answer_id=saved_a.id),
            _t("saved_b", {"@desk": {ADV_B}}, "kxqSAVEDBgeheim", desk=desk_b.slug,
               answer_id=saved_b.id),
            _t("saved_b_via_desk_a", {}, "kxqSAVEDBgeheim", desk=desk_a.slug,
               answer_id=saved_b.id),
        ],
        "group": [
            _t("group_1", {"@group": g1, "@moderator": {GROUP_COORD}}, slug=group_1.slug),
            _t("group_2", {"@group": g2}, slug=group_2.slug),
        ],
        "post": [
            _t("post_x", {"@group": g1, "@moderator": {GROUP_COORD}, "@owner": {MEMBER_X}},
               "kxqPOSTXgeheim", slug=group_1.slug, post_id=post_x.id),
            _t("post_c", {"@group": g1, "@moderator": {GROUP_COORD},
                          "@owner": {GROUP_COORD}}, "kxqPOSTCgeheim",
               slug=group_1.slug, post_id=post_c.id),
            _t("post_y", {"@group": g2, "@owner": {MEMBER_Y}}, "kxqPOSTYgeheim",
               slug=group_2.slug, post_id=post_y.id),
            _t("post_y_via_group_1", {}, "kxqPOSTYgeheim", slug=group_1.slug,
               post_id=post_y.id),
            _t("hidden_post_x", {"@moderator": {GROUP_COORD}}, "kxqHIDDENgeheim",
               slug=group_1.slug, post_id=hidden.id),
        ],
        "join_request": [
            _t("request_1", {"@moderator": {GROUP_COORD}}, slug=group_1.slug,
               request_id=request_1.id),
            _t("request_2", {}, slug=group_2.slug, request_id=request_2.id),
            _t("request_2_via_group_1", {}, slug=group_1.slug, request_id=request_2.id),
        ],
        "group_member": [
            _t("firm_x_in_1", {"@moderator": {GROUP_COORD}}, slug=group_1.slug,
               firm_id=firm_x.id),
            _t("firm_y_in_2", {}, slug=group_2.slug, firm_id=firm_y.id),
            _t("firm_y_via_group_1", {}, slug=group_1.slug, firm_id=firm_y.id),
        ],
        "period": [
            _t("period_1", {"@group": g1, "@moderator": {GROUP_COORD}}, slug=group_1.slug,
               period_id=period_1.id),
            _t("period_2", {"@group": g2}, slug=group_2.slug, period_id=period_2.id),
            _t("period_2_via_group_1", {}, slug=group_1.slug, period_id=period_2.id),
        ],
        "attachment": [
            _t("attachment_x", {"@group": g1}, "kxqATTACHgeheim", slug=group_1.slug,
               post_id=post_x.id, attachment_id=attachment_x.id),
            _t("attachment_x_via_post_c", {}, "kxqATTACHgeheim", slug=group_1.slug,
               post_id=post_c.id, attachment_id=attachment_x.id),
            _t("attachment_x_via_group_2", {}, "kxqATTACHgeheim", slug=group_2.slug,
               post_id=post_x.id, attachment_id=attachment_x.id),
        ],
        "personal_token": [
            _t("member_x_token", {"@owner": {MEMBER_X}}, token_id=member_token_row.id),
        ],
        "invitation": [_t("invitation_1", {"@owner": {MEMBER_Y}}, token=invitation_1)],
        "private_link": [_t("spare_link_2", token=spare_link)],
        "login_link": [_t("login_link", token=login_link)],
        "profile": [
            _t("profile_x", {"@owner": {MEMBER_X}}, "kxqPROFILEXgeheim",
               profile_id=profile_x.id),
            _t("profile_y", {"@owner": {MEMBER_Y}}, "kxqPROFILEYgeheim",
               profile_id=profile_y.id),
        ],
        "scan": [
            _t("scan_x", {"@owner": {MEMBER_X}}, result_id=scan_x[0], token=scan_x[1]),
            _t("scan_y", {"@owner": {MEMBER_Y}}, result_id=scan_y[0], token=scan_y[1]),
        ],
        "scan_step": [_t("step_1", n=1)],
        "scan_version": [_t("scan_v1", version=1)],
        "saved_scheme": [
            _t("saved_x", {"@owner": {MEMBER_X}}, saved_id=saved_x.id),
            _t("saved_y", {"@owner": {MEMBER_Y}}, saved_id=saved_y.id),
        ],
        "user": [_t("plain_user", user_id=plain_user.id, role="editor")],
        "api_token": [_t("other_token", token_id=other_token_id)],
        "outbox": [_t("mail", message_id=mail.id)],
        "theme": [_t("theme", theme_id=theme.id)],
        "sector": [_t("sector", sector_id=sector.id)],
        "municipality": [_t("deventer", code="GM0150")],
        "public_desk": [_t("desk_a", slug=desk_a.slug)],
        "language": [_t("en", lang="en")],
        "editor_type": [_t("practice", type_="practice")],
        "revision": [_t("practice_v1", item_id=items["practice"]["pub"].id, number=1)],
    }
    # Objects whose existence is nobody else's business, and a missing twin of each.
    twins = {"case": {"reference": "LK-2000-999999"}, "handoff": {"handoff_id": "999999"},
             "saved_answer": {"answer_id": "999999"}, "profile": {"profile_id": "999999"},
             "scan": {"result_id": "999999", "token": "x" * 32},
             "personal_token": {"token_id": "999999"}}
    for kind, twin in twins.items():
        for target in t[kind]:
            target.missing = twin
    for type_, pair in items.items():
        t[f"item:{type_}"] = [
            _t(f"{type_}_published", {"@public": set(ACTORS)}, slug=pair["pub"].slug,
               item_id=pair["pub"].id),
            _t(f"{type_}_draft", {"@draft": set()}, "kxqDRAFTgeheim", slug=pair["draft"].slug,
               item_id=pair["draft"].id),
        ]
    t["item:practice"].append(_t("practice_linking_drafts", {"@public": set(ACTORS)},
                                 slug=linked.slug, item_id=linked.id))
    t["item"] = [
        _t("published", {"@public": set(ACTORS)}, slug=items["practice"]["pub"].slug,
           item_id=items["practice"]["pub"].id),
        _t("draft", {"@draft": set()}, "kxqDRAFTgeheim", slug=items["practice"]["draft"].slug,
           item_id=items["practice"]["draft"].id),
    ]

    editors = {EDITOR, ADMIN, TOKEN}
    secrets = {
        "kxqCASE1geheim": {ENT1, *desk_a_people},
        "kxqCASE2geheim": {ENT2, ADV_B},
        "kxqOFFERgeheim": {ADV_B, *desk_a_people},
        "kxqNOTEAgeheim": desk_a_people,  # internal notes never reach the entrepreneur
        "kxqNOTEBgeheim": {ADV_B},
        "kxqSAVEDAgeheim": desk_a_people,
        "kxqSAVEDBgeheim": {ADV_B},
        "kxqPOSTXgeheim": g1, "kxqPOSTCgeheim": g1, "kxqPOSTYgeheim": g2,
        # a hidden post: its coordinator, and its author in their own data export (the feed
        # hides it from the author: test_search_matrix checks that)
        "kxqHIDDENgeheim": {GROUP_COORD, MEMBER_X, MEMBER_TOKEN},
        "kxqATTACHgeheim": g1,
        "kxqPROFILEXgeheim": {MEMBER_X}, "kxqPROFILEYgeheim": {MEMBER_Y},
        "kxqDRAFTgeheim": editors,
        # firm X's and firm Y's figure as pages and exports may write them
        **{shown: {MEMBER_X, MEMBER_TOKEN} for shown in ("91.98", "91,98", "91.99", "91,99")},
        **{shown: {MEMBER_Y} for shown in ("73.45", "73,45", "73.46", "73,46")},
    }
    world_vars = {
        "desk_a": desk_a.slug, "desk_b": desk_b.slug, "desk_c": desk_c.slug,
        "advisor_a_id": str(users[ADV_A].id), "advisor_b_id": str(users[ADV_B].id),
        "plain_user_email": plain_user.email, "plain_user_id": str(plain_user.id),
        "new_email": "nieuwe-gebruiker@example.nl", "pillar": "technologie",
        "practice_slug": items["practice"]["pub"].slug,
        "scheme_slug": items["scheme"]["pub"].slug,
        "organisation_slug": items["organisation"]["pub"].slug,
        "case_1_reference": case_1.reference,
        "case_2_reference": case_2.reference, "offered_reference": offered.reference,
        "saved_b_id": str(saved_b.id),
        "group_1": group_1.slug, "group_2": group_2.slug,
    }
    return World(actors=actors, targets=t, vars=world_vars,
                 secrets={k: frozenset(v) for k, v in secrets.items()})


def _token(session: Session, accounts: Any) -> tuple[str, int]:
    row, plain = accounts.create_api_token(session, name="Andere koppeling", role="editor",
                                           user_id=None)
    session.flush()
    return plain, row.id


def _slot(session: Session, desk_id: int) -> int:
    """A free appointment slot of the desk, a week from now."""
    from backend.cases.models_human import AppointmentSlot

    start = datetime.now(UTC) + timedelta(days=7)
    slot = AppointmentSlot(desk_id=desk_id, starts_at=start, ends_at=start + timedelta(
        minutes=30), location="Kantoor")
    session.add(slot)
    session.flush()
    assert slot.id is not None
    return slot.id


def _followup(session: Session, case_id: int | None) -> str:
    """A follow-up mail's answer link for the case (as the 3-month job sends it)."""
    from backend.cases.models_human import CaseFollowup
    from backend.core.security import sha256_hex

    assert case_id is not None
    token = secrets_module.token_urlsafe(24)
    session.add(CaseFollowup(case_id=case_id, round=3, token_hash=sha256_hex(token)))
    session.flush()
    return token


def _scan_result(session: Session, user_id: int) -> tuple[int, str]:
    """A finished scan saved to ``user_id``'s account (id and private-link token)."""
    from backend.scan import service as scan

    d = scan.definition(session)
    result, token = scan.complete_scan(session, d.version, {q["id"]: 3 for q in d.questions},
                                       scan.FirmProfile(), user_id=user_id)
    assert result.id is not None
    return result.id, token
