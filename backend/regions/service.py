"""Regions: loading the seed and the CBS files, the cached region index, lookups."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete, func, select

from backend.core.db import Database, utcnow
from backend.core.errors import Invalid
from backend.core.i18n import gettext_ as _
from backend.core.settings import ROOT, Settings
from backend.regions.importer import (
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
            session.exec(delete(PostcodeArea).where(
                col(PostcodeArea.municipality_code).in_(gone)))
            session.exec(delete(Municipality).where(
                col(Municipality.code).in_(gone)))
            report.removed = [f"{c} {existing[c].name}" for c in gone]
    session.flush()
    invalidate()
    return report


def load_postcodes(session: Session, postcodes: Mapping[str, str], year: int, *,
                   replace_all: bool) -> tuple[int, list[str]]:
    """Upsert PC4 -> municipality. Postcodes of unknown municipalities are skipped."""
    known = set(session.exec(select(Municipality.code)).all())
    warnings: list[str] = []
    if replace_all:
        session.exec(delete(PostcodeArea))
        existing: dict[str, PostcodeArea] = {}
    else:
        existing = {p.postcode: p for p in session.exec(select(PostcodeArea)).all()}
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
        if row is None:
            new_rows.append({"postcode": pc, "municipality_code": gm, "valid_year": year})
        elif row.municipality_code != gm or row.valid_year != year:
            row.municipality_code, row.valid_year = gm, year
            session.add(row)
        count += 1
    if new_rows:
        session.execute(insert(PostcodeArea), new_rows)
    session.flush()
    invalidate()
    return count, warnings


def import_files(session: Session, *, municipalities: Path | None, postcodes: Path | None,
                 year: int | None = None) -> LoadReport:
    """``loket regions import``: load the official CBS files (see ``importer`` for layouts)."""
    report: LoadReport | None = None
    if municipalities is not None:
        parsed = parse_municipalities(read_text(municipalities),
                                      year=year or year_from_name(municipalities),
                                      source=municipalities.name)
        known = {m.code: _info(m) for m in session.exec(select(Municipality)).all()}
        seed = {m.code: m for m in seed_municipalities()}
        rows = merge_regions(parsed.rows, {**seed, **known})
        report = load_municipalities(session, rows, remove_missing=True)
        report.warnings += parsed.warnings
        without = [m.name for m in rows if not m.labour_market_code or not m.corop_code]
        if without:
            report.warnings.append(
                f"{len(without)} municipalities without COROP or labour-market region "
                f"(e.g. {', '.join(without[:5])}); desks covering those regions will not reach "
                "them until a file with regions is imported")
    if postcodes is not None:
        pfile = parse_postcodes(read_text(postcodes), year=year or year_from_name(postcodes),
                                source=postcodes.name)
        pc_year = pfile.year or (report.year if report else utcnow().year)
        n, warnings = load_postcodes(session, pfile.postcodes, pc_year, replace_all=True)
        if report is None:
            report = LoadReport(pc_year)
        report.postcodes = n
        report.warnings += pfile.warnings + warnings
    if report is None:
        raise Invalid("Nothing to import: give --municipalities and/or --postcodes.")
    return report


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
        for path in sorted(SEED_DIR.glob("pc4_*.csv")):
            pfile = parse_postcodes(read_text(path), year=year, source=path.name)
            n, warnings = load_postcodes(s, pfile.postcodes, pfile.year or year,
                                         replace_all=False)
            report.postcodes += n
            report.warnings += warnings
    return "; ".join(report.lines())


# --- the cached index ---------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[object, ...], RegionIndex]] = {}


def invalidate() -> None:
    with _lock:
        _cache.clear()


# Built once: constructing the statement costs more than running it.
_FINGERPRINT = sa_select(
    select(func.count()).select_from(Municipality).scalar_subquery(),
    select(func.max(Municipality.imported_at)).scalar_subquery(),
    select(func.count()).select_from(PostcodeArea).scalar_subquery(),
    select(func.max(PostcodeArea.valid_year)).scalar_subquery())


def _fingerprint(session: Session) -> tuple[object, ...]:
    """One round trip: row counts and the newest import of both tables."""
    row = session.connection().execute(_FINGERPRINT).one()
    return (str(session.get_bind().engine.url), *row)


def region_index(session: Session) -> RegionIndex:
    """All municipalities and postcodes in memory, rebuilt when the data changes (checked by
    a cheap aggregate query, so every replica sees an import at once)."""
    key = _fingerprint(session)
    with _lock:
        hit = _cache.get("index")
        if hit is not None and hit[0] == key:
            return hit[1]
    municipalities = [_info(m) for m in session.exec(select(Municipality)).all()]
    postcodes: dict[str, str] = {
        p.postcode: p.municipality_code for p in session.exec(select(PostcodeArea)).all()}
    index = RegionIndex.from_rows(municipalities, postcodes)
    with _lock:
        _cache["index"] = (key, index)
    return index


# --- lookups ------------------------------------------------------------------------------


def search_municipalities(session: Session, q: str, limit: int = 10) -> list[MunicipalityHit]:
    return region_index(session).search(q, limit=limit)


def resolve_location(session: Session, municipality: str | None,
                     postcode: str | None) -> MunicipalityInfo | None:
    """The business's municipality from a CBS code or name, else from a postcode.

    Raises ``Invalid`` naming the field when a value is given but not known.
    """
    index = region_index(session)
    if municipality and municipality.strip():
        found = index.resolve(municipality)
        if found is None:
            raise Invalid(_("Unknown municipality: %(value)s.", value=municipality.strip()[:80]),
                          code="unknown_municipality",
                          fields={"municipality": _("We do not know this municipality.")})
        return found
    if postcode and postcode.strip():
        pc4 = normalise_postcode(postcode)
        if pc4 is None:
            raise Invalid(_("This is not a Dutch postcode: %(value)s.", value=postcode[:20]),
                          code="invalid_postcode",
                          fields={"postcode": _("Enter a postcode like 7411 AB or 7411.")})
        found = index.by_postcode(pc4)
        if found is None:
            raise Invalid(_("Unknown postcode: %(value)s.", value=pc4), code="unknown_postcode",
                          fields={"postcode": _(
                              "We do not know this postcode yet; choose your municipality "
                              "instead.")})
        return found
    return None
