"""Personal API tokens for the groups API: made and revoked by the member on /groepen/sleutels,
acting as that member only, only on /api/v1/groups/… (and /api/v1/me)."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, select

from backend.accounts import service as accounts
from backend.community import benchmarks as bm
from backend.community.models import KpiFigure
from tests.client import LoketClient
from tests.community.test_benchmarks import _access
from tests.factories.accounts import create_user
from tests.factories.community import create_group, figures_for, member_with_person

B_VALUE = 63.123456


def _new_token(client: LoketClient, name: str = "Boekhouding") -> str:
    made = client.post("/groepen/sleutels", data={"name": name, "expires": "90"})
    assert made.status_code == 201, made.text
    found = re.search(r"<code class=\"token\">(lkt_[^<]+)</code>", made.text)
    assert found is not None
    return found.group(1)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_member_makes_uses_and_revokes_a_token(session: Session, client: LoketClient,
                                               login: Any) -> None:
    group = create_group(session)
    firm, member = member_with_person(session, group, coordinator=True)
    bm.add_template(session, group, "oee")
    bm.add_template(session, group, "value_added_per_hour")
    period = bm.add_period(session, group, "2026")
    assert period.id is not None
    login(member)
    page = client.get("/groepen/sleutels")
    assert page.status_code == 200 and "Nieuw token" in page.text
    bad = client.post("/groepen/sleutels", data={"name": " ", "expires": "90"})
    assert bad.status_code == 422 and "Geef het token een naam" in bad.text
    token = _new_token(client)
    listing = client.get("/groepen/sleutels").text
    assert "Boekhouding" in listing and token not in listing  # shown only once
    client.cookies.clear()  # from here on the token alone

    api = f"/api/v1/groups/{group.slug}"
    assert [k["key"] for k in client.get(f"{api}/kpis", headers=_bearer(token)).json()] == [
        "oee", "value_added", "hours_worked", "value_added_per_hour"]
    assert client.get(f"{api}/periods", headers=_bearer(token)).json() == [
        {"id": period.id, "label": "2026", "closed": False}]
    url = f"{api}/periods/{period.id}/figures"
    saved = client.patch(url, headers=_bearer(token), json={"figures": {
        "oee": 71.5, "value_added": 50000, "hours_worked": 1000}})
    assert saved.status_code == 200, saved.text
    assert {f["kpi"]: f["value"] for f in saved.json()} == {
        "oee": 71.5, "value_added": 50000, "hours_worked": 1000, "value_added_per_hour": 50}
    # a correction; a bad batch saves nothing
    assert client.patch(url, headers=_bearer(token),
                        json={"figures": {"oee": 72.0}}).status_code == 200
    refused = client.patch(url, headers=_bearer(token), json={"figures": {
        "oee": 140, "hours_worked": 5, "value_added_per_hour": 3, "nope": 1}})
    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"oee", "value_added_per_hour", "nope"}
    stored = {f.kpi_id: f.value for f in session.exec(
        select(KpiFigure).where(KpiFigure.firm_id == firm.id)).all()}
    assert sorted(stored.values()) == [72.0, 1000, 50000]
    # a personal token has no role and works on the groups API only
    assert client.get("/api/v1/me", headers=_bearer(token)).json()["roles"] == []
    assert client.get("/api/v1/admin/users", headers=_bearer(token)).status_code == 403
    assert client.get(f"/groepen/{group.slug}/kengetallen",
                      headers=_bearer(token)).status_code == 403
    assert client.post("/groepen/sleutels", headers=_bearer(token),
                       data={"name": "meer", "expires": "90"}).status_code == 403
    # closed period: 409
    bm.close_period(session, _access(session, group, member), period.id)
    assert client.patch(url, headers=_bearer(token),
                        json={"figures": {"oee": 1}}).status_code == 409

    login(member)
    row = accounts.personal_tokens(session, member.id or 0)[0]
    assert client.post(f"/groepen/sleutels/{row.id}/intrekken").status_code == 303
    client.cookies.clear()
    assert client.get(f"{api}/figures", headers=_bearer(token)).status_code == 401


def test_a_members_token_never_reads_another_firms_figures(
        session: Session, client: LoketClient, login: Any) -> None:
    group = create_group(session)
    firm_a, user_a = member_with_person(session, group, coordinator=True)
    firm_b, user_b = member_with_person(session, group)
    other = create_group(session)
    member_with_person(session, other, coordinator=True)
    bm.add_template(session, group, "oee")
    bm.add_template(session, other, "oee")
    period = bm.add_period(session, group, "2026")
    other_period = bm.add_period(session, other, "2026")
    assert period.id is not None and other_period.id is not None
    figures_for(session, group, period.id, firm_a, {"oee": 41.0})
    figures_for(session, group, period.id, firm_b, {"oee": B_VALUE})
    login(user_a)
    token_a = _new_token(client, "A")
    login(user_b)
    token_b = _new_token(client, "B")
    b_row = accounts.personal_tokens(session, user_b.id or 0)[0]
    # A cannot revoke B's token
    login(user_a)
    assert client.post(f"/groepen/sleutels/{b_row.id}/intrekken").status_code == 404
    client.cookies.clear()

    texts = []
    for path in ("figures", "comparisons", "kpis", "periods"):
        response = client.get(f"/api/v1/groups/{group.slug}/{path}", headers=_bearer(token_a))
        assert response.status_code == 200
        texts.append(response.text)
    assert '"value":41.0' in texts[0]
    assert all("63.12" not in t and "63,12" not in t for t in texts)
    # A writes only A's figures: B's stay as they were
    assert client.patch(f"/api/v1/groups/{group.slug}/periods/{period.id}/figures",
                        headers=_bearer(token_a), json={"figures": {"oee": 44}}
                        ).status_code == 200
    b_fig = session.exec(select(KpiFigure).where(KpiFigure.firm_id == firm_b.id)).one()
    assert b_fig.value == B_VALUE
    # not a member of the other group: nothing there, read or write
    assert client.get(f"/api/v1/groups/{other.slug}/figures",
                      headers=_bearer(token_a)).status_code == 403
    assert client.get(f"/api/v1/groups/{other.slug}/comparisons",
                      headers=_bearer(token_a)).status_code == 403
    assert client.patch(f"/api/v1/groups/{other.slug}/periods/{other_period.id}/figures",
                        headers=_bearer(token_a), json={"figures": {"oee": 1}}
                        ).status_code == 403
    # a period of another group through one's own group: not found
    assert client.patch(f"/api/v1/groups/{group.slug}/periods/{other_period.id}/figures",
                        headers=_bearer(token_a), json={"figures": {"oee": 1}}
                        ).status_code == 404
    # B's own token does read B's value
    assert "63.12" in client.get(f"/api/v1/groups/{group.slug}/figures",
                                 headers=_bearer(token_b)).text


def test_people_without_a_firm_get_no_token(session: Session, client: LoketClient,
                                            login: Any) -> None:
    login(create_user(session))
    assert "Word eerst" in client.get("/groepen/sleutels").text
    assert client.post("/groepen/sleutels", data={"name": "x", "expires": "90"}
                       ).status_code == 409
    client.cookies.clear()
    assert client.get("/groepen/sleutels").status_code == 303


def test_a_refused_token_form_keeps_the_typed_name(session: Session, client: LoketClient,
                                                   login: Any) -> None:
    group = create_group(session)
    _firm, member = member_with_person(session, group, coordinator=True)
    login(member)
    bad = client.post("/groepen/sleutels", data={"name": "Boekhouding & <co>", "expires": "7"})
    assert bad.status_code == 422
    assert 'value="Boekhouding &amp; &lt;co&gt;"' in bad.text
    assert member.id is not None and accounts.personal_tokens(session, member.id) == []
