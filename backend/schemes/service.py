"""The scheme finder: a profile from request parameters, the published schemes as facts, and
the match (``eligibility.match_schemes``). Shared by the page and ``GET /api/v1/schemes/match``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from backend.content import queries as content_q
from backend.content import taxonomy as tx
from backend.content.taxonomy import slugify
from backend.content.views import today
from backend.core.errors import Invalid
from backend.core.i18n import N_, get_language
from backend.core.i18n import gettext_ as _
from backend.core.memo import Memo, Memos, values_then_objects
from backend.regions import service as regions
from backend.schemes.eligibility import (
    Labels,
    Profile,
    SchemeFacts,
    SchemeMatch,
    match_schemes,
)

MAX_AMOUNT = 10_000_000_000


@dataclass(frozen=True)
class ProfileParams:
    """The finder's parameters as they come in (page form and API query are the same)."""

    size: str | None = None
    sector: str | None = None
    municipality: str | None = None
    themes: tuple[str, ...] = ()
    cost_kind: str | None = None
    amount: int | None = None

    @classmethod
    def build(cls, *, size: str | None = None, sector: str | None = None,
              municipality: str | None = None, themes: Sequence[str] | None = None,
              cost_kind: str | None = None, amount: int | None = None) -> ProfileParams:
        def clean(v: str | None) -> str | None:
            v = (v or "").strip()
            return v or None

        return cls(size=clean(size), sector=clean(sector), municipality=clean(municipality),
                   themes=tuple(dict.fromkeys(t.strip() for t in (themes or ()) if t.strip())),
                   cost_kind=clean(cost_kind), amount=amount)

    def as_dict(self) -> dict[str, object]:
        return {"size": self.size, "sector": self.sector, "municipality": self.municipality,
                "themes": list(self.themes), "cost_kind": self.cost_kind,
                "amount": self.amount}


@dataclass
class FinderResult:
    profile: Profile
    matches: list[SchemeMatch]
    hidden_closed: int
    on: date

    @property
    def fits(self) -> list[SchemeMatch]:
        return [m for m in self.matches if m.verdict == "fits"]

    @property
    def near_misses(self) -> list[SchemeMatch]:
        return [m for m in self.matches if m.verdict == "near_miss"]

    @property
    def no_fit(self) -> list[SchemeMatch]:
        return [m for m in self.matches if m.verdict == "no_fit"]


# language -> (lineage, labels) of a taxonomy and the cost kinds in use (``core.memo``).
_derived: Memos[str, tuple[tuple[str, ...], tuple[tx.Taxonomy]],
                tuple[dict[str, list[str]], Labels]] = Memos(values_then_objects)


def _lineage_and_labels(taxonomy: tx.Taxonomy, kinds: tuple[str, ...]
                        ) -> tuple[dict[str, list[str]], Labels]:
    return _derived.get(get_language(), (kinds, (taxonomy,)),
                        lambda: (sector_lineage(taxonomy), labels(taxonomy, kinds)))


def labels(taxonomy: tx.Taxonomy, cost_kinds: Sequence[str] = ()) -> Labels:
    return Labels({
        "size": {s.slug: tx.name_of(s) for s in taxonomy.sizes},
        "sector": {s.slug: tx.name_of(s) for s in taxonomy.sectors},
        "region": {r.slug: tx.name_of(r) for r in taxonomy.regions},
        "theme": {t.slug: tx.name_of(t) for t in taxonomy.themes},
        "cost_kind": {k: cost_kind_label(k) for k in cost_kinds},
    })


_COST_KIND_LABELS = {
    "advies": N_("Advice"), "opleiding": N_("Training"), "loonkosten": N_("Wage costs"),
    "investering": N_("Investment"), "onderzoek-en-ontwikkeling": N_("Research and "
                                                                    "development"),
    "haalbaarheidsstudie": N_("Feasibility study"), "inhuur-kennis": N_("Hiring expertise"),
    "marktintroductie": N_("Market introduction"), "werkkapitaal": N_("Working capital"),
}


def cost_kind_label(slug: str) -> str:
    label = _COST_KIND_LABELS.get(slug)  # one translation per call
    return _(label) if label is not None else slug.replace("-", " ")


def sector_lineage(taxonomy: tx.Taxonomy) -> dict[str, list[str]]:
    return {s.slug: [a.slug for a in taxonomy.sector_lineage(s)] for s in taxonomy.sectors}


# (content version, today) and the taxonomy -> the facts (``core.memo``).
_facts: Memo[tuple[tuple[object, ...], tuple[tx.Taxonomy]], list[SchemeFacts]] = Memo(
    values_then_objects)


def published_schemes(session: Session, taxonomy: tx.Taxonomy | None = None, *,
                      version: tuple[object, ...] | None = None) -> list[SchemeFacts]:
    """Every published scheme as facts. Loading the items and their links costs ~7 ms for 25
    schemes, so the facts are kept while ``content_q.content_version`` (one aggregate query),
    the day (``terms_stale``) and the taxonomy (``tx.load`` gives the same object while its
    rows are unchanged) are the same. ``version``: the caller's ``content_version``, when it
    has one."""
    key = (*(version or content_q.content_version(session)), today())
    taxonomy = taxonomy or tx.load(session)
    return list(_facts.get((key, (taxonomy,)), lambda: _load_facts(session)))


def _load_facts(session: Session) -> list[SchemeFacts]:
    out = []
    for view in content_q.published_views(session, "scheme"):
        t = view.terms
        provider = view.public_ref(view.provider)
        out.append(SchemeFacts(
            id=view.id, slug=view.item.slug, title=view.item.title, url=view.url,
            kind=view.item.kind or "subsidy", summary=view.item.summary,
            title_en=view.item.title_en or "", summary_en=view.item.summary_en or "",
            sizes=frozenset(s.slug for s in view.sizes),
            sectors=frozenset(s.slug for s in view.sectors),
            regions=frozenset(r.slug for r in view.regions),
            themes=frozenset(t_.slug for t_ in view.themes),
            cost_kinds=frozenset(view.cost_kinds),
            min_amount=t.min_amount if t else None, max_amount=t.max_amount if t else None,
            funding_rate=t.funding_rate if t else None,
            opens_on=t.opens_on if t else None, closes_on=t.closes_on if t else None,
            first_come_first_served=bool(t and t.first_come_first_served),
            budget_status=t.budget_status if t else "open",
            provider=provider.title if provider else None,
            provider_url=f"/organisaties/{provider.slug}" if provider else None,
            source_url=view.item.source_url,
            terms_checked_on=view.terms_check.checked_on,
            terms_stale=view.terms_check.stale,
            published_at=view.item.published_at,
        ))
    return out


def province_slug(taxonomy: tx.Taxonomy, province_code: str, province_name: str
                  ) -> str | None:
    for region in taxonomy.regions:
        if region.cbs_code and region.cbs_code == province_code:
            return region.slug
    wanted = slugify(province_name)
    for region in taxonomy.regions:
        if region.slug == wanted or slugify(region.name_nl) == wanted:
            return region.slug
    return None


def resolve_profile(session: Session, params: ProfileParams,
                    taxonomy: tx.Taxonomy | None = None) -> Profile:
    """Check the parameters against the taxonomy; ``Invalid`` names every bad one."""
    taxonomy = taxonomy or tx.load(session)
    fields: dict[str, str] = {}
    if params.size and params.size not in taxonomy.by_slug["size"]:
        fields["size"] = _("Choose a company size from the list.")
    sector = params.sector
    if sector and sector not in taxonomy.by_slug["sector"]:
        # An SBI code as on the KvK registration ("C", "25", "2562", "25.62").
        found = tx.sector_for_sbi(taxonomy, sector)
        if found is None:
            fields["sector"] = _("Choose a sector from the list, or give an SBI code such "
                                 "as C, 25 or 2562.")
        else:
            sector = found.slug
    unknown = [t for t in params.themes if t not in taxonomy.by_slug["theme"]]
    if unknown:
        fields["themes"] = _("Unknown theme: %(value)s.", value=", ".join(unknown)[:100])
    if params.amount is not None and not 0 <= params.amount <= MAX_AMOUNT:
        fields["amount"] = _("Enter an amount in whole euros.")
    if params.cost_kind and not content_q.is_slug(params.cost_kind):
        fields["cost_kind"] = _("Unknown kind of cost.")
    province = municipality = None
    if params.municipality:
        try:
            place = regions.resolve_location(session, params.municipality, None)
        except Invalid as exc:
            fields.update(exc.fields or {"municipality": exc.message})
        else:
            if place is not None:
                municipality = place.name
                province = province_slug(taxonomy, place.province_code, place.province_name)
    if fields:
        raise Invalid(_("Invalid parameters: %(names)s.", names=", ".join(sorted(fields))),
                      fields=fields)
    return Profile(size=params.size, sector=sector, province=province,
                   municipality=municipality, themes=params.themes,
                   cost_kind=params.cost_kind, amount=params.amount)


# Called with (profile, number of fitting schemes) when a person uses the finder (``notify``);
# insight's finder log registers here (backend/insight/searchlog.py). Must be cheap.
finder_listeners: list[Callable[[Profile, int], None]] = []


def find_schemes(session: Session, params: ProfileParams, *, include_closed: bool = False,
                 on: date | None = None, notify: bool = False,
                 taxonomy: tx.Taxonomy | None = None,
                 version: tuple[object, ...] | None = None) -> FinderResult:
    """``notify``: a person asked (the page and the API), not a job (alerts). ``taxonomy``
    and ``version``: the caller's ``tx.load(session)`` and ``content_version(session)``, when
    it has them (the page reads the version for its form too)."""
    taxonomy = taxonomy or tx.load(session)
    profile = resolve_profile(session, params, taxonomy)
    schemes = published_schemes(session, taxonomy, version=version)
    kinds = tuple(sorted({k for s in schemes for k in s.cost_kinds}))
    on = on or today()
    lineage, names = _lineage_and_labels(taxonomy, kinds)
    matches, hidden = match_schemes(schemes, profile, on, include_closed=include_closed,
                                    lineage=lineage, labels=names)
    result = FinderResult(profile=profile, matches=matches, hidden_closed=hidden, on=on)
    if notify:
        for listener in finder_listeners:
            try:
                listener(profile, len(result.fits))
            except Exception:
                logging.getLogger("loket.schemes").exception("finder listener failed")
    return result


# language -> the cost kinds schemes name, labelled, per content version (``core.memo``): an
# item's cost kinds change only with the item, which moves the version.
_cost_kinds: Memos[str, tuple[object, ...], tuple[tuple[str, str], ...]] = Memos()


def content_version(session: Session) -> tuple[object, ...]:
    """What the kept facts and cost kinds follow (``content.queries.content_version``)."""
    return content_q.content_version(session)


def cost_kind_options(session: Session, version: tuple[object, ...] | None = None
                      ) -> list[tuple[str, str]]:
    version = version or content_q.content_version(session)
    return list(_cost_kinds.get(get_language(), version, lambda: tuple(
        (k, cost_kind_label(k)) for k in content_q.cost_kinds_in_use(session))))
