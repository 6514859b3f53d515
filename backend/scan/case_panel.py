"""The scan attached to a case, on the advisor's case page (``cases.panels``).

The case page decides who may see the case (an advisor of the desk it is at, or of a desk it
is offered to); this panel only reads the attached results, each with the definition of its
own version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from backend.cases.models import Case
from backend.cases.panels import Panel, case_panel
from backend.scan import service
from backend.scan.definition import Definition
from backend.scan.models import ScanResult
from backend.scan.scoring import Scores, weakest


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


@case_panel("scan")
def scan_panel(session: Session, case: Case) -> Panel | None:
    if case.id is None:
        return None
    scans = attached_scans(session, case.id)
    return Panel("scan/_case_attachment.html", {"scans": scans}) if scans else None
