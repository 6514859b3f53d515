"""Attachments of posts: allowed types checked by content, size limit, stored in the database,
downloadable only by the group's members, as a download with a safe type."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from sqlmodel import Session, select

from backend.community.models import ATTACHMENT_MAX_BYTES, GroupPost, GroupPostAttachment
from tests.client import LoketClient
from tests.factories.accounts import create_user
from tests.factories.community import create_group, member_with_person

PDF = b"%PDF-1.4\n% test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


def _post(client: LoketClient, slug: str, name: str, data: bytes, mime: str = "x/y") -> Any:
    return client.post(f"/groepen/{slug}/berichten",
                       data={"title": "Met bijlage", "body": "Zie **bijlage**."},
                       files={"attachment": (name, data, mime)})


def test_member_attaches_and_members_download(session: Session, client: LoketClient,
                                              login: Any) -> None:
    group = create_group(session)
    _, coordinator = member_with_person(session, group, coordinator=True)
    _, member = member_with_person(session, group)
    other = create_group(session)
    _, outsider = member_with_person(session, other, coordinator=True)
    login(member)
    made = _post(client, group.slug, "../../Prijzen 2026 <1>.pdf", PDF, "text/html")
    assert made.status_code == 303, made.text
    row = session.exec(select(GroupPostAttachment)).one()
    assert row.filename == "Prijzen 2026 1.pdf" and row.content_type == "application/pdf"
    assert row.data == PDF
    url = f"/groepen/{group.slug}/berichten/{row.post_id}/bijlagen/{row.id}"
    assert url in client.get(f"/groepen/{group.slug}/ruimte").text

    got = client.get(url)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert "Prijzen_2026_1.pdf" in got.headers["content-disposition"]
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]
    # text is served as text/plain with a charset, never as the type the browser sent
    assert _post(client, group.slug, "notes.txt", b"<script>alert(1)</script>",
                 "text/html").status_code == 303
    txt = session.exec(select(GroupPostAttachment).where(
        GroupPostAttachment.filename == "notes.txt")).one()
    served = client.get(f"/groepen/{group.slug}/berichten/{txt.post_id}/bijlagen/{txt.id}")
    assert served.headers["content-type"] == "text/plain; charset=utf-8"
    assert _post(client, group.slug, "cijfers.xlsx", _xlsx()).status_code == 303

    login(outsider)
    assert client.get(url).status_code == 403
    login(create_user(session))
    assert client.get(url).status_code == 403
    client.cookies.clear()
    assert client.get(url).status_code == 303  # to the login page
    # through another group's address: not found
    login(outsider)
    assert client.get(f"/groepen/{other.slug}/berichten/{row.post_id}/bijlagen/{row.id}"
                      ).status_code == 404
    # a hidden post's attachment: coordinators only
    login(coordinator)
    assert client.post(f"/groepen/{group.slug}/berichten/{row.post_id}/verbergen",
                       data={"hidden": "1"}).status_code == 303
    assert client.get(url).status_code == 200
    login(member)
    assert client.get(url).status_code == 404


def test_bad_files_are_refused_and_nothing_is_saved(session: Session, client: LoketClient,
                                                    login: Any) -> None:
    group = create_group(session)
    _, member = member_with_person(session, group, coordinator=True)
    login(member)
    cases = [
        ("setup.exe", b"MZ\x90\x00", "Dit soort bestand kunt u niet bijvoegen"),
        ("foto.png", b"<html><script>x</script></html>", "past niet bij de extensie"),
        ("rapport.pdf", b"", "Het bestand is leeg"),
        ("rapport.pdf", b"%PDF-" + b"0" * ATTACHMENT_MAX_BYTES, "te groot (hoogstens 5 MB)"),
        ("lijst.docx", _xlsx(), "past niet bij de extensie"),
        ("data.csv", b"a,b\n\x00\x01", "past niet bij de extensie"),
    ]
    for name, data, message in cases:
        refused = _post(client, group.slug, name, data)
        assert refused.status_code == 422, name
        assert message in refused.text, name
        assert "Zie **bijlage**." in refused.text  # what the member wrote is kept
    assert session.exec(select(GroupPost)).all() == []
    assert session.exec(select(GroupPostAttachment)).all() == []
    # a post without an attachment still works
    ok = client.post(f"/groepen/{group.slug}/berichten", data={"body": "Alleen tekst"})
    assert ok.status_code == 303
