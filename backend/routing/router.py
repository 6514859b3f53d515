"""The router: a pure, deterministic function from a question to a desk, with its reasons.

    route(question, desks, regions) -> RoutingDecision

No database, no clock, no randomness: the same input gives the same decision, so it can be
tested, benchmarked and shown in a dry run. ``backend.routing.context`` builds the inputs from
the database once (desk index, theme matcher, region index) and caches them.

The rules, in order:

1. **Location.** The business's municipality (from its CBS code, name or postcode) lies in a
   labour-market region, a COROP region, a province and the country. A desk *covers* the
   business when its coverage lists one of these areas. Without a location only nationwide
   desks cover it.
2. **Subject.** Themes are recognised in the question text (``backend.routing.themes``) and
   from the topic the asker picked. A covering desk *qualifies* when it handles one of these
   themes — or when the question names one of its specialisms (``WBSO``, ``cobot``): then the
   desks whose specialism is named are the ones that qualify, because the question is about
   exactly what they do. A desk limited to **sectors** (a branch organisation) qualifies only
   for a business whose sector is in its sector family (``metaal`` serves ``industrie`` desks
   and the reverse); for a question without a sector only when the question names its
   specialism (its own name or instrument), and never for a business of another sector.
3. **Most specific coverage wins** among qualifying desks (municipality > labour-market/COROP
   region > province > national), then a desk that serves the business's **sector**, then its
   **company size** (a desk that names it, before one open to all, before one that names
   others), then how strongly the question's themes fit the desk. **Load** (open cases against
   capacity) only breaks a tie that is left after all of that; the slug makes it total.
4. When no desk qualifies, the most specific covering desk with a **general remit** takes the
   question, and the chain always ends at the national **fallback** desk (``kvk``), so every
   question gets a desk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from backend.content import taxonomy as tx
from backend.core.i18n import get_language
from backend.core.i18n import gettext_ as _
from backend.regions.index import SPECIFICITY, MunicipalityInfo, RegionIndex
from backend.regions.schemas import (
    COROP,
    LABOUR_MARKET_REGION,
    MUNICIPALITY,
    NATIONAL,
    PROVINCE,
)
from backend.routing.themes import (
    PhraseMatcher,
    SectorInfo,
    ThemeInfo,
    ThemeMatch,
    ThemeMatcher,
    clause_starts,
)
from backend.search import language

# How a desk got the question.
VIA_SPECIALISM = "specialism"
VIA_THEME = "theme"
VIA_GENERAL = "general_remit"
VIA_FALLBACK = "fallback"

# Outcome of one criterion for one desk.
MATCH, OPEN, MISMATCH, INFO = "match", "open", "mismatch", "info"


# --- input ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoutingInput:
    """What the router knows about a question."""

    text: str
    municipality_code: str | None = None  # CBS code, "GM0150"
    postcode: str | None = None  # used when no municipality is given
    sector: str | None = None  # taxonomy sector slug
    company_size: str | None = None  # a taxonomy size slug (zzp, micro, ...)
    theme: str | None = None  # the topic the asker picked (taxonomy theme slug)
    language: str | None = None  # language of the question ("nl", "en"), given or detected
    # Found in the question text when no location was given (``backend.routing.understanding``):
    province_code: str | None = None  # a province named in the text ("in Limburg")
    place_in_text: str | None = None  # the name as the asker wrote it ("Zwolle")
    postcode_unknown: bool = False  # a well-formed postcode that no municipality has
    # Theme votes from published knowledge-base items that match the question (theme ->
    # weight), looked up before routing by ``backend.routing.service`` and passed in as data.
    kb_votes: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class DeskProfile:
    """A desk as the router sees it (built from ``Desk`` rows, or by hand in tests)."""

    slug: str
    name: str
    id: int | None = None
    coverage: frozenset[tuple[str, str]] = frozenset()  # (kind, code); (national, "")
    themes: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    company_sizes: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset({"nl"})
    keywords: tuple[str, ...] = ()  # specialisms
    capacity: int = 50
    open_cases: int = 0
    general_remit: bool = False
    is_fallback: bool = False

    @property
    def is_national(self) -> bool:
        return (NATIONAL, "") in self.coverage


@dataclass(frozen=True)
class RoutingTaxonomy:
    """Theme, sector and size vocabulary the router needs, from the one taxonomy
    (``backend.content.taxonomy``; ``service.routing_context`` builds it from the database)."""

    themes: ThemeMatcher
    sectors: Mapping[str, SectorInfo]
    sizes: Mapping[str, tuple[str, str]]

    @staticmethod
    def parts(taxonomy: tx.Taxonomy) -> tuple[list[ThemeInfo], dict[str, SectorInfo],
                                               dict[str, tuple[str, str]]]:
        """What the router takes of a taxonomy, as plain values (compared to reuse a build)."""
        by_id = {s.id: s.slug for s in taxonomy.sectors}
        themes = [ThemeInfo(t.slug, t.name_nl, t.name_en, tuple(t.keywords or ()))
                  for t in sorted(taxonomy.themes, key=lambda t: t.slug)]
        sectors = {s.slug: SectorInfo(s.slug, s.name_nl, s.name_en, by_id.get(s.parent_id))
                   for s in sorted(taxonomy.sectors, key=lambda s: s.slug)}
        sizes = {z.slug: (z.name_nl, z.name_en) for z in taxonomy.sizes}
        return themes, sectors, sizes

    @classmethod
    def of(cls, taxonomy: tx.Taxonomy) -> RoutingTaxonomy:
        themes, sectors, sizes = cls.parts(taxonomy)
        return cls(ThemeMatcher.build(themes), sectors, sizes)

    def sector_family(self, slug: str) -> frozenset[str]:
        """A sector with its parents and children: 'metaal' also serves 'industrie' desks."""
        family = {slug}
        info = self.sectors.get(slug)
        parent = info.parent if info else None
        while parent and parent not in family:
            family.add(parent)
            parent = self.sectors[parent].parent if parent in self.sectors else None
        family |= {s.slug for s in self.sectors.values() if s.parent == slug}
        return frozenset(family)

    def theme_label(self, slug: str) -> str:
        info = self.themes.themes.get(slug)
        return info.label(get_language()) if info else slug

    def sector_label(self, slug: str) -> str:
        info = self.sectors.get(slug)
        return info.label(get_language()) if info else slug

    def size_label(self, slug: str) -> str:
        nl, en = self.sizes.get(slug, (slug, slug))
        return en if get_language() == "en" and en else nl


@lru_cache(maxsize=1)
def default_taxonomy() -> RoutingTaxonomy:
    """The shipped taxonomy, for the router used without a database (its unit tests)."""
    return RoutingTaxonomy.of(tx.shipped())


class DeskIndex:
    """Desks with their coverage indexed by area and their specialisms in one matcher.

    Build it once (``RoutingContext`` caches it); routing then looks up the five areas of the
    business instead of testing every desk.
    """

    def __init__(self, desks: Iterable[DeskProfile]) -> None:
        self.desks: tuple[DeskProfile, ...] = tuple(sorted(desks, key=lambda d: d.slug))
        self.by_slug = {d.slug: d for d in self.desks}
        self.by_area: dict[tuple[str, str], list[DeskProfile]] = defaultdict(list)
        for d in self.desks:
            for area in d.coverage:
                self.by_area[area].append(d)
        self.specialisms = PhraseMatcher(
            (d.slug, k, 1.0) for d in self.desks for k in d.keywords)
        fallbacks = [d for d in self.desks if d.is_fallback]
        self.fallback: DeskProfile | None = fallbacks[0] if fallbacks else None

    def __len__(self) -> int:
        return len(self.desks)


# --- output -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reason:
    """One criterion, for one desk, in words a person can read."""

    criterion: str  # location | theme | sector | size | language | load | decision
    outcome: str  # match | open | mismatch | info
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"criterion": self.criterion, "outcome": self.outcome, "text": self.text}


@dataclass(frozen=True, slots=True)
class RankedDesk:
    slug: str
    name: str
    desk_id: int | None
    rank: int
    via: str  # specialism | theme | general_remit | fallback
    coverage: tuple[str, str] | None  # the area through which the desk covers the business
    themes: tuple[str, ...]  # the question's themes the desk handles
    specialisms: tuple[str, ...]  # the desk's specialisms the question names
    load: float
    reasons: tuple[Reason, ...]
    load_detail: str = ""  # "3 open / capacity 60": internal only

    def as_dict(self, internal: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rank": self.rank, "slug": self.slug, "name": self.name, "via": self.via,
            "coverage": ({"kind": self.coverage[0], "code": self.coverage[1]}
                         if self.coverage else None),
            "themes": list(self.themes), "specialisms": list(self.specialisms),
            "reasons": [r.as_dict() for r in self.reasons],
        }
        if internal:  # load figures are for advisors and coordinators, never the public
            out["load"] = round(self.load, 3)
            out["load_detail"] = self.load_detail
        return out


@dataclass(frozen=True, slots=True)
class AlsoRelevant:
    """A second topic of the question that the chosen desk does not handle, with its desk."""

    theme: str
    label: str
    desk: RankedDesk

    def as_dict(self, internal: bool = False) -> dict[str, Any]:
        return {"theme": self.theme, "label": self.label,
                "desk": {"slug": self.desk.slug, "name": self.desk.name}}


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    desk: RankedDesk
    via: str
    ranking: tuple[RankedDesk, ...]
    explanation: tuple[Reason, ...]
    recognised_themes: tuple[ThemeMatch, ...]
    municipality: MunicipalityInfo | None = None
    decided_by: str = ""  # the first criterion that set the winner apart from the runner-up
    main_theme: str | None = None  # the theme the question was routed on
    also_relevant: tuple[AlsoRelevant, ...] = ()
    province_code: str | None = None  # the province when only that is known

    @property
    def slug(self) -> str:
        return self.desk.slug

    def as_dict(self, internal: bool = False) -> dict[str, Any]:
        """The decision as data; ``internal`` adds load figures (advisors and coordinators)."""
        m = self.municipality
        return {
            "desk": {"slug": self.desk.slug, "name": self.desk.name},
            "via": self.via,
            "decided_by": self.decided_by,
            "municipality": ({"code": m.code, "name": m.name, "province": m.province_name}
                             if m else None),
            "main_theme": self.main_theme,
            "also_relevant": [a.as_dict() for a in self.also_relevant],
            "recognised_themes": [t.as_dict() for t in self.recognised_themes],
            "explanation": [r.as_dict() for r in self.explanation],
            "ranking": [d.as_dict(internal) for d in self.ranking],
        }


class NoDeskAvailable(RuntimeError):
    """There is no fallback desk: a configuration error, never a user error."""


# --- the function -----------------------------------------------------------------------------


@dataclass
class _Candidate:
    desk: DeskProfile
    area: tuple[str, str]
    level: int
    themes: tuple[str, ...] = ()
    specialisms: tuple[str, ...] = ()
    specialism_words: tuple[str, ...] = ()
    theme_fit: float = 0.0
    sector_score: int = 1
    # False for a sector-limited desk that may not take this question: the business is of
    # another sector, or gave none (then only a named specialism lets it qualify).
    sector_ok: bool = True
    size_score: int = 1
    language_score: int = 1
    load: float = 0.0
    via: str = ""
    key: tuple[Any, ...] = field(default_factory=tuple)


def _load(desk: DeskProfile, load: Mapping[str, int] | None) -> tuple[int, float]:
    open_cases = load.get(desk.slug, desk.open_cases) if load is not None else desk.open_cases
    ratio = open_cases / desk.capacity if desk.capacity > 0 else float("inf")
    return open_cases, ratio


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " " + _("and") + " " + items[-1]


def _quote(words: Iterable[str]) -> str:
    return _join([f"“{w}”" for w in words])


def province_areas(regions: RegionIndex, province: str) -> tuple[tuple[str, str], ...]:
    """The areas a business is known to lie in when only its province is known: the province,
    a labour-market or COROP region that is exactly that province (Fryslân is labour-market
    region Friesland), and the country."""
    members = [m for m in regions.municipalities.values() if m.province_code == province]
    out: list[tuple[str, str]] = []
    for kind, code_of in ((LABOUR_MARKET_REGION, lambda m: m.labour_market_code),
                          (COROP, lambda m: m.corop_code)):
        codes = {code_of(m) for m in members}
        if len(codes) == 1 and (code := codes.pop()) and all(
                m.province_code == province for m in regions.municipalities.values()
                if code_of(m) == code):
            out.append((kind, code))
    return ((PROVINCE, province), *out, (NATIONAL, ""))


def _areas(question: RoutingInput, municipality: MunicipalityInfo | None,
           regions: RegionIndex) -> tuple[tuple[str, str], ...]:
    if municipality is not None:
        return municipality.areas()
    if question.province_code:
        return province_areas(regions, question.province_code)
    return ((NATIONAL, ""),)


def _rank_key(c: _Candidate) -> tuple[Any, ...]:
    # A desk whose specialism the question names goes first: the question is about exactly
    # what it does. Then the most specific coverage, sector, size, language (an English
    # question prefers a desk that serves English, among equals), theme fit, load, slug.
    return (0 if c.specialisms else 1, c.level, -c.sector_score, -c.size_score,
            -c.language_score, -round(c.theme_fit, 6), c.load, c.desk.slug)


def route(question: RoutingInput, desks: Sequence[DeskProfile] | DeskIndex,
          regions: RegionIndex, *, taxonomy: RoutingTaxonomy | None = None,
          load: Mapping[str, int] | None = None, max_ranking: int = 10) -> RoutingDecision:
    """Choose the desk for a question; see the module docstring for the rules.

    ``load`` (desk slug -> open cases) overrides the profiles' ``open_cases`` so that a cached
    desk index can be routed with current figures.
    """
    tax = taxonomy or default_taxonomy()
    index = desks if isinstance(desks, DeskIndex) else DeskIndex(desks)
    if index.fallback is None:
        raise NoDeskAvailable("no fallback desk configured")

    municipality = regions.get(question.municipality_code) if question.municipality_code else None
    if municipality is None and question.postcode:
        municipality = regions.by_postcode(question.postcode)
    areas = _areas(question, municipality, regions)

    clauses = language.clause_words(question.text)
    if question.language == "en":  # "or" is a conjunction there, not the ondernemingsraad
        clauses = [[w for w in c if w != "or"] for c in clauses]
    words = [w for c in clauses for w in c]
    asks, opens = language.clause_roles(question.text)
    recognised = tuple(tax.themes.recognise_words(words, question.theme,
                                                  dict(question.kb_votes) or None,
                                                  clause_starts(clauses), asks, opens))
    theme_scores = {m.theme: m.score for m in recognised}
    specialism_hits: dict[str, list[str]] = defaultdict(list)
    specialism_words: dict[str, list[str]] = defaultdict(list)
    for hit in index.specialisms.match_words(words):
        if hit.phrase not in specialism_hits[hit.label]:
            specialism_hits[hit.label].append(hit.phrase)
            specialism_words[hit.label].extend(hit.words)

    sector_family = tax.sector_family(question.sector) if question.sector else frozenset()

    # Every covering desk once, through its most specific area.
    covering: dict[str, _Candidate] = {}
    for area in areas:
        level = SPECIFICITY[area[0]]
        for d in index.by_area.get(area, ()):
            if d.slug not in covering:
                covering[d.slug] = _Candidate(d, area, level)

    for c in covering.values():
        d = c.desk
        c.themes = tuple(t.theme for t in recognised if t.theme in d.themes)
        c.theme_fit = sum(theme_scores[t] for t in c.themes)
        c.specialisms = tuple(specialism_hits.get(d.slug, ()))
        c.specialism_words = tuple(dict.fromkeys(specialism_words.get(d.slug, ())))
        if question.sector and d.sectors:
            c.sector_score = 2 if d.sectors & sector_family else 0
        if d.sectors:
            c.sector_ok = c.sector_score == 2 if question.sector else bool(c.specialisms)
        if question.company_size and d.company_sizes:
            c.size_score = 2 if question.company_size in d.company_sizes else 0
        if question.language and d.languages:
            c.language_score = 2 if question.language in d.languages else 0
        c.load = _load(d, load)[1]

    # The main ask: the strongest recognised theme that a covering desk handles. Desks that
    # handle it qualify; a desk whose specialism the question names goes first among them.
    main_theme: str | None = None
    qualified: list[_Candidate] = []
    eligible = [c for c in covering.values() if c.sector_ok]
    for m in recognised:
        qualified = [c for c in eligible if m.theme in c.desk.themes]
        if qualified:
            main_theme = m.theme
            break
    if qualified:
        for c in qualified:
            c.via = VIA_SPECIALISM if c.specialisms else VIA_THEME
    else:
        # No recognised theme has a desk here: the desks whose specialism is named qualify.
        qualified = [c for c in eligible if c.specialisms]
        for c in qualified:
            c.via = VIA_SPECIALISM
    for c in qualified:
        c.key = _rank_key(c)
    qualified.sort(key=lambda c: c.key)

    chosen_ids = {c.desk.slug for c in qualified}
    general = sorted((c for c in eligible
                      if c.desk.general_remit and c.desk.slug not in chosen_ids),
                     key=lambda c: (c.level, c.load, c.desk.slug))
    for c in general:
        c.via = VIA_FALLBACK if c.desk.is_fallback else VIA_GENERAL
    chain = qualified + general
    fb = index.fallback
    if fb.slug not in {c.desk.slug for c in chain}:
        fb_candidate = (covering.get(fb.slug)
                        or _Candidate(fb, (NATIONAL, ""), SPECIFICITY[NATIONAL]))
        fb_candidate.via = VIA_FALLBACK
        fb_candidate.load = _load(fb, load)[1]
        chain.append(fb_candidate)

    decided_by = _decided_by(chain, qualified)
    ranking = tuple(_ranked(i + 1, c, question, municipality, regions, tax, load)
                    for i, c in enumerate(chain[:max_ranking]))
    winner = ranking[0]
    eligible_by_slug = {c.desk.slug: c for c in eligible}
    also = _also_relevant(recognised, main_theme, chain[0], eligible_by_slug, question,
                          municipality, regions, tax, load)
    left_out = _sector_left_out(covering, recognised, main_theme, question, tax)
    explanation = (_location_summary(municipality, question, regions),
                   _theme_summary(recognised, tax, main_theme),
                   *winner.reasons,
                   *left_out,
                   _decision_reason(chain, decided_by, len(qualified), main_theme, tax,
                                    municipality, question, bool(recognised)),
                   *(Reason("also", INFO, _("Also relevant: %(theme)s — %(desk)s.",
                                            theme=a.label, desk=a.desk.name)) for a in also))
    return RoutingDecision(winner, winner.via, ranking, explanation, recognised, municipality,
                           decided_by, main_theme, also,
                           question.province_code if municipality is None else None)


def _also_relevant(recognised: Sequence[ThemeMatch], main_theme: str | None,
                   winner: _Candidate, covering: Mapping[str, _Candidate],
                   question: RoutingInput, municipality: MunicipalityInfo | None,
                   regions: RegionIndex, tax: RoutingTaxonomy,
                   load: Mapping[str, int] | None, limit: int = 2
                   ) -> tuple[AlsoRelevant, ...]:
    """The other recognised themes (at most ``limit``) that the chosen desk does not handle,
    each with the desk that would take it."""
    out: list[AlsoRelevant] = []
    # Themes named where the question marks its second topic come first ("… Daarnaast zoeken
    # we advies over sensoren"), then the others by strength.
    for m in sorted(recognised, key=lambda m: not m.second):
        if len(out) >= limit:
            break
        if m.theme == main_theme or m.theme in winner.desk.themes:
            continue
        handling = [c for c in covering.values() if m.theme in c.desk.themes]
        if not handling:
            continue
        for c in handling:
            c.key = _rank_key(c)
        best = min(handling, key=lambda c: c.key)
        via = best.via
        best.via = VIA_SPECIALISM if best.specialisms else VIA_THEME
        ranked = _ranked(0, best, question, municipality, regions, tax, load)
        best.via = via
        out.append(AlsoRelevant(m.theme, tax.theme_label(m.theme), ranked))
    return tuple(out)


def _sector_left_out(covering: Mapping[str, _Candidate], recognised: Sequence[ThemeMatch],
                     main_theme: str | None, question: RoutingInput, tax: RoutingTaxonomy,
                     limit: int = 2) -> tuple[Reason, ...]:
    """Why a branch desk that handles the question's theme did not take it: it serves only
    its sectors (at most ``limit`` sentences)."""
    theme = main_theme or (recognised[0].theme if recognised else None)
    if theme is None:
        return ()
    out: list[Reason] = []
    for c in sorted(covering.values(), key=lambda c: c.desk.slug):
        d = c.desk
        if c.sector_ok or theme not in d.themes or len(out) >= limit:
            continue
        sectors = _join(sorted(tax.sector_label(s) for s in d.sectors))
        if question.sector:
            text = _("%(desk)s handles %(theme)s only for businesses in %(sectors)s; your "
                     "sector is %(sector)s.", desk=d.name, theme=tax.theme_label(theme),
                     sectors=sectors, sector=tax.sector_label(question.sector))
        else:
            text = _("%(desk)s handles %(theme)s only for businesses in %(sectors)s; you did "
                     "not give a sector.", desk=d.name, theme=tax.theme_label(theme),
                     sectors=sectors)
        out.append(Reason("sector", MISMATCH, text))
    return tuple(out)


# --- explanation ------------------------------------------------------------------------------

_KEY_CRITERIA = ("specialism", "coverage", "sector", "size", "language", "theme", "load",
                 "name")


def _decided_by(chain: Sequence[_Candidate], qualified: Sequence[_Candidate]) -> str:
    winner = chain[0]
    if winner.via in (VIA_GENERAL, VIA_FALLBACK):
        return winner.via
    if len(qualified) < 2:
        return "only"
    for name, a, b in zip(_KEY_CRITERIA, qualified[0].key, qualified[1].key, strict=True):
        if a != b:
            return name
    return "name"


def _area_text(desk: str, area: tuple[str, str], regions: RegionIndex) -> str:
    kind, code = area
    name = regions.area_name(kind, code)
    if kind == MUNICIPALITY:
        return _("%(desk)s works in the municipality of %(area)s.", desk=desk, area=name)
    if kind == LABOUR_MARKET_REGION:
        return _("%(desk)s works in the labour-market region %(area)s.", desk=desk, area=name)
    if kind == COROP:
        return _("%(desk)s works in the COROP region %(area)s.", desk=desk, area=name)
    if kind == PROVINCE:
        return _("%(desk)s works in the province of %(area)s.", desk=desk, area=name)
    return _("%(desk)s works nationwide.", desk=desk)


def _location_summary(m: MunicipalityInfo | None, question: RoutingInput,
                      regions: RegionIndex) -> Reason:
    if m is None and question.province_code:
        return Reason("location", INFO, _(
            "Your question names the province of %(province)s: desks that work there or "
            "nationwide are considered.",
            province=regions.area_name(PROVINCE, question.province_code)))
    if m is None:
        if question.postcode_unknown:
            return Reason("location", INFO, _(
                "We do not know postcode %(postcode)s, so your location is unknown: only desks "
                "that work nationwide are considered.", postcode=question.postcode or ""))
        return Reason("location", INFO, _(
            "No location given: only desks that work nationwide are considered."))
    if question.place_in_text:
        return Reason("location", INFO, _(
            "Your question names %(place)s: your business is taken to be in %(municipality)s "
            "(%(province)s).", place=question.place_in_text, municipality=m.name,
            province=m.province_name))
    return Reason("location", INFO, _("Your business is in %(municipality)s (%(province)s).",
                                      municipality=m.name, province=m.province_name))


def _theme_summary(recognised: Sequence[ThemeMatch], tax: RoutingTaxonomy,
                   main_theme: str | None = None) -> Reason:
    if not recognised:
        return Reason("theme", INFO, _("We did not recognise a theme in your question."))
    parts = []
    for m in recognised:
        label = tax.theme_label(m.theme)
        if m.words:
            part = _("%(words)s → %(theme)s", words=_quote(m.words[:4]), theme=label)
        else:
            part = label
        if m.picked:
            part += " " + _("(the topic you chose)")
        elif not m.words and m.votes:
            part += " " + _("(from related items in the knowledge base)")
        parts.append(part)
    text = _("In your question we recognised: %(themes)s.", themes="; ".join(parts))
    if main_theme and len(recognised) > 1:
        text += " " + _("We route it on its main ask: %(theme)s.",
                        theme=tax.theme_label(main_theme))
    return Reason("theme", INFO, text)


def _ranked(rank: int, c: _Candidate, q: RoutingInput, m: MunicipalityInfo | None,
            regions: RegionIndex, tax: RoutingTaxonomy,
            load: Mapping[str, int] | None) -> RankedDesk:
    d = c.desk
    reasons = [Reason("location", MATCH, _area_text(d.name, c.area, regions))]
    if c.via == VIA_SPECIALISM:
        reasons.append(Reason("theme", MATCH, _(
            "Your question names %(words)s, a specialism of %(desk)s.",
            desk=d.name, words=_quote(c.specialism_words or c.specialisms))))
    elif c.themes:
        reasons.append(Reason("theme", MATCH, _(
            "%(desk)s handles %(themes)s.", desk=d.name,
            themes=_join([tax.theme_label(t) for t in c.themes]))))
    elif c.via == VIA_GENERAL:
        reasons.append(Reason("theme", OPEN, _(
            "No desk for your location handles the theme of your question; %(desk)s takes "
            "any question from its area.", desk=d.name)))
    else:
        reasons.append(Reason("theme", OPEN, _(
            "%(desk)s is the national fallback: it takes every question that no other desk "
            "takes.", desk=d.name)))
    # Sector
    if not q.sector:
        reasons.append(Reason("sector", INFO, _("No sector given.")))
    elif not d.sectors:
        reasons.append(Reason("sector", OPEN, _("%(desk)s serves all sectors.", desk=d.name)))
    else:
        labels = _join(sorted(tax.sector_label(s) for s in d.sectors))
        outcome = MATCH if c.sector_score == 2 else MISMATCH
        text = (_("%(desk)s serves %(sectors)s, which includes your sector (%(sector)s).",
                  desk=d.name, sectors=labels, sector=tax.sector_label(q.sector))
                if outcome == MATCH else
                _("%(desk)s serves %(sectors)s; your sector is %(sector)s.",
                  desk=d.name, sectors=labels, sector=tax.sector_label(q.sector)))
        reasons.append(Reason("sector", outcome, text))
    # Company size
    if not q.company_size:
        reasons.append(Reason("size", INFO, _("No company size given.")))
    elif not d.company_sizes:
        reasons.append(Reason("size", OPEN, _("%(desk)s serves businesses of every size.",
                                              desk=d.name)))
    else:
        labels = _join([tax.size_label(s) for s in sorted(
            d.company_sizes, key=lambda s: list(tax.sizes).index(s) if s in tax.sizes else 99)])
        size = tax.size_label(q.company_size)
        if c.size_score == 2:
            reasons.append(Reason("size", MATCH, _(
                "%(desk)s serves %(sizes)s businesses, like yours (%(size)s).",
                desk=d.name, sizes=labels, size=size)))
        else:
            reasons.append(Reason("size", MISMATCH, _(
                "%(desk)s serves %(sizes)s businesses; yours is %(size)s.",
                desk=d.name, sizes=labels, size=size)))
    if q.language and d.languages:
        reasons.append(Reason("language", MATCH if c.language_score == 2 else MISMATCH, _(
            "%(desk)s answers in %(languages)s.", desk=d.name,
            languages=", ".join(sorted(d.languages)))))
    open_cases, _ratio = _load(d, load)
    # No figures to the public: workload only breaks a tie (the numbers are internal).
    reasons.append(Reason("load", INFO, _(
        "Current workload only decides between desks that are equal on everything else.")))
    return RankedDesk(d.slug, d.name, d.id, rank, c.via, c.area, c.themes, c.specialisms,
                      c.load, tuple(reasons), f"{open_cases} open / capacity {d.capacity}")


def _decision_reason(chain: Sequence[_Candidate], decided_by: str, n_qualified: int,
                     main_theme: str | None = None, tax: RoutingTaxonomy | None = None,
                     municipality: MunicipalityInfo | None = None,
                     question: RoutingInput | None = None, any_theme: bool = True) -> Reason:
    """The sentence that says why the winner won; every clause is true for the data."""
    w = chain[0].desk.name
    other = chain[1].desk.name if len(chain) > 1 else ""
    theme = (tax or default_taxonomy()).theme_label(main_theme) if main_theme else ""
    located = municipality is not None or bool(question and question.province_code)
    if decided_by == VIA_GENERAL:
        if any_theme:
            text = _("No desk for your location handles the theme of your question, so "
                     "%(desk)s takes it: it takes any question from its area.", desk=w)
        else:
            text = _("We did not recognise a theme, so %(desk)s takes your question: it takes "
                     "any question from its area.", desk=w)
    elif decided_by == VIA_FALLBACK:
        text = _("No other desk takes this question, so it goes to %(desk)s, the national "
                 "fallback that makes sure every question gets an answer.", desk=w)
    elif decided_by == "only":
        if main_theme and located:
            text = _("%(desk)s is the only desk covering your location that handles "
                     "%(theme)s.", desk=w, theme=theme)
        elif main_theme:
            text = _("%(desk)s is the only nationwide desk that handles %(theme)s.",
                     desk=w, theme=theme)
        else:
            text = _("%(desk)s is the only desk whose specialism your question names.", desk=w)
    elif decided_by == "specialism":
        text = _("Of the %(n)s desks that could help, %(desk)s is the one whose specialism your "
                 "question names.", n=n_qualified, desk=w)
    elif decided_by == "coverage":
        text = _("Of the %(n)s desks that could help, %(desk)s works closest to your business "
                 "(more specific than %(other)s).", n=n_qualified, desk=w, other=other)
    elif decided_by == "sector":
        text = _("%(desk)s and %(other)s both cover your location; %(desk)s serves your "
                 "sector.", desk=w, other=other)
    elif decided_by == "size":
        text = _("%(desk)s and %(other)s both cover your location; %(desk)s serves businesses "
                 "of your size.", desk=w, other=other)
    elif decided_by == "language":
        text = _("%(desk)s and %(other)s both cover your location; %(desk)s answers in your "
                 "language.", desk=w, other=other)
    elif decided_by == "theme":
        text = _("%(desk)s and %(other)s both cover your location; your question fits "
                 "%(desk)s's themes better.", desk=w, other=other)
    elif decided_by == "load":
        text = _("%(desk)s and %(other)s are equal on every criterion; the current workload "
                 "decided.", desk=w, other=other)
    else:
        text = _("%(desk)s and %(other)s are equal on every criterion, workload included; the "
                 "order of their names decided.", desk=w, other=other)
    return Reason("decision", INFO, text)
