"""Dutch language data and engine-neutral helpers: folding, words, synonyms, compounds, typos,
and the English search vocabulary (data/en_glossary.yaml) that maps English queries to Dutch.

Both engines take their synonyms from `SYNONYMS` here; the embedded engine also takes its compound
dictionary from `data/nl_compound_parts.txt` (see `compound_dictionary`). The functions are pure
Python so that the Meilisearch adapter and the tests can use them without tantivy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Groups of phrases that mean the same thing. A query for any phrase of a group also finds the
# others, in both directions. Write phrases as people type them; they are folded (lowercase, no
# diacritics, punctuation as word breaks) before use. Keep groups tight: every extra phrase widens
# every query that contains one of them.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    (
        "mkb",
        "midden- en kleinbedrijf",
        "midden en klein bedrijf",
        "kleine en middelgrote ondernemingen",
        "kmo",
        "sme",
    ),
    ("ai", "kunstmatige intelligentie", "artificiële intelligentie", "artificial intelligence"),
    (
        "zzp",
        "zzp'er",
        "zzper",
        "zelfstandige",
        "zelfstandige zonder personeel",
        "zelfstandig ondernemer",
        "freelancer",
    ),
    ("ict", "informatietechnologie", "informatie- en communicatietechnologie"),
    ("iot", "internet of things", "internet der dingen"),
    ("vr", "virtual reality", "virtuele realiteit"),
    ("ar", "augmented reality", "toegevoegde realiteit"),
    ("3d-printen", "3d printing", "additive manufacturing", "additieve productie"),
    ("cobot", "collaboratieve robot"),
    ("robotisering", "robotica"),
    ("digitalisering", "digitale transformatie"),
    ("r&d", "research and development", "onderzoek en ontwikkeling", "speur- en ontwikkelingswerk"),
    ("hrm", "hr", "human resource management", "personeelsbeleid"),
    ("werknemer", "medewerker", "personeelslid"),
    ("scholing", "opleiding"),
    ("llo", "leven lang ontwikkelen", "leven lang leren"),
    ("zelfsturende teams", "zelforganiserende teams", "zelfsturing"),
    ("werknemersparticipatie", "medewerkersparticipatie"),
    ("medewerkersaandeelhouderschap", "werknemersaandeelhouderschap", "employee ownership"),
    ("regeldruk", "administratieve lasten"),
    (
        "personeelstekort",
        "personeelsschaarste",
        "arbeidstekort",
        "krapte op de arbeidsmarkt",
        "arbeidsmarktkrapte",
    ),
    ("zorgmedewerker", "zorgmedewerkers", "zorgverlener", "zorgverleners", "werkenden in de zorg"),
    ("slim roosteren", "smart scheduling", "roosterplanning"),
    ("fieldlab", "field lab", "proeftuin"),
    ("eia", "energie-investeringsaftrek"),
    ("mia", "milieu-investeringsaftrek"),
    ("vamil", "willekeurige afschrijving milieu-investeringen"),
    ("mit", "mkb-innovatiestimulering regio en topsectoren"),
    ("slim", "stimuleringsregeling leren en ontwikkelen in mkb-bedrijven"),
    ("wbso", "wet bevordering speur- en ontwikkelingswerk"),
    ("kvk", "kamer van koophandel"),
    ("rvo", "rijksdienst voor ondernemend nederland"),
    ("btw", "omzetbelasting"),
    ("subsidie", "subsidy"),
    ("productiviteit", "productivity"),
)

# Linking morphemes between compound parts (arbeid-s-markt, boek-en-kast); the plural "en" also
# lets a compound end in a plural (kennisinstelling-en). The embedded analyzer drops them after
# splitting, so they never become terms of their own.
LINKING: tuple[str, ...] = ("s", "en")

# Short Dutch function words; the Meilisearch adapter sends them as stop words. The embedded
# engine uses tantivy's built-in Dutch list, which is a superset.
STOPWORDS: tuple[str, ...] = (
    "de", "het", "een", "en", "of", "van", "voor", "in", "op", "aan", "met", "te", "bij",
    "door", "naar", "over", "om", "uit", "tot", "als", "dat", "die", "dit", "is", "zijn",
    "er", "hoe", "wat", "wie", "ik", "je", "u", "we", "wij", "mijn", "ons", "onze",
)  # fmt: skip

_WORD_RE = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lowercase and strip diacritics, as tantivy's lowercase + ascii_fold filters do."""
    if text.isascii():  # nothing to strip (most questions): the same result, 20x cheaper
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Folded words, split on anything but letters and digits (tantivy's simple tokenizer)."""
    return _WORD_RE.findall(fold(text))


def max_edits(word: str) -> int:
    """Typos tolerated in a word: none below 5 letters, 1 from 5, 2 from 9 (like Meilisearch)."""
    n = len(word)
    if n >= 9:
        return 2
    if n >= 5:
        return 1
    return 0


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a transposition counts as one edit), capped at limit+1.

    The cap lets the caller reject most word pairs after a row or two; tantivy's fuzzy terms use
    the same metric (transposition_cost_one). Only the diagonal band of width 2 * limit + 1 is
    computed: an alignment within `limit` edits never leaves it (the typo scan runs this on a
    few hundred indexed words per misspelt word).
    """
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if abs(la - lb) > limit:
        return limit + 1
    over = limit + 1
    prev2: list[int] = []
    prev = [j if j <= limit else over for j in range(lb + 1)]
    for i in range(1, la + 1):
        lo, hi = max(1, i - limit), min(lb, i + limit)
        cur = [over] * (lb + 1)
        if i <= limit:
            cur[0] = i
        ca = a[i - 1]
        row_min = cur[0]
        for j in range(lo, hi + 1):
            v = prev[j - 1] + (ca != b[j - 1])
            if prev[j] + 1 < v:
                v = prev[j] + 1
            if cur[j - 1] + 1 < v:
                v = cur[j - 1] + 1
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == b[j - 1] and prev2[j - 2] + 1 < v:
                v = prev2[j - 2] + 1
            if v > over:
                v = over
            cur[j] = v
            if v < row_min:
                row_min = v
        if row_min > limit:
            return over
        prev2, prev = prev, cur
    return min(prev[lb], over)


def within_typo_reach(words: Sequence[str], suggestion: str) -> bool:
    """Whether every word the suggestion changes is one the typo rules would match as a typo
    (max_edits: none below 5 letters, 1 from 5, 2 from 9), so that answering the
    suggestion instead of the query is what the user meant, not a guess."""
    fixed = suggestion.split()
    if len(fixed) != len(words):
        return False
    for word, fix in zip(words, fixed, strict=True):
        if word == fix:
            continue
        edits = max_edits(word)
        if edits == 0 or edit_distance(word, fix, edits) > edits:
            return False
    return True


# --- English vocabulary ------------------------------------------------------------------

_GLOSSARY = Path(__file__).with_name("data") / "en_glossary.yaml"


SHARED = "shared"  # the glossary's section of words English and Dutch share


@cache
def english_index(shared: bool = False) -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Folded English phrase -> the Dutch phrases it finds (data/en_glossary.yaml, per theme;
    with `shared`, only its section of words both languages use). A plural -s on the last
    word finds the same ("grants", "nurses")."""
    import yaml  # lazy: PyYAML is 10 ms of a cold start; only seeding and editing read YAML

    data = yaml.safe_load(_GLOSSARY.read_text(encoding="utf-8")) or {}
    index: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for section, terms in data.items():
        if (section == SHARED) != shared:
            continue
        for english, dutch_phrases in (terms or {}).items():
            phrase = tuple(words(str(english)))
            found = tuple(
                dict.fromkeys(tuple(words(str(d))) for d in dutch_phrases if words(str(d)))
            )
            variants = [phrase]
            if not phrase[-1].endswith("s"):
                variants.append((*phrase[:-1], phrase[-1] + "s"))
            for variant in variants:
                known = index.get(variant, ())
                index[variant] = known + tuple(f for f in found if f not in known)
    return index


# --- synonyms -------------------------------------------------------------------------------


@cache
def synonym_index() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Folded phrase -> every phrase of its group (itself included), in table order."""
    index: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for group in SYNONYMS:
        phrases = tuple(dict.fromkeys(tuple(words(p)) for p in group if words(p)))
        for phrase in phrases:
            # A phrase listed in two groups gets the union, so no direction is lost.
            known = index.get(phrase, ())
            index[phrase] = known + tuple(p for p in phrases if p not in known)
    return index


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of query words, and the other phrases (if any) that mean the same."""

    words: tuple[str, ...]
    synonyms: tuple[tuple[str, ...], ...] = ()
    english: bool = False  # an English phrase of the glossary, translated by `synonyms`


@cache
def _phrase_index(
    english: bool = False,
) -> dict[tuple[str, ...], tuple[tuple[tuple[str, ...], ...], bool]]:
    """Synonyms and English vocabulary together: phrase -> (other phrases, is English). With
    `english`, also the words both languages share (for a query that is mostly English)."""
    out: dict[tuple[str, ...], tuple[tuple[tuple[str, ...], ...], bool]] = {}
    for phrase, group in synonym_index().items():
        out[phrase] = (tuple(p for p in group if p != phrase), False)
    sources = [(english_index(), True)]
    if english:
        sources.append((english_index(shared=True), False))
    for index, is_english in sources:
        for phrase, dutch_phrases in index.items():
            known, was_english = out.get(phrase, ((), False))
            extra = tuple(p for p in dutch_phrases if p != phrase and p not in known)
            out[phrase] = (known + extra, was_english or is_english)
    return out


def is_mostly_english(segments: Sequence[Segment]) -> bool:
    """At least half of the segments are English phrases of the glossary."""
    english = sum(1 for s in segments if s.english)
    return english > 0 and 2 * english >= len(segments)


def segment(tokens: Sequence[str]) -> list[Segment]:
    """Cut folded query words into segments, taking the longest synonym phrase (or English
    phrase of the glossary) at each point.

    >>> [s.words for s in segment(["subsidie", "midden", "en", "klein", "bedrijf"])]
    [('subsidie',), ('midden', 'en', 'klein', 'bedrijf')]
    """
    out = _segment(tokens, _phrase_index(), _longest_phrase())
    if is_mostly_english(out):
        out = _segment(tokens, _phrase_index(english=True), _longest_phrase(english=True))
    return out


@cache
def _longest_phrase(english: bool = False) -> int:
    """Words in the longest phrase of _phrase_index(english), computed once (a scan of the
    whole index per query cost more than the rest of the segmenting)."""
    return max((len(p) for p in _phrase_index(english)), default=1)


def _segment(
    tokens: Sequence[str],
    index: dict[tuple[str, ...], tuple[tuple[tuple[str, ...], ...], bool]],
    longest: int,
) -> list[Segment]:
    out: list[Segment] = []
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            phrase = tuple(tokens[i : i + size])
            found = index.get(phrase)
            if found is not None:
                out.append(Segment(phrase, found[0], english=found[1]))
                i += size
                break
        else:
            out.append(Segment((tokens[i],)))
            i += 1
    return out


def expand_synonyms(text: str) -> list[str]:
    """Every phrase that means the same as the whole of `text` (itself first), folded."""
    phrase = tuple(words(text))
    group = synonym_index().get(phrase)
    if group is None:
        return [" ".join(phrase)]
    return [" ".join(phrase)] + [" ".join(p) for p in group if p != phrase]


def meili_synonyms() -> dict[str, list[str]]:
    """The synonym table in Meilisearch's shape: each phrase maps to all the others, and each
    English phrase of the glossary to its Dutch phrases (one way)."""
    return {
        " ".join(phrase): [" ".join(p) for p in others]
        for phrase, (others, _) in _phrase_index().items()
        if others
    }


# --- compounds ------------------------------------------------------------------------------

_DATA = Path(__file__).with_name("data") / "nl_compound_parts.txt"


@cache
def compound_parts() -> frozenset[str]:
    """The part-words of the compound dictionary, folded."""
    lines = _DATA.read_text(encoding="utf-8").splitlines()
    return frozenset(fold(s) for line in lines if (s := line.strip()) and not s.startswith("#"))


def compound_dictionary() -> list[str]:
    """Words for tantivy's split_compound filter: the part-words plus the linking morphemes."""
    return sorted(compound_parts() | set(LINKING))


@cache
def split_compound(word: str) -> tuple[str, ...]:
    """Split a folded word into dictionary part-words, dropping linking morphemes.

    Returns the word itself when it cannot be covered completely by part-words; when several
    splits exist, the one with the fewest parts wins (arbeidsmarkt -> arbeid + markt, not
    arbeid + s + markt).

    >>> split_compound("arbeidsproductiviteit")
    ('arbeid', 'productiviteit')
    """
    w = fold(word)
    parts = compound_parts()
    n = len(w)
    if w in parts or n < 6:
        return (w,)
    # best[i]: fewest parts that cover w[:i] (linking morphemes are free but never first).
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(1, n + 1):
        for j in range(max(0, i - 30), i):
            prefix = best[j]
            if prefix is None:
                continue
            piece = w[j:i]
            if piece in parts:
                candidate: tuple[str, ...] = (*prefix, piece)
            elif piece in LINKING and prefix:
                candidate = prefix
            else:
                continue
            current = best[i]
            if current is None or len(candidate) < len(current):
                best[i] = candidate
    found = best[n]
    if found is None or len(found) < 2:
        return (w,)
    return found


MIN_PART = 3  # shortest part the vocabulary decompounder accepts
MIN_HEAD = 4  # shortest last part (the head that says what the compound is)


def _vocabulary_split(word: str, known: Callable[[str], bool]) -> tuple[str, ...]:
    w = word
    n = len(w)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(MIN_PART, n + 1):
        for j in range(max(0, i - 30), i - MIN_PART + 1):
            prefix = best[j]
            if prefix is None:
                continue
            piece = w[j:i]
            if not known(piece):
                continue
            candidate = (*prefix, piece)
            current = best[i]
            if current is None or len(candidate) < len(current):
                best[i] = candidate
        # A linking morpheme shorter than MIN_PART ("s", "en") after a part.
        for link in LINKING:
            j = i - len(link)
            if j > 0 and w[j:i] == link and best[j] and (
                best[i] is None or len(best[j] or ()) < len(best[i] or ())
            ):
                best[i] = best[j]
    found = best[n]
    if found is None or len(found) < 2 or len(found[-1]) < MIN_HEAD:
        return (w,)
    return found


def decompound(word: str, known: Callable[[str], bool]) -> tuple[str, ...]:
    """Split a folded word into parts that `known` accepts (the index's own vocabulary, the
    dictionary, or both), with linking morphemes between them: the fewest parts win, each of
    MIN_PART letters or more and the last (the head) of MIN_HEAD or more. A word that the
    dictionary splits is split the dictionary's way; one that cannot be covered comes back
    whole.

    >>> decompound("lasrobot", lambda w: w in {"las", "robot"})
    ('las', 'robot')
    """
    w = fold(word)
    split = split_compound(w)
    if len(split) > 1:
        return split
    if len(w) < MIN_PART + MIN_HEAD:
        return (w,)
    return _vocabulary_split(w, known)


# --- hyphenated coordination ------------------------------------------------------------------

# "Opleidings- en ontwikkelingsfonds", "land-, tuin- en bosbouw": truncated words (a hyphen and
# then a break) before a conjunction and the full compound whose last part they share.
_COORDINATION_RE = re.compile(
    r"(?P<heads>(?:[^\W\d_]+-\s*,?\s+)+)(?P<conj>en|of|en/of|tot)\s+(?P<last>[^\W\d_]{4,})",
    re.IGNORECASE,
)
_TRUNCATED_RE = re.compile(r"([^\W\d_]+)-")


def coordination_compounds(text: str) -> list[tuple[str, str]]:
    """(truncated word, completed compound) for every hyphenated coordination in `text`.

    The shared last part is the last dictionary part of the full compound, so only compounds
    that `split_compound` can split are completed.

    >>> coordination_compounds("Opleidings- en ontwikkelingsfonds")
    [('Opleidings-', 'Opleidingsfonds')]
    """
    out: list[tuple[str, str]] = []
    if "-" not in text:
        return out
    for m in _COORDINATION_RE.finditer(text):
        parts = split_compound(m["last"])
        if len(parts) < 2:
            continue
        tail = parts[-1]
        for head in _TRUNCATED_RE.findall(m["heads"]):
            out.append((f"{head}-", head + tail))
    return out


def expand_coordination(text: str) -> str:
    """`text` with each truncated word of a hyphenated coordination completed, for indexing:
    "Opleidings- en ontwikkelingsfonds" -> "Opleidingsfonds en ontwikkelingsfonds"."""
    if "-" not in text:
        return text

    def complete(m: re.Match[str]) -> str:
        found = dict(coordination_compounds(m[0]))
        heads = _TRUNCATED_RE.sub(lambda h: found.get(h[0], h[0]), m["heads"])
        return heads + m[0][len(m["heads"]) :]

    return _COORDINATION_RE.sub(complete, text)
