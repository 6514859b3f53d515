"""Scheme eligibility: a pure function of (scheme terms, firm profile, today).

Every criterion gives a ``Reason``: ``match`` (why this fits), ``miss`` (why not),
``unknown`` (the profile does not say, so it cannot be checked: never a failure) or ``info``
(worth knowing, such as "first come, first served"). A scheme with no misses fits, with one
miss it is a near miss, with more it does not fit. A closed window or an exhausted budget is a
miss like any other; the finder hides those schemes unless asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from backend.content.views import window_status
from backend.core.i18n import gettext_ as _

Outcome = Literal["match", "miss", "unknown", "info"]
Verdict = Literal["fits", "near_miss", "no_fit"]
FITS, NEAR_MISS, NO_FIT = "fits", "near_miss", "no_fit"
NATIONAL = "nl"
CLOSING_SOON_DAYS = 14
CLOSED_STATUSES = ("closed", "exhausted")


@dataclass(frozen=True)
class Profile:
    """What the firm tells the finder; every field may be missing."""

    size: str | None = None  # company size slug (zzp, micro, klein, middel, groot)
    sector: str | None = None  # sector slug (a section or a sub-sector)
    province: str | None = None  # region slug of the province, from the municipality
    municipality: str | None = None  # the municipality's name, for the explanation
    themes: tuple[str, ...] = ()  # what the firm wants to invest in
    cost_kind: str | None = None  # optional: the kind of cost
    amount: int | None = None  # optional: the amount of the plan in euros

    @property
    def is_empty(self) -> bool:
        return not (self.size or self.sector or self.province or self.themes
                    or self.cost_kind or self.amount is not None)


@dataclass(frozen=True)
class SchemeFacts:
    """A scheme's machine-readable terms, as eligibility sees them."""

    id: int
    slug: str
    title: str
    url: str = ""
    kind: str = "subsidy"
    summary: str = ""
    title_en: str = ""  # the English translation, when there is one (shown in the English UI)
    summary_en: str = ""
    sizes: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()
    cost_kinds: frozenset[str] = frozenset()
    min_amount: int | None = None
    max_amount: int | None = None
    funding_rate: float | None = None
    opens_on: date | None = None
    closes_on: date | None = None
    first_come_first_served: bool = False
    budget_status: str = "open"
    provider: str | None = None
    provider_url: str | None = None
    source_url: str | None = None
    terms_checked_on: date | None = None
    terms_stale: bool = True  # not every current term checked against its source lately
    published_at: datetime | None = None

    def status(self, on: date) -> str:
        return window_status(self.budget_status, self.opens_on, self.closes_on, on)


@dataclass(frozen=True)
class Reason:
    criterion: str
    outcome: Outcome
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"criterion": self.criterion, "outcome": self.outcome, "text": self.text}


@dataclass(frozen=True)
class SchemeMatch:
    scheme: SchemeFacts
    verdict: Verdict
    status: str
    reasons: tuple[Reason, ...]
    days_left: int | None = None

    @property
    def why(self) -> list[Reason]:
        return [r for r in self.reasons if r.outcome == "match"]

    @property
    def why_not(self) -> list[Reason]:
        return [r for r in self.reasons if r.outcome == "miss"]

    @property
    def unknown(self) -> list[Reason]:
        return [r for r in self.reasons if r.outcome == "unknown"]

    @property
    def info(self) -> list[Reason]:
        return [r for r in self.reasons if r.outcome == "info"]

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def closing_soon(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= CLOSING_SOON_DAYS


@dataclass(frozen=True)
class Labels:
    """Display names for slugs (sizes, sectors, regions, themes); slugs shown as they are
    when a name is missing."""

    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __call__(self, facet: str, slug: str) -> str:
        return self.names.get(facet, {}).get(slug, slug)

    def join(self, facet: str, slugs: Iterable[str]) -> str:
        return ", ".join(sorted(self(facet, s) for s in slugs))


def euro(amount: int | float) -> str:
    return "€ " + f"{amount:,.0f}".replace(",", ".")


def _size(s: SchemeFacts, p: Profile, label: Labels) -> Reason:
    if not s.sizes:
        return Reason("size", "match", _("Open to firms of every size."))
    if p.size is None:
        return Reason("size", "unknown", _("Only for these company sizes: %(sizes)s. Fill in "
                                           "your size to check.", sizes=label.join("size",
                                                                                   s.sizes)))
    if p.size in s.sizes:
        return Reason("size", "match", _("Open to your company size (%(size)s).",
                                         size=label("size", p.size)))
    return Reason("size", "miss", _("Not for your company size (%(size)s); only for: "
                                    "%(sizes)s.", size=label("size", p.size),
                                    sizes=label.join("size", s.sizes)))


def _sector(s: SchemeFacts, p: Profile, label: Labels,
            lineage: Mapping[str, Sequence[str]]) -> Reason:
    if not s.sectors:
        return Reason("sector", "match", _("Open to every sector."))
    if p.sector is None:
        return Reason("sector", "unknown", _("Only for these sectors: %(sectors)s. Fill in "
                                             "your sector to check.",
                                             sectors=label.join("sector", s.sectors)))
    family = list(lineage.get(p.sector, ())) or [p.sector]
    for ancestor in family:
        if ancestor in s.sectors:
            if ancestor == p.sector:
                return Reason("sector", "match", _("Meant for your sector (%(sector)s).",
                                                   sector=label("sector", p.sector)))
            return Reason("sector", "match", _(
                "Meant for %(parent)s, which includes your sector (%(sector)s).",
                parent=label("sector", ancestor), sector=label("sector", p.sector)))
    return Reason("sector", "miss", _("Not for your sector (%(sector)s); only for: "
                                      "%(sectors)s.", sector=label("sector", p.sector),
                                      sectors=label.join("sector", s.sectors)))


def _region(s: SchemeFacts, p: Profile, label: Labels) -> Reason:
    if not s.regions or NATIONAL in s.regions:
        return Reason("region", "match", _("Available in the whole of the Netherlands."))
    provinces = label.join("region", s.regions)
    if p.province is None:
        return Reason("region", "unknown", _("Only for firms in %(regions)s. Fill in your "
                                             "municipality to check.", regions=provinces))
    if p.province in s.regions:
        if p.municipality:
            return Reason("region", "match", _(
                "Available in %(province)s, where %(municipality)s lies.",
                province=label("region", p.province), municipality=p.municipality))
        return Reason("region", "match", _("Available in %(province)s.",
                                           province=label("region", p.province)))
    return Reason("region", "miss", _("Only for firms in %(regions)s; your business is in "
                                      "%(province)s.", regions=provinces,
                                      province=label("region", p.province)))


GENERAL_FINANCE = frozenset({"loan", "guarantee"})


def _themes(s: SchemeFacts, p: Profile, label: Labels) -> Reason:
    if not s.themes:
        return Reason("theme", "match", _("Not limited to particular themes."))
    if not p.themes:
        return Reason("theme", "unknown", _("Supports: %(themes)s. Tell us what you want to "
                                            "invest in to check.",
                                            themes=label.join("theme", s.themes)))
    shared = s.themes.intersection(p.themes)
    if shared:
        return Reason("theme", "match", _("Supports what you want to invest in: %(themes)s.",
                                          themes=label.join("theme", shared)))
    if s.kind in GENERAL_FINANCE:
        # A loan or guarantee finances an investment whatever it is for: not unfit for a theme.
        return Reason("theme", "info", _("General financing: not tied to what you invest in "
                                         "(it names: %(themes)s).",
                                         themes=label.join("theme", s.themes)))
    return Reason("theme", "miss", _("Does not support what you want to invest in; it "
                                     "supports: %(themes)s.",
                                     themes=label.join("theme", s.themes)))


def _cost_kind(s: SchemeFacts, p: Profile, label: Labels) -> Reason | None:
    if p.cost_kind is None:
        return None
    if not s.cost_kinds:
        return Reason("cost_kind", "unknown", _("The terms do not list kinds of cost; check "
                                                "the source."))
    if p.cost_kind in s.cost_kinds:
        return Reason("cost_kind", "match", _("Covers this kind of cost (%(kind)s).",
                                              kind=label("cost_kind", p.cost_kind)))
    return Reason("cost_kind", "miss", _("Does not cover this kind of cost; it covers: "
                                         "%(kinds)s.", kinds=label.join("cost_kind",
                                                                         s.cost_kinds)))


def _amount(s: SchemeFacts, p: Profile) -> Reason | None:
    if s.min_amount is None and s.max_amount is None:
        return None
    if p.amount is None:
        if s.min_amount is not None:
            return Reason("amount", "info", _("Minimum amount: %(amount)s.",
                                              amount=euro(s.min_amount)))
        return None
    if s.min_amount is not None and p.amount < s.min_amount:
        return Reason("amount", "miss", _("Your plan (%(plan)s) is below the minimum of "
                                          "%(amount)s.", plan=euro(p.amount),
                                          amount=euro(s.min_amount)))
    return Reason("amount", "match", _("Your plan (%(plan)s) meets the minimum amount.",
                                       plan=euro(p.amount)))


def _window(s: SchemeFacts, on: date) -> tuple[list[Reason], str, int | None]:
    status = scheme_status_of(s, on)
    days_left = (s.closes_on - on).days if s.closes_on is not None else None
    out: list[Reason] = []
    if status == "exhausted":
        out.append(Reason("window", "miss", _("The budget is exhausted.")))
    elif status == "closed":
        if s.closes_on is not None and s.closes_on < on:
            out.append(Reason("window", "miss", _("Closed on %(date)s.",
                                                  date=s.closes_on.isoformat())))
        else:
            out.append(Reason("window", "miss", _("Closed for applications.")))
    elif status == "upcoming":
        if s.opens_on is not None and s.opens_on > on:
            out.append(Reason("window", "info", _("Opens on %(date)s.",
                                                  date=s.opens_on.isoformat())))
        else:
            out.append(Reason("window", "info", _("Opens again soon; the date is not known "
                                                  "yet.")))
    elif status == "continuous":
        out.append(Reason("window", "match", _("Open all year.")))
    else:
        if s.closes_on is not None:
            out.append(Reason("window", "match", _("Open until %(date)s (%(days)s days "
                                                   "left).", date=s.closes_on.isoformat(),
                                                   days=days_left)))
        else:
            out.append(Reason("window", "match", _("Open for applications.")))
    if s.budget_status == "limited" and status not in CLOSED_STATUSES:
        out.append(Reason("budget", "info", _("Limited budget left.")))
    if s.first_come_first_served and status not in CLOSED_STATUSES:
        out.append(Reason("budget", "info", _("First come, first served: apply early.")))
    return out, status, days_left


def scheme_status_of(s: SchemeFacts, on: date) -> str:
    return s.status(on)


def evaluate(scheme: SchemeFacts, profile: Profile, on: date, *,
             lineage: Mapping[str, Sequence[str]] | None = None,
             labels: Labels | None = None) -> SchemeMatch:
    """One scheme against one profile on one day. ``lineage`` maps a sector slug to itself
    and its parents (nearest first), so a sub-sector fits a scheme for its section."""
    label = labels or Labels()
    reasons: list[Reason] = [
        _size(scheme, profile, label),
        _sector(scheme, profile, label, lineage or {}),
        _region(scheme, profile, label),
        _themes(scheme, profile, label),
    ]
    for extra in (_cost_kind(scheme, profile, label), _amount(scheme, profile)):
        if extra is not None:
            reasons.append(extra)
    window, status, days_left = _window(scheme, on)
    reasons += window
    misses = sum(1 for r in reasons if r.outcome == "miss")
    verdict: Verdict = FITS if misses == 0 else NEAR_MISS if misses == 1 else NO_FIT  # type: ignore[assignment]
    return SchemeMatch(scheme=scheme, verdict=verdict, status=status, reasons=tuple(reasons),
                       days_left=days_left)


_ORDER = {FITS: 0, NEAR_MISS: 1, NO_FIT: 2}


def match_schemes(schemes: Iterable[SchemeFacts], profile: Profile, on: date, *,
                  include_closed: bool = False,
                  lineage: Mapping[str, Sequence[str]] | None = None,
                  labels: Labels | None = None) -> tuple[list[SchemeMatch], int]:
    """Every scheme evaluated, best first (fits, near misses, the rest; the soonest closing
    date first within each). Closed and exhausted schemes are left out unless
    ``include_closed``; the second value says how many were left out."""
    out: list[SchemeMatch] = []
    hidden = 0
    for scheme in schemes:
        m = evaluate(scheme, profile, on, lineage=lineage, labels=labels)
        if m.is_closed and not include_closed:
            hidden += 1
            continue
        out.append(m)
    out.sort(key=lambda m: (_ORDER[m.verdict], m.is_closed,
                            m.scheme.closes_on or date.max, m.scheme.title.lower()))
    return out, hidden
