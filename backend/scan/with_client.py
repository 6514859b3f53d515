"""The scan run by an advisor together with the entrepreneur, for a case.

The advisor answers the scan's questions with the client (one page, every statement on the
scale); the result is stored like any scan result, attached to the case
(``scan_attachment``) and recorded in the case's timeline through ``cases.service``, so the
entrepreneur sees it through the private link. A later scan of the same case points at the
earlier one (``previous_id``): the case pages show before and after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import Session

from backend.accounts.principal import Principal
from backend.cases import access
from backend.cases import service as cases
from backend.cases.schemas import SCAN_ATTACHED
from backend.core.errors import Conflict
from backend.core.i18n import gettext_ as _
from backend.scan import service
from backend.scan.definition import Definition
from backend.scan.models import ScanAttachment, ScanResult

if TYPE_CHECKING:  # type only: cases hands scan the case (cases.deps) and takes it back
    from backend.cases.models import Case


def _require_worker(session: Session, case: Case, principal: Principal) -> int:
    if principal.user_id is None or not access.works_on_case(session, case, principal.user_id):
        raise access.CaseNotFound()
    return principal.user_id


def form_for(session: Session, case: Case, principal: Principal) -> Definition:
    """The definition to answer (the newest version); only for the desk the case is at."""
    _require_worker(session, case, principal)
    return service.definition(session)


def parse_answers(d: Definition, form: dict[str, str]) -> dict[str, int]:
    values = {v for v, _label in d.scale}
    out: dict[str, int] = {}
    for q in d.questions:
        raw = str(form.get(f"q-{q['id']}") or "")
        if raw.isdigit() and int(raw) in values:
            out[q["id"]] = int(raw)
    return out


def scan_with_client(session: Session, case: Case, principal: Principal, version: int,
                     answers: dict[str, int]) -> ScanResult:
    """Score, store and attach the scan; ``Invalid`` names the unanswered questions."""
    user_id = _require_worker(session, case, principal)
    if case.status == "closed":
        raise Conflict(_("This question is closed."), code="case_closed")
    assert case.id is not None
    earlier = service.attachments_for_case(session, case.id)
    firm = service.FirmProfile(company_size=case.company_size, sector=case.sector,
                               municipality_code=case.municipality_code)
    result, _token = service.complete_scan(
        session, version, answers, firm,
        previous_id=earlier[-1].result_id if earlier else None)
    assert result.id is not None
    d = service.definition(session, version)
    session.add(ScanAttachment(case_id=case.id, result_id=result.id,
                               summary=service.summary_text(d, result)))
    session.flush()
    overall = service.scores_of(result).overall
    cases.add_event(session, case, SCAN_ATTACHED, actor="advisor", user_id=user_id,
                    result_id=result.id, overall=overall)
    cases.audit(session, "case.scan_attached", case, actor=principal, result_id=result.id)
    return result
