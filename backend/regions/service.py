"""Regions: loading the seed and the CBS files, the cached region index, lookups."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete, func, select

from backend.core.db import Database, driver_rows, utcnow
from backend.core.errors import Invalid
from backend.core.i18n import gettext_ as _
from backend.core.memo import Memo
from backend.core.settings import ROOT, Settings
from backend.regions.importer import (
    PostcodeFile,
    merge_regions,
    parse_municipalities,
    parse_postcodes,
    read_text,
    year_from_name,
)
from backend.regions.index import (
    MunicipalityHit,
    MunicipalityInfo,
    RegionIndex,
    normalise_postcode,
    search_key,
)
from backend.regions.models import Municipality, PostcodeArea
from backend.regions.places import PlaceMatch, best_location

SEED_DIR = ROOT / "seed" / "regions"


def _info(m: Municipality) -> MunicipalityInfo:
    return MunicipalityInfo(
        code=m.code, name=m.name, province_code=m.province_code, province_name=m.province_name,
        corop_code=m.corop_code, corop_name=m.corop_name,
        labour_market_code=m.labour_market_code, labour_market_name=m.labour_market_name,
        valid_year=m.valid_year, former_names=tuple(m.former_names or ()))


# --- loading --------------------------------------------------------------------------------


@dataclass
class LoadReport:
    year: int
    added: int = 0
    updated: int = 0
    removed: list[str] = field(default_factory=list)
    postcodes: int = 0
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"regions {self.year}: {self.added} municipalities added, {self.updated} updated, "
               f"{len(self.removed)} removed, {self.postcodes} postcodes"]
        out += [f"  removed: {', '.join(self.removed)}"] if self.removed else []
        out += [f"  warning: {w}" for w in self.warnings]
        return out


def load_municipalities(session: Session, rows: Iterable[MunicipalityInfo], *,
                        remove_missing: bool) -> LoadReport:
    """Upsert municipalities by CBS code. With ``remove_missing`` (a full national file), the
    ones not in the file are removed: they merged into others that year."""
    rows = list(rows)
    year = max(m.valid_year for m in rows)
    report = LoadReport(year)
    existing = {m.code: m for m in session.exec(select(Municipality)).all()}
    now = utcnow()
    new_rows: list[dict[str, Any]] = []
    for info in rows:
        row = existing.get(info.code)
        values: dict[str, Any] = {
            "name": info.name, "search_name": search_key(info.name),
            "province_code": info.province_code, "province_name": info.province_name,
            "corop_code": info.corop_code, "corop_name": info.corop_name,
            "labour_market_code": info.labour_market_code,
            "labour_market_name": info.labour_market_name,
            "valid_year": info.valid_year, "former_names": list(info.former_names),
        }
        if row is None:
            new_rows.append({"code": info.code, "imported_at": now, **values})
            report.added += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.imported_at = now
            session.add(row)
            report.updated += 1
    if new_rows:
        # One multi-row insert: a national file is a few hundred rows.
        session.execute(insert(Municipality), new_rows)
    if remove_missing:
        keep = {m.code for m in rows}
        gone = sorted(code for code in existing if code not in keep)
        if gone:
            # Never their postcodes: a municipality file says nothing about postcodes. Until a
            # postcode file moves them, they lead nowhere (location unknown) and we say so.
            session.exec(delete(Municipality).where(
                col(Municipality.code).in_(gone)))
            report.removed = [f"{c} {existing[c].name}" for c in gone]
            orphans = session.exec(select(func.count()).select_from(PostcodeArea).where(
                col(PostcodeArea.municipality_code).in_(gone))).one()
            if orphans:
                report.warnings.append(
                    f"{orphans} postcodes belong to removed municipalities and lead nowhere "
                    "until the CBS postcode file of the same year is imported (--postcodes)")
    session.flush()
    invalidate()
    return report


def load_postcodes(session: Session, postcodes: Mapping[str, str], year: int, *,
                   replace_all: bool, places: Mapping[str, str] | None = None
                   ) -> tuple[int, list[str]]:
    """Upsert PC4 -> municipality (and its woonplaats, when the file names it). Postcodes of
    unknown municipalities are skipped. With ``replace_all`` (a complete national file) the
    postcodes that are not in the file are removed."""
    places = places or {}
    known = set(session.exec(select(Municipality.code)).all())
    warnings: list[str] = []
    existing = {p.postcode: p for p in session.exec(select(PostcodeArea)).all()}
    if replace_all:
        gone = sorted(pc for pc in existing
                      if pc not in postcodes or postcodes[pc] not in known)
        for i in range(0, len(gone), 500):
            session.exec(delete(PostcodeArea).where(
                col(PostcodeArea.postcode).in_(gone[i:i + 500])))
        for pc in gone:
            existing.pop(pc)
    count = 0
    unknown = sorted({gm for gm in postcodes.values() if gm not in known})
    if unknown:
        warnings.append(f"postcodes of unknown municipalities skipped: {', '.join(unknown[:10])}"
                        + (" …" if len(unknown) > 10 else ""))
    new_rows: list[dict[str, Any]] = []
    for pc, gm in sorted(postcodes.items()):
        if gm not in known:
            continue
        row = existing.get(pc)
        place = places.get(pc)
        if row is None:
            new_rows.append({"postcode": pc, "municipality_code": gm, "valid_year": year,
                             "place": place})
        elif row.municipality_code != gm or row.valid_year != year or (
                place is not None and row.place != place):
            row.municipality_code, row.valid_year = gm, year
            if place is not None:
                row.place = place
            session.add(row)
        count += 1
    if new_rows:
        session.execute(insert(PostcodeArea), new_rows)
    session.flush()
    invalidate()
    return count, warnings


# An import that would remove more than this share of the municipalities or postcodes loaded
# now is refused unless the operator says --replace. A partial file is a mistake far more often
# than a merger round: 2021–2023 removed 3, 7 and 3 municipalities (at most 2 %); a large round
# such as 2019's (380 -> 355, 6.6 %) needs --replace.
MAX_REMOVAL_SHARE = 0.05


@dataclass
class Diff:
    """What an import would change in one table: keys with a short label each."""

    what: str  # "municipalities" | "postcodes"
    before: int
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def removed_share(self) -> float:
        return len(self.removed) / self.before if self.before else 0.0

    def line(self, examples: int = 5) -> list[str]:
        out = [f"{self.what}: {self.before} now, {len(self.added)} added, "
               f"{len(self.changed)} changed, {len(self.removed)} removed "
               f"({self.removed_share:.1%} of what is loaded)"]
        for label, items in (("added", self.added), ("changed", self.changed),
                             ("removed", self.removed)):  # changed: name, province, regions
            if items:
                more = f" … and {len(items) - examples} more" if len(items) > examples else ""
                out.append(f"  {label}: {'; '.join(items[:examples])}{more}")
        return out


@dataclass
class ImportPlan:
    """What ``loket regions import`` would do, computed before anything changes."""

    year: int
    municipalities: Diff | None = None
    postcodes: Diff | None = None
    warnings: list[str] = field(default_factory=list)
    rows: list[MunicipalityInfo] = field(default_factory=list)
    postcode_file: PostcodeFile | None = None

    @property
    def diffs(self) -> list[Diff]:
        return [d for d in (self.municipalities, self.postcodes) if d is not None]

    def too_many_removals(self) -> list[Diff]:
        return [d for d in self.diffs if d.removed_share > MAX_REMOVAL_SHARE]

    def lines(self) -> list[str]:
        out = [f"dry run of the {self.year} import (nothing changed yet):"]
        for d in self.diffs:
            out += ["  " + line for line in d.line()]
        out += [f"  warning: {w}" for w in self.warnings]
        return out


class ImportRefused(Invalid):
    """The import would remove too much without ``--replace``; ``plan`` says what."""

    def __init__(self, plan: ImportPlan) -> None:
        parts = [f"{len(d.removed)} of {d.before} {d.what} ({d.removed_share:.0%})"
                 for d in plan.too_many_removals()]
        super().__init__(
            f"refused: this import would remove {' and '.join(parts)}, more than "
            f"{MAX_REMOVAL_SHARE:.0%}. Is the file complete? Check the dry run above; if "
            "this is really the new division, run again with --replace.",
            code="import_would_remove_too_much")
        self.plan = plan


def _municipality_label(m: MunicipalityInfo | Municipality) -> str:
    return f"{m.code} {m.name}"


def plan_import(session: Session, *, municipalities: Path | None, postcodes: Path | None,
                year: int | None = None) -> ImportPlan:
    """Read the files and compare them with what is loaded; changes nothing."""
    if municipalities is None and postcodes is None:
        raise Invalid("Nothing to import: give --municipalities and/or --postcodes.")
    loaded = {m.code: m for m in session.exec(select(Municipality)).all()}
    plan = ImportPlan(year or 0)
    after_codes = set(loaded)
    if municipalities is not None:
        parsed = parse_municipalities(read_text(municipalities),
                                      year=year or year_from_name(municipalities),
                                      source=municipalities.name)
        known = {code: _info(m) for code, m in loaded.items()}
        seed = {m.code: m for m in seed_municipalities()}
        rows = merge_regions(parsed.rows, {**seed, **known})
        plan.year, plan.rows = parsed.year, rows
        plan.warnings += parsed.warnings
        diff = Diff("municipalities", len(loaded))
        new_codes = {m.code for m in rows}
        for m in rows:
            old = known.get(m.code)
            if old is None:
                diff.added.append(_municipality_label(m))
            elif (old.name, old.province_code, old.corop_code, old.labour_market_code) != (
                    m.name, m.province_code, m.corop_code, m.labour_market_code):
                diff.changed.append(f"{m.code} {old.name} → {m.name}" if old.name != m.name
                                    else _municipality_label(m))
        diff.removed = [_municipality_label(loaded[c]) for c in sorted(loaded)
                        if c not in new_codes]
        plan.municipalities = diff
        after_codes = new_codes
        without = [m.name for m in rows if not m.labour_market_code or not m.corop_code]
        if without:
            plan.warnings.append(
                f"{len(without)} municipalities without COROP or labour-market region "
                f"(e.g. {', '.join(without[:5])}); desks covering those regions will not reach "
                "them until a file with regions is imported")
    if postcodes is not None:
        pfile = parse_postcodes(read_text(postcodes), year=year or year_from_name(postcodes),
                                source=postcodes.name)
        plan.postcode_file = pfile
        plan.year = plan.year or pfile.year or utcnow().year
        plan.warnings += pfile.warnings
        current = {p.postcode: p.municipality_code
                   for p in session.exec(select(PostcodeArea)).all()}
        usable = {pc: gm for pc, gm in pfile.postcodes.items() if gm in after_codes}
        diff = Diff("postcodes", len(current))
        diff.added = [f"{pc} → {gm}" for pc, gm in sorted(usable.items()) if pc not in current]
        diff.changed = [f"{pc} {current[pc]} → {gm}" for pc, gm in sorted(usable.items())
                        if pc in current and current[pc] != gm]
        diff.removed = [f"{pc} ({gm})" for pc, gm in sorted(current.items())
                        if pc not in usable]
        plan.postcodes = diff
    return plan


def import_files(session: Session, *, municipalities: Path | None, postcodes: Path | None,
                 year: int | None = None, replace: bool = False,
                 dry_run: bool = False) -> tuple[ImportPlan, LoadReport | None]:
    """``loket regions import``: load the official CBS files (see ``importer`` for layouts).

    Computes the plan first (``plan_import``). An import that would remove more than
    ``MAX_REMOVAL_SHARE`` of the loaded municipalities or postcodes raises ``ImportRefused``
    unless ``replace``; ``dry_run`` returns the plan and changes nothing. A municipality file
    never deletes postcodes; a postcode file replaces the postcode table.
    """
    plan = plan_import(session, municipalities=municipalities, postcodes=postcodes, year=year)
    if dry_run:
        return plan, None
    if plan.too_many_removals() and not replace:
        raise ImportRefused(plan)
    report: LoadReport | None = None
    if plan.rows:
        report = load_municipalities(session, plan.rows, remove_missing=True)
    report = report or LoadReport(plan.year)
    report.warnings += plan.warnings
    if plan.postcode_file is not None:
        pfile = plan.postcode_file
        n, warnings = load_postcodes(session, pfile.postcodes, pfile.year or plan.year,
                                     replace_all=True, places=pfile.places)
        report.postcodes = n
        report.warnings += warnings
    return plan, report


def _latest(pattern: str) -> Path | None:
    files = sorted(SEED_DIR.glob(pattern), key=lambda p: (year_from_name(p) or 0, p.name))
    return files[-1] if files else None


def seed_municipalities() -> list[MunicipalityInfo]:
    path = _latest("municipalities_*.csv")
    if path is None:
        return []
    return parse_municipalities(read_text(path), year=year_from_name(path),
                                source=path.name).rows


def seed_regions(db: Database, settings: Settings) -> str:
    """Seed loader: the shipped municipalities and PC4 files. An imported newer year wins."""
    rows = seed_municipalities()
    if not rows:
        return "regions: no seed files"
    year = rows[0].valid_year
    with db.transaction() as s:
        newest = s.exec(select(func.max(Municipality.valid_year))).one()
        if newest is not None and newest > year:
            return f"regions: kept the imported {newest} data (seed is {year})"
        report = load_municipalities(s, rows, remove_missing=newest is not None)
        postcodes: dict[str, str] = {}
        places: dict[str, str] = {}
        for path in sorted(SEED_DIR.glob("pc4_*.csv")):
            pfile = parse_postcodes(read_text(path), year=year, source=path.name)
            postcodes.update(pfile.postcodes)
            places.update(pfile.places)
        # The shipped table is complete (CBS, every inhabited PC4): it replaces what an older
        # seed left (the approximate Overijssel/Gelderland table had ~700 PC4s that do not
        # exist).
        n, warnings = load_postcodes(s, postcodes, year, replace_all=True, places=places)
        report.postcodes += n
        report.warnings += warnings
    return "; ".join(report.lines())


# --- the cached index ---------------------------------------------------------------------

_index: Memo[tuple[object, ...], RegionIndex] = Memo()


def invalidate() -> None:
    _index.clear()


# Built once: constructing the statement costs more than running it.
_FINGERPRINT = sa_select(
    select(func.count()).select_from(Municipality).scalar_subquery(),
    select(func.max(Municipality.imported_at)).scalar_subquery(),
    select(func.count()).select_from(PostcodeArea).scalar_subquery(),
    select(func.max(PostcodeArea.valid_year)).scalar_subquery())


def _fingerprint(session: Session) -> tuple[object, ...]:
    """One round trip: row counts and the newest import of both tables."""
    (row,) = driver_rows(session, _FINGERPRINT)  # on every page with the datalist
    return (str(session.get_bind().engine.url), *row)


def region_index(session: Session) -> RegionIndex:
    """All municipalities and postcodes in memory, rebuilt when the data changes (checked by
    a cheap aggregate query, so every replica sees an import at once)."""
    return _index.get(_fingerprint(session), lambda: _build_index(session))


def _build_index(session: Session) -> RegionIndex:
    municipalities = [_info(m) for m in session.exec(select(Municipality)).all()]
    postcodes: dict[str, str] = {}
    places: dict[str, str] = {}
    for pc, gm, place in session.exec(select(PostcodeArea.postcode,
                                             PostcodeArea.municipality_code,
                                             PostcodeArea.place)).all():
        postcodes[pc] = gm
        if place:
            places[pc] = place
    return RegionIndex.from_rows(municipalities, postcodes, places)


# --- lookups ------------------------------------------------------------------------------


def municipality_name(session: Session, code: str | None) -> str | None:
    """The name of a municipality by its CBS code (``GM0164`` → "Hengelo"), or None when the
    code is empty or unknown (a municipality merged away after the question was asked)."""
    if not code:
        return None
    found = session.get(Municipality, code)
    return found.name if found else None


def search_municipalities(session: Session, q: str, limit: int = 10) -> list[MunicipalityHit]:
    return region_index(session).search(q, limit=limit)


def suggest_municipalities(session: Session, q: str, limit: int = 5) -> list[MunicipalityHit]:
    """For a municipality nobody knows: names that start with ``q``, else near misses
    ("Hengeloo" -> Hengelo)."""
    return region_index(session).suggestions(q, limit=limit)


def unknown_municipality_error(value: str, index: RegionIndex) -> str:
    """The field error for an unknown municipality, offering the nearest name if there is
    one ("Bedoelt u Hengelo?")."""
    near = index.close_matches(value, limit=1)
    if near:
        return _("We do not know this municipality. Did you mean %(name)s?",
                 name=near[0].municipality.name)
    return _("We do not know this municipality.")


@functools.cache
def seed_region_index() -> RegionIndex:
    """The shipped division (``seed/regions/``) as an index, read once: for pure callers and
    tests that have no database. The database's ``region_index`` wins wherever there is one."""
    postcodes: dict[str, str] = {}
    places: dict[str, str] = {}
    for path in sorted(SEED_DIR.glob("pc4_*.csv")):
        pfile = parse_postcodes(read_text(path), year=None, source=path.name)
        postcodes.update(pfile.postcodes)
        places.update(pfile.places)
    return RegionIndex.from_rows(seed_municipalities(), postcodes, places)


def places_in_text(text: str, index: RegionIndex | None = None) -> list[PlaceMatch]:
    """Places, municipalities and provinces named in ``text``, left to right.

    Pure and fast (a dictionary lookup per word; the name index is built once per region
    index). ``index`` defaults to the shipped seed division; pass ``region_index(session)`` or
    the routing context's regions to use the loaded data. See ``backend.regions.places`` for the
    rules (ambiguous names, ordinary words such as "Best" or "Putten").
    """
    if not text:
        return []
    return (index or seed_region_index()).place_index().find(text)


# How a location was found.
FROM_MUNICIPALITY, FROM_POSTCODE, FROM_TEXT = "municipality", "postcode", "text"


@dataclass(frozen=True)
class Location:
    """Where the business is, how we know, and what we could not tell."""

    municipality: MunicipalityInfo | None = None
    source: str | None = None  # municipality | postcode | text | None
    postcode: str | None = None  # the PC4 given
    postcode_unknown: bool = False  # well-formed, but not in the table: location unknown
    place: str | None = None  # the woonplaats of the postcode, or the name read in the text
    ambiguous: PlaceMatch | None = None  # a name in the text that fits several municipalities
    matches: tuple[PlaceMatch, ...] = ()

    def note(self) -> str | None:
        """One sentence for the routing explanation when the location is not a plain given
        municipality or known postcode; None otherwise."""
        m = self.municipality
        if self.source == FROM_TEXT and m is not None:
            return _("We read “%(place)s” in your question: your business is in %(municipality)s "
                     "(%(province)s). Give your postcode or municipality if that is not right.",
                     place=self.place or m.name, municipality=m.name, province=m.province_name)
        if (self.source == FROM_MUNICIPALITY and m is not None and self.place
                and search_key(self.place) != search_key(m.name)):
            return _("%(place)s lies in the municipality of %(municipality)s (%(province)s).",
                     place=self.place, municipality=m.name, province=m.province_name)
        if self.ambiguous is not None:
            options = _join_or([f"{c.name} ({c.province_name})"
                                for c in self.ambiguous.candidates[:5]])
            return _("“%(place)s” in your question can be in %(options)s; give your postcode or "
                     "municipality so we can include regional desks. Until then only desks that "
                     "work nationwide are considered.",
                     place=self.ambiguous.text, options=options)
        if self.postcode_unknown:
            return _("We do not know postcode %(postcode)s (it may be a business park without "
                     "residents), so your location is unknown: only desks that work nationwide "
                     "are considered. Give your municipality to include regional desks.",
                     postcode=self.postcode)
        return None


def _join_or(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " " + _("or") + " " + items[-1]


def locate(session: Session, *, municipality: str | None = None, postcode: str | None = None,
           text: str | None = None, index: RegionIndex | None = None) -> Location:
    """The business's location from, in this order, a municipality (CBS code, name or former
    name, or a woonplaats that lies in one municipality), a postcode, or a place named in the
    text.

    Raises ``Invalid`` naming the field for an unknown municipality or a postcode that is not a
    Dutch postcode. A well-formed postcode that is not in the table (CBS lists only inhabited
    PC4s) is no error: the location is unknown, and the text may still name the place.
    """
    index = index or region_index(session)
    if municipality and municipality.strip():
        found = index.resolve(municipality)
        if found is None:
            # A woonplaats in the municipality field ("Badhoevedorp", "Hoogezand"): its
            # municipality when the name is not ambiguous, else ask which one.
            place = index.place_index().lookup(municipality)
            if place is not None and place.municipality is not None:
                return Location(place.municipality, FROM_MUNICIPALITY, place=place.name)
            if place is not None:
                options = _join_or([f"{c.name} ({c.province_name})"
                                    for c in place.candidates[:5]])
                raise Invalid(
                    _("“%(place)s” lies in more than one municipality.",
                      place=place.text[:80]),
                    code="ambiguous_municipality",
                    fields={"municipality": _(
                        "“%(place)s” can be in %(options)s: give the municipality or a "
                        "postcode.", place=place.text[:80], options=options)})
            raise Invalid(_("Unknown municipality: %(value)s.", value=municipality.strip()[:80]),
                          code="unknown_municipality",
                          fields={"municipality": unknown_municipality_error(municipality,
                                                                             index)})
        return Location(found, FROM_MUNICIPALITY)
    pc4: str | None = None
    if postcode and postcode.strip():
        pc4 = normalise_postcode(postcode)
        if pc4 is None:
            raise Invalid(_("This is not a Dutch postcode: %(value)s.", value=postcode[:20]),
                          code="invalid_postcode",
                          fields={"postcode": _("Enter a postcode like 7411 AB or 7411.")})
        found = index.by_postcode(pc4)
        if found is not None:
            return Location(found, FROM_POSTCODE, pc4, place=index.place_of(pc4))
    matches = tuple(places_in_text(text, index)) if text else ()
    best = best_location(matches)
    if best is not None and best.municipality is not None:
        return Location(best.municipality, FROM_TEXT, pc4, pc4 is not None, best.text,
                        matches=matches)
    return Location(None, None, pc4, pc4 is not None,
                    ambiguous=best if best is not None and best.ambiguous else None,
                    matches=matches)


def resolve_location(session: Session, municipality: str | None,
                     postcode: str | None, text: str | None = None) -> MunicipalityInfo | None:
    """The business's municipality from a CBS code or name, else from a postcode, else from a
    place named in ``text`` (see ``locate``, which also says how it was found).

    Raises ``Invalid`` naming the field for an unknown municipality or a malformed postcode; a
    well-formed postcode that is not in the table gives None (location unknown).
    """
    return locate(session, municipality=municipality, postcode=postcode, text=text).municipality


_options: tuple[RegionIndex, list[MunicipalityHit]] | None = None


def all_options(session: Session) -> list[MunicipalityHit]:
    """Every current and former name, for the datalist a page renders without JavaScript.

    Sorted once per region index (the index is rebuilt when the data changes); callers get
    the shared list and must not change it.
    """
    global _options
    index = region_index(session)
    cached = _options
    if cached is not None and cached[0] is index:
        return cached[1]
    out = [MunicipalityHit(m, m.name) for m in index.municipalities.values()]
    out += [MunicipalityHit(m, old) for m in index.municipalities.values()
            for old in m.former_names]
    out.sort(key=lambda h: h.matched.lower())
    _options = (index, out)
    return out
