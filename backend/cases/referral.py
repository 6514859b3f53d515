"""Referral outside Loket: an advisor refers a case to an organisation that is not a Loket
desk — one from the knowledge base (read through ``content.service``) or a typed one. The
entrepreneur sees where and why on the case's page and by mail; the case keeps a row
(``case_referral``) and a timeline event, and the outcome follow-up asks whether it helped.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from backend.accounts.principal import Principal
from backend.cases import notify
from backend.cases.models import REFERRED_OUT, Case
from backend.cases.models_human import CaseReferral
from backend.cases.schemas import NOTE_MAX
from backend.cases.service import add_event, audit, issue_token
from backend.cases.workspace import _require_open, _require_worker
from backend.content import service as content
from backend.content.service import ListFilters
from backend.core import limits
from backend.core.errors import Invalid, NotFound
from backend.core.i18n import gettext_ as _
from backend.core.memo import Memo
from backend.core.pagecache import public_generation

# Kept while no public row changed: every case page an advisor works on offers them.
_organisations: Memo[tuple[object, ...], tuple[tuple[str, str], ...]] = Memo()


def organisation_choices(session: Session) -> list[tuple[str, str]]:
    """(slug, name) of the published organisations in the knowledge base."""
    def build() -> tuple[tuple[str, str], ...]:
        items, _total = content.list_items(session, ListFilters(types=("organisation",)),
                                           per_page=500)
        return tuple((i.slug, i.title) for i in items)

    return list(_organisations.get(public_generation(session), build))


def refer_out(session: Session, case: Case, principal: Principal, *, organisation: str = "",
              name: str = "", url: str = "", reason: str = "", base_url: str = ""
              ) -> CaseReferral:
    actor_id = _require_worker(session, case, principal)
    limits.staff_act(session, principal.user_id)  # mails the entrepreneur
    _require_open(case)
    fields: dict[str, str] = {}
    organisation, name, url, reason = (v.strip() for v in (organisation, name, url, reason))
    slug: str | None = None
    if organisation:
        try:
            item = content.get_item(session, "organisation", organisation)
        except NotFound:
            fields["organisation"] = _("Choose an organisation from the list.")
        else:
            slug, name = item.slug, item.title
            url = item.website or f"{base_url}/organisaties/{item.slug}"
    elif not name:
        fields["organisation"] = _("Choose an organisation from the list or type its name.")
    if len(name) > 200:
        fields["name"] = _("The name is too long (at most 200 characters).")
    if url and (not url.startswith(("https://", "http://")) or len(url) > 500):
        fields["url"] = _("A web address starts with https:// (at most 500 characters).")
    if not reason:
        fields["reason"] = _("Tell the entrepreneur why this organisation can help.")
    elif len(reason) > NOTE_MAX:
        fields["reason"] = _("This text is too long (at most %(max)s characters).",
                             max=NOTE_MAX)
    if fields:
        raise Invalid(fields=fields)
    assert case.id is not None
    referral = CaseReferral(case_id=case.id, organisation_slug=slug, organisation_name=name,
                            organisation_url=url or None, reason=reason, referred_by=actor_id)
    session.add(referral)
    session.flush()
    add_event(session, case, REFERRED_OUT, actor="advisor", user_id=actor_id, body=reason,
              organisation=name, url=url or None, referral_id=referral.id)
    audit(session, "case.referred_out", case, actor=principal, referral_id=referral.id,
          organisation=slug or "typed")
    token = issue_token(session, case)
    with notify.language(case.language):
        subject = _("Your question %(reference)s: where to go next", reference=case.reference)
        lines = [_("An advisor has referred your question %(reference)s to %(organisation)s.",
                   reference=case.reference, organisation=name)]
        if url:
            lines.append(url)
        lines += ["", _("Why:"), reason]
        notify._to_entrepreneur(session, case, subject, lines, token, base_url)
    return referral


def referrals(session: Session, case: Case) -> list[CaseReferral]:
    return list(session.exec(select(CaseReferral).where(CaseReferral.case_id == case.id)
                             .order_by(col(CaseReferral.id))).all())
