"""An item with everything it links to, loaded in a few batched queries.

``ItemView`` is what pages, the API, revision snapshots and search documents are built from.
``data()`` gives the item in the shape of its ``*Create`` model — the editor form's values,
a revision's snapshot and what the seed loader compares against.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from backend.content import taxonomy as tx
from backend.content.markdown import render_markdown
from backend.content.models import (
    CREATE_MODELS,
    PUBLIC_MODELS,
    CompanySize,
    ContactPublic,
    ContentCompanySize,
    ContentItem,
    ContentOrganisation,
    ContentPublic,
    ContentRegion,
    ContentRelated,
    ContentSector,
    ContentTheme,
    ItemRef,
    Pillar,
    Region,
    SchemeCostKind,
    SchemeTerms,
    Sector,
    SourcePublic,
    TermPublic,
    TermsCheck,
    Theme,
    check_terms,
)
from backend.core.i18n import N_, get_language
from backend.core.i18n import gettext_ as _

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

# Public paths per type; SearchDoc.url uses the same.
TYPE_PATHS: dict[str, str] = {
    "practice": "/kennisbank/goede-voorbeelden",
    "case_study": "/kennisbank/praktijkcasussen",
    "scheme": "/regelingen",
    "expert": "/experts",
    "event": "/agenda",
    "organisation": "/organisaties",
    "qa": "/kennisbank/vragen",
}
# API collection names per type.
API_PATHS: dict[str, str] = {
    "practice": "practices",
    "case_study": "case-studies",
    "scheme": "schemes",
    "expert": "experts",
    "event": "events",
    "organisation": "organisations",
    "qa": "answers",
}
# Slugs that would shadow a fixed page below a type's path.
RESERVED_SLUGS = frozenset({"zoeker", "nieuw", "zoeken", "vraag", "aanmelden"})


def today() -> date:
    return datetime.now(AMSTERDAM).date()


def item_url(type_: str, slug: str) -> str:
    return f"{TYPE_PATHS[type_]}/{slug}"


# Labels as message ids, translated one at a time: a list page asks for ~40 labels, and
# translating every label of a kind on each call was ~700 lookups a page (issue 19 item 4).
_TYPE_LABELS = {
    "practice": N_("Good practice"), "case_study": N_("Case study"), "scheme": N_("Scheme"),
    "expert": N_("Expert"), "event": N_("Event"), "organisation": N_("Organisation"),
    "qa": N_("Question and answer"),
}
_TYPE_LABELS_PLURAL = {
    "practice": N_("Good practices"), "case_study": N_("Case studies"),
    "scheme": N_("Schemes"), "expert": N_("Experts"), "event": N_("Events"),
    "organisation": N_("Organisations"), "qa": N_("Questions and answers"),
}
_KIND_LABELS = {
    "subsidy": N_("Subsidy"), "loan": N_("Loan"), "guarantee": N_("Guarantee"),
    "tax": N_("Tax scheme"), "voucher": N_("Voucher"),
    "person": N_("Person"), "organisation": N_("Organisation"),
    "workshop": N_("Workshop"), "webinar": N_("Webinar"), "network": N_("Network meeting"),
    "knowledge_institution": N_("Knowledge institution"), "fieldlab": N_("Fieldlab"),
    "desk": N_("Support desk"), "ecosystem": N_("Ecosystem"), "government": N_("Government"),
    "branch_organisation": N_("Trade association"), "financier": N_("Financier"),
    "company": N_("Company"), "other": N_("Other"),
}
_STATUS_LABELS = {
    "open": N_("Open"), "upcoming": N_("Opens soon"), "closed": N_("Closed"),
    "exhausted": N_("Budget exhausted"), "limited": N_("Limited budget left"),
    "continuous": N_("Open all year"), "draft": N_("Draft"), "published": N_("Published"),
}


def type_label(type_: str, plural: bool = False) -> str:
    label = (_TYPE_LABELS_PLURAL if plural else _TYPE_LABELS).get(type_)
    return _(label) if label is not None else type_


def kind_label(kind: str | None) -> str:
    label = _KIND_LABELS.get(kind or "")
    return _(label) if label is not None else kind or ""


def figure_labels(kind: str | None) -> dict[str, str]:
    """The public names of a scheme's figures for its kind: a tax scheme has an
    aftrekpercentage and investment thresholds, a loan a share of the costs it finances,
    a guarantee a borgstelling; only a subsidy or voucher has a subsidiepercentage."""
    if kind == "tax":
        return {"rate": _("Deduction rate"), "min": _("Investment from"),
                "max": _("Investment up to")}
    if kind == "loan":
        return {"rate": _("Share of the costs financed by the loan"), "min": _("Loan from"),
                "max": _("Loan up to")}
    if kind == "guarantee":
        return {"rate": _("Share of the loan guaranteed"), "min": _("Guarantee from"),
                "max": _("Guarantee up to")}
    return {"rate": _("Funding rate"), "min": _("Minimum amount"), "max": _("Maximum amount")}


def status_label(status: str | None) -> str:
    label = _STATUS_LABELS.get(status or "")
    return _(label) if label is not None else status or ""


def scheme_status(terms: SchemeTerms | None, on: date | None = None) -> str:
    """open | continuous | upcoming | closed | exhausted, from the budget and the window."""
    if terms is None:
        return "open"
    return window_status(terms.budget_status, terms.opens_on, terms.closes_on, on)


def window_status(budget_status: str | None, opens_on: date | None, closes_on: date | None,
                  on: date | None = None) -> str:
    """``scheme_status`` from the scheme's budget status and window (for other domains)."""
    on = on or today()
    if budget_status == "exhausted":
        return "exhausted"
    if budget_status == "closed" or (closes_on is not None and closes_on < on):
        return "closed"
    if budget_status == "upcoming" or (opens_on is not None and opens_on > on):
        return "upcoming"
    return "continuous" if budget_status == "continuous" else "open"


@dataclass(frozen=True)
class Shown:
    """An item's text in the language of the page: the English field where present in the
    English UI, the Dutch one otherwise. ``*_lang`` is the language of each part as shown (for
    ``lang`` attributes); ``translation`` says how much of the item exists in the page's
    language: "full", "partial" (some fields are only in Dutch) or "none"."""

    title: str
    summary: str
    body_md: str
    terms_note: str | None
    title_lang: str
    summary_lang: str
    body_lang: str
    translation: str
    page_lang: str = "nl"  # the language the page is shown in

    @property
    def lang(self) -> str:
        """The language of most of the text shown (the body's, else the title's)."""
        return self.body_lang if self.body_md else self.title_lang


def shown(item: ContentItem, terms: SchemeTerms | None = None,
          lang: str | None = None) -> Shown:
    """The text of ``item`` to show in ``lang`` (default: the page's language)."""
    lang = lang or get_language()
    base = item.lang or "nl"
    note = terms.terms_note if terms is not None else None
    if lang != "en" or base == "en":
        return Shown(item.title, item.summary or "", item.body_md or "", note, base, base, base,
                     "full" if base == lang else "none", lang)
    note_en = terms.terms_note_en if terms is not None else None
    pairs = [(item.title_en, item.title), (item.summary_en, item.summary),
             (item.body_md_en, item.body_md), (note_en, note)]
    present = [bool(en) for en, _nl in pairs]
    needed = [bool(en or nl) for en, nl in pairs]
    if not any(present):
        translation = "none"
    elif all(p or not n for p, n in zip(present, needed, strict=True)):
        translation = "full"
    else:
        translation = "partial"

    def pick(en: str | None, nl: str | None) -> tuple[str, str]:
        return (str(en), "en") if en else (str(nl or ""), base)

    title, title_lang = pick(item.title_en, item.title)
    summary, summary_lang = pick(item.summary_en, item.summary)
    body, body_lang = pick(item.body_md_en, item.body_md)
    return Shown(title, summary, body, note_en or note, title_lang, summary_lang, body_lang,
                 translation, lang)


def english_texts(session: Session, doc_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """(title_en, summary_en) of the items behind search ids ("type:slug") that have an English
    title or summary, in one query: search hits in the English UI show them."""
    pairs = [tuple(d.split(":", 1)) for d in doc_ids if ":" in d]
    if not pairs:
        return {}
    rows = session.exec(select(ContentItem.type, ContentItem.slug, ContentItem.title_en,
                               ContentItem.summary_en)
                        .where(col(ContentItem.slug).in_({slug for _t, slug in pairs}))).all()
    wanted = {f"{t}:{s}" for t, s in pairs}
    return {f"{t}:{s}": (title or "", summary or "") for t, s, title, summary in rows
            if f"{t}:{s}" in wanted and (title or summary)}


def _iso(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@dataclass
class ItemView:
    item: ContentItem
    tax: tx.Taxonomy
    themes: list[Theme] = field(default_factory=list)
    sectors: list[Sector] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    sizes: list[CompanySize] = field(default_factory=list)
    organisations: list[ContentItem] = field(default_factory=list)
    related: list[ContentItem] = field(default_factory=list)
    org: ContentItem | None = None  # expert's organisation, event's organiser
    terms: SchemeTerms | None = None
    provider: ContentItem | None = None
    cost_kinds: list[str] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.item.id or 0

    @property
    def type(self) -> str:
        return self.item.type

    @property
    def url(self) -> str:
        return item_url(self.item.type, self.item.slug)

    @property
    def doc_id(self) -> str:
        return f"{self.item.type}:{self.item.slug}"

    @property
    def pillars(self) -> list[Pillar]:
        out: list[Pillar] = []
        for theme in self.themes:
            pillar = self.tax.pillar_of(theme)
            if pillar is not None and pillar not in out:
                out.append(pillar)
        return out

    @property
    def scheme_status(self) -> str | None:
        return scheme_status(self.terms) if self.item.type == "scheme" else None

    @property
    def terms_check(self) -> TermsCheck:
        return check_terms(self.terms.term_sources if self.terms else [], today())

    @property
    def body_html(self) -> str:
        return render_markdown(self.item.body_md)

    @property
    def shown(self) -> Shown:
        """The item's text in the page's language (see ``shown``)."""
        return shown(self.item, self.terms)

    def public_related(self) -> list[ContentItem]:
        return [r for r in self.related if r.status == "published" and r.deleted_at is None]

    def public_organisations(self) -> list[ContentItem]:
        return [o for o in self.organisations if o.status == "published" and o.deleted_at is None]

    def public_ref(self, other: ContentItem | None) -> ContentItem | None:
        if other is None or other.status != "published" or other.deleted_at is not None:
            return None
        return other

    # --- the editable data -------------------------------------------------------------
    def data(self) -> dict[str, Any]:
        """The item in its ``*Create`` shape, JSON-ready."""
        it = self.item
        out: dict[str, Any] = {
            "slug": it.slug, "title": it.title, "summary": it.summary, "body_md": it.body_md,
            "title_en": it.title_en or "", "summary_en": it.summary_en or "",
            "body_md_en": it.body_md_en or "",
            "lang": it.lang, "is_example": it.is_example,
            "source_document": it.source_document, "source_title": it.source_title,
            "source_section": it.source_section, "source_url": it.source_url,
            "themes": [t.slug for t in self.themes],
            "sectors": [s.slug for s in self.sectors],
            "regions": [r.slug for r in self.regions],
            "company_sizes": [s.slug for s in self.sizes],
            "organisations": [o.slug for o in self.organisations],
            "related": [f"{r.type}:{r.slug}" for r in self.related],
        }
        if it.type == "organisation":
            out.update(kind=it.kind or "other", website=it.website)
        elif it.type == "expert":
            out.update(kind=it.kind or "person", organisation=self.org.slug if self.org else None,
                       role=it.role, languages=list(it.languages or []), website=it.website,
                       email=it.contact_email, phone=it.contact_phone,
                       availability=it.availability, consent_at=_iso(it.consent_at))
        elif it.type == "event":
            out.update(kind=it.kind or "workshop", starts_at=_iso(it.starts_at),
                       ends_at=_iso(it.ends_at), online=bool(it.online), place=it.place,
                       organiser=self.org.slug if self.org else None,
                       organiser_name=it.organisation_name,
                       registration_url=it.registration_url)
        elif it.type == "scheme":
            t = self.terms or SchemeTerms(item_id=it.id or 0)
            out.update(kind=it.kind or "subsidy",
                       provider=self.provider.slug if self.provider else None,
                       cost_kinds=list(self.cost_kinds), min_amount=t.min_amount,
                       max_amount=t.max_amount, funding_rate=t.funding_rate,
                       opens_on=_iso(t.opens_on), closes_on=_iso(t.closes_on),
                       first_come_first_served=t.first_come_first_served,
                       budget_status=t.budget_status,
                       terms_checked_on=_iso(t.terms_checked_on), terms_note=t.terms_note,
                       terms_note_en=t.terms_note_en,
                       term_sources=list(t.term_sources or []))
        return out

    def normalised_data(self) -> dict[str, Any]:
        """``data()`` through the create model: comparable with validated input."""
        model = CREATE_MODELS[self.item.type].model_validate(self.data())
        return model.model_dump(mode="json")

    def snapshot(self) -> dict[str, Any]:
        return {"type": self.item.type, "status": self.item.status,
                "published_at": _iso(self.item.published_at), **self.data()}


def ref(item: ContentItem) -> ItemRef:
    return ItemRef(type=item.type, slug=item.slug, title=item.title,
                   url=item_url(item.type, item.slug))


def _terms(terms: Sequence[Any]) -> list[TermPublic]:
    return [TermPublic(slug=t.slug, name=tx.name_of(t)) for t in terms]


def to_public(view: ItemView) -> ContentPublic:
    it = view.item
    source = None
    if it.source_document or it.source_title or it.source_url:
        source = SourcePublic(document=it.source_document, title=it.source_title,
                              section=it.source_section, url=it.source_url)
    common: dict[str, Any] = dict(
        id=it.id, type=it.type, slug=it.slug, url=view.url, title=it.title, summary=it.summary,
        body_md=it.body_md, body_html=view.body_html, title_en=it.title_en or "",
        summary_en=it.summary_en or "", body_md_en=it.body_md_en or "", lang=it.lang,
        status=it.status,
        is_example=it.is_example, published_at=it.published_at, updated_at=it.updated_at,
        source=source, themes=_terms(view.themes), pillars=_terms(view.pillars),
        sectors=_terms(view.sectors), regions=_terms(view.regions),
        company_sizes=_terms(view.sizes),
        organisations=[ref(o) for o in view.public_organisations()],
        related=[ref(r) for r in view.public_related()],
    )
    org = view.public_ref(view.org)
    if it.type == "organisation":
        common.update(kind=it.kind or "other", website=it.website)
    elif it.type == "expert":
        is_person = (it.kind or "person") == "person"
        common.update(kind=it.kind or "person", organisation=ref(org) if org else None,
                      role=it.role, languages=list(it.languages or []),
                      availability=it.availability,
                      contact=ContactPublic(website=it.website,
                                            email=None if is_person else it.contact_email,
                                            phone=None if is_person else it.contact_phone))
    elif it.type == "event":
        common.update(kind=it.kind or "workshop", starts_at=it.starts_at, ends_at=it.ends_at,
                      online=bool(it.online), place=it.place,
                      organiser=ref(org) if org else None, organiser_name=it.organisation_name,
                      registration_url=it.registration_url)
    elif it.type == "scheme":
        t = view.terms or SchemeTerms(item_id=it.id or 0)
        check = view.terms_check
        provider = view.public_ref(view.provider)
        common.update(kind=it.kind or "subsidy", provider=ref(provider) if provider else None,
                      cost_kinds=list(view.cost_kinds), min_amount=t.min_amount,
                      max_amount=t.max_amount, funding_rate=t.funding_rate,
                      opens_on=t.opens_on, closes_on=t.closes_on,
                      first_come_first_served=t.first_come_first_served,
                      budget_status=t.budget_status, scheme_status=view.scheme_status,
                      terms_checked_on=check.checked_on, terms_note=t.terms_note,
                      terms_year=check.year, terms_verified=check.verified,
                      terms_stale=check.stale, term_sources=list(t.term_sources or []))
    return PUBLIC_MODELS[it.type].model_validate(common)


def load_views(session: Session, items: Sequence[ContentItem],
               tax: tx.Taxonomy | None = None) -> list[ItemView]:
    """Views for ``items`` (same order) in a fixed number of queries."""
    tax = tax or tx.load(session)
    ids = [i.id for i in items if i.id is not None]
    if not ids:
        return [ItemView(item=i, tax=tax) for i in items]

    def pairs(model: Any, other: str) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        stmt = select(model.item_id, getattr(model, other)).where(col(model.item_id).in_(ids))
        if model is ContentRelated:
            stmt = stmt.order_by(col(ContentRelated.position))
        for item_id, other_id in session.exec(stmt):
            out[item_id].append(other_id)
        return out

    theme_ids = pairs(ContentTheme, "theme_id")
    sector_ids = pairs(ContentSector, "sector_id")
    region_ids = pairs(ContentRegion, "region_id")
    size_ids = pairs(ContentCompanySize, "size_id")
    org_ids = pairs(ContentOrganisation, "organisation_id")
    related_ids = pairs(ContentRelated, "related_id")
    terms = {t.item_id: t for t in session.exec(
        select(SchemeTerms).where(col(SchemeTerms.item_id).in_(ids)))}
    cost_kinds: dict[int, list[str]] = defaultdict(list)
    for item_id, kind in session.exec(select(SchemeCostKind.item_id, SchemeCostKind.cost_kind)
                                      .where(col(SchemeCostKind.item_id).in_(ids))):
        cost_kinds[item_id].append(kind)

    wanted: set[int] = set()
    for mapping in (org_ids, related_ids):
        for values in mapping.values():
            wanted.update(values)
    wanted.update(i.organisation_id for i in items if i.organisation_id)
    wanted.update(t.provider_id for t in terms.values() if t.provider_id)
    refs = {i.id: i for i in session.exec(select(ContentItem).where(
        col(ContentItem.id).in_(wanted), col(ContentItem.deleted_at).is_(None)))} if wanted else {}

    def order_by_position(values: list[Any]) -> list[Any]:
        return sorted(values, key=lambda t: (t.position, t.id))

    views = []
    for it in items:
        i = it.id or 0
        t = terms.get(i)
        views.append(ItemView(
            item=it, tax=tax,
            themes=order_by_position([tax.theme_by_id[x] for x in theme_ids[i]
                                      if x in tax.theme_by_id]),
            sectors=order_by_position([tax.sector_by_id[x] for x in sector_ids[i]
                                       if x in tax.sector_by_id]),
            regions=order_by_position([tax.region_by_id[x] for x in region_ids[i]
                                       if x in tax.region_by_id]),
            sizes=order_by_position([tax.size_by_id[x] for x in size_ids[i]
                                     if x in tax.size_by_id]),
            organisations=sorted((refs[x] for x in org_ids[i] if x in refs),
                                 key=lambda o: o.title.lower()),
            related=[refs[x] for x in related_ids[i] if x in refs],
            org=refs.get(it.organisation_id) if it.organisation_id else None,
            terms=t,
            provider=refs.get(t.provider_id) if t is not None and t.provider_id else None,
            cost_kinds=sorted(cost_kinds[i]),
        ))
    return views


def load_view(session: Session, item: ContentItem) -> ItemView:
    return load_views(session, [item])[0]
