"""A group's full cycle through HTTP, on whichever database the run uses (SQLite, and
PostgreSQL with LOKET_TEST_DATABASE_URL): an editor starts the group, the coordinator accepts,
invites a firm and admits another; posts with an attachment, comments, reports, hides; defines
KPIs and a period; members submit by form, CSV and API token; the period closes; everyone
compares and exports; the digest mails the news. No member ever reads another's figures."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from sqlmodel import Session, col, select

from backend.accounts import service as accounts
from backend.community import benchmarks as bm
from backend.community import feed, service
from backend.community.models import GroupPostAttachment
from backend.core.outbox import OutboxMessage
from backend.core.worker import periodic_jobs
from tests.client import LoketClient
from tests.factories.accounts import create_user
from tests.factories.community import create_firm, create_person, join

SECRET = {"coordinator": 61.111, "invited": 62.222, "applicant": 63.333}


def _invitation_token(session: Session) -> str:
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "mail.send")
                        .order_by(col(OutboxMessage.id).desc())).first()
    assert mail is not None
    found = re.search(r"/groepen/uitnodiging/(\S+)", mail.payload["text"])
    assert found is not None
    return found.group(1)


def test_full_cycle(session: Session, client: LoketClient, login: Any) -> None:
    editor = create_user(session, roles=("editor",))
    login(editor)
    assert client.post("/groepen/nieuw", data={
        "name": "Kring Cyclus", "sector": "installatie", "region": "Twente",
        "allow_cross_group": "1", "coordinator_email": "co@example.nl"}).status_code == 303
    group = service.get_group(session, "kring-cyclus")
    base = f"/groepen/{group.slug}"

    # the first coordinator accepts for a new firm
    coordinator = create_user(session, email="co@example.nl")
    login(coordinator)
    assert client.post(f"/groepen/uitnodiging/{_invitation_token(session)}", data={
        "firm_name": "Coördinerend BV", "sector": "installatie", "size_class": "klein",
        "kvk": "10000001"}
    ).status_code == 303
    # ... invites a firm (joins by invitation) ...
    assert client.post(f"{base}/uitnodigen", data={"email": "nieuw@example.nl"}
                       ).status_code == 303
    invited = create_user(session, email="nieuw@example.nl")
    login(invited)
    assert client.post(f"/groepen/uitnodiging/{_invitation_token(session)}", data={
        "firm_name": "Uitgenodigd BV", "sector": "installatie", "size_class": "klein",
        "kvk": "10000002"}
    ).status_code == 303
    # ... and admits a firm that asked
    applicant = create_user(session)
    login(applicant)
    assert client.post(f"{base}/aanvragen", data={
        "firm_name": "Aanvrager BV", "sector": "installatie", "size_class": "klein",
        "kvk": "10000003", "message": "Mogen wij meedoen?"}).status_code == 303
    login(coordinator)
    request_id = service.pending_requests(session, group)[0][0].id
    assert client.post(f"{base}/aanvragen/{request_id}", data={"decision": "approve"}
                       ).status_code == 303
    assert len(service.members(session, group)) == 3

    # feed: a post with an attachment, a comment, a report, the coordinator hides it
    login(invited)
    assert client.post(f"{base}/berichten", data={"title": "Inkoopronde", "body": "Wie doet mee?"},
                       files={"attachment": ("offerte.pdf", b"%PDF-1.4\n%%EOF\n",
                                             "application/pdf")}).status_code == 303
    attachment = session.exec(select(GroupPostAttachment)).one()
    login(applicant)
    url = f"{base}/berichten/{attachment.post_id}"
    assert client.get(f"{url}/bijlagen/{attachment.id}").status_code == 200
    assert client.post(f"{url}/reacties", data={"body": "Wij!"}).status_code == 303
    assert client.post(f"{url}/melden", data={"reason": "reclame"}).status_code == 303
    login(coordinator)
    assert client.post(f"{url}/verbergen", data={"hidden": "1"}).status_code == 303
    login(applicant)
    assert "Inkoopronde" not in client.get(f"{base}/ruimte").text

    # KPIs and a period; five more firms so that the statistics can be shown
    login(coordinator)
    assert client.post(f"{base}/kengetallen/sjablonen", data={"template": "oee"}
                       ).status_code == 303
    assert client.post(f"{base}/kengetallen/perioden", data={"label": "2026-K1"}
                       ).status_code == 303
    period = bm.periods(session, group)[0]
    kpi = bm.kpis(session, group)[0]
    form_url = f"{base}/kengetallen/perioden/{period.id}"
    assert client.post(form_url, data={f"kpi-{kpi.id}": "61,111"}).status_code == 303
    login(invited)
    csv_file = ("f.csv", b"kpi,value\noee,62.222\n", "text/csv")
    assert client.post(f"{form_url}/csv", files={"file": csv_file}).status_code == 303
    login(applicant)
    made = client.post("/groepen/sleutels", data={"name": "ERP", "expires": "30"})
    token = re.search(r"(lkt_[A-Za-z0-9_-]+)", made.text)
    assert made.status_code == 201 and token is not None
    bearer = {"Authorization": f"Bearer {token.group(1)}"}
    # The ERP, not this browser: a token beside the session cookie would need the CSRF token.
    with LoketClient(client.app) as erp:
        assert erp.patch(f"/api/v1/groups/{group.slug}/periods/{period.id}/figures",
                         headers=bearer, json={"figures": {"oee": 63.333}}).status_code == 200
    for i in range(5):
        firm = create_firm(session, sector="installatie", size_class="klein")
        create_person(session, firm)
        join(session, group, firm)
        bm.submit_values(session, _member(session, group, firm), period.id or 0,
                         {"oee": 50.0 + i})

    login(coordinator)
    assert client.post(f"{form_url}/afsluiten", data={"confirm": "1"}).status_code == 303
    texts: dict[str, list[str]] = {}
    for who, user in (("coordinator", coordinator), ("invited", invited),
                      ("applicant", applicant)):
        login(user)
        page = client.get(f"{base}/kengetallen")
        assert page.status_code == 200 and "<svg" in page.text
        export = client.get(f"{base}/kengetallen/export.csv").text
        rows = list(csv.DictReader(io.StringIO(export)))
        assert rows[0]["group_n"] == "8" and rows[0]["group_median_from"]
        texts[who] = [page.text, export]
    texts["applicant"].append(client.get(f"/api/v1/groups/{group.slug}/comparisons",
                                         headers=bearer).text)
    for who, bodies in texts.items():
        for other, value in SECRET.items():
            needles = (f"{value:.3f}", f"{value:.3f}".replace(".", ","))
            seen = any(n in body for body in bodies for n in needles)
            assert seen == (who == other), (who, other)

    # the daily digest tells the other members about the new post
    assert "community.digest" in {job.name for job in periodic_jobs()}
    login(coordinator)
    assert client.post(f"{url}/verbergen", data={"hidden": "0"}).status_code == 303
    feed.send_digests(session, base_url="http://testserver")
    digests = session.exec(select(OutboxMessage).where(
        col(OutboxMessage.dedupe_key).like("group-digest:%"))).all()
    assert {m.payload["to"] for m in digests} >= {"co@example.nl"}
    assert "nieuw@example.nl" not in {m.payload["to"] for m in digests}  # the author's firm
    assert accounts.personal_tokens(session, applicant.id or 0)


def _member(session: Session, group: Any, firm: Any) -> Any:
    from backend.accounts.principal import Principal
    from backend.community.deps import MemberAccess

    return MemberAccess(group=group, principal=Principal(None, "seed", "seed"), firm=firm,
                        membership=service.membership(session, group.id, firm.id))
