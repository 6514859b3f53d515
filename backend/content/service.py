"""The knowledge base rules: create, update, publish, unpublish, delete, list and relate.

Every change writes a full revision (who, when, why) and, for published items, a
``search.index`` / ``search.delete`` outbox message in the same transaction, so the index
follows the database even across crashes. Drafts are never indexed or shown publicly.
Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from backend.accounts.principal import Principal
from backend.content import taxonomy as tx
from backend.content.models import (
    CONTENT_TYPES,
    CREATE_MODELS,
    CompanySize,
    ContentCompanySize,
    ContentCreate,
    ContentItem,
    ContentOrganisation,
    ContentRegion,
    ContentRelated,
    ContentRevision,
    ContentSector,
    ContentTheme,
    Pillar,
    Region,
    SchemeCostKind,
    SchemeTerms,
    Sector,
    Theme,
    check_terms,
)
from backend.content.views import RESERVED_SLUGS, ItemView, load_view, load_views, today
from backend.core.db import utcnow
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.i18n import N_, format_count, gettext_
from backend.core.outbox import enqueue

Actor = Principal | str  # a person, or a system author such as "seed"

# List fields whose order carries no meaning (compared as sets).
SET_FIELDS = ("themes", "sectors", "regions", "company_sizes", "organisations", "cost_kinds",
              "languages")
INDEX, DELETE = "search.index", "search.delete"


def _author(actor: Actor) -> tuple[int | None, str]:
    if isinstance(actor, Principal):
        return actor.user_id, actor.display_name
    return None, actor


# --- validation ----------------------------------------------------------------------------

def validation_fields(exc: ValidationError) -> dict[str, str]:
    """Pydantic errors as {field: English message id} (translated where they are shown)."""
    messages = {
        "missing": N_("This field is required."),
        "string_too_short": N_("This field is required."),
        "string_too_long": N_("This text is too long."),
        "string_pattern_mismatch": N_("Use lowercase letters, digits and hyphens only."),
        "int_parsing": N_("Enter a whole number."),
        "int_from_float": N_("Enter a whole number."),
        "float_parsing": N_("Enter a number."),
        "greater_than_equal": N_("This number is too low."),
        "less_than_equal": N_("This number is too high."),
        "date_from_datetime_parsing": N_("Enter a date (yyyy-mm-dd)."),
        "date_parsing": N_("Enter a date (yyyy-mm-dd)."),
        "datetime_from_date_parsing": N_("Enter a date and time."),
        "datetime_parsing": N_("Enter a date and time."),
        "literal_error": N_("Choose one of the options."),
        "enum": N_("Choose one of the options."),
        "bool_parsing": N_("Choose yes or no."),
        "extra_forbidden": N_("This field is not known for this type."),
        "list_type": N_("Give a list."),
    }
    fields: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
        name = loc[0] if loc else ""
        if err["type"] == "value_error":
            text = str(err.get("ctx", {}).get("error", err["msg"]))
            if ": " in text and not name:
                name, text = text.split(": ", 1)
            elif "email" in name:
                text = N_("Enter a valid e-mail address.")
            fields.setdefault(name or "request", text)
        elif err["type"] == "string_too_long" and err.get("ctx", {}).get("max_length"):
            # "te lang" names the limit (issue 15); translated now, as it has a number.
            fields.setdefault(name or "request", gettext_(
                "This text is too long (at most %(max)s characters).",
                max=format_count(int(err["ctx"]["max_length"]))))
        elif name == "phone" and err["type"] == "string_pattern_mismatch":
            fields.setdefault(name, N_("Enter a valid phone number."))
        else:
            fields.setdefault(name or "request",
                              messages.get(err["type"], N_("This value is not valid.")))
    return fields


def validate_data(type_: str, data: dict[str, Any]) -> ContentCreate:
    model = CREATE_MODELS[type_]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(fields=validation_fields(exc)) from exc


def comparable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: sorted(v) if k in SET_FIELDS and isinstance(v, list) else v
            for k, v in data.items()}


# --- reading -------------------------------------------------------------------------------

def _check_type(type_: str) -> None:
    if type_ not in CONTENT_TYPES:
        raise NotFound()


def get_item(session: Session, type_: str, slug: str, *, public: bool = True) -> ContentItem:
    _check_type(type_)
    stmt = select(ContentItem).where(ContentItem.type == type_, ContentItem.slug == slug,
                                     col(ContentItem.deleted_at).is_(None))
    if public:
        stmt = stmt.where(ContentItem.status == "published")
    item = session.exec(stmt).first()
    if item is None:
        raise NotFound()
    return item


def get_item_by_id(session: Session, item_id: int) -> ContentItem:
    item = session.get(ContentItem, item_id)
    if item is None or item.deleted_at is not None:
        raise NotFound()
    return item


@dataclass(frozen=True)
class ListFilters:
    types: Sequence[str] = ()
    themes: Sequence[str] = ()
    pillars: Sequence[str] = ()
    sectors: Sequence[str] = ()
    regions: Sequence[str] = ()
    sizes: Sequence[str] = ()
    kinds: Sequence[str] = ()
    scheme_statuses: Sequence[str] = ()  # open | continuous | upcoming | closed | exhausted
    status: str | None = "published"  # None: every non-deleted item (editors)
    upcoming_only: bool = False  # events: only those that have not ended


def _in_link(link: Any, term_col: Any, term_model: Any, slugs: Sequence[str]) -> Any:
    sub = (select(link.item_id).join(term_model, col(term_model.id) == term_col)
           .where(col(term_model.slug).in_(list(slugs))))
    return col(ContentItem.id).in_(sub)


def list_items(session: Session, filters: ListFilters, *, page: int = 1, per_page: int = 20,
               order: str = "title") -> tuple[list[ContentItem], int]:
    return _listed(session, select(ContentItem), filters, page, per_page, order)


def list_item_ids(session: Session, filters: ListFilters, *, page: int = 1, per_page: int = 20,
                  order: str = "title") -> tuple[list[int], int]:
    """``list_items`` as ids: for pages that have the items' views already
    (``readmodel.published``). Plain rows through the session's connection (after a flush of
    anything pending), without the ORM's layer."""
    return _listed(session, select(ContentItem.id), filters, page, per_page, order, ids=True)


def _listed(session: Session, stmt: Any, filters: ListFilters, page: int, per_page: int,
            order: str, *, ids: bool = False) -> tuple[list[Any], int]:
    stmt = stmt.where(col(ContentItem.deleted_at).is_(None))
    if filters.status:
        stmt = stmt.where(ContentItem.status == filters.status)
    if filters.types:
        stmt = stmt.where(col(ContentItem.type).in_(list(filters.types)))
    if filters.kinds:
        stmt = stmt.where(col(ContentItem.kind).in_(list(filters.kinds)))
    if filters.themes:
        stmt = stmt.where(_in_link(ContentTheme, ContentTheme.theme_id, Theme, filters.themes))
    if filters.pillars:
        sub = (select(ContentTheme.item_id).join(Theme, col(Theme.id) == ContentTheme.theme_id)
               .join(Pillar, col(Pillar.id) == Theme.pillar_id)
               .where(col(Pillar.slug).in_(list(filters.pillars))))
        stmt = stmt.where(col(ContentItem.id).in_(sub))
    if filters.sectors:
        # A sector includes its sub-sectors.
        tax = tx.load(session)
        wanted = {s.id for s in tax.sectors
                  if any(a.slug in filters.sectors for a in tax.sector_lineage(s))}
        sub = select(ContentSector.item_id).where(col(ContentSector.sector_id).in_(wanted))
        stmt = stmt.where(col(ContentItem.id).in_(sub))
    if filters.regions:
        stmt = stmt.where(_in_link(ContentRegion, ContentRegion.region_id, Region,
                                   filters.regions))
    if filters.sizes:
        stmt = stmt.where(_in_link(ContentCompanySize, ContentCompanySize.size_id, CompanySize,
                                   filters.sizes))
    if filters.scheme_statuses:
        stmt = stmt.where(col(ContentItem.id).in_(_scheme_status_ids(filters.scheme_statuses)))
    if filters.upcoming_only:
        now = utcnow()
        stmt = stmt.where(sa.or_(col(ContentItem.ends_at) >= now,
                                 sa.and_(col(ContentItem.ends_at).is_(None),
                                         col(ContentItem.starts_at) >= now)))
    counted = select(sa.func.count()).select_from(stmt.subquery())
    if ids:
        session.flush()
        conn = session.connection()
        total = conn.execute(counted).scalar_one()
    else:
        total = session.exec(counted).one()
    orders: dict[str, list[Any]] = {
        "title": [sa.func.lower(ContentItem.title)],
        "newest": [col(ContentItem.published_at).desc(), col(ContentItem.id).desc()],
        "updated": [col(ContentItem.updated_at).desc(), col(ContentItem.id).desc()],
        "starts": [col(ContentItem.starts_at), col(ContentItem.id)],
    }
    stmt = stmt.order_by(*orders.get(order, orders["title"]))
    stmt = stmt.offset((max(1, page) - 1) * per_page).limit(per_page)
    if ids:
        return list(conn.execute(stmt).scalars()), int(total)
    return list(session.exec(stmt)), int(total)


def _scheme_status_ids(statuses: Sequence[str]) -> Any:
    """The SQL twin of ``views.scheme_status``."""
    on = today()
    budget = col(SchemeTerms.budget_status)
    closes, opens = col(SchemeTerms.closes_on), col(SchemeTerms.opens_on)
    closed = sa.or_(budget == "closed", sa.and_(closes.is_not(None), closes < on))
    upcoming = sa.or_(budget == "upcoming", sa.and_(opens.is_not(None), opens > on))
    conditions = {
        "exhausted": budget == "exhausted",
        "closed": sa.and_(budget != "exhausted", closed),
        "upcoming": sa.and_(budget != "exhausted", sa.not_(closed), upcoming),
        "open": sa.and_(budget != "exhausted", sa.not_(closed), sa.not_(upcoming)),
    }
    is_open = conditions.pop("open")
    conditions["open"] = sa.and_(is_open, budget != "continuous")
    conditions["continuous"] = sa.and_(is_open, budget == "continuous")
    wanted = [conditions[s] for s in statuses if s in conditions]
    return select(SchemeTerms.item_id).where(sa.or_(*wanted) if wanted else sa.false())


def related_items(session: Session, view: ItemView, limit: int = 6) -> list[ContentItem]:
    """Explicit links both ways first, then published items that share the most themes."""
    item = view.item
    chosen: list[ContentItem] = list(view.public_related())
    back = session.exec(
        select(ContentItem).join(ContentRelated, col(ContentRelated.item_id) == ContentItem.id)
        .where(ContentRelated.related_id == item.id, ContentItem.status == "published",
               col(ContentItem.deleted_at).is_(None))
        .order_by(sa.func.lower(ContentItem.title))).all()
    # By id: ``view`` may have been read in another session (``readmodel``), so the same row
    # can be two objects.
    seen = {c.id for c in chosen}
    for other in back:
        if other.id not in seen:
            chosen.append(other)
            seen.add(other.id)
    theme_ids = [t.id for t in view.themes]
    if len(chosen) < limit and theme_ids:
        shared = sa.func.count(col(ContentTheme.theme_id))
        rows = session.exec(
            select(ContentItem, shared)
            .join(ContentTheme, col(ContentTheme.item_id) == ContentItem.id)
            .where(col(ContentTheme.theme_id).in_(theme_ids), ContentItem.id != item.id,
                   ContentItem.status == "published", col(ContentItem.deleted_at).is_(None))
            .group_by(col(ContentItem.id))
            .order_by(shared.desc(), col(ContentItem.published_at).desc())
            .limit(limit * 2)).all()
        for other, _n in rows:
            if other.id not in seen and other.id != item.id:
                chosen.append(other)
                seen.add(other.id)
    return chosen[:limit]


def revisions(session: Session, item: ContentItem) -> list[ContentRevision]:
    return list(session.exec(select(ContentRevision).where(ContentRevision.item_id == item.id)
                             .order_by(col(ContentRevision.number).desc())))


def get_revision(session: Session, item: ContentItem, number: int) -> ContentRevision:
    rev = session.exec(select(ContentRevision).where(ContentRevision.item_id == item.id,
                                                     ContentRevision.number == number)).first()
    if rev is None:
        raise NotFound()
    return rev


# --- writing -------------------------------------------------------------------------------

def unique_slug(session: Session, type_: str, wanted: str, *, exclude_id: int | None = None
                ) -> str:
    base = tx.slugify(wanted, max_length=100) or "item"
    if base in RESERVED_SLUGS:
        base = f"{base}-1"
    taken = set(session.exec(select(ContentItem.slug).where(
        ContentItem.type == type_, col(ContentItem.slug).startswith(base),
        ContentItem.id != (exclude_id or -1))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _lookup_terms(session: Session, model: Any, slugs: Iterable[str], field: str) -> list[Any]:
    slugs = list(slugs)
    if not slugs:
        return []
    found = {t.slug: t for t in session.exec(select(model).where(col(model.slug).in_(slugs)))}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise Invalid(fields={field: N_("Unknown") + ": " + ", ".join(missing)})
    return [found[s] for s in slugs]


def _lookup_orgs(session: Session, slugs: Iterable[str], field: str) -> list[ContentItem]:
    slugs = list(slugs)
    if not slugs:
        return []
    found = {o.slug: o for o in session.exec(select(ContentItem).where(
        ContentItem.type == "organisation", col(ContentItem.slug).in_(slugs),
        col(ContentItem.deleted_at).is_(None)))}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise Invalid(fields={field: N_("Unknown") + ": " + ", ".join(missing)})
    return [found[s] for s in slugs]


def resolve_refs(session: Session, refs: Iterable[str], field: str = "related"
                 ) -> list[ContentItem]:
    """"type:slug" or a bare slug that is unique across types."""
    out: list[ContentItem] = []
    for r in refs:
        type_, _, slug = r.rpartition(":")
        stmt = select(ContentItem).where(ContentItem.slug == slug,
                                         col(ContentItem.deleted_at).is_(None))
        if type_:
            stmt = stmt.where(ContentItem.type == type_)
        matches = list(session.exec(stmt.limit(2)))
        if len(matches) != 1:
            problem = N_("Unknown") if not matches else N_("Ambiguous, write it as type:slug")
            raise Invalid(fields={field: f"{problem}: {r}"})
        out.append(matches[0])
    return out


def _replace_links(session: Session, model: Any, item_id: int, other: str,
                   ids: Sequence[int], *, ordered: bool = False) -> None:
    session.exec(sa.delete(model).where(model.item_id == item_id))
    for pos, other_id in enumerate(dict.fromkeys(ids)):
        values: dict[str, Any] = {"item_id": item_id, other: other_id}
        if ordered:
            values["position"] = pos
        session.add(model(**values))


def _ids(rows: Iterable[Any]) -> list[int]:
    return [r.id for r in rows if r.id is not None]


def _apply(session: Session, item: ContentItem, data: ContentCreate) -> None:
    """Write validated data onto the item and its link tables."""
    d = data.model_dump()
    for key in ("title", "summary", "body_md", "title_en", "summary_en", "body_md_en", "lang",
                "is_example", "source_document", "source_title", "source_section",
                "source_url"):
        setattr(item, key, d[key])
    themes = _lookup_terms(session, Theme, d["themes"], "themes")
    sectors = _lookup_terms(session, Sector, d["sectors"], "sectors")
    regions = _lookup_terms(session, Region, d["regions"], "regions")
    sizes = _lookup_terms(session, CompanySize, d["company_sizes"], "company_sizes")
    orgs = _lookup_orgs(session, d["organisations"], "organisations")
    related = [r for r in resolve_refs(session, d["related"]) if r.id != item.id]
    type_ = item.type
    org: ContentItem | None = None
    if type_ == "organisation":
        item.kind, item.website = d["kind"], d["website"]
    elif type_ == "expert":
        if d["organisation"]:
            org = _lookup_orgs(session, [d["organisation"]], "organisation")[0]
        item.kind, item.role, item.languages = d["kind"], d["role"], d["languages"]
        item.website, item.contact_email, item.contact_phone = d["website"], d["email"], d["phone"]
        item.availability, item.consent_at = d["availability"], d["consent_at"]
    elif type_ == "event":
        if d["organiser"]:
            org = _lookup_orgs(session, [d["organiser"]], "organiser")[0]
        item.kind, item.starts_at, item.ends_at = d["kind"], d["starts_at"], d["ends_at"]
        item.online, item.place = d["online"], d["place"]
        item.organisation_name, item.registration_url = d["organiser_name"], d["registration_url"]
    elif type_ == "scheme":
        item.kind = d["kind"]
    item.organisation_id = org.id if org else None
    session.add(item)
    session.flush()
    assert item.id is not None
    _replace_links(session, ContentTheme, item.id, "theme_id", _ids(themes))
    _replace_links(session, ContentSector, item.id, "sector_id", _ids(sectors))
    _replace_links(session, ContentRegion, item.id, "region_id", _ids(regions))
    _replace_links(session, ContentCompanySize, item.id, "size_id", _ids(sizes))
    _replace_links(session, ContentOrganisation, item.id, "organisation_id",
                   _ids(o for o in orgs if o.id != item.id))
    _replace_links(session, ContentRelated, item.id, "related_id", _ids(related), ordered=True)
    if type_ == "scheme":
        provider = (_lookup_orgs(session, [d["provider"]], "provider")[0]
                    if d["provider"] else None)
        terms = session.get(SchemeTerms, item.id) or SchemeTerms(item_id=item.id)
        d["term_sources"] = data.model_dump(mode="json", include={"term_sources"}
                                            )["term_sources"]
        for key in ("min_amount", "max_amount", "funding_rate", "opens_on", "closes_on",
                    "first_come_first_served", "budget_status", "terms_checked_on",
                    "terms_note", "terms_note_en", "term_sources"):
            setattr(terms, key, d[key])
        terms.provider_id = provider.id if provider else None
        session.add(terms)
        session.exec(sa.delete(SchemeCostKind).where(
            col(SchemeCostKind.item_id) == item.id))
        for kind in dict.fromkeys(d["cost_kinds"]):
            session.add(SchemeCostKind(item_id=item.id, cost_kind=kind))
    session.flush()


def _record(session: Session, item: ContentItem, actor: Actor, note: str) -> ContentRevision:
    session.flush()
    session.expire(item)  # links may have changed under the same identity
    view = load_view(session, item)
    author_id, author_name = _author(actor)
    item.version += 1
    item.updated_at = utcnow()
    if author_id is not None:
        item.updated_by = author_id
    session.add(item)
    rev = ContentRevision(item_id=item.id or 0, number=item.version, snapshot=view.snapshot(),
                          author_id=author_id, author_name=author_name, note=note[:500])
    session.add(rev)
    session.flush()
    return rev


BATCH_KEY = "content_index_batch"


def _index_later(session: Session, item_ids: Iterable[int]) -> None:
    ids = sorted({i for i in item_ids if i})
    batch: set[int] | None = session.info.get(BATCH_KEY)
    if batch is not None:
        batch.update(ids)
    elif ids:
        enqueue(session, INDEX, {"ids": ids})


@contextmanager
def batched_indexing(session: Session, size: int = 200) -> Iterator[None]:
    """Collect the index messages of many changes (a seed load) into a few batched ones."""
    batch: set[int] = set()
    session.info[BATCH_KEY] = batch
    try:
        yield
    finally:
        session.info.pop(BATCH_KEY, None)
    ids = sorted(batch)
    for start in range(0, len(ids), size):
        enqueue(session, INDEX, {"ids": ids[start:start + size]})


def _referrers(session: Session, item_id: int) -> list[int]:
    """Published items whose search document names this organisation."""
    ids: set[int] = set()
    ids.update(session.exec(select(ContentOrganisation.item_id)
                            .where(ContentOrganisation.organisation_id == item_id)))
    ids.update(i for i in session.exec(select(ContentItem.id).where(
        ContentItem.organisation_id == item_id)) if i is not None)
    ids.update(session.exec(select(SchemeTerms.item_id).where(SchemeTerms.provider_id == item_id)))
    if not ids:
        return []
    return [i for i in session.exec(select(ContentItem.id).where(
        col(ContentItem.id).in_(ids), ContentItem.status == "published",
        col(ContentItem.deleted_at).is_(None))) if i is not None]


def create_item(session: Session, type_: str, data: ContentCreate | dict[str, Any],
                actor: Actor, *, note: str = "", publish: bool = False) -> ContentItem:
    _check_type(type_)
    if isinstance(data, dict):
        data = validate_data(type_, data)
    elif not isinstance(data, CREATE_MODELS[type_]):
        data = validate_data(type_, data.model_dump())
    if data.slug:
        taken = session.exec(select(ContentItem.id).where(
            ContentItem.type == type_, ContentItem.slug == data.slug)).first()
        if taken is not None or data.slug in RESERVED_SLUGS:
            raise Invalid(fields={"slug": N_("This address is already in use.")})
        slug = data.slug
    else:
        slug = unique_slug(session, type_, data.title)
    author_id, _ = _author(actor)
    item = ContentItem(type=type_, slug=slug, title=data.title, status="draft",
                       created_by=author_id, updated_by=author_id)
    _apply(session, item, data)
    if publish:
        check_publishable(item)
        item.status = "published"
        item.published_at = utcnow()
        _index_later(session, [item.id or 0])
    default_note = N_("Created and published") if publish else N_("Created")
    _record(session, item, actor, note or default_note)
    return item


def update_item(session: Session, item: ContentItem, changes: dict[str, Any] | BaseModel,
                actor: Actor, *, note: str = "", expected_version: int | None = None,
                publish: bool = False) -> ContentItem:
    """Apply changes (a partial dict or model); validation runs on the merged result.
    ``publish`` publishes in the same revision."""
    if item.deleted_at is not None:
        raise NotFound()
    if expected_version is not None and expected_version != item.version:
        raise Conflict(N_("Someone else changed this item in the meantime. Reload it and "
                          "apply your changes again."), code="edit_conflict")
    if isinstance(changes, BaseModel):
        changes = changes.model_dump(exclude_unset=True)
    view = load_view(session, item)
    current = view.data()
    merged = {**current, **changes}
    data = validate_data(item.type, merged)
    try:
        before = comparable(view.normalised_data())
    except ValidationError:  # a bare stub (seed) is not valid yet: anything is a change
        before = {}
    unchanged = comparable(data.model_dump(mode="json")) == before
    if unchanged and (not publish or item.status == "published"):
        return item  # nothing changed: no revision, no index message
    if unchanged:
        return publish_item(session, item, actor, note=note)
    old_doc = view.doc_id
    old_title = item.title
    if data.slug and data.slug != item.slug:
        clash = session.exec(select(ContentItem.id).where(
            ContentItem.type == item.type, ContentItem.slug == data.slug,
            ContentItem.id != item.id)).first()
        if clash is not None or data.slug in RESERVED_SLUGS:
            raise Invalid(fields={"slug": N_("This address is already in use.")})
        item.slug = data.slug
    _apply(session, item, data)
    was_published = item.status == "published"
    if publish or was_published:
        check_publishable(item)
    if publish and not was_published:
        item.status = "published"
        item.published_at = item.published_at or utcnow()
    if item.status == "published":
        if was_published and f"{item.type}:{item.slug}" != old_doc:
            enqueue(session, DELETE, {"doc_ids": [old_doc]})
        ids = [item.id or 0]
        if item.type == "organisation" and (item.title != old_title or not was_published):
            ids += _referrers(session, item.id or 0)
        _index_later(session, ids)
    _record(session, item, actor, note or N_("Edited"))
    return item


def check_publishable(item: ContentItem) -> None:
    """A real person is shown in the expert directory only after they opted in (registered
    or accepted an invitation, with consent); fictional demo experts are marked as examples."""
    if (item.type == "expert" and (item.kind or "person") == "person" and not item.is_example
            and item.consent_at is None):
        raise Invalid(N_("A person is listed only after they gave consent to be listed."),
                      fields={"consent_at": N_("A person is listed only after they gave "
                                               "consent to be listed.")})


def publish_item(session: Session, item: ContentItem, actor: Actor, *, note: str = ""
                 ) -> ContentItem:
    if item.deleted_at is not None:
        raise NotFound()
    if item.status == "published":
        return item
    check_publishable(item)
    item.status = "published"
    item.published_at = item.published_at or utcnow()
    session.add(item)
    ids = [item.id or 0]
    if item.type == "organisation":
        ids += _referrers(session, item.id or 0)
    _index_later(session, ids)
    _record(session, item, actor, note or N_("Published"))
    return item


def unpublish_item(session: Session, item: ContentItem, actor: Actor, *, note: str = ""
                   ) -> ContentItem:
    if item.deleted_at is not None:
        raise NotFound()
    if item.status != "published":
        return item
    item.status = "draft"
    session.add(item)
    enqueue(session, DELETE, {"doc_ids": [f"{item.type}:{item.slug}"]})
    if item.type == "organisation":  # its name leaves the documents that named it
        _index_later(session, _referrers(session, item.id or 0))
    _record(session, item, actor, note or N_("Unpublished"))
    return item


def delete_item(session: Session, item: ContentItem, actor: Actor, *, note: str = "") -> None:
    """Soft delete: the row and its revisions stay; it disappears everywhere else."""
    if item.deleted_at is not None:
        return
    was_published = item.status == "published"
    _record(session, item, actor, note or N_("Deleted"))
    item.status = "draft"
    item.deleted_at = utcnow()
    session.add(item)
    session.flush()
    if was_published:
        enqueue(session, DELETE, {"doc_ids": [f"{item.type}:{item.slug}"]})
        if item.type == "organisation":
            _index_later(session, _referrers(session, item.id or 0))


def views_for(session: Session, items: Sequence[ContentItem]) -> list[ItemView]:
    return load_views(session, items)


@dataclass(frozen=True)
class StaleScheme:
    id: int
    slug: str
    title: str
    checked_on: date | None
    unverified_terms: int  # current terms without a check date


def stale_schemes(session: Session, on: date | None = None) -> list[StaleScheme]:
    """Published schemes whose current terms are not all checked against their source within
    ``TERMS_STALE_AFTER_DAYS``: the editors' list of schemes to check, oldest check first."""
    on = on or today()
    items = list(session.exec(select(ContentItem).where(
        ContentItem.type == "scheme", ContentItem.status == "published",
        col(ContentItem.deleted_at).is_(None))))
    ids = [i.id for i in items if i.id is not None]
    terms = {t.item_id: t for t in session.exec(
        select(SchemeTerms).where(col(SchemeTerms.item_id).in_(ids)))} if ids else {}
    out: list[StaleScheme] = []
    for item in items:
        t = terms.get(item.id or 0)
        check = check_terms(t.term_sources if t else [], on)
        if check.stale:
            out.append(StaleScheme(id=item.id or 0, slug=item.slug, title=item.title,
                                   checked_on=check.checked_on,
                                   unverified_terms=sum(1 for c in check.current
                                                        if c.checked_on is None)))
    return sorted(out, key=lambda s: (s.checked_on or date.min, s.title.lower()))
