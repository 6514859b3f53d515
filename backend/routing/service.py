"""Desks and routing: the cached routing context, ``route_question``, desk editing.

``routing_context(session)`` gives the router's inputs (desk index, region index, taxonomy),
built from the database once and cached; it is rebuilt when a desk, the regions or the
taxonomy change (a cheap fingerprint query per call, so every replica notices).
"""

from __future__ import annotations

import logging
import operator
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from backend.accounts import queries as accounts_q
from backend.accounts.principal import Principal
from backend.accounts.queries import UserInfo
from backend.accounts.service import record_audit
from backend.content import taxonomy as tx
from backend.content.indexing import knowledge_search, published_themes
from backend.core.db import Database, utcnow
from backend.core.errors import Conflict, Forbidden, Invalid, NotFound
from backend.core.i18n import gettext_ as _
from backend.core.memo import Memo, values_then_objects
from backend.regions import service as regions
from backend.regions.index import RegionIndex, normalise_code
from backend.regions.schemas import (
    COROP,
    LABOUR_MARKET_REGION,
    MUNICIPALITY,
    NATIONAL,
    PROVINCE,
)
from backend.routing.models import (
    COORDINATOR,
    COVERAGE_KINDS,
    DESK_ROLES,
    CoverageItem,
    Desk,
    DeskCoverage,
    DeskCreate,
    DeskMember,
    DeskPublic,
    DeskUpdate,
)
from backend.routing.router import (
    INFO,
    DeskIndex,
    DeskProfile,
    NoDeskAvailable,
    Reason,
    RoutingDecision,
    RoutingInput,
    RoutingTaxonomy,
    route,
)
from backend.routing.themes import ThemeMatcher
from backend.routing.understanding import understand
from backend.search import Results, SearchQuery, SearchUnavailable, dutch
from backend.search.breaker import breaker

log = logging.getLogger("loket.routing")

# Built once per key by one thread (a cold process under a burst would otherwise build them
# side by side and run the connection pool dry: ``core.memo``).
_taxonomy: Memo[tx.Taxonomy, RoutingTaxonomy] = Memo(operator.is_)
# The desks' fingerprint by value; the parts other memos keep by identity.
_ContextKey = tuple[tuple[object, ...], tuple[RegionIndex, RoutingTaxonomy]]
_context: Memo[_ContextKey, RoutingContext] = Memo(values_then_objects)


# --- the routing context ------------------------------------------------------------------


@dataclass(frozen=True)
class RoutingContext:
    desks: DeskIndex
    regions: RegionIndex
    taxonomy: RoutingTaxonomy

    def route(self, question: RoutingInput, load: Mapping[str, int] | None = None
              ) -> RoutingDecision:
        return route(question, self.desks, self.regions, taxonomy=self.taxonomy, load=load)


def coverage_of(session: Session, desk_ids: Sequence[int] | None = None
                ) -> dict[int, list[DeskCoverage]]:
    stmt = select(DeskCoverage).order_by(col(DeskCoverage.kind), col(DeskCoverage.code))
    if desk_ids is not None:
        stmt = stmt.where(col(DeskCoverage.desk_id).in_(list(desk_ids)))
    out: dict[int, list[DeskCoverage]] = {}
    for c in session.exec(stmt).all():
        out.setdefault(c.desk_id, []).append(c)
    return out


def profile_of(desk: Desk, coverage: Sequence[DeskCoverage], open_cases: int = 0) -> DeskProfile:
    return DeskProfile(
        slug=desk.slug, name=desk.name, id=desk.id,
        coverage=frozenset((c.kind, c.code) for c in coverage),
        themes=frozenset(desk.themes), sectors=frozenset(desk.sectors),
        company_sizes=frozenset(desk.company_sizes), languages=frozenset(desk.languages),
        keywords=tuple(desk.keywords), capacity=desk.capacity, open_cases=open_cases,
        general_remit=desk.general_remit, is_fallback=desk.is_fallback)


def desk_profiles(session: Session) -> list[DeskProfile]:
    desks = session.exec(select(Desk).where(col(Desk.is_active).is_(True))).all()
    cov = coverage_of(session)
    return [profile_of(d, cov.get(d.id or 0, [])) for d in desks]


def routing_taxonomy(session: Session) -> RoutingTaxonomy:
    """The router's view of the one taxonomy (``content.taxonomy.load``): theme matcher,
    sector tree and sizes. ``load`` returns the same object while the rows are unchanged, so
    the matcher is rebuilt only when the taxonomy changed, with no per-call hashing."""
    tax = tx.load(session)

    def build() -> RoutingTaxonomy:
        theme_infos, sector_infos, sizes = RoutingTaxonomy.parts(tax)
        return RoutingTaxonomy(ThemeMatcher.build(theme_infos), sector_infos, sizes)

    return _taxonomy.get(tax, build)


def warm_up(db: Database) -> None:
    """Build the router's context (taxonomy, theme matcher, region index, desks) at start-up:
    a question's write transaction then never waits for it (SQLite has one writer)."""
    with db.transaction(write=False) as session:
        routing_context(session)


def invalidate() -> None:
    _context.clear()
    _taxonomy.clear()


_DESK_FINGERPRINT = sa.select(
    select(func.count()).select_from(Desk).scalar_subquery(),
    select(func.max(Desk.updated_at)).scalar_subquery(),
    select(func.count()).select_from(DeskCoverage).scalar_subquery())


def _desk_fingerprint(session: Session) -> tuple[object, ...]:
    """One round trip: every desk change touches ``Desk.updated_at``; deletions change counts."""
    return tuple(session.connection().execute(_DESK_FINGERPRINT).one())


def desks_version(session: Session) -> tuple[object, ...]:
    """Changes whenever a desk or its coverage does (one round trip); includes the database,
    as tests use several. For a cache of something derived from the desks."""
    return (str(session.get_bind().engine.url), _desk_fingerprint(session))


def routing_context(session: Session) -> RoutingContext:
    """The router's inputs, built once and cached until desks, regions or taxonomy change (an
    editor's new sector or theme is routed with at once, as the form accepts it)."""
    taxonomy = routing_taxonomy(session)
    region_index = regions.region_index(session)
    key = (desks_version(session), (region_index, taxonomy))
    return _context.get(key, lambda: RoutingContext(
        DeskIndex(desk_profiles(session)), region_index, taxonomy))


# --- load: figures another domain fills in -------------------------------------------------
#
# Routing owns the load figures the router uses, but it does not import the domain that keeps
# the cases: ``cases`` registers its count here (``backend.cases.figures``), as it registers
# panels. Without a registered source every desk's load is 0.

LoadSource = Callable[[Session, Sequence[int]], Mapping[int, int]]
_load_source: list[LoadSource] = []


def register_load_source(fn: LoadSource) -> LoadSource:
    """Register ``fn(session, desk_ids) -> {desk_id: open cases}`` (replacing any before)."""
    _load_source[:] = [fn]
    return fn


def desk_loads(session: Session, ctx: RoutingContext | None = None) -> dict[str, int]:
    """Open cases per desk slug, from the registered load source."""
    if not _load_source:
        return {}
    ctx = ctx or routing_context(session)
    slugs = {d.id: d.slug for d in ctx.desks.desks if d.id is not None}
    counts = _load_source[0](session, list(slugs))
    return {slugs[i]: n for i, n in counts.items() if i in slugs}


def fallback_desk(session: Session) -> Desk:
    """The national fallback desk (``is_fallback``), the end of every routing chain.

    Raises ``Conflict`` when none is configured. The only place that knows the rule: other
    domains ask here instead of looking for a slug.
    """
    desk = session.exec(select(Desk).where(col(Desk.is_fallback).is_(True),
                                           col(Desk.is_active).is_(True))
                        .order_by(col(Desk.id))).first()
    if desk is None:
        raise Conflict(_("No desk can take questions yet: there is no national fallback desk."),
                       code="no_fallback_desk")
    return desk


# --- knowledge-base votes ----------------------------------------------------------------
#
# Every door routes with the knowledge base's votes: the routing service takes the search
# backend of the app serving the request itself (``content.indexing.knowledge_search``), so the
# form, the API, an advisor's intake, the scan's hand-off and the dry run route alike. A vote is
# an extra, never a condition: search down, slow or broken means routing without it.

KB_VOTE_WEIGHT = 0.6
# The items that vote: the best matches, not every item sharing a word with the question (the
# facet counts of a long question's matches mirror the whole knowledge base, not the ask).
KB_VOTE_HITS = 5
# A theme gets a vote when most of those items (at least this many) are about it.
KB_VOTE_MIN_ITEMS = 3
# What is searched: the first distinct content words of the question (the ask usually comes
# first). A search costs in proportion to its words (plan, synonyms, typo neighbours): 300
# characters cost 8.6 ms of CPU, 80 characters 2.9 ms (docs/benchmarks.md).
KB_VOTE_WORDS = 8
KB_VOTE_SCAN_CHARS = 1000
_FUNCTION_WORDS = frozenset((*dutch.STOPWORDS, "the", "and", "for", "our", "who", "how", "can",
                             "what", "with", "are", "you", "your", "does", "this", "that",
                             "from", "about", "have", "has", "need", "want", "willen", "graag",
                             "kan", "kunnen", "moet", "moeten", "hebben", "heb", "wordt", "worden",
                             "zoeken", "zoek", "vraag", "welke", "waar", "niet", "ook", "nog"))
# A remote engine gets this long to answer; then the question is routed without the vote and
# the breaker (``search.breaker``) spares the next questions the wait for a few seconds. The
# embedded engine runs in this process without network waits and is called directly.
KB_VOTE_SECONDS = 0.3
# Votes per (engine, index generation, text): the same question in the same knowledge base
# votes the same without a second search (the intake's preview and its registration, a retry).
KB_VOTE_MEMO = 512

Votes = tuple[tuple[str, float], ...]
_DEFAULT: Any = object()
_vote_memo: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Hashable, str], Votes]] = (
    weakref.WeakKeyDictionary())
# The themes of the items that voted, per engine and index generation (a theme change
# reindexes the item, so a new generation): after the first votes no database query at all.
_item_themes: weakref.WeakKeyDictionary[Any, tuple[Hashable, dict[str, tuple[str, ...]]]] = (
    weakref.WeakKeyDictionary())
KB_THEME_CACHE = 20_000
_vote_lock = threading.Lock()
_vote_pool: list[ThreadPoolExecutor] = []


def _pool() -> ThreadPoolExecutor:
    with _vote_lock:
        if not _vote_pool:
            _vote_pool.append(ThreadPoolExecutor(max_workers=2,
                                                 thread_name_prefix="loket-kb-vote"))
        return _vote_pool[0]


def _ask(search: Any, query: SearchQuery) -> Results:
    """One search for a vote, through the breaker; within ``KB_VOTE_SECONDS`` for an engine
    that is not in this process. Raises ``SearchUnavailable`` when it gives up."""
    def run() -> Results:
        return breaker.call(search, lambda: search.search(query))

    if getattr(search, "name", None) == "embedded":
        return run()
    future = _pool().submit(run)
    try:
        return future.result(timeout=KB_VOTE_SECONDS)
    except FutureTimeout:
        breaker.trip(search)
        raise SearchUnavailable("knowledge-base vote timed out") from None


def vote_query(text: str) -> str:
    """The words a vote searches for: the first ``KB_VOTE_WORDS`` distinct words of three
    letters or more that are not function words ("hoe", "wij", "the", "zoeken")."""
    out: list[str] = []
    for word in dutch.words(text[:KB_VOTE_SCAN_CHARS]):
        if len(word) >= 3 and not word.isdigit() and word not in _FUNCTION_WORDS \
                and word not in out:
            out.append(word)
            if len(out) == KB_VOTE_WORDS:
                break
    return " ".join(out)


def votes_of(hits: Sequence[str], themes: Mapping[str, Sequence[str]]) -> Votes:
    """The votes of the best-matching items (``hits``, document ids best first; ``themes``:
    each item's themes): a theme that at least ``KB_VOTE_MIN_ITEMS`` of them are about gets
    ``KB_VOTE_WEIGHT`` times its share of them; at most three themes, ties by slug."""
    top = list(hits[:KB_VOTE_HITS])
    if len(top) < KB_VOTE_MIN_ITEMS:
        return ()
    counts: dict[str, int] = {}
    for doc in top:
        for theme in set(themes.get(doc, ())):
            counts[theme] = counts.get(theme, 0) + 1
    best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    return tuple((theme, round(KB_VOTE_WEIGHT * n / len(top), 3)) for theme, n in best
                 if n >= KB_VOTE_MIN_ITEMS)


def _themes_of(session: Session, search: Any, key: tuple[Hashable, str] | None,
               hits: Sequence[str]) -> Mapping[str, Sequence[str]]:
    """The hits' themes (``content.indexing.published_themes``), cached per index
    generation; an item no longer published has none."""
    if key is None:
        return published_themes(session, hits)
    generation = key[0]
    with _vote_lock:
        held = _item_themes.get(search)
        known = held[1] if held is not None and held[0] == generation else {}
        missing = [h for h in hits if h not in known]
        if not missing:
            return {h: known[h] for h in hits}
    found = published_themes(session, missing)
    with _vote_lock:
        held = _item_themes.get(search)
        if held is None or held[0] != generation or len(held[1]) > KB_THEME_CACHE:
            held = (generation, {})
            _item_themes[search] = held
        held[1].update({h: found.get(h, ()) for h in missing})
        return {h: held[1][h] for h in hits if h in held[1]}


def kb_theme_votes(session: Session, search: Any, text: str) -> Votes:
    """Themes of the published knowledge-base items that match the question best, as votes
    for the router (theme -> weight ≤ ``KB_VOTE_WEIGHT``): the search port finds the items,
    content says their themes (``content.indexing.published_themes``). Empty when search is
    unavailable or too few items match: routing never waits long on it. The same text in the
    same index generation gives the same votes (memo, no second search)."""
    q = vote_query(text)
    if search is None or not q:
        return ()
    if breaker.is_open(search):
        return ()
    try:
        key: tuple[Hashable, str] | None = (search.generation(), q)
    except Exception:  # an engine without a generation: no memo
        key = None
    if key is not None:
        with _vote_lock:
            memo = _vote_memo.get(search)
            found = memo.get(key) if memo is not None else None
            if memo is not None and found is not None:
                memo.move_to_end(key)
                return found
    try:
        results = _ask(search, SearchQuery(q=q, per_page=KB_VOTE_HITS, bare=True))
        hits = [h.id for h in results.hits]
        votes = votes_of(hits, _themes_of(session, search, key, hits)) if len(hits) > 1 else ()
    except SearchUnavailable:
        return ()
    except Exception:  # a broken engine must not stop a question from being routed
        log.exception("knowledge-base vote failed; routing without it")
        return ()
    if key is not None:
        with _vote_lock:
            memo = _vote_memo.setdefault(search, OrderedDict())
            memo[key] = votes
            while len(memo) > KB_VOTE_MEMO:
                memo.popitem(last=False)
    return votes


def knowledge_base() -> Any:
    """The knowledge base's search backend for this request (None outside one)."""
    return knowledge_search()


def route_with_votes(session: Session, ctx: RoutingContext, question: RoutingInput,
                     search: Any = _DEFAULT) -> RoutingDecision:
    """Route, and when no word of the question names a theme (nor was one picked), let the
    knowledge base vote and route again. The words decide whenever they can: votes added to
    recognised themes tipped the main ask of two-topic questions (the evaluation set lost 10
    of 356 questions that way; docs/benchmarks.md), and the search is spent only on the
    questions it can help. ``search``: the request's knowledge base by default, ``None`` for
    none."""
    load = desk_loads(session, ctx)
    decision = ctx.route(question, load=load)
    if decision.recognised_themes or question.kb_votes or not question.text.strip():
        return decision
    if search is _DEFAULT:
        search = knowledge_base()
    votes = kb_theme_votes(session, search, question.text)
    if not votes:
        return decision
    voted = ctx.route(replace(question, kb_votes=votes), load=load)
    return with_kb_note(voted, ctx.taxonomy)


def with_kb_note(decision: RoutingDecision, taxonomy: RoutingTaxonomy) -> RoutingDecision:
    """Say, after the themes, that the knowledge base chose them and how."""
    voted = [m for m in decision.recognised_themes if m.votes > 0]
    if not voted:
        return decision
    reason = Reason("knowledge_base", INFO, _(
        "No word of your question names a topic; the published items in our knowledge base "
        "that match it best are about: %(themes)s.", themes=", ".join(
            taxonomy.theme_label(m.theme) for m in voted)))
    lines = list(decision.explanation)
    at = next((i + 1 for i, r in enumerate(lines) if r.criterion == "theme"), len(lines))
    lines.insert(at, reason)
    return replace(decision, explanation=tuple(lines))


def route_question(session: Session, question: RoutingInput, *,
                   search: Any = _DEFAULT) -> RoutingDecision:
    """Where a question goes, and why (with the desks' current load as tie-break).

    Without a municipality the location comes from the postcode or else from a place named in
    the text (``regions.locate``); the explanation says so. The language is detected when not
    given, a province named in the text narrows the desks (``understanding.understand``), and
    when no word names a theme the knowledge base votes (``route_with_votes``; ``search``
    defaults to the request's knowledge base, ``None`` routes without it)."""
    ctx = routing_context(session)
    question = understand(question, ctx.regions)
    if question.municipality_code is None and question.text:
        try:
            location = regions.locate(session, postcode=question.postcode,
                                      text=question.text, index=ctx.regions)
        except Invalid:  # a malformed postcode: the router ignores it too
            location = regions.locate(session, text=question.text, index=ctx.regions)
        if location.municipality is not None:
            question = replace(question, municipality_code=location.municipality.code)
        decision = route_with_votes(session, ctx, question, search)
        return with_location_note(decision, location)
    return route_with_votes(session, ctx, question, search)


def dry_run(session: Session, *, text: str, municipality: str | None = None,
            postcode: str | None = None, sector: str | None = None,
            company_size: str | None = None, theme: str | None = None,
            search: Any = _DEFAULT) -> RoutingDecision:
    """``dry_run_located`` without the location."""
    return dry_run_located(session, text=text, municipality=municipality, postcode=postcode,
                           sector=sector, company_size=company_size, theme=theme,
                           search=search)[0]


def company_sizes(session: Session) -> tuple[str, ...]:
    """The company size slugs, in the taxonomy's order: the one list (``content.taxonomy``)
    an editor may extend."""
    return tuple(routing_taxonomy(session).sizes)


def dry_run_located(session: Session, *, text: str, municipality: str | None = None,
                    postcode: str | None = None, sector: str | None = None,
                    company_size: str | None = None, theme: str | None = None,
                    search: Any = _DEFAULT) -> tuple[RoutingDecision, regions.Location]:
    """Route without storing anything; an unknown municipality, sector or theme or a malformed
    postcode is a 422 naming the field. A well-formed postcode that is not in the table means
    "location unknown" (routed on the rest, and the explanation says so); without a location
    a place named in the text is used (``regions.locate``). The knowledge base votes as for a
    real question (``route_question``)."""
    ctx = routing_context(session)
    location = regions.locate(session, municipality=municipality, postcode=postcode, text=text,
                              index=ctx.regions)
    place = location.municipality
    fields: dict[str, str] = {}
    if sector and sector not in ctx.taxonomy.sectors:
        fields["sector"] = _("Unknown sector.")
    if company_size and company_size not in ctx.taxonomy.sizes:
        fields["company_size"] = _("Choose a company size from the list: %(sizes)s.",
                                   sizes=", ".join(ctx.taxonomy.sizes))
    if theme and theme not in ctx.taxonomy.themes.themes:
        fields["theme"] = _("Unknown topic.")
    if fields:
        raise Invalid(fields=fields)
    question = understand(RoutingInput(
        text=text, municipality_code=place.code if place else None,
        sector=sector or None, company_size=company_size or None, theme=theme or None),
        ctx.regions)
    try:
        decision = route_with_votes(session, ctx, question, search)
    except NoDeskAvailable as exc:
        raise Conflict(_("No desk can take questions yet: there is no national fallback desk."),
                       code="no_fallback_desk") from exc
    return with_location_note(decision, location), location


def with_location_note(decision: RoutingDecision, location: regions.Location
                       ) -> RoutingDecision:
    """Say in the explanation how the location was found when it was not given plainly: read
    in the text, ambiguous, or an unknown postcode."""
    note = location.note()
    if note is None:
        return decision
    reason = Reason("location", INFO, note)
    rest = tuple(r for r in decision.explanation[:1] if r.criterion != "location")
    return replace(decision, explanation=(reason, *rest, *decision.explanation[1:]))


# --- desks ----------------------------------------------------------------------------------


def get_desk(session: Session, slug: str) -> Desk:
    desk = session.exec(select(Desk).where(Desk.slug == slug)).first()
    if desk is None:
        raise NotFound(_("This desk does not exist."))
    return desk


def desk_by_id(session: Session, desk_id: int) -> Desk | None:
    return session.get(Desk, desk_id)


def list_desks(session: Session, *, active_only: bool = False) -> list[Desk]:
    stmt = select(Desk).order_by(col(Desk.name))
    if active_only:
        stmt = stmt.where(col(Desk.is_active).is_(True))
    return list(session.exec(stmt).all())


def desk_public(session: Session, desk: Desk) -> DeskPublic:
    cov = coverage_of(session, [desk.id or 0]).get(desk.id or 0, [])
    return DeskPublic.model_validate({
        **desk.model_dump(),
        "coverage": [{"kind": c.kind, "code": c.code} for c in cov],
    })


class _Person(Protocol):
    """A user as ``add_member`` needs one (accounts' ``User`` or ``UserInfo``)."""

    @property
    def id(self) -> int | None: ...


def members_of(session: Session, desk: Desk) -> list[tuple[DeskMember, UserInfo]]:
    rows = session.exec(select(DeskMember).where(DeskMember.desk_id == desk.id)).all()
    people = accounts_q.users(session, [m.user_id for m in rows])
    pairs = [(m, people[m.user_id]) for m in rows if m.user_id in people]
    return sorted(pairs, key=lambda pair: pair[1].email)


def is_coordinator(session: Session, principal: Principal | None, desk: Desk) -> bool:
    if principal is None or principal.user_id is None:
        return False
    m = session.get(DeskMember, (desk.id, principal.user_id))
    return m is not None and m.role == COORDINATOR


def can_edit(session: Session, principal: Principal | None, desk: Desk) -> bool:
    return principal is not None and (principal.has("admin")
                                      or is_coordinator(session, principal, desk))


def coordinated_desks(session: Session, principal: Principal) -> list[Desk]:
    if principal.user_id is None:
        return []
    return list(session.exec(select(Desk).join(DeskMember, col(DeskMember.desk_id) == Desk.id)
                             .where(DeskMember.user_id == principal.user_id,
                                    DeskMember.role == COORDINATOR)
                             .order_by(col(Desk.name))).all())


# Fields a desk's coordinator may change; the rest (coverage, capacity, remit, fallback,
# name, contact details) is for admins.
# An SLA time beyond a working year is a typing error (and PostgreSQL's integer holds it).
MAX_SLA_HOURS = 2000

COORDINATOR_FIELDS = frozenset({"themes", "keywords", "sectors", "company_sizes", "languages",
                                "first_response_hours", "summary"})


def escalation_hours_input(raw: str | None) -> int | None:
    """The escalation time as a form gives it: empty is the default (``None``: the desk
    escalates after ``SLA_ESCALATION_FACTOR`` times its first-response target), otherwise a
    whole number of working hours of at least one. ``update_desk`` and ``create_desk`` check
    it against the target."""
    text = (raw or "").strip()
    if not text:
        return None
    if not text.isdecimal() or int(text) < 1 or int(text) > MAX_SLA_HOURS:
        raise Invalid(fields={"escalate_after_hours": _(
            "Give a whole number of working hours, or leave it empty for the default.")})
    return int(text)


def _check_sla(desk: Desk) -> None:
    if desk.capacity < 0 or desk.first_response_hours < 1:
        raise Invalid(fields={"capacity": _("Must be zero or more."),
                              "first_response_hours": _("Must be at least one hour.")})
    if desk.escalate_after_hours is not None and (
            desk.escalate_after_hours < desk.first_response_hours):
        raise Invalid(fields={"escalate_after_hours": _(
            "Escalate no sooner than the first-response target.")})


def _clean_list(values: Sequence[str] | None) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values or () if v and v.strip()))


def validate_coverage(items: Sequence[CoverageItem], index: RegionIndex) -> list[CoverageItem]:
    """Normalise coverage codes and check them against the loaded regions."""
    out: list[CoverageItem] = []
    errors: list[str] = []
    known: dict[str, set[str]] = {
        MUNICIPALITY: set(index.municipalities),
        PROVINCE: {m.province_code for m in index.municipalities.values()},
        COROP: {m.corop_code for m in index.municipalities.values() if m.corop_code},
        LABOUR_MARKET_REGION: {m.labour_market_code for m in index.municipalities.values()
                               if m.labour_market_code},
    }
    for item in items:
        kind, code = item.kind.strip(), (item.code or "").strip().upper()
        if kind not in COVERAGE_KINDS:
            errors.append(kind)
            continue
        if kind == NATIONAL:
            out.append(CoverageItem(kind=NATIONAL, code=""))
            continue
        if kind == MUNICIPALITY:
            m = index.resolve(code) or index.resolve(item.code)
            code = m.code if m else (normalise_code(code) or code)
        if known[kind] and code not in known[kind]:
            errors.append(f"{kind}:{code}")
            continue
        out.append(CoverageItem(kind=kind, code=code))
    if errors:
        raise Invalid(_("Unknown areas in the coverage: %(areas)s.", areas=", ".join(errors)),
                      fields={"coverage": ", ".join(errors)})
    unique = {(c.kind, c.code): c for c in out}
    return [unique[k] for k in sorted(unique)]


_WEB_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _validate_lists(ctx_tax: RoutingTaxonomy, data: Mapping[str, Any]) -> dict[str, str]:
    fields: dict[str, str] = {}
    themes = set(ctx_tax.themes.themes)
    if "themes" in data and (bad := [t for t in data["themes"] if t not in themes]):
        fields["themes"] = _("Unknown themes: %(items)s.", items=", ".join(bad))
    if "sectors" in data and (bad := [s for s in data["sectors"] if s not in ctx_tax.sectors]):
        fields["sectors"] = _("Unknown sectors: %(items)s.", items=", ".join(bad))
    if "company_sizes" in data and (
            bad := [s for s in data["company_sizes"] if s not in ctx_tax.sizes]):
        fields["company_sizes"] = _("Unknown company sizes: %(items)s.", items=", ".join(bad))
    # The website becomes a link on the public desk page: only http(s), never javascript:.
    if (website := data.get("website")) and not _WEB_URL.match(str(website)):
        fields["website"] = _("Enter a web address that starts with https://")
    return fields


def _set_coverage(session: Session, desk: Desk, items: Sequence[CoverageItem]) -> None:
    current = {(c.kind, c.code): c for c in coverage_of(session, [desk.id or 0])
               .get(desk.id or 0, [])}
    wanted = {(c.kind, c.code) for c in items}
    for key, row in current.items():
        if key not in wanted:
            session.delete(row)
    for kind, code in sorted(wanted - set(current)):
        session.add(DeskCoverage(desk_id=desk.id or 0, kind=kind, code=code))


def _check_single_fallback(session: Session, desk: Desk) -> None:
    if desk.is_fallback:
        other = session.exec(select(Desk).where(col(Desk.is_fallback).is_(True),
                                                Desk.id != desk.id)).first()
        if other is not None:
            raise Conflict(_("%(desk)s is already the national fallback; there can be only one.",
                             desk=other.name), code="fallback_exists")


def _audit(session: Session, action: str, desk: Desk, actor: Principal | None,
           **details: Any) -> None:
    record_audit(session, action, actor=actor, target_type="desk", target_id=desk.id, **details)


def create_desk(session: Session, data: DeskCreate, *, actor: Principal | None = None,
                regions_index: RegionIndex | None = None,
                taxonomy: RoutingTaxonomy | None = None) -> Desk:
    tax = taxonomy or routing_context(session).taxonomy
    payload = data.model_dump()
    for key in ("themes", "sectors", "company_sizes", "languages", "keywords"):
        payload[key] = _clean_list(payload.get(key))
    if fields := _validate_lists(tax, payload):
        raise Invalid(fields=fields)
    if session.exec(select(Desk).where(Desk.slug == data.slug)).first() is not None:
        raise Conflict(_("A desk with this slug already exists."), code="slug_taken",
                       fields={"slug": _("Choose another slug.")})
    coverage = validate_coverage(data.coverage, regions_index or regions.region_index(session))
    payload.pop("coverage", None)
    desk = Desk(**payload)
    _check_sla(desk)
    _check_single_fallback(session, desk)
    session.add(desk)
    session.flush()
    _set_coverage(session, desk, coverage)
    session.flush()
    _audit(session, "desk.created", desk, actor, slug=desk.slug)
    invalidate()
    return desk


def update_desk(session: Session, desk: Desk, data: DeskUpdate, *,
                actor: Principal | None = None) -> Desk:
    """Apply an edit; a coordinator (not admin) may only change ``COORDINATOR_FIELDS``."""
    changes = data.model_dump(exclude_unset=True)
    if actor is not None and not actor.has("admin"):
        if not is_coordinator(session, actor, desk):
            raise Forbidden()
        forbidden = sorted(set(changes) - COORDINATOR_FIELDS)
        if forbidden:
            raise Forbidden(_("Only an administrator can change: %(fields)s.",
                              fields=", ".join(forbidden)))
    for key in ("themes", "sectors", "company_sizes", "languages", "keywords"):
        if key in changes:
            changes[key] = _clean_list(changes[key])
    if fields := _validate_lists(routing_context(session).taxonomy, changes):
        raise Invalid(fields=fields)
    coverage = changes.pop("coverage", None)
    if coverage is not None:
        items = validate_coverage([CoverageItem.model_validate(c) for c in coverage],
                                  regions.region_index(session))
        _set_coverage(session, desk, items)
    for key, value in changes.items():
        setattr(desk, key, value)
    _check_sla(desk)
    desk.updated_at = utcnow()
    session.add(desk)
    session.flush()
    _audit(session, "desk.updated", desk, actor,
           fields=sorted([*changes, *(["coverage"] if coverage is not None else [])]))
    invalidate()
    return desk


def add_member(session: Session, desk: Desk, user: _Person, role: str, *,
               actor: Principal | None = None) -> DeskMember:
    if role not in DESK_ROLES:
        raise Invalid(fields={"role": _("Choose advisor or coordinator.")})
    if actor is not None and not can_edit(session, actor, desk):
        raise Forbidden()
    member = session.get(DeskMember, (desk.id, user.id))
    if member is None:
        member = DeskMember(desk_id=desk.id or 0, user_id=user.id or 0, role=role)
    else:
        member.role = role
    session.add(member)
    desk.updated_at = utcnow()
    session.add(desk)
    session.flush()
    _audit(session, "desk.member_set", desk, actor, user_id=user.id, role=role)
    return member


def remove_member(session: Session, desk: Desk, user_id: int, *,
                  actor: Principal | None = None) -> None:
    if actor is not None and not can_edit(session, actor, desk):
        raise Forbidden()
    member = session.get(DeskMember, (desk.id, user_id))
    if member is None:
        raise NotFound(_("This person is not a member of the desk."))
    if (member.role == COORDINATOR and actor is not None and not actor.has("admin")
            and actor.user_id == user_id):
        raise Conflict(_("You cannot remove yourself as coordinator; ask an administrator."))
    session.delete(member)
    desk.updated_at = utcnow()
    session.add(desk)
    session.flush()
    _audit(session, "desk.member_removed", desk, actor, user_id=user_id)


def desks_of_user(session: Session, user_id: int) -> list[tuple[Desk, str]]:
    rows = session.exec(select(Desk, DeskMember.role).join(
        DeskMember, col(DeskMember.desk_id) == Desk.id).where(DeskMember.user_id == user_id)
        .order_by(col(Desk.name))).all()
    return [(d, r) for d, r in rows]
