"""Loads ``seed/taxonomy.yaml`` and ``seed/content/*.yaml`` idempotently.

Upsert by slug. Each term and item remembers the digest of the YAML it was last loaded from:
running the seed again changes nothing, an edited YAML entry updates its item (with a
revision authored by "seed"), and an item an editor changed afterwards is left alone until
its YAML changes. References are checked up front; a broken one fails the whole load with a
message naming the file, the item and the field. Changes to published items are indexed
through the outbox like any other change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from backend.content import service
from backend.content.models import (
    CONTENT_TYPES,
    CompanySize,
    ContentItem,
    Pillar,
    Region,
    Sector,
    Theme,
)
from backend.core.db import Database
from backend.core.errors import Invalid
from backend.core.i18n import N_
from backend.core.settings import ROOT, Settings

SEED_AUTHOR = "seed"
SEED_DIR = ROOT / "seed"  # the folder backend/seeding.py reads too
# file name -> content type (practices.yaml names its type per item)
FILE_TYPES = {
    "organisations": "organisation",
    "schemes": "scheme",
    "experts": "expert",
    "events": "event",
    "practices": None,
    "qa": "qa",
}
# Organisations first: the other types point at them.
FILE_ORDER = ("organisations", "schemes", "practices", "experts", "events", "qa")



class SeedError(Exception):
    """A seed file is wrong; the message names the file, the item and the field."""


def _digest(value: Any) -> str:
    def default(o: Any) -> str:
        if isinstance(o, datetime | date):
            return o.isoformat()
        return str(o)

    raw = json.dumps(value, sort_keys=True, ensure_ascii=False, default=default)
    return hashlib.sha256(raw.encode()).hexdigest()


def _read(path: Path) -> Any:
    import yaml  # lazy: PyYAML is 10 ms of a cold start; only seeding and editing read YAML

    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise SeedError(f"{path.name}: not valid YAML: {exc}") from exc


# --- taxonomy ------------------------------------------------------------------------------

@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        removed = f", {self.removed} removed" if self.removed else ""
        return (f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged"
                f"{removed}")


def _upsert_term(session: Session, model: Any, entry: dict[str, Any], values: dict[str, Any],
                 counts: Counts) -> Any:
    digest = _digest(entry)
    term = session.exec(select(model).where(model.slug == entry["slug"])).first()
    if term is None:
        term = model(slug=entry["slug"], **values, seed_digest=digest)
        counts.add("created")
    elif term.seed_digest != digest:
        for key, value in values.items():
            setattr(term, key, value)
        term.seed_digest = digest
        counts.add("updated")
    else:
        counts.add("unchanged")
        return term
    session.add(term)
    session.flush()
    return term


def _entries(data: dict[str, Any], key: str, required: Iterable[str]) -> list[dict[str, Any]]:
    entries = data.get(key) or []
    if not isinstance(entries, list):
        raise SeedError(f"taxonomy.yaml: '{key}' must be a list")
    for n, entry in enumerate(entries, 1):
        for name in ("slug", *required):
            if not isinstance(entry, dict) or entry.get(name) in (None, ""):
                raise SeedError(f"taxonomy.yaml: {key} #{n} "
                                f"({entry.get('slug') if isinstance(entry, dict) else entry!r}): "
                                f"field '{name}' is missing")
    return entries


def load_taxonomy(session: Session, path: Path) -> Counts:
    data = _read(path) or {}
    counts = Counts()
    pillars: dict[str, Pillar] = {}
    for pos, e in enumerate(_entries(data, "pillars", ["name_nl"])):
        pillars[e["slug"]] = _upsert_term(session, Pillar, e, {
            "name_nl": e["name_nl"], "name_en": e.get("name_en") or "",
            "description_nl": (e.get("description_nl") or "").strip(), "position": pos}, counts)
    for p in session.exec(select(Pillar)):
        pillars.setdefault(p.slug, p)
    for pos, e in enumerate(_entries(data, "themes", ["name_nl", "pillar"])):
        pillar = pillars.get(e["pillar"])
        if pillar is None:
            raise SeedError(f"taxonomy.yaml: theme {e['slug']!r}: field 'pillar': "
                            f"unknown pillar {e['pillar']!r}")
        _upsert_term(session, Theme, e, {
            "name_nl": e["name_nl"], "name_en": e.get("name_en") or "",
            "description_nl": (e.get("description_nl") or "").strip(),
            "keywords": [str(k) for k in e.get("keywords") or []],
            "pillar_id": pillar.id, "position": pos}, counts)
    sectors = _entries(data, "sectors", ["name_nl"])
    known = {s.slug: s for s in session.exec(select(Sector))}
    slugs = {e["slug"] for e in sectors} | set(known)
    for e in sectors:
        if e.get("parent") and e["parent"] not in slugs:
            raise SeedError(f"taxonomy.yaml: sector {e['slug']!r}: field 'parent': "
                            f"unknown sector {e['parent']!r}")
    # Parents before children.
    ordered = sorted(enumerate(sectors), key=lambda p: (bool(p[1].get("parent")), p[0]))
    for pos, e in ordered:
        parent = known.get(e["parent"]) if e.get("parent") else None
        known[e["slug"]] = _upsert_term(session, Sector, e, {
            "name_nl": e["name_nl"], "name_en": e.get("name_en") or "",
            "sbi": str(e["sbi"]) if e.get("sbi") else None,
            "sbi_codes": [str(c) for c in e.get("sbi_codes") or []],
            "parent_id": parent.id if parent else None, "position": pos}, counts)
    for pos, e in enumerate(_entries(data, "company_sizes", ["name_nl"])):
        _upsert_term(session, CompanySize, e, {
            "name_nl": e["name_nl"], "name_en": e.get("name_en") or "",
            "min_people": e.get("min"), "max_people": e.get("max"), "position": pos}, counts)
    for pos, e in enumerate(_entries(data, "regions", ["name_nl"])):
        _upsert_term(session, Region, e, {
            "name_nl": e["name_nl"], "name_en": e.get("name_en") or "",
            "cbs_code": e.get("cbs_code"), "position": pos}, counts)
    return counts


# --- content -------------------------------------------------------------------------------

@dataclass
class SeedItem:
    file: str
    type: str
    slug: str
    raw: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    publish: bool = True

    @property
    def where(self) -> str:
        return f"{self.file}: {self.type} {self.slug!r}"


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _to_data(entry: SeedItem, org_slugs: set[str]) -> dict[str, Any]:
    """YAML keys to the item's ``*Create`` shape; unknown YAML keys are ignored."""
    raw = entry.raw
    source = raw.get("source") or {}
    if not isinstance(source, dict):
        source = {"title": str(source)}
    english = raw.get("en") or {}
    if not isinstance(english, dict):
        raise SeedError(f"{entry.where}: field 'en': a mapping of title, summary, body")
    data: dict[str, Any] = {
        "slug": entry.slug,
        "title": raw.get("title") or raw.get("name"),
        "summary": (raw.get("summary") or "").strip(),
        "body_md": (raw.get("body") or raw.get("body_md") or "").strip(),
        # English beside the Dutch: an optional `en: {title, summary, body, terms_note}`.
        "title_en": str(english.get("title") or "").strip(),
        "summary_en": str(english.get("summary") or "").strip(),
        "body_md_en": str(english.get("body") or "").strip(),
        "lang": raw.get("lang") or "nl",
        "is_example": bool(raw.get("is_example", False)),
        "source_document": source.get("document"),
        "source_title": source.get("title"),
        "source_section": source.get("section"),
        "source_url": raw.get("source_url") or source.get("url"),
        "themes": _list(raw.get("themes")),
        "sectors": _list(raw.get("sectors")),
        "regions": _list(raw.get("regions")),
        "company_sizes": _list(raw.get("company_sizes")),
        "organisations": _list(raw.get("organisations")),
        "related": _list(raw.get("related")),
    }
    t = entry.type
    if t == "organisation":
        data.update(kind=raw.get("kind") or "other", website=raw.get("website"))
    elif t == "expert":
        contact = raw.get("contact") or {}
        data.update(kind=raw.get("kind") or "person", organisation=raw.get("organisation"),
                    role=raw.get("role"), languages=_list(raw.get("languages")) or ["nl"],
                    website=contact.get("website"), email=contact.get("email"),
                    phone=str(contact["phone"]) if contact.get("phone") else None,
                    availability=raw.get("availability"), consent_at=raw.get("consent_at"))
    elif t == "event":
        organiser = raw.get("organiser")
        is_org = isinstance(organiser, str) and organiser in org_slugs
        data.update(kind=raw.get("kind") or "workshop", starts_at=raw.get("starts_at"),
                    ends_at=raw.get("ends_at"), online=bool(raw.get("online", False)),
                    place=raw.get("place"), organiser=organiser if is_org else None,
                    organiser_name=None if is_org else (raw.get("organiser_name") or organiser),
                    registration_url=raw.get("registration_url"))
    elif t == "scheme":
        data.update({k: raw.get(k) for k in (
            "provider", "min_amount", "max_amount", "funding_rate", "opens_on", "closes_on",
            "terms_note")})
        data.update(term_sources=list(raw.get("term_sources") or []),
                    terms_note_en=english.get("terms_note"))
        data.update(kind=raw.get("kind") or "subsidy", cost_kinds=_list(raw.get("cost_kinds")),
                    first_come_first_served=bool(raw.get("first_come_first_served", False)),
                    budget_status=raw.get("budget_status") or "open")
    if data["source_url"] is None:
        data.pop("source_url")
    return data


def _collect(content_dir: Path) -> list[SeedItem]:
    files = sorted(content_dir.glob("*.yaml"),
                   key=lambda p: (FILE_ORDER.index(p.stem) if p.stem in FILE_ORDER else 99,
                                  p.stem))
    items: list[SeedItem] = []
    seen: dict[tuple[str, str], str] = {}
    for path in files:
        doc = _read(path)
        entries = doc.get("items", []) if isinstance(doc, dict) else (doc or [])
        default_type = FILE_TYPES.get(path.stem)
        for n, raw in enumerate(entries, 1):
            if not isinstance(raw, dict) or not raw.get("slug"):
                raise SeedError(f"{path.name}: item #{n}: field 'slug' is missing")
            slug = str(raw["slug"])
            type_ = raw.get("type") or default_type
            if type_ not in CONTENT_TYPES:
                raise SeedError(f"{path.name}: item {slug!r}: field 'type': "
                                f"expected one of {', '.join(CONTENT_TYPES)}, got {type_!r}")
            if (type_, slug) in seen:
                raise SeedError(f"{path.name}: item {slug!r}: field 'slug': "
                                f"{type_} {slug!r} is also defined in {seen[(type_, slug)]}")
            seen[(type_, slug)] = path.name
            status = raw.get("status", "published")
            items.append(SeedItem(file=path.name, type=type_, slug=slug, raw=raw,
                                  publish=status != "draft"))
    return items


def _resolve_related(items: list[SeedItem], session: Session) -> None:
    """Bare slugs in ``related`` become "type:slug" (unique across types, else an error)."""
    by_slug: dict[str, set[str]] = {}
    for it in items:
        by_slug.setdefault(it.slug, set()).add(it.type)
    for type_, slug in session.exec(select(ContentItem.type, ContentItem.slug)
                                    .where(ContentItem.deleted_at == None)):  # noqa: E711
        by_slug.setdefault(slug, set()).add(type_)
    for it in items:
        resolved = []
        for ref in it.data["related"]:
            ref = str(ref)
            if ":" in ref:
                r_type, _, r_slug = ref.partition(":")
                if r_type not in by_slug.get(r_slug, set()):
                    raise SeedError(f"{it.where}: field 'related': unknown item {ref!r}")
                resolved.append(ref)
                continue
            types = by_slug.get(ref, set())
            if not types:
                raise SeedError(f"{it.where}: field 'related': unknown item {ref!r}")
            if len(types) > 1:
                raise SeedError(f"{it.where}: field 'related': {ref!r} is ambiguous "
                                f"({', '.join(sorted(types))}); write it as type:slug")
            resolved.append(f"{next(iter(types))}:{ref}")
        it.data["related"] = resolved


def load_content(session: Session, content_dir: Path, *extra_dirs: Path) -> Counts:
    items = _collect(content_dir)
    for extra in extra_dirs:
        items += _collect(extra)
    keys = [(it.type, it.slug) for it in items]
    if len(set(keys)) != len(keys):
        dupe = next(k for k in keys if keys.count(k) > 1)
        raise SeedError(f"{dupe[0]} {dupe[1]!r} is defined twice (content and demo)")
    org_slugs = {it.slug for it in items if it.type == "organisation"}
    org_slugs.update(session.exec(select(ContentItem.slug).where(
        ContentItem.type == "organisation")))
    for it in items:
        it.data = _to_data(it, org_slugs)
    _resolve_related(items, session)
    # Validate every item before writing anything, so one broken entry stops the load early.
    for it in items:
        try:
            service.validate_data(it.type, it.data)
        except Invalid as exc:
            raise SeedError(_describe(it, exc)) from exc

    counts = Counts()
    existing: dict[tuple[str, str], ContentItem] = {
        (i.type, i.slug): i for i in session.exec(select(ContentItem))}
    # Create the missing ones first (without a revision), so references between seed items
    # resolve whatever the order; each then gets its full data in one revision below.
    fresh: set[tuple[str, str]] = set()
    for it in items:
        key = (it.type, it.slug)
        if key not in existing:
            stub = ContentItem(type=it.type, slug=it.slug, title=str(it.data["title"]))
            session.add(stub)
            existing[key] = stub
            fresh.add(key)
    session.flush()
    for it in items:
        key = (it.type, it.slug)
        item = existing[key]
        digest = _digest(it.raw)
        if item.seed_digest == digest and item.deleted_at is None:
            counts.add("unchanged")
            continue
        if item.deleted_at is not None:
            counts.add("unchanged")  # deleted by an editor: the seed does not bring it back
            continue
        version = item.version
        try:
            service.update_item(session, item, it.data, SEED_AUTHOR, note=N_("Loaded from seed"),
                                publish=it.publish)
        except Invalid as exc:
            raise SeedError(_describe(it, exc)) from exc
        item.seed_digest = digest
        session.add(item)
        counts.add("created" if key in fresh else
                   "updated" if item.version != version else "unchanged")
    # Items the seed once loaded but no longer holds (the invented events and the people who
    # did not opt in, or demo items outside development) are withdrawn, for the types whose
    # files were loaded. Items editors created (no seed digest) are never touched.
    wanted = set(keys)
    loaded_types = {it.type for it in items} | {
        FILE_TYPES[p.stem] for d in (content_dir, *extra_dirs) for p in d.glob("*.yaml")
        if p.stem in FILE_TYPES}
    for key, item in existing.items():
        if (key not in wanted and key[0] in loaded_types and item.seed_digest is not None
                and item.deleted_at is None):
            service.delete_item(session, item, SEED_AUTHOR, note=N_("Removed from seed"))
            counts.add("removed")
    session.flush()
    return counts


def _describe(it: SeedItem, exc: Invalid) -> str:
    if exc.fields:
        problems = "; ".join(f"field '{k}': {v}" for k, v in exc.fields.items())
    else:
        problems = exc.message
    return f"{it.where}: {problems}"


def load_seed(db: Database, settings: Settings, seed_dir: Path | None = None) -> str:
    root = seed_dir or SEED_DIR
    with db.transaction() as s, service.batched_indexing(s):
        tax = load_taxonomy(s, root / "taxonomy.yaml")
        # Fictional demo items (seed/demo) only in development, never in test or production.
        demo = [root / "demo"] if settings.env == "development" and (root / "demo").is_dir() \
            else []
        content = load_content(s, root / "content", *demo) if (root / "content").is_dir() \
            else Counts()
    return f"knowledge base: taxonomy {tax}; content {content}"
