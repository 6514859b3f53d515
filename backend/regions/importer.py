"""Reading municipality and postcode files: our seed CSVs and the official CBS files.

Supported layouts (detected from the header row; ``;``, ``,`` or tab separated; UTF-8 or
Windows-1252, as Excel saves them):

Municipalities
  - CBS "Gemeenten alfabetisch <jaar>" (xlsx saved as CSV): ``Gemeentecode;GemeentecodeGM;
    Gemeentenaam;Provinciecode;ProvinciecodePV;Provincienaam``. It has no COROP or labour-market
    region: those are kept from the data already loaded for the same CBS code.
  - CBS "Gebieden in Nederland" exports and our own ``seed/regions/municipalities_<jaar>.csv``:
    any header that names the municipality code and name, and optionally the province, COROP
    region and labour-market region (codes and names), e.g. ``GemeentecodeGM, Gemeentenaam,
    ProvinciecodePV, Provincienaam, COROPgebiedcode, COROPgebied, Arbeidsmarktregiocode,
    Arbeidsmarktregio``; ``former_names`` (``|``-separated) is ours.

Postcodes
  - CBS "pc4 gemeente" / "pc6hnr gemeente" (``PC4;Gemeente2025`` or ``PC6;Huisnummer;...;
    Gemeente2025``): a PC4 goes to the municipality most of its rows (addresses) belong to.
  - ours: ``postcode,municipality_code,valid_year``.

Codes may be bare numbers ("150", "23") or prefixed ("GM0150", "PV23", "CR12", "AM05").
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from backend.regions.index import MunicipalityInfo, normalise_postcode

_YEAR = re.compile(r"(20\d\d)")


class ImportFormatError(ValueError):
    """The file is not in a layout we understand; the message says what is missing."""


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


# Header aliases (after _key) for each field, most specific first.
_MUNICIPALITY_FIELDS: dict[str, tuple[str, ...]] = {
    "code": ("gemeentecodegm", "code", "gmcode", "gemeentecode", "municipalitycode", "regios",
             "code1", "gemeente"),
    "name": ("gemeentenaam", "name", "naam", "naam2", "municipality", "municipalityname"),
    "province_code": ("provinciecodepv", "provincecode", "provinciecode"),
    "province_name": ("provincienaam", "provincename", "provincie", "province"),
    "corop_code": ("coropgebiedcode", "coropcode", "coropregiocode"),
    "corop_name": ("coropgebied", "coropname", "coropregio", "coropnaam"),
    "labour_market_code": ("arbeidsmarktregiocode", "labourmarketcode", "amrcode"),
    "labour_market_name": ("arbeidsmarktregio", "labourmarketname", "arbeidsmarktregionaam"),
    "valid_year": ("validyear", "jaar", "year"),
    "former_names": ("formernames", "voormaligenamen"),
}

PROVINCE_NAMES = {
    "PV20": "Groningen", "PV21": "Fryslân", "PV22": "Drenthe", "PV23": "Overijssel",
    "PV24": "Flevoland", "PV25": "Gelderland", "PV26": "Utrecht", "PV27": "Noord-Holland",
    "PV28": "Zuid-Holland", "PV29": "Zeeland", "PV30": "Noord-Brabant", "PV31": "Limburg",
}
_PROVINCE_BY_NAME = {re.sub(r"[^a-z]", "", n.lower().replace("â", "a")): c
                     for c, n in PROVINCE_NAMES.items()} | {"friesland": "PV21"}


def _prefixed(value: str, prefix: str, width: int) -> str | None:
    v = value.strip().upper()
    if not v:
        return None
    if v.startswith(prefix):
        v = v[len(prefix):]
    return f"{prefix}{int(v):0{width}d}" if v.isdigit() else None


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFormatError(f"{path.name}: cannot decode the file (expected UTF-8 or Windows-1252)")


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise ImportFormatError("the file is empty")
    first = lines[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    rows = [[c.strip() for c in row] for row in reader]
    return rows[0], rows[1:]


def _columns(header: list[str], fields: dict[str, tuple[str, ...]]) -> dict[str, int]:
    keys = [_key(h) for h in header]
    found: dict[str, int] = {}
    for name, aliases in fields.items():
        for alias in aliases:
            if alias in keys and keys.index(alias) not in found.values():
                found[name] = keys.index(alias)
                break
    return found


def year_from_name(path: Path) -> int | None:
    match = _YEAR.search(path.name)
    return int(match.group(1)) if match else None


@dataclass
class MunicipalityFile:
    rows: list[MunicipalityInfo]
    year: int
    has_regions: bool  # whether the file carried COROP and labour-market regions
    warnings: list[str] = field(default_factory=list)


def parse_municipalities(text: str, *, year: int | None, source: str = "file"
                         ) -> MunicipalityFile:
    header, data = _rows(text)
    cols = _columns(header, _MUNICIPALITY_FIELDS)
    missing = [f for f in ("code", "name") if f not in cols]
    if missing:
        raise ImportFormatError(
            f"{source}: no column for {', '.join(missing)} (header: {', '.join(header)}); "
            "expected e.g. GemeentecodeGM and Gemeentenaam")
    if "province_code" not in cols and "province_name" not in cols:
        raise ImportFormatError(f"{source}: no province column (ProvinciecodePV or Provincienaam)")
    out: list[MunicipalityInfo] = []
    warnings: list[str] = []
    years: set[int] = set()

    def cell(row: list[str], name: str) -> str:
        i = cols.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    for n, row in enumerate(data, start=2):
        code = _prefixed(cell(row, "code"), "GM", 4)
        name = cell(row, "name")
        if not code or not name:
            warnings.append(f"{source} line {n}: skipped (no municipality code or name)")
            continue
        pv = _prefixed(cell(row, "province_code"), "PV", 2)
        pname = cell(row, "province_name")
        if pv is None and pname:
            pv = _PROVINCE_BY_NAME.get(re.sub(r"[^a-z]", "", pname.lower().replace("â", "a")))
        if pv is None:
            warnings.append(f"{source} line {n}: skipped {name} (unknown province)")
            continue
        row_year = cell(row, "valid_year")
        if row_year.isdigit():
            years.add(int(row_year))
        former = tuple(s.strip() for s in cell(row, "former_names").split("|") if s.strip())
        out.append(MunicipalityInfo(
            code=code, name=name, province_code=pv,
            province_name=PROVINCE_NAMES.get(pv, pname or pv),
            corop_code=_prefixed(cell(row, "corop_code"), "CR", 2),
            corop_name=cell(row, "corop_name") or None,
            labour_market_code=_prefixed(cell(row, "labour_market_code"), "AM", 2),
            labour_market_name=cell(row, "labour_market_name") or None,
            valid_year=int(row_year) if row_year.isdigit() else 0,
            former_names=former))
    if not out:
        raise ImportFormatError(f"{source}: no municipalities found")
    chosen_year = year or (max(years) if years else None)
    if chosen_year is None:
        raise ImportFormatError(f"{source}: no year in the file or its name; pass --year")
    rows = [replace(m, valid_year=chosen_year) for m in out]
    has_regions = "corop_code" in cols and "labour_market_code" in cols
    return MunicipalityFile(rows, chosen_year, has_regions, warnings)


_POSTCODE_FIELDS: dict[str, tuple[str, ...]] = {
    "postcode": ("pc4", "postcode", "pc6", "postcode4", "postcodepc4"),
    "municipality": ("municipalitycode", "gemeentecode", "gemeentecodegm", "gemeente", "gm"),
    "valid_year": ("validyear", "jaar", "year"),
    "place": ("place", "woonplaats", "woonplaatsnaam", "plaats"),
}


@dataclass
class PostcodeFile:
    postcodes: dict[str, str]  # PC4 -> GMxxxx
    year: int | None
    warnings: list[str] = field(default_factory=list)
    places: dict[str, str] = field(default_factory=dict)  # PC4 -> woonplaats, when given


def parse_postcodes(text: str, *, year: int | None, source: str = "file") -> PostcodeFile:
    header, data = _rows(text)
    cols = _columns(header, _POSTCODE_FIELDS)
    if "municipality" not in cols:
        # CBS names the column after the year: Gemeente2025, gem2025.
        for i, h in enumerate(header):
            match = re.fullmatch(r"(?:gemeente|gem)(20\d\d)", _key(h))
            if match:
                cols["municipality"] = i
                year = year or int(match.group(1))
                break
    missing = [f for f in ("postcode", "municipality") if f not in cols]
    if missing:
        raise ImportFormatError(
            f"{source}: no column for {', '.join(missing)} (header: {', '.join(header)}); "
            "expected e.g. PC4 and Gemeente2025")
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    place_votes: dict[str, Counter[str]] = defaultdict(Counter)
    place_col = cols.get("place")
    warnings: list[str] = []
    years: set[int] = set()
    for n, row in enumerate(data, start=2):
        pc_raw = row[cols["postcode"]] if cols["postcode"] < len(row) else ""
        pc4 = normalise_postcode(pc_raw[:4]) if pc_raw else None
        gm = _prefixed(row[cols["municipality"]], "GM", 4) if cols["municipality"] < len(row) \
            else None
        if pc4 is None or gm is None:
            if len(warnings) < 20:
                warnings.append(f"{source} line {n}: skipped (postcode or municipality missing)")
            continue
        if "valid_year" in cols and cols["valid_year"] < len(row) \
                and row[cols["valid_year"]].isdigit():
            years.add(int(row[cols["valid_year"]]))
        votes[pc4][gm] += 1
        if place_col is not None and place_col < len(row) and row[place_col].strip():
            place_votes[pc4][row[place_col].strip()] += 1
    if not votes:
        raise ImportFormatError(f"{source}: no postcodes found")
    # The municipality with most rows wins; ties go to the lowest code (deterministic).
    chosen = {pc: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for pc, c in votes.items()}
    places = {pc: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0]
              for pc, c in place_votes.items()}
    return PostcodeFile(chosen, year or (max(years) if years else None), warnings, places)


def merge_regions(new: Iterable[MunicipalityInfo], known: dict[str, MunicipalityInfo]
                  ) -> list[MunicipalityInfo]:
    """Fill COROP and labour-market regions (and former names) that a file does not carry from
    the data already known for the same CBS code."""
    out = []
    for m in new:
        old = known.get(m.code)
        if old is None:
            out.append(m)
            continue
        names = tuple(dict.fromkeys((*old.former_names, *m.former_names)))
        if old.name != m.name and old.name not in names:
            names = (*names, old.name)  # a renamed municipality stays findable by its old name
        out.append(replace(
            m, former_names=names,
            corop_code=m.corop_code or old.corop_code,
            corop_name=m.corop_name or old.corop_name,
            labour_market_code=m.labour_market_code or old.labour_market_code,
            labour_market_name=m.labour_market_name or old.labour_market_name))
    return out
