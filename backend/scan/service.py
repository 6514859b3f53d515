"""The productivity scan's rules: loading versions, completing a scan, advice and the
question to an advisor with the scan attached. Services flush, never commit."""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from backend.cases import choices
from backend.cases import service as cases
from backend.content.service import ListFilters, list_items
from backend.content.views import ItemView, load_views
from backend.core.db import Database
from backend.core.errors import Invalid, NotFound
from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _
from backend.core.limits import Door
from backend.core.memo import Memo
from backend.core.security import sha256_hex
from backend.core.settings import ROOT, Settings
from backend.scan.definition import Definition, validate
from backend.scan.models import ScanAttachment, ScanResult, ScanVersion
from backend.scan.scoring import Scores, score, strongest, weakest

if TYPE_CHECKING:  # type only: cases hands scan its case objects (ask_question, panels)
    from backend.cases.models import Case

log = logging.getLogger("loket.scan")
SEED_DIR = ROOT / "seed" / "scan"
TOKEN_BYTES = 24  # 192 bits; only the SHA-256 is stored


class ScanNotFound(NotFound):
    message = N_("This scan result does not exist, or the link is not complete.")


# --- versions --------------------------------------------------------------------------------

def digest_of(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def store_version(session: Session, data: dict[str, Any], *, source: str = "seed",
                  user_id: int | None = None, text: str | None = None
                  ) -> tuple[ScanVersion, str]:
    """Insert a version, or update it while no result uses it. Returns (row, what happened).
    A version an editor published is never replaced by a seed file of the same number."""
    problems = validate(data)
    if problems:
        raise Invalid(_("The scan definition is not valid."), fields={"definition": "; ".join(
            problems)[:500]})
    version, digest = int(data["version"]), digest_of(data)
    row = session.get(ScanVersion, version)
    if row is None:
        row = ScanVersion(version=version, definition=data, digest=digest, source=source,
                          created_by=user_id, source_text=text)
        session.add(row)
        session.flush()
        return row, "added"
    if row.digest == digest:
        if text and row.source_text is None:  # stored before the text was kept
            row.source_text = text
            session.add(row)
            session.flush()
        return row, "unchanged"
    if row.source == "editor" and source != "editor":
        return row, "kept (an editor published this version; make a new version)"
    used = session.exec(select(ScanResult.id).where(ScanResult.version == version)).first()
    if used is not None:
        return row, "kept (results use it; make a new version)"
    row.definition, row.digest, row.source_text = data, digest, text
    session.add(row)
    session.flush()
    return row, "updated"


def load_seed(db: Database, settings: Settings) -> str:
    """Seed loader: every ``seed/scan/scan-v*.yaml``, idempotently."""
    import yaml  # lazy: PyYAML is 10 ms of a cold start; only seeding and editing read YAML

    out = []
    with db.transaction() as session:
        for path in sorted(SEED_DIR.glob("scan-v*.yaml")):
            text = path.read_text(encoding="utf-8")
            row, what = store_version(session, yaml.safe_load(text), text=text)
            out.append(f"v{row.version} {what}")
    return "scan: " + (", ".join(out) or "no definitions")


# (database, version, digest) -> the version's definition (``core.memo``): a stored version
# changes only together with its digest (``store_version``), and the scan's pages read it on
# every request (a JSON document of every question and advice).
_definitions: Memo[tuple[object, ...], Definition] = Memo()


def definition(session: Session, version: int | None = None) -> Definition:
    stmt = select(ScanVersion.version, ScanVersion.digest)
    stmt = (stmt.order_by(col(ScanVersion.version).desc()).limit(1) if version is None
            else stmt.where(ScanVersion.version == version))
    found = session.exec(stmt).first()
    if found is None:
        raise NotFound(_("The productivity scan is not available yet."))
    number, digest = found

    def build() -> Definition:
        row = session.get(ScanVersion, number)
        assert row is not None
        # A copy: the kept definition is shared, the row's dict belongs to this session.
        return Definition(row.version, copy.deepcopy(row.definition))

    return _definitions.get((str(session.get_bind().engine.url), number, digest), build)


# --- results ---------------------------------------------------------------------------------

@dataclass
class FirmProfile:
    company_size: str | None = None
    sector: str | None = None
    municipality_code: str | None = None
    province: str | None = None


def complete_scan(session: Session, version: int, answers: dict[str, int],
                  firm: FirmProfile, *, user_id: int | None = None,
                  previous_id: int | None = None) -> tuple[ScanResult, str]:
    """Score and store a finished scan; returns the result and its private-link token."""
    d = definition(session, version)
    missing = [q["id"] for q in d.questions if q["id"] not in answers]
    if missing:
        raise Invalid(_("Answer every question first."), fields={"answers": ", ".join(missing)})
    try:
        scores = score(d, answers)
    except ValueError as exc:
        raise Invalid(_("Answer every question first."), fields={"answers": str(exc)}) from exc
    if previous_id is None and user_id is not None:
        previous_id = session.exec(select(ScanResult.id).where(ScanResult.user_id == user_id)
                                   .order_by(col(ScanResult.id).desc())).first()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    result = ScanResult(version=version, answers=dict(answers), scores=scores.as_dict(),
                        company_size=firm.company_size, sector=firm.sector,
                        municipality_code=firm.municipality_code, province=firm.province,
                        user_id=user_id, token_hash=sha256_hex(token), previous_id=previous_id)
    session.add(result)
    session.flush()
    return result, token


def result_by_token(session: Session, token: str) -> ScanResult:
    if not token or len(token) > 100:
        raise ScanNotFound()
    found = session.exec(select(ScanResult).where(
        ScanResult.token_hash == sha256_hex(token))).first()
    if found is None:
        raise ScanNotFound()
    return found


def scores_of(result: ScanResult) -> Scores:
    return Scores.from_dict(result.scores)


# --- advice ----------------------------------------------------------------------------------

@dataclass
class Advice:
    dimension: str
    name: str
    score: float
    text: str
    practices: list[ItemView] = field(default_factory=list)
    schemes: list[ItemView] = field(default_factory=list)
    experts: list[ItemView] = field(default_factory=list)


def _nearness(view: ItemView, province: str | None) -> int:
    """0: the firm's own province, 1: national (or no region), 2: elsewhere."""
    regions = {r.slug for r in view.regions}
    if province and province in regions:
        return 0
    if not regions or "nl" in regions:
        return 1
    return 2


def nearest_items(session: Session, type_: str, themes: list[str], province: str | None,
                  limit: int = 3) -> list[ItemView]:
    if not themes:
        return []
    items, _total = list_items(session, ListFilters(types=(type_,), themes=tuple(themes)),
                               per_page=50)
    views = load_views(session, items)
    if type_ == "scheme":
        views = [v for v in views if v.scheme_status not in ("closed", "exhausted")]
    wanted = set(themes)
    views.sort(key=lambda v: (_nearness(v, province),
                              -len(wanted.intersection(t.slug for t in v.themes)),
                              v.item.title.lower()))
    return [v for v in views if _nearness(v, province) < 2][:limit]


def advice_for(session: Session, d: Definition, result: ScanResult) -> list[Advice]:
    scores = scores_of(result)
    out = []
    for dim in weakest(d, scores):
        themes = d.advice_themes(dim)
        out.append(Advice(
            dimension=dim, name=d.dimension_name(dim), score=scores.dimensions[dim],
            text=d.advice_text(dim),
            practices=nearest_items(session, "practice", themes, result.province),
            schemes=nearest_items(session, "scheme", themes, result.province),
            experts=nearest_items(session, "expert", themes, result.province)))
    return out


def strong_points(d: Definition, result: ScanResult) -> list[str]:
    return strongest(d, scores_of(result))


# --- discuss with an advisor ---------------------------------------------------------------

def summary_text(d: Definition, result: ScanResult) -> str:
    """A plain-text summary for the case (the advisor reads it in the question itself)."""
    scores = scores_of(result)
    lines = [_("Productivity scan (version %(version)s), overall score %(score)s of 5.",
               version=d.version, score=scores.overall)]
    for p in d.pillars:
        if p["slug"] in scores.pillars:
            lines.append(f"- {d.pillar_name(p['slug'])}: {scores.pillars[p['slug']]}")
            for dim in d.dimensions:
                if dim["pillar"] == p["slug"] and dim["slug"] in scores.dimensions:
                    lines.append(f"  - {d.dimension_name(dim['slug'])}: "
                                 f"{scores.dimensions[dim['slug']]}")
    weak = ", ".join(d.dimension_name(s) for s in weakest(d, scores))
    lines.append(_("Weakest points: %(points)s.", points=weak))
    return "\n".join(lines)


def discuss_with_advisor(session: Session, result: ScanResult, *, email: str, text: str,
                         municipality: str | None, door: Door, base_url: str = "") -> Case:
    """Ask a question with the scan attached: routed like any question (theme from the
    weakest point), the summary in the question and a ``scan_attachment`` row. The consent
    is the door's box; limits, honeypot and challenge are ``ask_question``'s."""

    d = definition(session, result.version)
    summary = summary_text(d, result)
    own = text.strip()
    body = (own + "\n\n" if own else _("I would like to discuss the result of my "
                                       "productivity scan.") + "\n\n") + summary
    weak = weakest(d, scores_of(result))
    themes = d.advice_themes(weak[0]) if weak else []
    theme = themes[0] if themes else None

    if theme and not choices.is_known(session, "theme", theme):
        theme = None
    sector = result.sector if result.sector and choices.is_known(session, "sector", result.sector) \
        else None
    size = result.company_size if result.company_size and choices.is_known(
        session, "size", result.company_size) else None  # a size an editor has since removed
    try:
        data = cases.question_from({
            "text": body[:5000], "email": email, "consent": bool(door.consent),
            "municipality": municipality or None,
            "sector": sector, "company_size": size, "theme": theme,
            "language": door.language if door.language in ("nl", "en") else "nl"})
    except ValidationError as exc:  # the e-mail address is the only field typed here
        # Every error at once (issue 15: the consent and the place came only on a second try).
        fields = cases.required_answers(consent=bool(door.consent), municipality=municipality,
                                        postcode=None, session=session)
        fields["email"] = _("Enter an e-mail address such as name@example.nl.")
        raise Invalid(fields=fields) from exc
    case, _token, _decision = cases.ask_question(session, data, door=door,
                                                 base_url=base_url)
    assert case.id is not None and result.id is not None
    session.add(ScanAttachment(case_id=case.id, result_id=result.id, summary=summary))
    session.flush()
    return case


def attachments_for_case(session: Session, case_id: int) -> list[ScanAttachment]:
    return list(session.exec(select(ScanAttachment).where(ScanAttachment.case_id == case_id)
                             .order_by(col(ScanAttachment.id))))
