"""The scan attached to a case, on the advisor's case page (``cases.panels``).

The case page decides who may see the case (an advisor of the desk it is at, or of a desk it
is offered to); this panel only reads the attached results, each with the definition of its
own version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlmodel import Session

from backend.cases.panels import Panel, case_panel
from backend.scan import service
from backend.scan.definition import Definition
from backend.scan.models import ScanResult
from backend.scan.scoring import Scores, weakest

if TYPE_CHECKING:  # type only: cases.panels hands each panel the case
    from backend.cases.models import Case


@dataclass(frozen=True)
class AttachedScan:
    definition: Definition
    result: ScanResult
    scores: Scores
    weak: list[str]
    attached_at: datetime


def attached_scans(session: Session, case_id: int) -> list[AttachedScan]:
    out = []
    for a in service.attachments_for_case(session, case_id):
        result = session.get(ScanResult, a.result_id)
        if result is None:
            continue
        d = service.definition(session, result.version)
        scores = service.scores_of(result)
        out.append(AttachedScan(definition=d, result=result, scores=scores,
                                weak=weakest(d, scores), attached_at=a.created_at))
    return out


@dataclass(frozen=True)
class BeforeAfter:
    """The first and the latest scan attached to a case, per pillar and dimension."""

    definition: Definition
    before: AttachedScan
    after: AttachedScan
    rows: list[tuple[str, str, float | None, float | None]]  # (kind, name, before, after)


def before_after(scans: list[AttachedScan]) -> BeforeAfter | None:
    if len(scans) < 2:
        return None
    before, after = scans[0], scans[-1]
    d = after.definition
    rows: list[tuple[str, str, float | None, float | None]] = [
        ("overall", "", before.scores.overall, after.scores.overall)]
    for p in d.pillars:
        rows.append(("pillar", d.pillar_name(p["slug"]), before.scores.pillars.get(p["slug"]),
                     after.scores.pillars.get(p["slug"])))
        for dim in d.dimensions:
            if dim["pillar"] == p["slug"]:
                rows.append(("dimension", d.dimension_name(dim["slug"]),
                             before.scores.dimensions.get(dim["slug"]),
                             after.scores.dimensions.get(dim["slug"])))
    return BeforeAfter(d, before, after, rows)


@case_panel("scan")
def scan_panel(session: Session, case: Case) -> Panel | None:
    if case.id is None:
        return None
    scans = attached_scans(session, case.id)
    return Panel("scan/_case_attachment.html", {
        "scans": scans, "compare": before_after(scans),
        "case_open": case.status != "closed"})


@case_panel("scan", entrepreneur=True)
def scan_panel_for_entrepreneur(session: Session, case: Case) -> Panel | None:
    """The entrepreneur's own page: the scans attached to their case, before and after."""
    if case.id is None:
        return None
    scans = attached_scans(session, case.id)
    if not scans:
        return None
    return Panel("scan/_case_entrepreneur.html", {"scans": scans,
                                                  "compare": before_after(scans)})
