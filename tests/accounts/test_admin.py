"""The admin area under /beheer: access, users and roles, tokens, audit log."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlmodel import Session, col, select

from backend.accounts import service
from backend.accounts.models import ApiToken, AuditEvent, UserRole, WebSession
from backend.core.db import Database, utcnow
from tests.client import LoketClient
from tests.factories.accounts import create_admin, create_token, create_user, session_cookie_for

ADMIN_PAGES = ["/beheer", "/beheer/gebruikers", "/beheer/gebruikers/nieuw", "/beheer/tokens",
               "/beheer/audit"]


@pytest.fixture
def admin_client(client: LoketClient, session: Session, login: Any) -> LoketClient:
    admin = create_admin(session, email="chief@example.nl", name="Chief")
    session.commit()
    login(admin)
    client.admin = admin
    return client


def _events(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)
                             .order_by(col(AuditEvent.id))).all())


class FormAudit(HTMLParser):
    """Collects forms, inputs and labels to check the pages' form hygiene."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.labels: set[str] = set()
        self.inputs: list[dict[str, str | None]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "form":
            self.forms.append({"method": (a.get("method") or "get").lower(), "csrf": False})
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        elif tag in ("input", "select", "textarea"):
            if a.get("name") == "csrf_token" and self.forms:
                self.forms[-1]["csrf"] = True
            if a.get("type") not in ("hidden", "submit"):
                self.inputs.append(a)


def _check_forms(html: str) -> None:
    page = FormAudit()
    page.feed(html)
    for form in page.forms:
        if form["method"] == "post":
            assert form["csrf"], "a POST form without csrf_token"
    for field in page.inputs:
        assert field.get("id") in page.labels, f"input without a label: {field}"
        for ref in (field.get("aria-describedby") or "").split():
            assert ref in page.ids, f"aria-describedby points nowhere: {ref}"


# --- access ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_is_sent_to_the_login_page(client: LoketClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/inloggen?next=" + path.replace("/", "%2F"))


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_editor_gets_403(client: LoketClient, session: Session, login: Any, path: str) -> None:
    editor = create_user(session, roles=("editor",))
    session.commit()
    login(editor)
    r = client.get(path)
    assert r.status_code == 403
    assert "Geen toegang" in r.text or "toegang" in r.text


def test_editor_cannot_post_admin_actions(client: LoketClient, session: Session,
                                          login: Any) -> None:
    editor = create_user(session, roles=("editor",))
    session.commit()
    login(editor)
    r = client.post(f"/beheer/gebruikers/{editor.id}/rollen", data={"role": "admin"})
    assert r.status_code == 403
    assert service.roles_of(session, editor.id or 0) == ["editor"]


def test_admin_token_cannot_open_pages_with_bearer_only(client: LoketClient,
                                                        session: Session) -> None:
    # Pages are for people; a token is fine for the API but still needs the admin role.
    token = create_token(session, role="editor")
    session.commit()
    r = client.get("/beheer", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_render_with_clean_forms(admin_client: LoketClient, path: str) -> None:
    r = admin_client.get(path)
    assert r.status_code == 200, r.text
    assert '<html lang="nl">' in r.text
    _check_forms(r.text)


def test_index_links_every_section(admin_client: LoketClient) -> None:
    html = admin_client.get("/beheer").text
    for href in ("/beheer/gebruikers", "/beheer/tokens", "/beheer/audit", "/beheer/uitgaand",
                 "/beheer/mail"):
        assert f'href="{href}"' in html


# --- users and roles ----------------------------------------------------------------------------

def test_user_search_and_paging(admin_client: LoketClient, session: Session) -> None:
    for i in range(30):
        create_user(session, email=f"ondernemer{i:02d}@example.nl", name=f"Ondernemer {i:02d}")
    create_user(session, email="someone-else@example.nl", name="Iemand Anders")
    session.commit()
    first = admin_client.get("/beheer/gebruikers", params={"q": "ondernemer"}).text
    assert "30 gebruikers" in first
    assert "ondernemer00@example.nl" in first and "ondernemer25@example.nl" not in first
    assert "someone-else" not in first
    assert "Pagina 1 van 2" in first
    second = admin_client.get("/beheer/gebruikers", params={"q": "ondernemer", "pagina": 2}).text
    assert "ondernemer25@example.nl" in second and "ondernemer00@example.nl" not in second
    # Wildcards are literal.
    assert "0 gebruikers" in admin_client.get("/beheer/gebruikers", params={"q": "%_%"}).text
    # By role
    editors = admin_client.get("/beheer/gebruikers", params={"rol": "admin"}).text
    assert "chief@example.nl" in editors and "ondernemer00" not in editors


def test_htmx_search_gets_only_the_results(admin_client: LoketClient,
                                           session: Session) -> None:
    create_user(session, email="htmx-person@example.nl")
    session.commit()
    r = admin_client.get("/beheer/gebruikers", params={"q": "htmx-person"},
                         headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "<html" not in r.text and 'id="user-results"' in r.text
    assert "htmx-person@example.nl" in r.text
    assert "HX-Request" in r.headers["vary"]


def test_grant_and_revoke_role_by_form(admin_client: LoketClient, session: Session) -> None:
    user = create_user(session, email="promote@example.nl")
    session.commit()
    admin = admin_client.admin
    page = admin_client.get(f"/beheer/gebruikers/{user.id}")
    assert "Deze gebruiker heeft geen rollen." in page.text
    r = admin_client.post(f"/beheer/gebruikers/{user.id}/rollen", data={"role": "editor"})
    assert r.status_code == 303
    assert r.headers["location"] == f"/beheer/gebruikers/{user.id}?gedaan=role_granted"
    assert "De rol is toegekend." in admin_client.get(r.headers["location"]).text
    assert service.roles_of(session, user.id or 0) == ["editor"]
    [granted] = _events(session, "role.granted")[-1:]
    assert granted.actor_user_id == admin.id and granted.target_id == str(user.id)
    assert granted.details == {"role": "editor"} and granted.ip == "testclient"

    r = admin_client.post(f"/beheer/gebruikers/{user.id}/rollen/editor/intrekken")
    assert r.status_code == 303
    assert service.roles_of(session, user.id or 0) == []
    revoked = _events(session, "role.revoked")[-1]
    assert revoked.actor_user_id == admin.id and revoked.details == {"role": "editor"}


def test_unknown_role_and_unknown_user(admin_client: LoketClient, session: Session) -> None:
    user = create_user(session)
    session.commit()
    r = admin_client.post(f"/beheer/gebruikers/{user.id}/rollen", data={"role": "emperor"})
    assert r.headers["location"].endswith("fout=unknown_role")
    assert admin_client.get("/beheer/gebruikers/999999").status_code == 404
    assert admin_client.post("/beheer/gebruikers/999999/rollen",
                             data={"role": "editor"}).status_code == 404


def test_last_admin_cannot_remove_own_admin_role(admin_client: LoketClient,
                                                 session: Session) -> None:
    admin = admin_client.admin
    r = admin_client.post(f"/beheer/gebruikers/{admin.id}/rollen/admin/intrekken")
    assert r.headers["location"].endswith("fout=last_admin")
    assert "De laatste beheerder" in admin_client.get(r.headers["location"]).text
    assert service.roles_of(session, admin.id) == ["admin"]
    assert _events(session, "role.revoked") == []
    # With a second admin it is allowed.
    create_admin(session)
    session.commit()
    admin_client.post(f"/beheer/gebruikers/{admin.id}/rollen/admin/intrekken")
    assert service.roles_of(session, admin.id) == []


def test_deactivate_ends_sessions_and_is_audited(admin_client: LoketClient, session: Session,
                                                 db: Database) -> None:
    user = create_user(session, roles=("editor",))
    session.commit()
    their_session = session_cookie_for(db, user.id)
    r = admin_client.post(f"/beheer/gebruikers/{user.id}/deactiveren")
    assert r.status_code == 303 and r.headers["location"].endswith("gedaan=deactivated")
    session.expire_all()
    assert session.exec(select(WebSession).where(WebSession.user_id == user.id)).all() == []
    assert their_session
    assert not session.get(type(user), user.id).is_active  # type: ignore[union-attr]
    assert _events(session, "user.deactivated")[-1].target_id == str(user.id)
    admin_client.post(f"/beheer/gebruikers/{user.id}/activeren")
    session.expire_all()
    assert session.get(type(user), user.id).is_active  # type: ignore[union-attr]
    assert _events(session, "user.activated")


def test_admin_cannot_deactivate_self(admin_client: LoketClient, session: Session) -> None:
    admin = admin_client.admin
    r = admin_client.post(f"/beheer/gebruikers/{admin.id}/deactiveren")
    assert r.headers["location"].endswith("fout=self_deactivate")
    session.expire_all()
    assert session.get(type(admin), admin.id).is_active  # type: ignore[union-attr]


def test_create_user_by_form(admin_client: LoketClient, session: Session) -> None:
    r = admin_client.post("/beheer/gebruikers/nieuw",
                          data={"email": "not-an-address", "name": "X"})
    assert r.status_code == 400
    assert 'aria-describedby="f-email-error"' in r.text
    _check_forms(r.text)
    r = admin_client.post("/beheer/gebruikers/nieuw",
                          data={"email": "Nieuw@Example.nl", "name": "Nieuwe Collega",
                                "roles": ["editor"]})
    assert r.status_code == 303
    user = service.get_user_by_email(session, "nieuw@example.nl")
    assert user is not None and user.name == "Nieuwe Collega"
    assert r.headers["location"] == f"/beheer/gebruikers/{user.id}?gedaan=user_created"
    assert service.roles_of(session, user.id or 0) == ["editor"]
    created = _events(session, "user.created")[-1]
    assert created.actor_user_id == admin_client.admin.id
    again = admin_client.post("/beheer/gebruikers/nieuw", data={"email": "nieuw@example.nl"})
    assert again.status_code == 400 and "Er is al een gebruiker" in again.text


# --- tokens ---------------------------------------------------------------------------------------

def test_token_is_shown_once_and_can_be_revoked(admin_client: LoketClient,
                                                session: Session) -> None:
    owner = create_user(session, email="owner@example.nl")
    session.commit()
    r = admin_client.post("/beheer/tokens", data={"name": "CRM export", "role": "editor",
                                                  "owner": "owner@example.nl", "days": "30"})
    assert r.status_code == 201
    assert r.headers["cache-control"] == "no-store"
    match = re.search(r'value="(lkt_[A-Za-z0-9_-]+)"', r.text)
    assert match
    plain = match.group(1)
    row = session.exec(select(ApiToken).where(ApiToken.name == "CRM export")).one()
    assert row.user_id == owner.id and row.role == "editor"
    assert row.expires_at is not None and row.expires_at - utcnow() > timedelta(days=29)
    listing = admin_client.get("/beheer/tokens").text
    assert plain not in listing and row.prefix in listing
    assert admin_client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}
                            ).status_code == 200

    r = admin_client.post(f"/beheer/tokens/{row.id}/intrekken")
    assert r.status_code == 303 and r.headers["location"] == "/beheer/tokens?gedaan=token_revoked"
    assert admin_client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}
                            ).status_code == 401
    assert _events(session, "token.created")[-1].actor_user_id == admin_client.admin.id
    assert _events(session, "token.revoked")[-1].target_id == str(row.id)


def test_token_form_errors(admin_client: LoketClient) -> None:
    r = admin_client.post("/beheer/tokens", data={"name": "", "role": "pope",
                                                  "owner": "ghost@example.nl", "days": "0"})
    assert r.status_code == 400
    for name in ("name", "role", "owner", "days"):
        assert f'id="f-{name}-error"' in r.text
    _check_forms(r.text)


# --- audit log ------------------------------------------------------------------------------------

def test_audit_log_filters(admin_client: LoketClient, session: Session) -> None:
    target = create_user(session, email="audited@example.nl")
    other = create_user(session, email="other@example.nl")
    session.commit()
    admin_client.post(f"/beheer/gebruikers/{target.id}/rollen", data={"role": "editor"})
    admin_client.post(f"/beheer/gebruikers/{other.id}/rollen", data={"role": "editor"})
    page = admin_client.get("/beheer/audit", params={"actie": "role.granted",
                                                     "gebruiker": "audited@example.nl"}).text
    assert "1 gebeurtenis" in page and "audited@example.nl" in page
    assert "other@example.nl" not in page
    # The fixture's admin got the admin role too: three grants in all.
    by_prefix = admin_client.get("/beheer/audit", params={"actie": "role."}).text
    assert "3 gebeurtenissen" in by_prefix
    today = utcnow().date()
    future = admin_client.get("/beheer/audit", params={
        "van": (today + timedelta(days=2)).isoformat()}).text
    assert "0 gebeurtenissen" in future
    span = admin_client.get("/beheer/audit", params={
        "actie": "role.granted", "van": (today - timedelta(days=1)).isoformat(),
        "tot": (today + timedelta(days=1)).isoformat()}).text
    assert "3 gebeurtenissen" in span
    bad = admin_client.get("/beheer/audit", params={"van": "gisteren"}).text
    assert 'id="f-van-error"' in bad


def test_audit_log_paging(admin_client: LoketClient, session: Session) -> None:
    for i in range(60):
        service.record_audit(session, "test.event", target_type="thing", target_id=i)
    session.commit()
    first = admin_client.get("/beheer/audit", params={"actie": "test.event"}).text
    assert "60 gebeurtenissen" in first and "Pagina 1 van 2" in first
    assert "thing #59" in first and "thing #5<" not in first
    second = admin_client.get("/beheer/audit", params={"actie": "test.event", "pagina": 2}).text
    assert "thing #0" in second and "thing #59" not in second


def test_audit_details_refuse_free_text(session: Session) -> None:
    with pytest.raises(ValueError):
        service.record_audit(session, "test.bad", note="Jan de Vries typed this")
    with pytest.raises(ValueError):
        service.record_audit(session, "test.bad", email="jan@example.nl")
    service.record_audit(session, "test.ok", role="editor", count=3, ok=True, codes=["a", "b"])


def test_page_links_and_role_checks_in_the_menu(admin_client: LoketClient,
                                                session: Session) -> None:
    assert 'href="/beheer"' in admin_client.get("/").text
    links = session.exec(select(UserRole)).all()
    assert links


def test_form_field_attributes_are_real_attributes(admin_client: LoketClient) -> None:
    page = admin_client.get("/beheer/tokens").text
    assert 'min="1"' in page and 'max="3650"' in page and 'inputmode="numeric"' in page
    assert "&#34;" not in page
