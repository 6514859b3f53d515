"""Taxonomy: pillars, themes, sectors, company sizes and regions — lookups and editing.

The one truth about the taxonomy is the database, read through ``load(session)``: every
reader (the question form and its validation, search facets, the "which desk" page, the
router, the scan, the scheme finder, groups) asks here. The whole taxonomy is a few hundred
rows, so it is read in one go per request and looked up in memory; facet values everywhere are
slugs, names come from here. ``seed/taxonomy.yaml`` only seeds the tables (``content.seed``);
until a database holds any taxonomy at all (a fresh install before ``loket seed``) ``load``
gives the shipped file's terms, so the question form works from the first start.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.content.models import (
    CompanySize,
    ContentItem,
    ContentSector,
    ContentTheme,
    Pillar,
    Region,
    Sector,
    SectorCreate,
    Theme,
    ThemeCreate,
)
from backend.core.db import Database, driver_rows
from backend.core.errors import Invalid, NotFound
from backend.core.i18n import N_, get_language
from backend.core.memo import Memo
from backend.core.outbox import enqueue
from backend.core.settings import ROOT

Term = Pillar | Theme | Sector | CompanySize | Region


def slugify(text: str, max_length: int = 80) -> str:
    """"Financiële regeling (2026)!" -> "financiele-regeling-2026"."""
    normal = unicodedata.normalize("NFKD", text)
    ascii_text = normal.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-")


def name_of(term: Any) -> str:
    """Name in the current language (Dutch when there is no English name)."""
    if get_language() == "en" and getattr(term, "name_en", None):
        return str(term.name_en)
    return str(term.name_nl)


@dataclass
class Taxonomy:
    pillars: list[Pillar] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    sectors: list[Sector] = field(default_factory=list)
    sizes: list[CompanySize] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pillar_by_id = {p.id: p for p in self.pillars}
        self.theme_by_id = {t.id: t for t in self.themes}
        self.sector_by_id = {s.id: s for s in self.sectors}
        self.size_by_id = {s.id: s for s in self.sizes}
        self.region_by_id = {r.id: r for r in self.regions}
        self.by_slug: dict[str, dict[str, Any]] = {
            "pillar": {p.slug: p for p in self.pillars},
            "theme": {t.slug: t for t in self.themes},
            "sector": {s.slug: s for s in self.sectors},
            "size": {s.slug: s for s in self.sizes},
            "region": {r.slug: r for r in self.regions},
        }

    def pillar_of(self, theme: Theme) -> Pillar | None:
        return self.pillar_by_id.get(theme.pillar_id)

    def sector_lineage(self, sector: Sector) -> list[Sector]:
        """The sector and its parents, nearest first (a cycle cannot loop forever)."""
        out: list[Sector] = []
        current: Sector | None = sector
        while current is not None and current not in out:
            out.append(current)
            current = self.sector_by_id.get(current.parent_id) if current.parent_id else None
        return out

    def label(self, facet: str, slug: str) -> str:
        """Display name of a facet value; unknown slugs are shown as they are."""
        term = self.by_slug.get(facet, {}).get(slug)
        return name_of(term) if term is not None else slug

    def options(self, facet: str) -> list[tuple[str, str]]:
        return [(slug, name_of(term)) for slug, term in self.by_slug.get(facet, {}).items()]

    def is_known(self, facet: str, slug: str | None) -> bool:
        return bool(slug) and slug in self.by_slug.get(facet, {})


_TERM_MODELS: tuple[type[Any], ...] = (Pillar, Theme, Sector, CompanySize, Region)
# Plain column rows in the taxonomy's order; built once (building a statement costs more
# than running it). JSON columns (keywords, SBI codes) come as their text: the rows are the
# cache key, read on every request, and only a build needs them decoded.
_JSON_COLUMNS = tuple(frozenset(c.name for c in m.__table__.c if isinstance(c.type, sa.JSON))
                      for m in _TERM_MODELS)
_ROWS = tuple(sa.select(*(sa.cast(c, sa.Text).label(c.name) if c.name in as_text else c
                          for c in m.__table__.c))
              .order_by(m.__table__.c.position, m.__table__.c.id)
              for m, as_text in zip(_TERM_MODELS, _JSON_COLUMNS, strict=True))
_cached: Memo[tuple[tuple[tuple[Any, ...], ...], ...], Taxonomy] = Memo()


# SBI 2008 (KvK/CBS): the section letter of each two-digit division.
_SBI_SECTIONS = (("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39),
                 ("F", 41, 43), ("G", 45, 47), ("H", 49, 53), ("I", 55, 56), ("J", 58, 63),
                 ("K", 64, 66), ("L", 68, 68), ("M", 69, 75), ("N", 77, 82), ("O", 84, 84),
                 ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93), ("S", 94, 96), ("T", 97, 98),
                 ("U", 99, 99))
SBI_RE = re.compile(r"^(?:[A-Ua-u]|\d{2}(?:\.?\d{1,3})*)$")


def sbi_section(code: str) -> str | None:
    """The SBI section letter of a code: "C", "25", "25.62" or "2562" -> "C"."""
    code = code.strip()
    if len(code) == 1 and code.isalpha():
        return code.upper()
    digits = code.replace(".", "")
    if len(digits) < 2 or not digits.isdigit():
        return None
    division = int(digits[:2])
    return next((letter for letter, lo, hi in _SBI_SECTIONS if lo <= division <= hi), None)


def sector_for_sbi(taxonomy: Taxonomy, code: str) -> Sector | None:
    """The taxonomy sector for an SBI code as a firm knows it from its KvK registration.

    A sub-sector whose ``sbi_codes`` cover the code is chosen when it is the only most
    specific one; when several sub-sectors cover it equally (SBI 25 is both "metaal" and
    "maakindustrie") the section itself is chosen, so no sub-sector's schemes are claimed.
    """
    if not SBI_RE.match(code.strip()):
        return None
    section = sbi_section(code)
    if section is None:
        return None
    top = next((s for s in taxonomy.sectors if (s.sbi or "").upper() == section
                and s.parent_id is None), None)
    digits = code.strip().replace(".", "")
    if top is None or not digits.isdigit():
        return top
    best: list[Sector] = []
    best_len = 0
    for sector in taxonomy.sectors:
        if sector.parent_id is None:
            continue
        for sbi in sector.sbi_codes or []:
            prefix = str(sbi).replace(".", "")
            if prefix and digits.startswith(prefix):
                if len(prefix) > best_len:
                    best, best_len = [sector], len(prefix)
                elif len(prefix) == best_len and sector not in best:
                    best.append(sector)
    if len(best) == 1 and top in taxonomy.sector_lineage(best[0]):
        return best[0]
    return top


SEED_FILE = ROOT / "seed" / "taxonomy.yaml"


def _seed_rows(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    rows = data.get(key) or []
    return [e for e in rows if isinstance(e, dict) and e.get("slug")] if isinstance(
        rows, list) else []


_shipped: Memo[None, Taxonomy] = Memo()


def shipped() -> Taxonomy:
    """The shipped seed file as a taxonomy (ids are positions), for a database without one.

    Only ``load`` uses it, and only while every taxonomy table is empty; the seed loader
    (``content.seed.load_taxonomy``) is what writes the file into the database. Read once per
    process (one thread reads it while others wait, so every caller gets the same object).
    """
    return _shipped.get(None, _read_shipped)


def _read_shipped() -> Taxonomy:
    import yaml  # lazy: PyYAML is 10 ms of a cold start; only seeding and editing read YAML

    try:
        data = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8")) or {}
    except OSError:
        data = {}
    if not isinstance(data, dict):
        data = {}

    def names(e: dict[str, Any]) -> dict[str, Any]:
        return {"slug": str(e["slug"]), "name_nl": str(e.get("name_nl") or e["slug"]),
                "name_en": str(e.get("name_en") or "")}

    pillars = [Pillar(id=n, position=n, description_nl=str(e.get("description_nl") or ""),
                      **names(e)) for n, e in enumerate(_seed_rows(data, "pillars"), 1)]
    pillar_ids = {p.slug: p.id for p in pillars}
    themes = [Theme(id=n, position=n, pillar_id=pillar_ids.get(str(e.get("pillar")), 0) or 0,
                    description_nl=str(e.get("description_nl") or ""),
                    keywords=[str(k) for k in e.get("keywords") or []], **names(e))
              for n, e in enumerate(_seed_rows(data, "themes"), 1)]
    sector_rows = _seed_rows(data, "sectors")
    sector_ids = {e["slug"]: n for n, e in enumerate(sector_rows, 1)}
    sectors = [Sector(id=n, position=n, sbi=str(e["sbi"]) if e.get("sbi") else None,
                      sbi_codes=[str(c) for c in e.get("sbi_codes") or []],
                      parent_id=sector_ids.get(e.get("parent")), **names(e))
               for n, e in enumerate(sector_rows, 1)]
    sizes = [CompanySize(id=n, position=n, min_people=e.get("min"), max_people=e.get("max"),
                         **names(e)) for n, e in enumerate(_seed_rows(data, "company_sizes"), 1)]
    regions = [Region(id=n, position=n, cbs_code=e.get("cbs_code"), **names(e))
               for n, e in enumerate(_seed_rows(data, "regions"), 1)]
    return Taxonomy(pillars=pillars, themes=themes, sectors=sectors, sizes=sizes,
                    regions=regions)


def load(session: Session) -> Taxonomy:
    """The whole taxonomy as the caller's transaction sees it: the one cached reader.

    Pages ask for it on every request. Reading the rows as plain tuples is cheap; turning
    them into model objects is not, so the last result is kept and reused while the rows are
    exactly the same. The rows themselves are the cache key, so an editor's change (in any
    process, or a seed run) invalidates it at the next read, and callers may compare results
    with ``is`` to keep what they derive from it. The terms it holds are shared and must be
    treated as read-only. A database without any taxonomy row gives ``shipped()``.
    """
    rows = _term_rows(session)
    if not any(rows):
        return shipped()

    def values(model: Any, as_text: frozenset[str], row: Any) -> dict[str, Any]:
        return {k: json.loads(v) if k in as_text and v is not None else v
                for k, v in zip(model.__table__.c.keys(), row, strict=True)}

    def build() -> Taxonomy:
        pillars, themes, sectors, sizes, regions = (
            [model(**values(model, as_text, r)) for r in table_rows]
            for model, as_text, table_rows in zip(_TERM_MODELS, _JSON_COLUMNS, rows,
                                                  strict=True))
        return Taxonomy(pillars=pillars, themes=themes, sectors=sectors, sizes=sizes,
                        regions=regions)

    return _cached.get(rows, build)


def warm(db: Database) -> None:
    """Read the taxonomy once: a served app does before it answers (``backend.main``), as the
    knowledge base's, the question form's and the finder's pages all read it first."""
    with db.transaction(write=False) as session:
        load(session)


def _term_rows(session: Session) -> tuple[tuple[tuple[Any, ...], ...], ...]:
    """The five tables' rows as plain tuples (``core.db.driver_rows``: through SQLAlchemy's
    execution, with ``Row`` objects compared as the key, a read cost 0.7 ms instead of 0.15 on
    every page, docs/benchmarks.md h10-pages); the columns are integers and text (JSON as
    text), which the drivers give as SQLAlchemy does."""
    return tuple(tuple(driver_rows(session, stmt)) for stmt in _ROWS)


# --- editing -------------------------------------------------------------------------------

def _reindex_linked(session: Session, link: type[ContentTheme] | type[ContentSector],
                    term_ids: list[int]) -> None:
    """Search documents carry theme names, pillars and parent sectors; refresh the published
    items that use the changed terms."""
    term_col = col(link.theme_id) if link is ContentTheme else col(ContentSector.sector_id)
    ids = set(session.exec(
        select(link.item_id).join(ContentItem, col(ContentItem.id) == link.item_id)
        .where(term_col.in_(term_ids), ContentItem.status == "published",
               col(ContentItem.deleted_at).is_(None))))
    if ids:
        enqueue(session, "search.index", {"ids": sorted(ids)})


def _pillar(session: Session, slug: str) -> Pillar:
    pillar = session.exec(select(Pillar).where(Pillar.slug == slug)).first()
    if pillar is None:
        raise Invalid(fields={"pillar": N_("Choose one of the pillars.")})
    return pillar


def create_theme(session: Session, data: ThemeCreate) -> Theme:
    slug = data.slug or slugify(data.name_nl)
    if not slug:
        raise Invalid(fields={"name_nl": N_("This field is required.")})
    if session.exec(select(Theme).where(Theme.slug == slug)).first() is not None:
        raise Invalid(fields={"slug": N_("This code is already in use.")})
    pillar = _pillar(session, data.pillar)
    position = len(session.exec(select(Theme.id)).all())
    theme = Theme(slug=slug, name_nl=data.name_nl, name_en=data.name_en,
                  description_nl=data.description_nl, pillar_id=pillar.id or 0,
                  keywords=_keywords(data.keywords), position=position)
    session.add(theme)
    session.flush()
    return theme


def _keywords(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        v = " ".join(v.split()).lower()
        if v and v not in out:
            out.append(v)
    return out


def update_theme(session: Session, theme_id: int, data: ThemeCreate) -> Theme:
    """Rename, move to another pillar or change keywords; the slug (the facet value) stays."""
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise NotFound()
    pillar = _pillar(session, data.pillar)
    theme.name_nl = data.name_nl
    theme.name_en = data.name_en
    theme.description_nl = data.description_nl
    theme.keywords = _keywords(data.keywords)
    theme.pillar_id = pillar.id or theme.pillar_id
    session.add(theme)
    session.flush()
    _reindex_linked(session, ContentTheme, [theme_id])
    return theme


def _parent_sector(session: Session, slug: str | None, own_id: int | None) -> Sector | None:
    if not slug:
        return None
    parent = session.exec(select(Sector).where(Sector.slug == slug)).first()
    if parent is None or parent.id == own_id:
        raise Invalid(fields={"parent": N_("Choose an existing sector.")})
    # Refuse cycles: the new parent must not descend from this sector.
    seen: Sector | None = parent
    while seen is not None and seen.parent_id is not None:
        if seen.parent_id == own_id:
            raise Invalid(fields={"parent": N_("Choose an existing sector.")})
        seen = session.get(Sector, seen.parent_id)
    return parent


def create_sector(session: Session, data: SectorCreate) -> Sector:
    slug = data.slug or slugify(data.name_nl)
    if not slug:
        raise Invalid(fields={"name_nl": N_("This field is required.")})
    if session.exec(select(Sector).where(Sector.slug == slug)).first() is not None:
        raise Invalid(fields={"slug": N_("This code is already in use.")})
    parent = _parent_sector(session, data.parent, None)
    position = len(session.exec(select(Sector.id)).all())
    sector = Sector(slug=slug, name_nl=data.name_nl, name_en=data.name_en, sbi=data.sbi or None,
                    parent_id=parent.id if parent else None, position=position)
    session.add(sector)
    session.flush()
    return sector


def update_sector(session: Session, sector_id: int, data: SectorCreate) -> Sector:
    sector = session.get(Sector, sector_id)
    if sector is None:
        raise NotFound()
    parent = _parent_sector(session, data.parent, sector_id)
    sector.name_nl = data.name_nl
    sector.name_en = data.name_en
    sector.sbi = data.sbi or None
    new_parent = parent.id if parent else None
    moved = new_parent != sector.parent_id
    sector.parent_id = new_parent
    session.add(sector)
    session.flush()
    if moved:
        tax = load(session)
        family = [s.id for s in tax.sectors
                  if s.id is not None and sector_id in {x.id for x in tax.sector_lineage(s)}]
        _reindex_linked(session, ContentSector, family)
    return sector
