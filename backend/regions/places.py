"""Place and municipality names in free text: "ons bouwbedrijf in Zwolle", "vlak bij Leeuwarden".

    places_in_text(text, index) -> list[PlaceMatch]      (``backend.regions.service`` wraps it)

Pure and deterministic: no database, no clock. The names come from a ``RegionIndex``: the 2,410
woonplaatsen of the CBS postcode table, the 342 municipality names and their former and other
names ("Den Haag" for 's-Gravenhage, "Veghel" for Meierijstad, "Hengelo (O.)"), and the twelve
provinces. Matching is on folded words (case and diacritics do not matter, "'s-Gravenhage" and
"s Gravenhage" are the same), longest name first, left to right.

**Ambiguity.** A name can belong to more than one municipality: "Hengelo" is the municipality in
Overijssel and the village Hengelo (Gld) in Bronckhorst; CBS writes such villages with a
qualifier ("Hengelo (Gld)", "Katwijk NB", "Haren Gn") and the bare name matches them all. Such a
match has every candidate (most likely first: the municipality of that name, then by number of
postcodes) and ``ambiguous`` is true, so the caller can ask or use its other fields. A
qualifier right after the name ("Hengelo (O.)", "Hengelo Gld", "Hengelo, Overijssel") or a
province named anywhere in the text narrows the candidates.

**Ordinary words.** Some places are also ordinary Dutch or English words ("Best", "Epe", "Ee",
"Putten", "Lent", "Kampen" as in "kampen met", "Handel", "Winkel", "Loon", "Made", "Goes").
These count only when written with a capital (not in capitals: "ERP", "BEST") **and** after a
location cue ("in", "uit", "bij",
"te", "vlak bij", "nabij", "omgeving", "regio", "gemeente", "in de buurt van", English "in",
"from", "near"): "wij zitten in Best" is Best, "het beste advies" and "Best lastig" are not.
Any other name counts in any case, except after "van" as part of a person's name ("Jan van
Delft", "Van Houten"). The list is ``COMMON_WORD_PLACES``; add a name there when it causes
false matches.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backend.regions.index import MunicipalityInfo, search_key

if TYPE_CHECKING:
    from backend.regions.index import RegionIndex

# Kinds of match, from most to least telling.
MUNICIPALITY_NAME = "municipality"
PLACE = "place"
FORMER_NAME = "former_name"
PROVINCE_NAME = "province"

# Place names that are also ordinary words (Dutch or English), as folded search keys. They
# count only when capitalised and after a location cue (see the module docstring).
COMMON_WORD_PLACES: frozenset[str] = frozenset({
    "amen", "anderen", "arum", "balk", "bears", "beek", "beets", "bergen", "best", "blije", "boer",
    "born", "borne", "broek", "buren", "dalen", "de bult", "de groeve", "de heen", "de hoef",
    "de hoeve", "de kiel", "de klomp", "de krim", "de moer", "de pol", "de punt", "de steeg",
    "de waal", "de wijk", "de wilgen", "de woude", "deelen", "den horn", "den hout", "dieren",
    "dijken", "donderen", "dorst", "duiven", "echt", "echten", "ee", "een", "een west", "elim",
    "ell", "enter", "epe", "erica", "erm", "erp", "est", "gieten", "glimmen", "goes", "goor",
    "gouda", "graft", "grave", "groet", "halfweg", "hall", "halle", "handel", "haps", "haren",
    "hee", "heel", "heide", "helden", "hem", "hoek", "hoeven", "horn", "houten", "huizen",
    "kampen", "klimmen", "leek", "lent", "leunen", "lieren", "lies", "linde", "linden", "loo",
    "loon", "made", "meeuwen", "meppen", "mill", "monster", "mussel", "neer", "noorden",
    "opende", "oranje",
    "putte", "putten", "reek", "rekken", "rijen", "roosteren", "schijf", "sloten", "sluis",
    "spier", "t haantje", "t veld", "t waar", "t zand", "tegelen", "ten post", "thorn", "uitwijk",
    "veen", "velden", "veulen", "vries", "vuren", "waal", "waarde", "wateren", "wedde", "well",
    "wier", "wijk", "wijngaarden", "winkel", "witte paarden", "zegge", "zetten",
})

# Names never read as a Dutch place in text: the country and foreign places that are also the
# name of a Dutch village ("we verkopen in Nederland", "export naar America").
NEVER_IN_TEXT: frozenset[str] = frozenset({
    "nederland", "america", "zurich", "bern", "halle", "sint maarten",
})

# Words before a name that say it is a location.
_CUES_1 = frozenset({
    "in", "uit", "bij", "te", "nabij", "vlakbij", "dichtbij", "rond", "rondom", "omgeving",
    "regio", "gemeente", "richting", "vanuit", "naar", "omstreken", "near", "from", "around",
    "based", "municipality", "city", "town", "village", "stad", "dorp", "plaats", "woonplaats",
    "vestigingsplaats", "gevestigd", "zitten", "zit",
})
_CUES_2 = frozenset({
    ("buurt", "van"), ("omgeving", "van"), ("regio", "van"), ("gemeente", "van"),
    ("omstreken", "van"), ("noorden", "van"), ("zuiden", "van"), ("oosten", "van"),
    ("westen", "van"), ("centrum", "van"), ("buiten", "van"), ("close", "to"), ("next", "to"),
    ("outside", "of"), ("city", "of"), ("municipality", "of"), ("town", "of"),
})
_ARTICLES = frozenset({"de", "den", "het", "t", "s"})

PROVINCES: dict[str, str] = {
    "groningen": "PV20", "fryslan": "PV21", "friesland": "PV21", "drenthe": "PV22",
    "overijssel": "PV23", "flevoland": "PV24", "gelderland": "PV25", "utrecht": "PV26",
    "noord holland": "PV27", "zuid holland": "PV28", "zeeland": "PV29",
    "noord brabant": "PV30", "brabant": "PV30", "limburg": "PV31",
    # English names, and the adjectives people use for where they are ("a Frisian dairy",
    # "een Zeeuws bedrijf", "Brabantse maakindustrie")
    "north holland": "PV27", "south holland": "PV28", "north brabant": "PV30",
    "frisian": "PV21", "friese": "PV21", "drentse": "PV22", "drents": "PV22",
    "overijsselse": "PV23", "flevolandse": "PV24", "gelderse": "PV25", "utrechtse": "PV26",
    "noord hollandse": "PV27", "zuid hollandse": "PV28", "zeeuwse": "PV29", "zeeuws": "PV29",
    "brabantse": "PV30", "brabants": "PV30", "limburgse": "PV31", "limburgs": "PV31",
}
# Qualifiers CBS and people put after a name: "Hengelo (O.)", "Haren Gn", "Katwijk NB".
QUALIFIERS: dict[str, str] = {
    "gn": "PV20", "gr": "PV20", "gron": "PV20", "fr": "PV21", "frl": "PV21", "dr": "PV22",
    "o": "PV23", "ov": "PV23", "ovl": "PV23", "ovs": "PV23", "fl": "PV24", "fle": "PV24",
    "gld": "PV25", "gl": "PV25", "ge": "PV25", "u": "PV26", "ut": "PV26", "utr": "PV26",
    "nh": "PV27", "zh": "PV28", "z": "PV29", "zl": "PV29", "zld": "PV29", "nb": "PV30",
    "l": "PV31", "lb": "PV31", "li": "PV31", "lim": "PV31", "ac": "PV30",
}

_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """A place, municipality or province named in a text."""

    text: str  # as written ("Den Bosch", "hengelo")
    start: int  # character offsets in the text: text[start:end]
    end: int
    name: str  # the name it matched: a woonplaats, municipality, former name or province
    kind: str  # municipality | place | former_name | province
    # The municipalities it may be, most likely first; empty for a province.
    candidates: tuple[MunicipalityInfo, ...] = ()
    province_code: str | None = None  # for a province: "PV23"
    cued: bool = False  # after a location word ("in", "uit", "bij", "vlak bij", "near", ...)

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    @property
    def municipality(self) -> MunicipalityInfo | None:
        """The municipality when the name is not ambiguous (None for a province)."""
        return self.candidates[0] if len(self.candidates) == 1 else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text, "start": self.start, "end": self.end, "name": self.name,
            "kind": self.kind, "ambiguous": self.ambiguous, "cued": self.cued,
            "province_code": self.province_code,
            "candidates": [{"code": m.code, "name": m.name, "province": m.province_name}
                           for m in self.candidates],
        }


@dataclass
class _Entry:
    name: str
    kind: str
    weights: dict[str, float] = field(default_factory=dict)  # municipality code -> weight
    province: str | None = None


_KIND_RANK = {MUNICIPALITY_NAME: 0, PLACE: 1, FORMER_NAME: 2, PROVINCE_NAME: 3}


def _base(key: str) -> str | None:
    """'hengelo gld' -> 'hengelo'; 'bergen nh' -> 'bergen'; None when there is no qualifier."""
    parts = key.split()
    if len(parts) > 1 and parts[-1] in QUALIFIERS:
        return " ".join(parts[:-1])
    return None


class PlaceIndex:
    """Names by their folded words; built once per ``RegionIndex`` (``RegionIndex.place_index``)."""

    def __init__(self, municipalities: dict[str, MunicipalityInfo],
                 entries: dict[tuple[str, ...], _Entry]) -> None:
        self.municipalities = municipalities
        self.entries = entries
        by_first: dict[str, list[tuple[tuple[str, ...], _Entry]]] = defaultdict(list)
        for key, entry in entries.items():
            if " ".join(key) not in NEVER_IN_TEXT:
                by_first[key[0]].append((key, entry))
        for options in by_first.values():
            options.sort(key=lambda kv: -len(kv[0]))
        self._by_first = dict(by_first)
        self._candidates: dict[tuple[str, ...], tuple[MunicipalityInfo, ...]] = {
            key: tuple(municipalities[c] for c, _ in sorted(
                e.weights.items(), key=lambda kv: (-kv[1], kv[0])) if c in municipalities)
            for key, e in entries.items()}

    @classmethod
    def build(cls, index: RegionIndex) -> PlaceIndex:
        entries: dict[tuple[str, ...], _Entry] = {}

        def add(name: str, kind: str, code: str | None, weight: float,
                province: str | None = None) -> None:
            key = tuple(search_key(name).split())
            if not key:
                return
            if key[0] in ("st", "sint") and len(key) > 1:  # "St. Willebrord" = "Sint ..."
                other = ("sint" if key[0] == "st" else "st", *key[1:])
                _add(other, name, kind, code, weight, province)
            _add(key, name, kind, code, weight, province)

        def _add(key: tuple[str, ...], name: str, kind: str, code: str | None, weight: float,
                 province: str | None) -> None:
            entry = entries.get(key)
            if entry is None:
                entry = entries[key] = _Entry(name, kind, province=province)
            elif _KIND_RANK[kind] < _KIND_RANK[entry.kind]:
                entry.name, entry.kind = name, kind
            if code is not None:
                entry.weights[code] = entry.weights.get(code, 0.0) + weight

        for m in index.municipalities.values():
            add(m.name, MUNICIPALITY_NAME, m.code, 1000.0)
            base = _base(search_key(m.name))
            if base:
                add(base, MUNICIPALITY_NAME, m.code, 500.0)
            for old in m.former_names:
                add(old, FORMER_NAME, m.code, 100.0)
                base = _base(search_key(old))
                if base:
                    add(base, FORMER_NAME, m.code, 50.0)
        for pc, place in index.places.items():
            code = index.postcodes.get(pc)
            if code is None:
                continue
            add(place, PLACE, code, 1.0)
            base = _base(search_key(place))
            if base:
                add(base, PLACE, code, 1.0)
        # Provinces: Groningen and Utrecht stay the city (a municipality of that name); the
        # village Zeeland (Maashorst) gives way to the province.
        for name, code in PROVINCES.items():
            key = tuple(name.split())
            entry = entries.get(key)
            if entry is None or entry.kind != MUNICIPALITY_NAME:
                entries[key] = _Entry(PROVINCE_NAMES_DISPLAY[code], PROVINCE_NAME,
                                      province=code)
        return cls(dict(index.municipalities), entries)

    def lookup(self, name: str) -> PlaceMatch | None:
        """A whole name as typed in a municipality field ("Badhoevedorp", "hengelo gld",
        "'s-Heerenhoek"): the place or municipality it names, or None. Unlike ``find`` the
        whole value must be the name, and ordinary-word places count ("Best"): the field says
        it is a place. A province name is no municipality and gives None."""
        folded = tuple(search_key(name).split())
        entry = self.entries.get(folded)
        if entry is None or entry.kind == PROVINCE_NAME:
            return None
        candidates = self._candidates[folded]
        if not candidates:
            return None
        return PlaceMatch(name.strip(), 0, len(name.strip()), entry.name, entry.kind,
                          candidates)

    # --- matching -----------------------------------------------------------------------

    def find(self, text: str) -> list[PlaceMatch]:
        """Every place, municipality and province named in ``text``, left to right."""
        tokens = _tokens(text)
        folded = [t[0] for t in tokens]
        out: list[PlaceMatch] = []
        i = 0
        while i < len(tokens):
            match = self._match_at(text, tokens, folded, i)
            if match is None:
                i += 1
                continue
            out.append(match[0])
            i = match[1]
        return _narrow_by_province(out)

    def _match_at(self, text: str, tokens: list[tuple[str, int, int]], folded: list[str],
                  i: int) -> tuple[PlaceMatch, int] | None:
        options = self._by_first.get(folded[i])
        if not options:
            return None
        for key, entry in options:
            n = len(key)
            if tuple(folded[i:i + n]) != key:
                continue
            cued = _cued(folded, i)
            # The word that carries the name: skip a leading article ("De Wijk", "'t Zand").
            head = next((j for j in range(i, i + n) if folded[j] not in _ARTICLES), i)
            word = text[tokens[head][1]:tokens[head][2]]
            # Capitalised, not shouted: "in Best" counts, "BEST" and "ERP" do not.
            capital = word[:1].isupper() and not (len(word) > 1 and word.isupper())
            joined = " ".join(key)
            if joined in COMMON_WORD_PLACES and not (capital and cued):
                continue
            if not cued and _surname(text, tokens, folded, i):
                continue
            province = entry.province
            kind = entry.kind
            if (kind == MUNICIPALITY_NAME and joined in PROVINCES and i > 0
                    and folded[i - 1] in ("provincie", "province")):  # "provincie Utrecht"
                kind, province = PROVINCE_NAME, PROVINCES[joined]
            end = i + n
            candidates = () if kind == PROVINCE_NAME else self._candidates[key]
            if len(candidates) > 1 and end < len(tokens) and folded[end] in QUALIFIERS:
                narrowed = tuple(m for m in candidates
                                 if m.province_code == QUALIFIERS[folded[end]])
                if narrowed:  # "Hengelo Gld", "Hengelo (O.)" where CBS has no such name
                    candidates, end = narrowed, end + 1
            start, stop = tokens[i][1], tokens[end - 1][2]
            if start > 0 and text[start - 1] in "'’" and folded[i] in ("s", "t"):
                start -= 1  # "'s-Gravenhage", "'t Harde"
            if text.startswith(".)", stop):
                stop += 2  # "Hengelo (O.)"
            elif text.startswith(")", stop) and "(" in text[start:stop]:
                stop += 1  # "Hengelo (Gld)"
            name = (PROVINCE_NAMES_DISPLAY[province] if kind == PROVINCE_NAME and province
                    else entry.name)
            return PlaceMatch(text[start:stop], start, stop, name, kind, candidates, province,
                              cued), end
        return None


PROVINCE_NAMES_DISPLAY = {
    "PV20": "Groningen", "PV21": "Fryslân", "PV22": "Drenthe", "PV23": "Overijssel",
    "PV24": "Flevoland", "PV25": "Gelderland", "PV26": "Utrecht", "PV27": "Noord-Holland",
    "PV28": "Zuid-Holland", "PV29": "Zeeland", "PV30": "Noord-Brabant", "PV31": "Limburg",
}


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """(folded word, start, end); a word that folds into two ("ø") keeps its span for both."""
    out: list[tuple[str, int, int]] = []
    for m in _TOKEN.finditer(text):
        for part in search_key(m.group()).split():
            out.append((part, m.start(), m.end()))
    return out


def _cued(folded: list[str], i: int) -> bool:
    # "in de buurt van Best": look past the article of a name ("in De Wijk", "in 't Zand").
    j = i
    if j > 0 and folded[j - 1] in _ARTICLES and folded[j] not in _ARTICLES:
        j -= 1
    if j > 0 and folded[j - 1] in _CUES_1:
        return True
    return j > 1 and (folded[j - 2], folded[j - 1]) in _CUES_2


def _surname(text: str, tokens: list[tuple[str, int, int]], folded: list[str], i: int) -> bool:
    """'Jan van Delft', 'Van Houten', 'mevrouw Van den Berg': a name, not a place."""
    j = i - 1
    if j >= 0 and folded[j] in ("den", "der", "de"):
        j -= 1
    if j < 0 or folded[j] not in ("van", "ter", "ten", "von"):
        return False
    if text[tokens[j][1]].isupper():
        return True
    return j > 0 and text[tokens[j - 1][1]].isupper()


def _narrow_by_province(matches: list[PlaceMatch]) -> list[PlaceMatch]:
    """A province named in the text narrows an ambiguous name to that province."""
    provinces = {m.province_code for m in matches if m.kind == PROVINCE_NAME}
    if not provinces:
        return matches
    out = []
    for m in matches:
        if m.ambiguous:
            narrowed = tuple(c for c in m.candidates if c.province_code in provinces)
            if narrowed:
                m = PlaceMatch(m.text, m.start, m.end, m.name, m.kind, narrowed,
                               m.province_code, m.cued)
        out.append(m)
    return out


def best_location(matches: Iterable[PlaceMatch]) -> PlaceMatch | None:
    """The match that most likely says where the business is: the first one after a location
    word ("in Zwolle"), else the first one; provinces are left out (they name no
    municipality), but a name that lies outside a province the text names counts only after a
    location word. The result may be ambiguous: check ``.ambiguous``."""
    matches = list(matches)
    places = [m for m in matches if m.kind != PROVINCE_NAME and m.candidates]
    # A province named in the text outweighs a name that is not after a location word and
    # lies outside it: "a Zeeland mussel company" is in Zeeland, not in the village Mussel.
    provinces = {m.province_code for m in matches if m.kind == PROVINCE_NAME}
    if provinces:
        places = [m for m in places if m.cued
                  or any(c.province_code in provinces for c in m.candidates)]
    if not places:
        return None
    return min(places, key=lambda m: (not m.cued, m.start))
