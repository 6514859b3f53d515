"""An in-memory view of the municipal division: lookups by code, name, old name and postcode.

Pure Python, no database: the router and the autocomplete both use it. ``backend.regions.
service.region_index`` builds it from the database and caches it until the data changes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from backend.regions.models import (
    COROP,
    LABOUR_MARKET_REGION,
    MUNICIPALITY,
    NATIONAL,
    PROVINCE,
)
from backend.search.dutch import fold

if TYPE_CHECKING:
    from backend.regions.places import PlaceIndex

# How specific an area is: lower is more specific. Labour-market regions and COROP regions are
# both groups of municipalities below the province, so they share a level.
SPECIFICITY = {MUNICIPALITY: 0, LABOUR_MARKET_REGION: 1, COROP: 1, PROVINCE: 2, NATIONAL: 3}

_CODE = re.compile(r"^(?:gm)?(\d{1,4})$", re.IGNORECASE)
_POSTCODE = re.compile(r"^\s*([1-9]\d{3})\s*(?:[a-z]{2})?\s*$", re.IGNORECASE)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def search_key(name: str) -> str:
    """Folded name with punctuation as single spaces: "'s-Hertogenbosch" -> "s hertogenbosch"."""
    return _NON_ALNUM.sub(" ", fold(name)).strip()


def normalise_code(value: str) -> str | None:
    """'GM0150', 'gm150', '150' and '0150' all become 'GM0150'; anything else None."""
    match = _CODE.match(value.strip())
    return f"GM{int(match.group(1)):04d}" if match else None


def normalise_postcode(value: str) -> str | None:
    """The four digits of a Dutch postcode ('7411 AB', '7411ab', '7411'), or None."""
    match = _POSTCODE.match(value)
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class MunicipalityInfo:
    code: str
    name: str
    province_code: str
    province_name: str
    corop_code: str | None = None
    corop_name: str | None = None
    labour_market_code: str | None = None
    labour_market_name: str | None = None
    valid_year: int = 0
    former_names: tuple[str, ...] = ()

    def areas(self) -> tuple[tuple[str, str], ...]:
        """Every area this municipality lies in, most specific first, ending with the country."""
        out: list[tuple[str, str]] = [(MUNICIPALITY, self.code)]
        if self.labour_market_code:
            out.append((LABOUR_MARKET_REGION, self.labour_market_code))
        if self.corop_code:
            out.append((COROP, self.corop_code))
        out.append((PROVINCE, self.province_code))
        out.append((NATIONAL, ""))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class MunicipalityHit:
    municipality: MunicipalityInfo
    matched: str  # the name that matched: the current name, or a former name


@dataclass
class RegionIndex:
    """Municipalities by code, folded name and former name; PC4 -> municipality code."""

    municipalities: Mapping[str, MunicipalityInfo]
    postcodes: Mapping[str, str] = field(default_factory=dict)
    year: int = 0
    places: Mapping[str, str] = field(default_factory=dict)  # PC4 -> woonplaats (CBS)
    _names: dict[str, str] = field(init=False, repr=False)
    _former: dict[str, str] = field(init=False, repr=False)
    _area_names: dict[tuple[str, str], str] = field(init=False, repr=False)
    _sorted: list[tuple[str, str, str, bool]] = field(init=False, repr=False)
    _place_index: Any = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        self._names = {}
        self._former = {}
        self._area_names = {(NATIONAL, ""): "Nederland"}
        keys: list[tuple[str, str, str, bool]] = []
        for m in self.municipalities.values():
            self._names[search_key(m.name)] = m.code
            keys.append((search_key(m.name), m.name, m.code, False))
            for old in m.former_names:
                self._former.setdefault(search_key(old), m.code)
                keys.append((search_key(old), old, m.code, True))
            self._area_names[(MUNICIPALITY, m.code)] = m.name
            self._area_names[(PROVINCE, m.province_code)] = m.province_name
            if m.corop_code:
                self._area_names[(COROP, m.corop_code)] = m.corop_name or m.corop_code
            if m.labour_market_code:
                self._area_names[(LABOUR_MARKET_REGION, m.labour_market_code)] = (
                    m.labour_market_name or m.labour_market_code)
        keys.sort()
        self._sorted = keys
        if not self.year and self.municipalities:
            self.year = max(m.valid_year for m in self.municipalities.values())

    @classmethod
    def from_rows(cls, rows: Iterable[MunicipalityInfo],
                  postcodes: Mapping[str, str] | None = None,
                  places: Mapping[str, str] | None = None) -> RegionIndex:
        return cls({m.code: m for m in rows}, dict(postcodes or {}),
                   places=dict(places or {}))

    def __len__(self) -> int:
        return len(self.municipalities)

    def get(self, code: str | None) -> MunicipalityInfo | None:
        if not code:
            return None
        normal = normalise_code(code)
        return self.municipalities.get(normal) if normal else None

    def by_postcode(self, postcode: str | None) -> MunicipalityInfo | None:
        pc4 = normalise_postcode(postcode or "")
        code = self.postcodes.get(pc4) if pc4 else None
        return self.municipalities.get(code) if code else None

    def place_of(self, postcode: str | None) -> str | None:
        """The woonplaats of a postcode ('7255' -> 'Hengelo (Gld)'), if known."""
        pc4 = normalise_postcode(postcode or "")
        return self.places.get(pc4) if pc4 else None

    def place_index(self) -> PlaceIndex:
        """Place and municipality names for recognition in text, built once per index."""
        if self._place_index is None:
            # cycle: places builds on this module's MunicipalityInfo and search_key
            from backend.regions.places import PlaceIndex

            self._place_index = PlaceIndex.build(self)
        return cast("PlaceIndex", self._place_index)

    def resolve(self, value: str | None) -> MunicipalityInfo | None:
        """A municipality from a CBS code, its name or a former name (any case, diacritics)."""
        if not value or not value.strip():
            return None
        found = self.get(value)
        if found is not None:
            return found
        key = search_key(value)
        code = self._names.get(key) or self._former.get(key)
        if code is None and key.startswith("gemeente "):
            return self.resolve(key.removeprefix("gemeente "))
        return self.municipalities.get(code) if code else None

    def search(self, query: str, limit: int = 10) -> list[MunicipalityHit]:
        """Autocomplete: names (current and former) that start with the query, or have a word
        that does; current names first, then alphabetical. A former name yields its current
        municipality."""
        q = search_key(query)
        if not q:
            return []
        prefix_hits: list[tuple[int, str, MunicipalityHit]] = []
        seen: set[str] = set()
        for key, label, code, former in self._sorted:
            if key.startswith(q):
                rank = 0
            elif f" {q}" in f" {key}":
                rank = 1
            else:
                continue
            rank = rank * 2 + (1 if former else 0)
            m = self.municipalities[code]
            prefix_hits.append((rank, key, MunicipalityHit(m, label)))
        prefix_hits.sort(key=lambda t: (t[0], t[1]))
        out: list[MunicipalityHit] = []
        for _, _, hit in prefix_hits:
            if hit.municipality.code in seen:
                continue
            seen.add(hit.municipality.code)
            out.append(hit)
            if len(out) >= limit:
                break
        return out

    def close_matches(self, query: str, limit: int = 3,
                      cutoff: float = 0.8) -> list[MunicipalityHit]:
        """Near misses for a name nobody knows ("Hengeloo" -> Hengelo): names (current and
        former) that ``difflib`` finds similar, best first, one hit per municipality."""
        q = search_key(query)
        if not q:
            return []
        by_key: dict[str, tuple[str, str]] = {}
        for key, label, code, _former in self._sorted:
            by_key.setdefault(key, (label, code))
        out: list[MunicipalityHit] = []
        seen: set[str] = set()
        for key in difflib.get_close_matches(q, list(by_key), n=limit * 2, cutoff=cutoff):
            label, code = by_key[key]
            if code in seen:
                continue
            seen.add(code)
            out.append(MunicipalityHit(self.municipalities[code], label))
            if len(out) >= limit:
                break
        return out

    def suggestions(self, query: str, limit: int = 5) -> list[MunicipalityHit]:
        """What to offer for a name that is not a municipality: names starting with it, else
        near misses."""
        return self.search(query, limit=limit) or self.close_matches(query, limit=min(limit, 3))

    def area_name(self, kind: str, code: str) -> str:
        return self._area_names.get((kind, code), code or "Nederland")

    def area_members(self, kind: str, code: str) -> list[MunicipalityInfo]:
        """The municipalities that lie in an area (all of them for the whole country)."""
        return [m for m in self.municipalities.values() if (kind, code) in m.areas()]
