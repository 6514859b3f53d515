"""Publish as knowledge: an answered case becomes an anonymised Q&A draft in the knowledge base.

The draft strips what identifies the entrepreneur (name, e-mail, phones in the usual layouts,
KvK number, BSN, postcode, street and house number, the firm's web domain, private links),
people introduced by a title or relation ("collega Piet Jansen") and the advisors' names
(``backend.cases.text.anonymise``). The advisor reviews and edits it and must confirm the
personal-data check; the same stripping runs again on what they submit, and an editor
publishes it (``backend.content``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from backend.accounts import queries as accounts_q
from backend.accounts.principal import Principal
from backend.cases.models import PUBLISHED, REPLY, Case, CaseEvent
from backend.cases.service import add_event, audit
from backend.cases.text import anonymise, domains_in, firm_domain
from backend.content import service as content
from backend.core.errors import Conflict, Invalid
from backend.core.i18n import gettext_ as _

TITLE_MAX = 150


@dataclass
class Draft:
    title: str
    question: str
    answer: str

    @property
    def body_md(self) -> str:
        question, answer = _("Question"), _("Answer")
        return f"## {question}\n\n{self.question}\n\n## {answer}\n\n{self.answer}\n"


def _answers(session: Session, case: Case) -> list[CaseEvent]:
    return list(session.exec(select(CaseEvent).where(
        CaseEvent.case_id == case.id, CaseEvent.kind == REPLY, CaseEvent.actor == "advisor",
        col(CaseEvent.internal).is_(False)).order_by(col(CaseEvent.at))).all())


def _advisor_names(session: Session, events: list[CaseEvent]) -> list[str]:
    ids = {e.actor_user_id for e in events if e.actor_user_id is not None}
    if not ids:
        return []
    return [u.name for u in accounts_q.users(session, ids).values() if u.name]


def _strip(session: Session, case: Case, text: str, events: list[CaseEvent]) -> str:
    extra = [case.contact_email, case.contact_phone or "", case.kvk_number or "",
             case.postcode or ""]
    # The firm's own web domain: the one of its e-mail address and any the question names.
    domains = domains_in(case.text)
    own = firm_domain(case.contact_email or "")
    if own:
        domains.add(own)
    return anonymise(text, names=[case.contact_name or "", *_advisor_names(session, events)],
                     extra=extra, domains=domains)


def _title(question: str) -> str:
    first = re.split(r"(?<=[.?!])\s", question.strip(), maxsplit=1)[0]
    first = " ".join(first.split())
    return first if len(first) <= TITLE_MAX else first[:TITLE_MAX - 1].rstrip() + "…"


def draft_for(session: Session, case: Case) -> Draft:
    if case.first_responded_at is None:
        raise Conflict(_("Only an answered question can become knowledge."), code="not_answered")
    events = _answers(session, case)
    question = _strip(session, case, case.text, events)
    answer = "\n\n".join(_strip(session, case, e.body or "", events) for e in events)
    return Draft(title=_title(question), question=question, answer=answer)


def publish_draft(session: Session, case: Case, principal: Principal, *, title: str,
                  body_md: str, summary: str = "", personal_data_checked: bool = False) -> str:
    """Create the Q&A draft in the knowledge base; returns its slug.

    Refused unless the advisor confirms they checked the text for personal data: the
    automatic stripping is a first pass, not a guarantee."""
    if case.first_responded_at is None:
        raise Conflict(_("Only an answered question can become knowledge."), code="not_answered")
    events = _answers(session, case)
    title = _strip(session, case, (title or "").strip(), events)
    body_md = _strip(session, case, (body_md or "").strip(), events)
    summary = _strip(session, case, (summary or "").strip(), events)
    fields: dict[str, str] = {}
    if len(title) < 5 or len(title) > 300:
        fields["title"] = _("Give the item a title of 5 to 300 characters.")
    if len(body_md) < 20:
        fields["body_md"] = _("Write the question and the answer.")
    if not personal_data_checked:
        fields["personal_data_checked"] = _(
            "Confirm that you checked the text for personal data (names, addresses, numbers, "
            "web addresses) that could identify the business or a person.")
    if fields:
        raise Invalid(fields=fields)

    data: dict[str, object] = {"title": title, "summary": summary[:2000], "body_md": body_md,
                               "lang": case.language}
    themes = [t for t in ([case.theme] if case.theme else []) + list(case.themes) if t]
    if themes:
        data["themes"] = list(dict.fromkeys(themes))
    if case.sector:
        data["sectors"] = [case.sector]
    if case.company_size:
        data["company_sizes"] = [case.company_size]
    try:
        with session.begin_nested():  # a refused item leaves nothing behind
            item = content.create_item(session, "qa", data, principal,
                                       note=f"Draft from question {case.reference}")
    except Invalid:
        # Taxonomy not seeded (or renamed): keep the text, let the editor add the terms.
        for key in ("themes", "sectors", "company_sizes"):
            data.pop(key, None)
        item = content.create_item(session, "qa", data, principal,
                                   note=f"Draft from question {case.reference}")
    add_event(session, case, PUBLISHED, actor="advisor", user_id=principal.user_id,
              internal=True, item=item.slug)
    audit(session, "case.published_as_knowledge", case, actor=principal, item=item.slug)
    return item.slug
