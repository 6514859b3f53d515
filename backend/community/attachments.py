"""Attachments of posts: checked on the way in, stored in the database (every replica serves
them), served only to the group's members as a download.

The type is decided here, from the extension *and* the file's first bytes; the browser's
``Content-Type`` is never trusted or echoed. Text is served as ``text/plain``/``text/csv`` with
a charset, everything with ``Content-Disposition: attachment`` and ``nosniff``.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from sqlmodel import Session, col, select

from backend.community.models import ATTACHMENT_MAX_BYTES, GroupPost, GroupPostAttachment
from backend.core.errors import Invalid, NotFound
from backend.core.i18n import N_

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TYPES: dict[str, str] = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
    "csv": "text/csv; charset=utf-8", "txt": "text/plain; charset=utf-8",
    "xlsx": XLSX, "docx": DOCX,
}


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class AttachmentInfo:
    """What a page shows of an attachment (never the bytes)."""

    id: int
    post_id: int
    filename: str
    size: int


def _safe_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if c.isprintable() and c not in '"<>|*?:')
    return name.strip(" .")[:200] or "bijlage"


def _ooxml(data: bytes, folder: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)


def _text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def _content_matches(ext: str, data: bytes) -> bool:
    if ext == "pdf":
        return data.startswith(b"%PDF-")
    if ext == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("jpg", "jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if ext == "xlsx":
        return _ooxml(data, "xl/")
    if ext == "docx":
        return _ooxml(data, "word/")
    return _text(data)  # csv, txt


def check(upload: Upload) -> tuple[str, str]:
    """(safe file name, content type to serve) or ``Invalid`` with a reason for the field
    ``attachment``. Runs before anything is saved."""
    name = _safe_name(upload.filename)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in TYPES:
        raise Invalid(fields={"attachment": N_(
            "This type of file cannot be attached. Allowed: pdf, png, jpg, csv, xlsx, docx, "
            "txt.")})
    if not upload.data:
        raise Invalid(fields={"attachment": N_("The file is empty.")})
    if len(upload.data) > ATTACHMENT_MAX_BYTES:
        raise Invalid(fields={"attachment": N_("The file is too large (at most 5 MB).")})
    if not _content_matches(ext, upload.data):
        raise Invalid(fields={"attachment": N_(
            "The content of the file does not match its extension.")})
    return name, TYPES[ext]


def attach(session: Session, post: GroupPost, upload: Upload) -> GroupPostAttachment:
    name, content_type = check(upload)
    assert post.id is not None
    row = GroupPostAttachment(post_id=post.id, filename=name, content_type=content_type,
                              size=len(upload.data), data=upload.data)
    session.add(row)
    session.flush()
    return row


def infos(session: Session, post_ids: list[int]) -> dict[int, list[AttachmentInfo]]:
    """Attachments per post, without loading their bytes."""
    if not post_ids:
        return {}
    rows = session.exec(select(GroupPostAttachment.id, GroupPostAttachment.post_id,
                               GroupPostAttachment.filename, GroupPostAttachment.size)
                        .where(col(GroupPostAttachment.post_id).in_(post_ids))
                        .order_by(col(GroupPostAttachment.id))).all()
    out: dict[int, list[AttachmentInfo]] = {}
    for a_id, post_id, filename, size in rows:
        out.setdefault(post_id, []).append(AttachmentInfo(a_id or 0, post_id, filename, size))
    return out


def get(session: Session, post: GroupPost, attachment_id: int) -> GroupPostAttachment:
    row = session.get(GroupPostAttachment, attachment_id)
    if row is None or row.post_id != post.id:
        raise NotFound()
    return row


def download_headers(row: GroupPostAttachment) -> dict[str, str]:
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", row.filename)[:100] or "bijlage"
    return {
        "Content-Disposition": (f'attachment; filename="{ascii_name}"; '
                                f"filename*=UTF-8''{quote(row.filename, safe='')}"),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    }
