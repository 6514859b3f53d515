"""Editors change the scan as YAML: a draft, checked with every problem named by line and
field, previewed, and published as a new version. Published versions never change, so an old
result is always shown with the questions it was answered with. Services flush, never commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, func, select

from backend.accounts.principal import Principal
from backend.accounts.service import record_audit
from backend.content import taxonomy as tx
from backend.core.db import utcnow
from backend.core.errors import Invalid, NotFound
from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _
from backend.scan.definition import Definition, Issue, Path, check
from backend.scan.models import ScanDraft, ScanResult, ScanVersion
from backend.scan.service import store_version

if TYPE_CHECKING:
    import yaml

MAX_TEXT = 200_000
VERSION_LINE = re.compile(r"^version:[ \t]*\S*[ \t]*(#.*)?$", re.MULTILINE)


@dataclass(frozen=True)
class Problem:
    """A problem as the editor sees it: line (1-based, when known), field and message."""

    line: int | None
    where: str
    message: str


class DraftInvalid(Invalid):
    message = N_("The scan definition is not valid.")

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(fields={"text": "; ".join(
            (f"{p.line}: " if p.line else "") + (f"{p.where}: " if p.where else "") + p.message
            for p in problems)[:2000]})
        self.problems = problems


# --- reading YAML with line numbers ------------------------------------------------------------

def _lines(node: yaml.Node, path: Path, out: dict[Path, int]) -> None:
    import yaml  # lazy: PyYAML is 10 ms of a cold start; only seeding and editing read YAML

    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark.line)
            out[(*path, name)] = key.start_mark.line + 1
            _lines(value, (*path, name), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, i), out)


def _line_of(lines: dict[Path, int], path: Path) -> int | None:
    for n in range(len(path), -1, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None


def parse(text: str, known_themes: set[str] | None = None
          ) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The definition in ``text``, or the problems with it (translated, by line)."""
    if len(text) > MAX_TEXT:
        return None, [Problem(None, "", _("The text is too long (at most %(n)s characters).",
                                          n=MAX_TEXT))]
    import yaml  # lazy: PyYAML is 10 ms of a cold start; only seeding and editing read YAML

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        return None, [Problem(mark.line + 1 if mark else None, "",
                              _("This is not valid YAML (%(detail)s). Check the indentation "
                                "and the colons on this line.", detail=detail))]
    except yaml.YAMLError as exc:
        return None, [Problem(None, "", _("This is not valid YAML (%(detail)s).",
                                          detail=str(exc)))]
    lines: dict[Path, int] = {}
    if node is not None:
        _lines(node, (), lines)
    issues: list[Issue] = check(data, known_themes)
    problems = [Problem(_line_of(lines, i.path), i.where, i.text()) for i in issues]
    problems.sort(key=lambda p: (p.line or 0))
    return (data if not problems else None), problems


def known_themes(session: Session) -> set[str]:
    return {t.slug for t in tx.load(session).themes}


# --- drafts and versions --------------------------------------------------------------------

def latest_version(session: Session) -> ScanVersion | None:
    return session.exec(select(ScanVersion).order_by(col(ScanVersion.version).desc())).first()


def versions(session: Session) -> list[tuple[ScanVersion, int]]:
    """Every version, newest first, with the number of results that use it."""
    counts = dict(session.exec(select(ScanResult.version, func.count())
                               .group_by(col(ScanResult.version))).all())
    rows = session.exec(select(ScanVersion).order_by(col(ScanVersion.version).desc())).all()
    return [(row, int(counts.get(row.version, 0))) for row in rows]


def get_version(session: Session, version: int) -> ScanVersion:
    row = session.get(ScanVersion, version)
    if row is None:
        raise NotFound()
    return row


def text_of(row: ScanVersion) -> str:
    if row.source_text:
        return row.source_text
    import yaml  # lazy: PyYAML is 10 ms of a cold start; only seeding and editing read YAML

    return str(yaml.safe_dump(row.definition, allow_unicode=True, sort_keys=False, width=100))


def with_version(text: str, version: int) -> str:
    """``text`` with its top-level ``version:`` line set to ``version``."""
    line = f"version: {version}"
    if VERSION_LINE.search(text):
        return VERSION_LINE.sub(line, text, count=1)
    return f"{line}\n{text}"


def current_draft(session: Session) -> ScanDraft | None:
    return session.exec(select(ScanDraft).order_by(col(ScanDraft.id).desc())).first()


def start_draft(session: Session, principal: Principal) -> ScanDraft:
    """The draft for the next version, from the latest version's text (or the one there is)."""
    draft = current_draft(session)
    if draft is not None:
        return draft
    latest = latest_version(session)
    if latest is None:
        raise NotFound(_("The productivity scan is not available yet."))
    draft = ScanDraft(based_on=latest.version, text=with_version(text_of(latest),
                                                                 latest.version + 1),
                      updated_by=principal.user_id)
    session.add(draft)
    session.flush()
    return draft


def _require_draft(session: Session) -> ScanDraft:
    draft = current_draft(session)
    if draft is None:
        raise NotFound(_("There is no draft. Start a new version first."))
    return draft


def save_draft(session: Session, principal: Principal, text: str) -> ScanDraft:
    """Store the text when it is a valid definition; otherwise raise ``DraftInvalid`` and
    keep the stored draft as it was."""
    draft = _require_draft(session)
    _data, problems = parse(text, known_themes(session))
    if problems:
        raise DraftInvalid(problems)
    draft.text, draft.updated_by, draft.updated_at = text, principal.user_id, utcnow()
    session.add(draft)
    session.flush()
    return draft


def preview(session: Session, text: str) -> Definition:
    data, problems = parse(text, known_themes(session))
    if problems or data is None:
        raise DraftInvalid(problems)
    return Definition(int(data["version"]), data)


def publish_draft(session: Session, principal: Principal, text: str, *,
                  ip: str | None = None) -> ScanVersion:
    """Publish ``text`` as the next version (whatever its ``version:`` line said) and end
    the draft. Results of earlier versions keep theirs."""
    draft = _require_draft(session)
    latest = latest_version(session)
    number = (latest.version if latest else 0) + 1
    text = with_version(text, number)
    data, problems = parse(text, known_themes(session))
    if problems or data is None:
        raise DraftInvalid(problems)
    row, _what = store_version(session, data, source="editor", user_id=principal.user_id,
                               text=text)
    session.delete(draft)
    record_audit(session, "scan.version_published", actor=principal, target_type="scan_version",
                 target_id=number, ip=ip)
    session.flush()
    return row


def discard_draft(session: Session) -> None:
    draft = current_draft(session)
    if draft is not None:
        session.delete(draft)
        session.flush()
