"""Recognising themes (and desk specialisms) in a Dutch question.

A ``PhraseMatcher`` is built once from labelled phrases (a theme's keywords, a desk's
specialisms) and then matches question texts quickly. A word of the question matches a phrase
word when, after folding (lowercase, no diacritics):

- it is the same word, or has the same Dutch Snowball stem (``subsidies`` ~ ``subsidie``,
  ``automatiseren`` ~ ``automatisering``);
- it is a compound one of whose parts matches (``subsidieaanvraag`` -> ``subsidie``,
  ``lasrobots`` -> ``robots``), split by the search module's compound dictionary or, failing
  that, by a known word at its start or end;
- it is a typo of a known word: one edit from five letters, two from nine (``subsydie``,
  ``robotisring``), found through an index of deletions so that no word list is scanned.

The search module's synonym groups (``backend.search.dutch.SYNONYMS``) widen the phrases, so
"kamer van koophandel" finds what "kvk" finds. Everything here is pure and deterministic.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from backend.routing import vocabulary
from backend.search import dutch, language

EXACT, STEM, PART, TYPO, STOP = "exact", "stem", "part", "typo", "stop"
MODIFIER = "modifier"  # a part before the head of a compound ("groei" in "groeikapitaal")
# How much a matched word counts, by how it matched. A Dutch compound is a kind of its last
# part (a "groeikapitaal" is kapitaal), so the parts before it count for less.
KIND_WEIGHT = {EXACT: 1.0, STEM: 1.0, PART: 0.8, MODIFIER: 0.6, TYPO: 0.7, STOP: 1.0}
# A phrase of several words says more than one word.
PHRASE_BONUS = 1.0
_MIN_PART = 4  # shortest known word accepted as the head or tail of a compound
_STOP = frozenset(dutch.STOPWORDS) | frozenset({
    "ik", "mijn", "wij", "we", "ons", "onze", "kan", "kunnen", "wil", "willen", "moet",
    "moeten", "graag", "hebben", "heb", "heeft", "wordt", "worden", "welke", "waar", "hoe",
    "niet", "geen", "ook", "nog", "al", "maar", "meer", "veel", "zo", "dan", "nu", "zou",
    "zich", "hun", "ze", "zij", "hij", "iets", "iemand", "alle", "elk", "deze", "daar",
    # verbs that go with any subject ("AI inzetten", "data gebruiken")
    "inzetten", "gebruiken", "toepassen",
    # "hoe regel ik …" is arranging, not rules
    "regel", "regelen", "regelt", "geregeld",
}) | language.ENGLISH_STOPWORDS

# The shared language module stems question words exactly as search stems indexed words
# (without the stemmer's "ge" prefix removal, which makes unrelated words meet).
stem = language.word_stem
# Endings of Dutch (and English) inflection that the stemmer may leave on a word: only these
# are stripped to meet a known stem ("financiert" ~ "financier"), never a derivational suffix
# ("bakkerij" is a bakery, not a baker; "brazilian" is not "brazil").
INFLECTIONS = frozenset({"t", "d", "e", "n", "s", "en", "de", "te", "er", "es", "st", "ed"})
# Heads of a compound that say little of what it is about: a "winstdelingsregeling" is about
# profit sharing, a "subsidieaanvraag" about a subsidy, so its modifier counts as the head does.
GENERIC_HEADS = frozenset({
    "regeling", "plan", "programma", "traject", "beleid", "systeem", "project", "aanpak",
    "aanvraag", "vraag", "advies", "budget", "kosten", "proces", "mogelijkheden", "partner",
})
_VOWELS = frozenset("aeiou")


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def clause_starts(clauses: Sequence[Sequence[str]]) -> tuple[int, ...]:
    """Positions, in the flattened words, where each clause begins."""
    out, n = [], 0
    for c in clauses:
        out.append(n)
        n += len(c)
    return tuple(out)


def clause_bounds(starts: Sequence[int], n: int) -> list[tuple[int, int]]:
    """Each clause as word positions [start, end) of ``n`` words (one clause without starts)."""
    begins = sorted({0, *starts})
    return list(zip(begins, [*begins[1:], n], strict=True))


def clause_of(starts: Sequence[int], n: int, i: int) -> tuple[int, int]:
    """The clause [start, end) of ``n`` words that holds position ``i``."""
    begins = sorted({0, *starts})
    k = bisect_right(begins, i) - 1
    return begins[k], begins[k + 1] if k + 1 < len(begins) else n


# Words that join a clause to the one before; the word after them leads it ("en dat laatste
# is mijn vraag", "maar dat is bijzaak").
LINKS = frozenset({"en", "and", "maar", "but"})


def _lead(words: Sequence[str], start: int, end: int) -> str:
    """The word that leads the clause [start, end), a joining word passed over."""
    return words[start + 1] if words[start] in LINKS and start + 1 < end else words[start]


def _merge_known(parts: tuple[str, ...], known: Mapping[str, str]) -> tuple[str, ...]:
    """Join neighbouring compound parts that together are a known word (the dictionary splits
    "winstdelingsregeling" into winst + deling + regeling; "winstdeling" is the known word)."""
    if len(parts) < 3:
        return parts
    out = list(parts)
    i = 0
    while i < len(out) - 1:
        joined = out[i] + out[i + 1]
        if joined in known and i + 1 < len(out) - 1:
            out[i:i + 2] = [joined]
        else:
            i += 1
    return tuple(out)


@dataclass(frozen=True, slots=True)
class WordHit:
    """One word of the question (as folded) and the known word it was taken for."""

    word: str
    known: str
    kind: str  # exact | stem | part | typo


@dataclass(frozen=True, slots=True)
class PhraseHit:
    label: str
    phrase: str  # the phrase as written in the source (keyword, specialism)
    words: tuple[str, ...]  # the question's words that matched it
    kind: str
    weight: float
    start: int = 0  # index of the question word where the phrase starts


@dataclass(frozen=True, slots=True)
class _Phrase:
    label: str
    phrase: str
    stems: tuple[str, ...]
    weight: float


class PhraseMatcher:
    """Labelled phrases, indexed for matching question texts."""

    def __init__(self, entries: Iterable[tuple[str, str, float]],
                 exact_only: frozenset[str] = frozenset()) -> None:
        self.single: dict[str, list[_Phrase]] = defaultdict(list)  # stem -> phrases of one word
        self.multi: dict[str, list[_Phrase]] = defaultdict(list)  # first stem -> longer phrases
        self.surface: dict[str, str] = {}  # folded known word -> its stem
        first_form: dict[str, str] = {}  # stem -> the first word written for it
        typo_targets: set[str] = set()  # known words a misspelt word may be taken for
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for label, phrase, weight in entries:
            toks = dutch.words(phrase)
            if not toks:
                continue
            stems = tuple(t if t in _STOP else stem(t) for t in toks)
            # Every written form is a known word, also when an earlier phrase has the same
            # stems ("opleidingen" after "opleiding"). Typos are measured against the words of
            # each phrase and, of a repeated one, against forms longer than the stem's first
            # ("opleidngen" is one edit from "opleidingen", three from "opleiding"); a shorter
            # form would only widen the net ("router" is one edit from "roster").
            repeated = (label, stems) in seen
            for t, s in zip(toks, stems, strict=True):
                self.surface.setdefault(t, s)
                first = first_form.setdefault(s, t)
                if not repeated or len(t) > len(first):
                    typo_targets.add(t)
            if repeated:
                continue
            seen.add((label, stems))
            entry = _Phrase(label, phrase, stems, weight)
            (self.single if len(stems) == 1 else self.multi)[stems[0]].append(entry)
        self.known_stems = frozenset(self.surface.values())
        self.typo_targets = frozenset(typo_targets)
        # Deletion index for typo lookup: deletion variant -> known words.
        self._typo_index: dict[str, list[str]] = defaultdict(list)
        # Proper names (countries) are matched as written, never as a typo of another word.
        self.exact_only = exact_only
        for word in sorted(typo_targets):
            if word in exact_only:
                continue
            depth = dutch.max_edits(word)
            if depth and not word.isdigit():
                for variant in _deletes(word, depth):
                    self._typo_index[variant].append(word)

    # -- word level ---------------------------------------------------------------------------

    def _typo(self, word: str, real: bool = True) -> str | None:
        """The known word a misspelt word was meant as; None for a real word of its own
        (``language.real_words``, unless ``real`` is False)."""
        depth = dutch.max_edits(word)
        if not depth or word.isdigit() or (real and word in language.real_words()):
            return None
        best: tuple[int, str] | None = None
        for variant in _deletes(word, depth):
            for known in self._typo_index.get(variant, ()):
                if known[0] != word[0] and len(word) < 9:
                    continue  # short words: a wrong first letter is another word, not a typo
                limit = min(depth, dutch.max_edits(known))
                d = dutch.edit_distance(word, known, limit)
                if d <= limit and (best is None or (d, known) < best):
                    best = (d, known)
        return best[1] if best else None

    def _parts(self, word: str) -> list[str]:
        """Known words a compound is made of (dictionary split, else a known head or tail)."""
        if len(word) < 7:
            return []
        split = _merge_known(dutch.split_compound(word), self.surface)
        parts = [p for p in split if len(p) >= _MIN_PART] if len(split) > 1 else []
        if parts:
            return parts
        found: list[str] = []
        for i in range(len(word) - _MIN_PART, _MIN_PART - 1, -1):
            head = word[:i]
            if head in self.surface:
                found.append(head)
                break
        for i in range(_MIN_PART - 1, len(word) - _MIN_PART + 1):
            tail = word[i:]
            if tail in self.surface or (len(tail) > _MIN_PART and stem(tail) in self.known_stems
                                        and len(stem(tail)) >= _MIN_PART):
                found.append(tail)
                break
        return found

    def analyse_word(self, word: str) -> list[tuple[str, str, str]]:
        """(stem, known word, kind) readings of one folded question word."""
        if word in _STOP:
            # Only inside a phrase ("afstand tot de arbeidsmarkt"), never on its own.
            return [(word, word, STOP)]
        s = stem(word)
        if word in self.surface:
            return [(self.surface[word], word, EXACT)]
        # A stem that keeps two letters of a longer word is the stemmer mangling a foreign word
        # ("orders" -> "or"), not a match.
        if s in self.known_stems and (len(s) >= 3 or len(word) <= 3):
            return [(s, word, STEM)]
        # An inflection the stemmer leaves alone: "financiert" ~ "financier".
        for i in range(len(word) - 1, max(5, len(word) - 3) - 1, -1):
            if word[i:] in INFLECTIONS and word[:i] in self.known_stems \
                    and word[:i] not in self.exact_only:
                return [(word[:i], word, STEM)]
        # An inflected adjective or plural with a long vowel spelt short: "zware" ~ "zwaar",
        # "zaken" ~ "zaak".
        for end in ("e", "en"):
            base = word[:-len(end)]
            if (word.endswith(end) and len(base) >= 3 and base[-1] not in _VOWELS
                    and base[-2] in _VOWELS and base[-3] not in _VOWELS):
                long_form = base[:-1] + base[-2] + base[-1]
                if long_form in self.surface:
                    return [(self.surface[long_form], long_form, STEM)]
        # A one-letter slip of a known word ("digitalisring") before a guess at its parts.
        near = self._typo(word)
        if near is not None and dutch.edit_distance(word, near, 1) <= 1:
            return [(self.surface[near], near, TYPO)]
        parts = self._parts(word)
        generic_head = len(parts) > 1 and parts[-1] in GENERIC_HEADS
        out = [(stem(p), p, PART if i == len(parts) - 1 or (generic_head and i == len(parts) - 2)
                else MODIFIER)
               for i, p in enumerate(parts)]
        out = [o for o in out if o[0] in self.known_stems]
        if out:
            return out
        typo = self._typo(word)
        if (typo is None and len(word) > 5 and word.endswith("s")
                and word not in language.real_words()):
            typo = self._typo(word[:-1])  # a misspelt plural: "subsydies"
        if typo is not None:
            return [(self.surface[typo], typo, TYPO)]
        if len(s) < 3 < len(word):  # a mangled stem ("orders" -> "or") stands for nothing
            return [(word, word, STEM)]
        return [(s, word, STEM)]

    # -- phrase level -------------------------------------------------------------------------

    def match_words(self, words: Sequence[str]) -> list[PhraseHit]:
        readings = [_cached_readings(self, w) for w in words]
        # A separable verb's infinitive with "te" ("uit te wisselen", "aan te nemen") is also
        # read as the joined verb ("uitwisselen", "aannemen"), at the verb's place.
        for i in range(2, len(words)):
            if words[i - 1] == "te" and words[i - 2] in PARTICLES and words[i] not in _STOP:
                joined = [r for r in _cached_readings(self, words[i - 2] + words[i])
                          if r[0] in self.known_stems]
                if joined:
                    readings[i] = [*readings[i], *joined]
        hits: list[PhraseHit] = []
        for i, reading in enumerate(readings):
            for s, _known, kind in reading:
                for ph in self.single.get(s, ()) if kind != STOP else ():
                    hits.append(PhraseHit(ph.label, ph.phrase, (words[i],), kind,
                                          ph.weight * KIND_WEIGHT[kind], i))
                for ph in self.multi.get(s, ()):
                    at = _phrase_positions(readings, words, i, ph.stems)
                    if at is not None:
                        # The bonus is for several content words ("afstand tot de
                        # arbeidsmarkt"), not for a function word beside one ("welke regels"),
                        # and for words written together: apart ("geld voor nodig") they may
                        # belong to different parts of the sentence.
                        # (The "s" of "collega's" is not a word of its own.)
                        content = sum(1 for st in ph.stems if st not in _STOP and len(st) > 1)
                        together = at[-1] - i == len(ph.stems) - 1
                        bonus = PHRASE_BONUS if content >= 2 and together else 0.0
                        hits.append(PhraseHit(ph.label, ph.phrase, tuple(words[p] for p in at),
                                              kind, ph.weight * (KIND_WEIGHT[kind] + bonus),
                                              i))
        return hits

    def match(self, text: str) -> list[PhraseHit]:
        return self.match_words(dutch.words(text))


# A phrase's words may stand apart by a few function words or particles, as Dutch puts them
# between a verb and its object ("samen te innoveren" is "samen innoveren", "kennis mee te
# delen" is "kennis delen").
MAX_GAP = 2


def _phrase_positions(readings: Sequence[Sequence[tuple[str, str, str]]],
                      words: Sequence[str], start: int,
                      stems: Sequence[str]) -> tuple[int, ...] | None:
    """The positions of a phrase's words in the question when its first word is at ``start``,
    or None when its other words do not follow; at most ``MAX_GAP`` function words or
    particles are skipped between its words."""
    at, p, gaps, n = [start], start + 1, 0, len(readings)
    for k in range(1, len(stems)):
        while p < n and not any(r[0] == stems[k] for r in readings[p]):
            if gaps == MAX_GAP or (words[p] not in _STOP and words[p] not in PARTICLES):
                return None
            p += 1
            gaps += 1
        if p == n:
            return None
        at.append(p)
        p += 1
    return tuple(at)


def _cached_readings(matcher: PhraseMatcher, word: str) -> list[tuple[str, str, str]]:
    cache: dict[str, list[tuple[str, str, str]]] = matcher.__dict__.setdefault("_cache", {})
    found = cache.get(word)
    if found is None:
        if len(cache) > 50_000:
            cache.clear()
        found = cache[word] = matcher.analyse_word(word)
    return found


# --- themes ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThemeInfo:
    slug: str
    name_nl: str
    name_en: str
    keywords: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_nl


@dataclass(frozen=True, slots=True)
class ThemeMatch:
    """A theme recognised in the question, with the words that showed it."""

    theme: str
    score: float
    words: tuple[str, ...]  # question words, folded
    keywords: tuple[str, ...]  # the theme keywords they matched
    picked: bool = False  # the asker chose this topic
    first: int = 0  # position of the first question word that showed it
    votes: float = 0.0  # support from published knowledge-base items about this theme
    # Named where the question marks a second topic ("… en zoeken ook personeel"): shown as
    # "also relevant" before themes that were only mentioned.
    second: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"theme": self.theme, "score": round(self.score, 2), "words": list(self.words),
                "keywords": list(self.keywords), "picked": self.picked,
                "knowledge_base": round(self.votes, 2)}


# Phrases that entrepreneurs use for a theme but that the taxonomy does not list as keywords
# (those are written for search and tagging). Kept here, next to the router that needs them.
EXTRA_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "werving-en-arbeidsmarkt": (
        "personeel", "sollicitant", "sollicitanten", "vakmensen", "monteurs", "medewerkers vinden",
        "mensen vinden", "nieuwe mensen", "aannemen", "werkzoekenden", "uitkering",
        "banenafspraak", "participatiewet", "loonkostensubsidie", "proefplaatsing",
        "arbeidsbeperking", "werkervaringsplek", "herintreders", "zij-instroom",
        "uitzendkracht", "personeelstekorten", "tekort aan", "kandidaten", "openstaande",
        "werkervaring", "mensen zoeken", "zoeken mensen", "personeel zoeken", "stageplek",
        "stageplaats", "chauffeurs",
    ),
    "leren-en-ontwikkelen": ("bijscholen", "omscholen", "opleidingsbudget", "leerwerktraject",
                             "certificaat", "diploma", "leerbedrijf", "vakopleiding"),
    "financiering": ("subsidieregeling", "investeringssubsidie", "aanvragen", "financieren",
                     "kapitaal", "durfkapitaal", "investeringsfonds", "innovatiekrediet",
                     "wbso", "mit-regeling", "eia", "vamil", "isde", "financier",
                     "bank", "geldverstrekker", "belastingaftrek", "startkapitaal"),
    "robotisering-automatisering": ("robotarm", "lasrobot", "geautomatiseerd",
                                    "productieautomatisering", "machines", "productiestraat",
                                    "automatiseringsslag", "cnc", "palletiseren", "agv"),
    "digitalisering": ("website", "webshop", "boekhoudpakket", "digitaliseren", "systeem",
                       "automatiseren van de administratie", "it", "computersysteem"),
    "kunstmatige-intelligentie": ("chatgpt", "ai-tool", "ai tools", "slimme software"),
    "internationalisering": ("buitenlandse", "duitsland", "duitse markt", "belgie", "frankrijk",
                             "verenigd koninkrijk", "engeland", "amerika", "china", "azie",
                             "scandinavie", "export", "importeren", "import", "handelsmissie",
                             "buitenland", "internationale markt", "exportkrediet",
                             "buitenlandse klanten", "buitenlandse markt"),
    "starten-en-ondernemen": ("eigen zaak", "bedrijf beginnen", "bedrijf starten",
                              "inschrijving", "handelsregister", "kvk-nummer", "btw-nummer",
                              "eenmanszaak", "bv oprichten", "vof", "zzp", "zzp'er",
                              "ondernemersplan", "opvolger", "bedrijf verkopen", "stoppen",
                              "faillissement", "ondernemen", "advies"),
    "regeldruk": ("vergunningen", "wetten", "regelgeving", "inspectie", "avg", "privacy",
                  "arbowet", "rie", "verplichting", "verplichtingen", "voorschriften"),
    "duurzaamheid": ("energierekening", "energiekosten", "zonnepaneel", "isolatie",
                     "co2-uitstoot", "energiebesparingsplicht", "aardgasvrij", "verduurzamen"),
    "duurzame-inzetbaarheid": ("ziek", "zieke", "ziekmelding", "re-integratie", "uitval",
                               "overbelasting", "vitaal"),
    "kennisdeling-ecosystemen": ("hogeschool", "universiteit", "kennisinstellingen",
                                 "samenwerkingspartner", "samenwerkingspartners", "lectoraat",
                                 "onderzoekers", "kennispartner"),
    "lean-procesinnovatie": ("processen", "efficienter", "efficiënter", "verspilling",
                             "doorlooptijden", "werkprocessen"),
}

# English vocabulary per theme: how English-speaking founders and employers put the same
# questions (the taxonomy's keywords are Dutch, written for search and tagging). Matched with the
# same folding, stemming and typo tolerance as the Dutch words.
ENGLISH_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "werving-en-arbeidsmarkt": (
        "recruit", "recruiting", "recruitment", "hire", "hiring", "hire staff", "find staff",
        "find people", "find employees", "new employees", "staff shortage", "labour shortage",
        "labor shortage", "vacancy", "vacancies", "job opening", "job openings", "applicants",
        "candidates", "technicians", "workers", "nobody applies", "unemployed",
        "jobseekers", "job seekers", "employees with a disability", "disability",
        "wage subsidy", "kitchen staff", "warehouse staff", "find staff",
        "employers find staff", "public employment service", "work permit",
        "staff turnover", "turnover", "retain", "retention", "keep good people",
        "keep our staff", "grow our team",
    ),
    "leren-en-ontwikkelen": (
        "training", "train", "train our staff", "courses", "course", "learn new skills",
        "teach", "teaching", "learn", "learning", "coach their teams",
        "skills", "upskill", "upskilling", "reskill", "reskilling", "retrain", "retraining",
        "apprenticeship", "apprenticeships", "certified", "certification", "education",
        "lifelong learning", "digital skills", "team leaders training",
    ),
    "duurzame-inzetbaarheid": (
        "employable", "employability", "keep our employees", "older workers", "older employees",
        "sick leave", "absenteeism", "burnout", "burn-out", "wellbeing", "well-being",
        "vitality", "physically hard", "healthy", "fit and employable", "work longer",
        "older", "getting older", "ageing", "aging", "heavy work", "work is heavy",
        "physically demanding", "back problems", "sickness",
    ),
    "digitalisering": (
        "digitise", "digitize", "digitalise", "digitalize", "digitalisation", "digitalization",
        "digital tools", "software", "spreadsheets", "erp", "webshop", "online shop",
        "e-commerce", "cloud", "cybersecurity", "cyber security", "it systems",
        "automation of our administration", "secure it", "it security", "data protection",
        "protect our data", "protect its data", "hacked", "ransomware", "phishing",
        "digital", "order process", "social media", "online marketing", "website",
    ),
    "kunstmatige-intelligentie": (
        "ai", "artificial intelligence", "machine learning", "chatgpt", "chatbot",
        "generative ai", "llm", "language model", "computer vision", "ai tools",
    ),
    "data-en-iot": (
        "data", "production data", "sensors", "sensor", "iot", "internet of things",
        "predictive maintenance", "digital twin", "data analytics", "dashboards",
        "connect our machines", "insight", "use data", "using data",
    ),
    "robotisering-automatisering": (
        "robot", "robots", "robotics", "cobot", "automate", "automating", "automation",
        "packaging line", "production line", "welding robot", "test a robot", "field lab",
    ),
    "lean-procesinnovatie": (
        "lean", "leaner", "waste", "process improvement", "efficiency", "efficient",
        "lead time", "lead times", "continuous improvement", "production process",
    ),
    "financiering": (
        "funding", "finance", "financing", "loan", "small loan", "microcredit", "credit",
        "investor", "investors", "investment fund", "investment funds", "venture capital",
        "capital", "raise capital", "raising", "convertible loan", "subsidy", "subsidies",
        "grant", "grants", "tax credit", "r&d tax credit", "wbso", "innovation credit",
        "bank said no", "new plant", "scale up", "scale-up", "money", "pay for", "afford",
        "buy a", "purchase",
    ),
    "internationalisering": (
        "export", "exporting", "foreign market", "foreign markets", "abroad", "international",
        "trade mission", "trade fair", "germany", "belgium", "france", "uk", "united kingdom",
        "united states", "china", "scandinavia", "brexit", "international partners",
        "selling abroad", "sell abroad", "overseas", "expanding to", "expand to",
        "expansion abroad", "japan", "india", "brazil", "canada",
        "mexico", "turkey", "poland", "spain", "italy", "sweden", "norway", "denmark",
        "switzerland", "austria", "australia", "korea", "singapore", "vietnam", "indonesia",
        "africa", "asia", "america", "middle east", "usa", "us market",
    ),
    "kennisdeling-ecosystemen": (
        "university", "universities", "researchers", "knowledge partner",
        "knowledge institution", "knowledge institutions", "research institute",
        "network of companies",
        "collaboration", "cooperate", "ecosystem",
    ),
    "duurzaamheid": (
        "sustainable", "sustainability", "energy", "energy bill", "energy saving",
        "solar panels", "heat pump", "co2", "emissions", "circular", "green",
        "energy use", "energy consumption", "energy costs", "save energy", "cut energy",
        "reduce energy", "cut our energy",
    ),
    "medezeggenschap-en-betrokkenheid": (
        "works council", "employee participation", "employee representation",
        "employee involvement", "engagement",
    ),
    "starten-en-ondernemen": (
        "start a business", "starting a business", "start my business", "register my company",
        "register my business", "register", "registration", "chamber of commerce",
        "legal form", "sole proprietorship", "sole trader", "freelancer", "self-employed",
        "close my business", "deregister", "business plan", "founder", "founders",
    ),
    "regeldruk": (
        "rules", "regulations", "permit", "permits", "licence", "license", "red tape",
        "gdpr", "privacy", "what rules apply", "first employee", "obligations",
    ),
    "zelfsturende-teams": ("self-managing teams", "self-organising teams", "autonomous teams"),
    "slim-roosteren": ("rostering", "roster", "rosters", "shift planning", "shifts", "scheduling"),
    "sociale-innovatie": ("social innovation", "smarter working", "work organisation"),
    "productiviteit-meten": ("measure productivity", "labour productivity", "benchmark",
                             "kpis", "productivity"),
    "leiderschap": ("leadership", "leaders", "managers", "management style"),
}

# Dutch phrases that entrepreneurs use but that neither list names (found while writing the
# evaluation set from the desks' remits).
MORE_DUTCH: Mapping[str, tuple[str, ...]] = {
    "werving-en-arbeidsmarkt": ("zoeken personeel", "zoeken we personeel", "zoek personeel",
                                "personeel nodig", "personeel vinden", "geen personeel",
                                "personeel aannemen", "nieuw personeel", "meer personeel",
                                "vakkrachten zoeken", "vakkracht zoeken",
                                "arbeidskrachten", "seizoenskrachten", "seizoenswerkers",
                                "uitzendkrachten", "flexkrachten", "niemand reageert",
                                "werkvergunning", "tewerkstellingsvergunning", "gvva",
                                "personeelsverloop", "verloop", "personeel vasthouden",
                                "personeel behouden", "personeel binden",
                                "bijstand",
                                "meedraaien", "werkgevers", "uitzendbureaus",
                                "nieuwe collega's", "nieuwe monteurs",
                                "nieuwe medewerkers", "mensen aannemen", "aannemen"),
    "leren-en-ontwikkelen": ("vaardiger", "vaardig worden", "vaardiger worden",
                             "digitaal vaardig",
                             "digitaal vaardiger", "bijgeschoold", "bijscholen", "opleidingen",
                             "opleidingsplan",
                             "evc", "cursus", "leerwerkplekken", "leerwerkplek",
                             "opleidingsbudget", "erkend diploma", "leren werken met"),
    "duurzame-inzetbaarheid": ("uitval", "uitvallen", "opgebrand", "rugklachten",
                               "inzetbaar", "langer blijven werken", "ziek thuis",
                               "gezond en inzetbaar"),
    "digitalisering": ("social media", "online marketing",
                       "excel", "excel-lijsten", "spreadsheet", "spreadsheets", "een systeem",
                       "planningssysteem", "planningssoftware", "planningstool",
                       "softwarepakket", "software kiezen", "systeem kiezen", "erp-systeem",
                       "papier", "op papier", "webshop", "koppelen",
                       "koppeling", "ritplanning", "digitale veiligheid", "cybersecurity"),
    "kunstmatige-intelligentie": ("kunstmatige inteligentie", "ai-toepassingen",
                                  "machine learning", "generatieve ai"),
    "data-en-iot": ("monitoren", "monitoring", "analyses", "analyse", "data-analyse",
                    "klantdata", "klantendata",
                    "sensoren", "storingen voorspellen", "voorspellend onderhoud",
                    "digital twin", "iot"),
    "robotisering-automatisering": ("cobot", "robots", "orderpicken", "palletiseren",
                                    "automatiseren", "sorteren"),
    "lean-procesinnovatie": ("productiviteit", "productiever", "faalkosten", "5s",
                             "werkplaats inrichten", "werkplek inrichten", "slimmer inrichten",
                             "looproutes", "loopafstanden", "minder lopen",
                             "efficienter produceren", "procesverbetering",
                             "processen verbeteren", "zoeken en wachten", "lean werken"),
    "financiering": ("euro nodig", "geld nodig", "aankoop", "aanschaf", "investeerder",
                     "lenen", "lening", "risicokapitaal", "innovatiekrediet",
                     "financieren", "fonds", "mit-regeling", "wbso", "bank wil niet"),
    "internationalisering": ("exporteren", "export", "duitse markt", "verenigde staten",
                             "buitenlandse klanten", "handelsmissie", "japan", "india",
                             "brazilie", "canada", "mexico", "turkije", "polen", "spanje",
                             "italie", "zweden", "noorwegen", "denemarken", "zwitserland",
                             "oostenrijk", "australie", "korea", "singapore", "vietnam",
                             "afrika", "zuid-amerika", "midden-oosten", "vs",
                             "verkopen in het buitenland", "buitenlandse vestiging",
                             "uitbreiden naar"),
    "kennisdeling-ecosystemen": ("onderzoekspartner", "onderzoeksinstituut",
                                 "onderzoeksinstelling", "research partner", "kennispartner",
                                 "hogeschool", "universiteit", "lectoraat",
                                 "onderzoekers", "samen innoveren", "innovatieproject"),
    "duurzaamheid": ("stroom", "stroomverbruik", "energieverbruik", "verbruik", "besparen",
                     "energie besparen", "van het gas af", "informatieplicht energiebesparing",
                     "warmtepomp",
                     "co2 uitstoot", "zonnepanelen", "verduurzamen"),
    "medezeggenschap-en-betrokkenheid": ("ondernemingsraad", "or", "instemmingsrecht",
                                         "meepraten", "meebeslissen", "zeggenschap",
                                         "personeelsvertegenwoordiging"),
    "starten-en-ondernemen": ("voor mezelf beginnen", "voor mezelf", "opheffen", "uitschrijven",
                              "kvk nummer", "eenmanszaak", "inschrijven", "bv", "vof",
                              "rechtsvorm", "zzp'er"),
    "regeldruk": ("vergunningen", "vergunning", "avg", "privacy", "verplichtingen",
                  "welke regels", "eerste werknemer",
                  "wet- en regelgeving"),
}

# Hiring is said in many ways ("waar vinden we chauffeurs", "we need two more engineers",
# "meer jongeren binnenhalen"): a word for people near a word for finding or adding them names
# the recruitment theme, whatever the occupation.
HIRING_THEME = "werving-en-arbeidsmarkt"
PEOPLE = frozenset({
    "personeel", "mensen", "medewerkers", "medewerker", "werknemers", "werknemer", "collega",
    "collegas", "vakmensen", "vakman", "vakkrachten", "krachten", "jongeren", "stagiairs",
    "monteurs", "monteur", "chauffeurs", "chauffeur", "technici", "technicus", "lassers",
    "operators", "engineers", "ontwikkelaars", "programmeurs", "verpleegkundigen", "koks",
    "bakkers", "timmerlieden", "schilders", "elektriciens", "installateurs", "developers",
    "staff", "people", "employees", "employee", "workers", "worker", "technicians", "technician",
    "welders", "drivers", "nurses", "cooks", "programmers", "colleagues", "mechanics",
    "electricians", "hires", "leerlingen", "leerling", "stagiair", "stagiaires", "apprentices",
    "trainees", "verpleegkundige", "verzorgenden", "kok", "schoonmakers", "kappers", "ppl",
    "person", "persoon", "handen", "hands",
    "bakers", "chefs", "carers", "assistants", "waiters", "cleaners", "pickers", "fitters",
    "baker", "welder", "driver", "nurse", "cook", "chef", "mechanic", "cleaner", "waiter",
    "carer", "electrician", "plumber", "intern", "interns", "developer", "programmer",
    # whom one seeks in someone's place
    "replacements", "replacement", "vervanger", "vervangers",
    # single workers by their trade ("we zoeken een lasser", "short on riders")
    "lasser", "timmerman", "metselaar", "stukadoor", "loodgieter", "slager", "kapper",
    "bakker", "schilder", "stratenmaker", "dakdekker", "tegelzetter", "hovenier", "kapster",
    "elektricien", "installateur", "verkoper", "verkoopster", "vakvrouw", "heftruckchauffeur",
    "riders", "rider", "couriers", "courier", "carpenters", "carpenter", "plumbers",
    "bricklayers", "bricklayer", "painters", "painter", "butchers", "butcher", "hairdressers",
    "hairdresser", "gardeners", "gardener", "roofers", "roofer", "tilers", "operator",
    "planners", "planner", "teachers", "teacher", "caregivers", "caregiver", "machinists",
    "machinist", "installers", "installer", "servers", "bartenders", "bartender",
})
# Plural nouns for people by their ending ("schoonmakers", "loodgieters", "verzorgsters"),
# except the ones that name business partners rather than staff.
PEOPLE_ENDINGS = ("ers", "sters", "euren", "eurs", "kundigen", "isten", "istas", "mannen",
                  "lieden", "vrouwen", "krachten")
NOT_STAFF = frozenset({
    "investeerders", "financiers", "leveranciers", "partners", "klanten", "afnemers", "kopers",
    "gebruikers", "bezoekers", "computers", "containers", "printers", "scanners", "sensoren",
    "concurrenten", "ondernemers", "werkgevers", "investors", "customers", "suppliers", "buyers",
    "users", "competitors", "others", "anderen", "hoogleraren", "onderzoekers", "numbers",
})
HIRING_VERBS = frozenset({
    "vinden", "vind", "zoeken", "zoek", "zoekt", "aannemen", "werven", "binnenhalen", "binnen",
    "aantrekken", "inhuren", "uitbreiden", "find", "finding", "hire", "hiring", "recruit",
    "recruiting",
    "attract", "expand", "take", "replace", "vervangen", "halen", "haal", "haalt",
})
# Verbs of need that say hiring only in their place: English "need drivers" (before the noun,
# not "our staff need training"), Dutch "personeel nodig" (after it).
NEED_BEFORE = frozenset({"need", "needs", "needed"})
NEED_AFTER = frozenset({"nodig"})
# How far after the people a Dutch "nodig" still says one needs them, within the clause ("een
# magazijnmedewerker en iemand voor de klantenservice nodig").
NEED_AFTER_REACH = 8
# Shortage after the people: "drie man te kort", "chauffeurs te kort", "staff short".
SHORT_AFTER = frozenset({"tekort", "kort", "short"})
# Staff who leave must be replaced: "my only mechanic is leaving", "onze kok vertrekt".
LEAVING_AFTER = frozenset({"leaving", "leaves", "quitting", "quits", "vertrekt", "vertrekken",
                           "opgezegd"})
OPEN_AFTER = frozenset({"open", "openstaan", "vrij", "unfilled", "vacant"})
NUMBER_WORDS = frozenset({"twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien",
                          "paar", "two", "three", "four", "five", "six", "seven", "eight",
                          "nine", "ten", "couple", "few"})
# A number before "man"/"fte" counts people one needs only with a cue ("3 man nodig"); as the
# firm's size ("met 4 man") it is no hiring.
HEADCOUNT_WORDS = frozenset({"man", "fte", "fte's", "ftes", "vacatures", "plekken", "plekke"})
# Before a word for people, "voor"/"for" names whom the business serves ("een app voor
# mantelzorgers"), not whom it seeks, unless a shortage or need says so.
FOR_WHOM = frozenset({"voor", "for"})
# Only words that add people: a bare number counts the staff one has ("55 medewerkers").
HIRING_COUNTS = frozenset({"meer", "extra", "nieuwe", "nieuw", "more", "new", "additional",
                           "genoeg", "enough", "aan"})  # "helpt me aan een kok", "tekort aan"
# Words of shortage before the people one lacks: "short of nurses", "a shortage of drivers",
# "we lack cooks", "we missen monteurs", "gebrek aan lassers" ("tekort aan …" is caught by
# "aan"); "weinig" only as "te weinig" ("met weinig mensen" counts the staff one has).
SHORTAGE = frozenset({"short", "shortage", "shortages", "lack", "lacks", "lacking",
                      "onvoldoende", "gebrek", "tekort", "tekorten", "krap", "missing",
                      "missen", "mist"})
TOO_FEW = ("te", "weinig")
# A word for people directly before a verb of wanting or having to is the sentence's subject
# ("personeel wil meer inspraak", "onze monteurs moeten bijleren", "our staff want training"):
# it says who the question is about, not that the asker looks for people.
SUBJECT_VERBS = frozenset({"wil", "willen", "wilt", "moet", "moeten", "mogen", "kunnen", "kan",
                           "gaan", "zouden", "vragen", "vraagt", "want", "wants", "must",
                           "should", "would", "need", "needs", "have", "ask", "asks"})


# Heads of compounds that name a worker ("magazijnmedewerker", "vrachtwagenchauffeur").
PEOPLE_HEADS = ("medewerker", "medewerkers", "monteur", "chauffeur", "technicus", "kracht",
                "verkoper", "verkoopster", "adviseur", "employee")


def is_people(word: str) -> bool:
    """Whether a folded word names people who work (staff, an occupation)."""
    return word in PEOPLE or (word not in NOT_STAFF and len(word) >= 7
                              and word.endswith(PEOPLE_ENDINGS + PEOPLE_HEADS))


# After the verb a pronoun is the subject instead ("personeel moet ik vinden"); a negation says
# people will not come ("mensen willen hier niet meer werken": a recruitment worry).
PRONOUNS = frozenset({"ik", "we", "wij", "je", "jij", "u", "i", "you"})
NEGATIONS = frozenset({"niet", "geen", "nooit", "not", "no", "never"})
# Before a word for people, a possessive names staff one has ("our cooks", "onze monteurs").
POSSESSIVES = frozenset({"our", "my", "their", "onze", "ons", "mijn", "hun", "jullie"})


def subject_people(words: Sequence[str]) -> frozenset[int]:
    """Positions of words for people that are the subject of a verb of wanting or having to."""
    return frozenset(i for i in range(len(words) - 1)
                     if words[i + 1] in SUBJECT_VERBS and is_people(words[i])
                     and (i + 2 == len(words) or (words[i + 2] not in PRONOUNS
                                                  and words[i + 2] not in NEGATIONS)))


def _hiring_hits(words: Sequence[str],
                 clause_starts: Sequence[int] = ()) -> list[PhraseHit]:
    hits = []
    for i, w in enumerate(words):
        headcount = (w in HEADCOUNT_WORDS and i > 0
                     and (words[i - 1].isdigit() or words[i - 1] in NUMBER_WORDS))
        if not (is_people(w) or headcount):
            continue
        clause_start, clause_end = clause_of(clause_starts, len(words), i)
        before = words[max(0, i - 3):i]
        # A verb for finding people works within its clause ("de lasafdeling uitbreiden met
        # een cobot. De lassers moeten …" seeks no welders).
        near = [*words[max(clause_start, i - 6):i], *words[i + 1:min(clause_end, i + 4)]]
        after = words[i + 1:i + 3]
        need = next((c for c in words[i + 1:min(clause_end, i + 1 + NEED_AFTER_REACH)]
                     if c in NEED_AFTER), None) or next(
            (c for c in words[i + 1:min(clause_end, i + 4)]
             if c in SHORT_AFTER or c in LEAVING_AFTER), None) or (
            # "2 plekken open", "drie vacatures openstaan"
            next((c for c in words[i + 1:min(clause_end, i + 3)] if c in OPEN_AFTER), None)
            if headcount else None)
        if headcount or (i and words[i - 1] in FOR_WHOM):
            # "3 man nodig", "drie man te kort", "we zoeken 3 man"; "voor mantelzorgers" only
            # with a need
            cue = need or next((c for c in before if c in SHORTAGE or c in NEED_BEFORE
                                or (headcount and c in HIRING_VERBS)), None)
            if cue is not None:
                hits.append(PhraseHit(HIRING_THEME, f"{cue} … {w}", (w,), EXACT, 1.0, i))
            continue
        cue = next((c for c in before if c in HIRING_COUNTS or c in NEED_BEFORE
                    or c in SHORTAGE), None) or (
            # "jonge mensen willen niet meer in de bouw": people who will not come
            f"{after[0]} {after[1]}" if len(after) == 2 and after[0] in SUBJECT_VERBS
            and after[1] in NEGATIONS else None) or (
            "krijg geen" if i >= 2 and words[i - 1] == "geen"
            and words[i - 2] in ("krijg", "krijgen", "krijgt") else None) or next(
            ("te weinig" for j in range(max(1, i - 3), i)
             if (words[j - 1], words[j]) == TOO_FEW), None) or next(
            (c for c in near if c in HIRING_VERBS), None) or need or (
            # "mensen die … kunnen", "people who can …": a description of whom one seeks (not
            # of one's own staff: "we want our cooks to get a certificate")
            " ".join(after) if len(after) == 2 and not (i and words[i - 1] in POSSESSIVES) and (
                (after[0] in ("die", "who") and any(
                    x in ("kunnen", "can", "willen") for x in words[i + 2:i + 5]))
                or after[0] == "to") else None)
        if cue is not None:
            hits.append(PhraseHit(HIRING_THEME, f"{cue} … {w}", (w,), EXACT, 1.0, i))
    return hits


# A machine taking over work is automation, however the work is called ("een machine kan het
# zware werk overnemen", "machines to take over the packing"): a word for a machine near a verb
# for taking over or replacing work names the automation theme.
AUTOMATION_THEME = "robotisering-automatisering"
MACHINE_WORDS = frozenset({"machine", "machines", "robot", "robots", "cobot", "cobots",
                           "apparaat", "apparaten", "machinery"})
# Only verbs of taking work over: "replace" / "vervangen" are as often said of the machine
# itself ("onze oude machine vervangen": an investment, not automation).
TAKEOVER_VERBS = frozenset({"overnemen", "overneemt", "overnam", "overgenomen"})
TAKE_OVER = (frozenset({"take", "takes", "taking", "neemt", "nemen"}), "over")


# Words for the state of people that are as often said of machines ("machines vallen uit",
# "our older machines"): next to a word for a machine they say nothing about staff.
STAFF_STATE_THEME = "duurzame-inzetbaarheid"
MACHINE_CONTEXT = MACHINE_WORDS | frozenset({
    "installatie", "installaties", "lijn", "lijnen", "productielijn", "pomp", "pompen",
    "systeem", "systemen", "apparatuur", "equipment", "vrachtwagens", "trucks", "ovens",
    "oven", "software", "computers", "servers", "server", "heftruck", "heftrucks"})
STATE_WINDOW = 3


# "Waar moet ik beginnen?", "where do we start?": asking where to begin, not about starting a
# business.
START_WORDS = frozenset({"start", "starten", "begin", "beginnen", "started", "starting"})
WHERE_HOW = frozenset({"where", "waar", "how", "hoe"})


def _where_to_start(words: Sequence[str], hit: PhraseHit) -> bool:
    return (hit.label == BUSINESS_THEME and len(hit.words) == 1 and hit.words[0] in START_WORDS
            and any(w in WHERE_HOW for w in words[max(0, hit.start - 4):hit.start]))


# An amount of money ("40.000 euro", "50k", "zestigduizend euro") names financing, weakly:
# it is as often the size of an investment one asks about for another reason.
MONEY_THEME = "financiering"
MONEY_WEIGHT = 0.5
_THOUSANDS = re.compile(r"^\d+k$")
EURO_WORDS = frozenset({"euro", "euros", "eur"})


def _money_hits(words: Sequence[str]) -> list[PhraseHit]:
    hits = []
    for i, w in enumerate(words):
        prev = words[i - 1] if i else ""
        amount = (_THOUSANDS.match(w) is not None
                  or (w == "k" and prev.isdigit())
                  or (w in EURO_WORDS and (prev.isdigit() or prev.endswith("duizend")
                                           or prev in NUMBER_WORDS))
                  or (w == "ton" and (prev.isdigit() or prev in NUMBER_WORDS
                                      or prev in ("een", "halve", "anderhalve"))))
        if amount:
            hits.append(PhraseHit(MONEY_THEME, "an amount of money", (w,), EXACT,
                                  MONEY_WEIGHT, i))
    return hits


# A theme word right before a noun for the business, after "our"/"a", says who asks, not what
# ("Our recruitment agency wants to use AI", "we're an AI startup looking for a loan").
BUSINESS_NOUNS = frozenset({"agency", "company", "firm", "business", "bureau", "shop",
                            "consultancy", "startup", "start-up", "studio", "bedrijf",
                            "kantoor", "winkel", "zaak", "bureautje"})
DETERMINERS = POSSESSIVES | frozenset({"a", "an", "een", "the", "het", "de"})
WHO_ASKS_WEIGHT = 0.5
# Verb forms that the stemmer takes to a theme's noun ("het werk verloopt rommelig" is no
# staff turnover, "het verloop").
NOT_THE_NOUN = {"verloopt": HIRING_THEME, "verliep": HIRING_THEME, "verlopen": HIRING_THEME}


# Saying what one is ("ben zzp elektricien", "we zijn een ict-bedrijf", "I'm a freelance
# designer", "we are an AI startup"): the few words after the verb, directly or after an
# article, tell who asks.
SELF_VERBS = {"ben": frozenset(), "zijn": frozenset({"we", "wij"}), "m": frozenset({"i"}),
              "am": frozenset({"i"}), "re": frozenset({"we", "you"}), "are": frozenset({"we"})}
ARTICLES = frozenset({"a", "an", "een"})
SELF_REACH = 3
_ASKER_BEFORE_BEN = frozenset({"ik", "en", "maar", "want", "omdat"})


def _self_described(words: Sequence[str]) -> frozenset[int]:
    out: set[int] = set()
    for i, w in enumerate(words[:-1]):
        subjects = SELF_VERBS.get(w)
        if subjects is None or (subjects and not (i and words[i - 1] in subjects)):
            continue
        if w == "ben" and i and words[i - 1] not in _ASKER_BEFORE_BEN:
            continue  # "hoe ben je …": only the asker's own "(ik) ben"
        if words[i + 1] in ARTICLES:
            out.update(range(i + 2, min(len(words), i + 2 + SELF_REACH)))
        elif w in ("ben", "zijn", "m", "am") and words[i + 1] not in _STOP:
            out.update(range(i + 1, min(len(words), i + 1 + SELF_REACH)))
    return frozenset(out)


def _not_the_noun(hit: PhraseHit) -> bool:
    return len(hit.words) == 1 and NOT_THE_NOUN.get(hit.words[0]) == hit.label


def _who_asks(words: Sequence[str], hits: list[PhraseHit]) -> list[PhraseHit]:
    out = []
    described = _self_described(words)
    for h in hits:
        end = h.start + len(h.words)
        if h.start in described or (
                len(h.words) == 1 and end < len(words) and words[end] in BUSINESS_NOUNS
                and (h.start == 0 or words[h.start - 1] in DETERMINERS)):
            h = replace(h, weight=min(h.weight, WHO_ASKS_WEIGHT))
        out.append(h)
    return out


def _phrases_claim_their_words(hits: list[PhraseHit]) -> list[PhraseHit]:
    """A word read inside a phrase of several words ("overdracht binnen de familie") is no
    single word of another theme there ("overdracht" as a handover of work)."""
    claimed: dict[int, set[str]] = defaultdict(set)
    for h in hits:
        if len(h.words) > 1:
            for p in range(h.start, h.start + len(h.words)):
                claimed[p].add(h.label)
    return [h for h in hits if not (len(h.words) == 1 and claimed.get(h.start)
                                    and h.label not in claimed[h.start])]


# "leren wat werkt", "learn what's possible": finding out, not training.
LEARN_WORDS = frozenset({"leren", "learn", "learning"})
FIND_OUT_WORDS = frozenset({"wat", "hoe", "of", "what", "how", "whether", "which", "welke"})


def _learn_what(words: Sequence[str], hit: PhraseHit) -> bool:
    end = hit.start + len(hit.words)
    return (hit.label == LEARNING_THEME and len(hit.words) == 1 and hit.words[0] in LEARN_WORDS
            and end < len(words) and words[end] in FIND_OUT_WORDS)


def _said_of_a_machine(words: Sequence[str], hit: PhraseHit) -> bool:
    """Whether a staff-state word of one word ("uitvallen", "older") stands next to a machine."""
    if hit.label != STAFF_STATE_THEME or len(hit.words) > 2:
        return False
    lo, hi = max(0, hit.start - STATE_WINDOW), min(len(words), hit.start + STATE_WINDOW + 1)
    return any(words[j] in MACHINE_CONTEXT for j in range(lo, hi))


def _automation_hits(words: Sequence[str]) -> list[PhraseHit]:
    hits = []
    for i, w in enumerate(words):
        if w not in MACHINE_WORDS:
            continue
        window = range(max(0, i - 4), min(len(words), i + 7))
        verb = next((words[j] for j in window if words[j] in TAKEOVER_VERBS), None)
        if verb is None:
            verb = next((f"{words[j]} … over" for j in window if words[j] in TAKE_OVER[0]
                         and TAKE_OVER[1] in words[j + 1:j + 7]), None)
        if verb is not None:
            hits.append(PhraseHit(AUTOMATION_THEME, f"{w} … {verb}", (w,), EXACT, 1.0, i))
    return hits


# Taking over (or handing over) a business is starting and running one ("de garage van mijn
# vader overnemen", "take over my parents' shop", "de zaak overdragen aan mijn dochter"): a
# verb or noun of taking over near a word for a business or for its owner names the theme;
# alone it is as often work taken over ("overdrachten tussen kantoor en werkplaats") or a
# machine taking over work (automation, above), so it is not a keyword on its own.
BUSINESS_THEME = "starten-en-ondernemen"
TAKEOVER_WORDS = TAKEOVER_VERBS | frozenset({
    "overdragen", "overdraagt", "overgedragen", "opvolgen", "opvolgt", "opgevolgd", "acquire",
    "acquiring", "succeed"})
# As a noun it names a business takeover only with the business after it ("de overname van een
# bakkerij", "takeover of a company"): "de overdracht in ons bedrijf" is a handover of work.
TAKEOVER_NOUNS = frozenset({"overname", "overnames", "overdracht", "takeover", "acquisition"})
NOUN_REACH = 4
# What is handed over when it is not a business: knowledge, tasks, a shift.
NOT_A_BUSINESS_TRANSFER = frozenset({
    "kennis", "vakkennis", "ervaring", "ervaringen", "taken", "werkzaamheden", "dienst",
    "diensten", "knowledge", "experience", "tasks", "shift", "shifts"})
# Separable verbs whose particle "over" closes the clause ("ik neem de zaak … over", "hoe draag
# ik mijn bedrijf over") or follows in English ("take over", "hand over").
TAKE_VERBS = TAKE_OVER[0] | frozenset({"neem", "nam", "namen", "took", "draag", "draagt",
                                       "dragen", "droeg", "handing", "handed"})
BUSINESS_WORDS = frozenset({
    "bedrijf", "bedrijfje", "zaak", "zaakje", "onderneming", "firma", "winkel", "winkeltje",
    "praktijk", "garage", "bakkerij", "slagerij", "kapsalon", "salon", "restaurant", "cafe",
    "hotel", "webshop", "webwinkel", "boerderij", "kwekerij", "drukkerij", "concurrent",
    "camping", "tuincentrum", "apotheek", "studio", "werkplaats", "loonbedrijf",
    "business", "company", "firm", "shop", "store", "practice", "bakery", "farm", "competitor",
    # its owner: the business is theirs
    "vader", "moeder", "ouders", "schoonvader", "eigenaar",
    "baas", "father", "mother", "parents", "dad", "uncle", "aunt", "owner", "boss"})


def _business_takeover_hits(words: Sequence[str],
                            clause_starts: Sequence[int]) -> list[PhraseHit]:
    hits = []
    bounds = [*clause_starts, len(words)] if clause_starts else [0, len(words)]
    for b in range(len(bounds) - 1):
        clause = words[bounds[b]:bounds[b + 1]]
        if any(w in MACHINE_WORDS or w in NOT_A_BUSINESS_TRANSFER for w in clause):
            continue  # a machine taking over work, knowledge or tasks handed over
        noun = next((w for w in clause if w in BUSINESS_WORDS), None)
        if noun is None:
            continue
        for j, w in enumerate(clause):
            verb = w if w in TAKEOVER_WORDS else (
                f"{w} … over" if w in TAKE_VERBS and "over" in clause[j + 1:] else None)
            if w in TAKEOVER_NOUNS:
                noun = next((x for x in clause[j + 1:j + 1 + NOUN_REACH] if x in BUSINESS_WORDS),
                            None)
                verb = w if noun is not None else None
            if verb is not None and noun is not None:
                hits.append(PhraseHit(BUSINESS_THEME, f"{noun} … {verb}", (noun, w), EXACT,
                                      1.0, bounds[b] + j))
                break
    return hits


# A country named as where the asker or their business comes from ("we are a transport company
# from Poland", "ik kom uit Turkije") says who asks, not that they ask about markets abroad;
# customers, orders or goods from a country ("klanten uit Duitsland", "import from China") do.
ORIGIN_CUES = frozenset({"from", "uit", "afkomstig"})
ASKER_WORDS = frozenset({"we", "wij", "i", "ik", "am", "are", "ben", "zijn", "kom", "komen",
                         "come", "company", "firm", "bedrijf", "onderneming", "originally",
                         "owner", "eigenaar", "founder", "oprichter"})
TRADE_WORDS = frozenset({"klanten", "klant", "customers", "customer", "clients", "orders",
                         "order", "bestellingen", "import", "importeren", "importing", "imports",
                         "leveranciers", "suppliers", "goods", "goederen", "producten",
                         "products", "vraag", "demand", "buyers", "kopers", "markt", "market"})
ORIGIN_WEIGHT = 0.5


def _asker_origin(words: Sequence[str], i: int) -> bool:
    """Whether the word at ``i`` (a country) names where the asker comes from."""
    if i == 0 or words[i - 1] not in ORIGIN_CUES:
        return False
    before = words[max(0, i - 7):i - 1]
    return any(w in ASKER_WORDS for w in before) and not any(w in TRADE_WORDS for w in before)


# Particles of Dutch separable verbs ("uitschrijven": "ik schrijf me uit").
PARTICLES = frozenset({"uit", "in", "op", "aan", "af", "mee", "over", "door", "terug", "bij",
                       "na", "weg", "samen", "toe", "om", "vast"})
# Words that open the next clause, after which a particle still closes its own.
CLAUSE_LINKS = frozenset({"om", "te", "en", "maar", "want", "zodat", "omdat", "of", "dan"})

# Words that mark what follows as a second topic ("… en willen ook …", "we would also like …"):
# theme words after the first of them count for less, so the question routes on its main ask.
SECOND_TOPIC_MARKERS = frozenset({"ook", "also", "daarnaast", "bovendien", "tevens",
                                  "additionally", "too", "daarna", "vervolgens", "tegelijk",
                                  "tegelijkertijd", "afterwards", "bijkomend", "btw", "ps",
                                  "eventually", "besides", "furthermore", "trouwens",
                                  "overigens", "unrelated", "separately", "daarbuiten",
                                  "bijvraag", "secondly", "uiteindelijk"})
# A later sentence that opens with "En …"/"And …" adds a second ask ("Welke aanpak is
# verstandig? En welke subsidies zijn er?").
SECOND_TOPIC_OPENERS = frozenset({"en", "and", "plus", "verder", "daarnaast", "ook"})
# Two-word markers of a second topic ("as well", "los daarvan", "second question").
SECOND_TOPIC_PAIRS = frozenset({("as", "well"), ("los", "daarvan"), ("tweede", "vraag"),
                                ("tweede", "punt"),
                                ("second", "question"), ("another", "question"),
                                ("on", "top"), ("apart", "from"), ("nog", "iets")})
SECOND_TOPIC_WEIGHT = 0.5
# Words that mark a clause as the main ask ("maar eerst het echte probleem: …", "het
# belangrijkste is …", "onze hoofdvraag is …", "but what I really need is …"): from that
# clause on, until a clause with a second-topic marker, theme words count in full and the
# rest of the question counts as its second topic.
MAIN_ASK_WORDS = frozenset({"belangrijkste", "belangrijker", "hoofdvraag", "hoofdzaak",
                            "allereerst", "voornamelijk", "vooral", "mainly", "mostly",
                            "primarily", "importantly", "eigenlijke", "foremost", "urgent",
                            "urgentst", "dringendst", "voorrang", "prioriteit", "priority",
                            "prio", "spoed", "belangrijkst"})
MAIN_ASK_PAIRS = frozenset({
    ("maar", "eerst"), ("eerst", "dit"), ("echte", "probleem"), ("echte", "vraag"),
    ("echte", "zorg"), ("vraag", "brandt"), ("nu", "brandt"), ("really", "need"),
    ("really", "want"), ("real", "question"), ("real", "problem"), ("real", "issue"),
    ("main", "question"), ("main", "thing"), ("main", "problem"), ("main", "issue"),
    ("main", "concern"), ("right", "now"), ("but", "first"), ("above", "all"),
    ("most", "important"), ("most", "urgent"), ("key", "question"), ("first", "this"),
    ("grootste", "probleem"), ("grootste", "zorg"), ("grootste", "uitdaging"),
    ("grootste", "hoofdpijn"), ("grootste", "knelpunt"), ("biggest", "headache"),
    ("biggest", "problem"), ("biggest", "issue"), ("biggest", "challenge"),
    ("biggest", "worry"), ("biggest", "concern"), ("belangrijkste", "vraag"),
    ("eigenlijk", "wil"), ("eigenlijk", "hulp"), ("eigenlijk", "zoek"), ("eerst", "weten"),
    ("eerst", "willen"), ("eerst", "wil"), ("gaat", "mij"), ("gaat", "ons"),
    ("eerst", "oplossen"), ("eerst", "regelen"), ("first", "fix"), ("mijn", "vraag"),
    ("my", "question"), ("onze", "vraag"), ("our", "question"), ("echt", "mee"),
    ("first", "question"), ("eerste", "vraag"), ("main", "ask"),
})
# Words that put what they are said of second, looking back ("een website komt later", "…,
# maar dat is bijzaak", "a new website is less urgent"): their clause, and the clause before
# when theirs opens by pointing back ("dat is bijzaak").
BACKWARD_SECOND_WORDS = frozenset({"bijzaak", "bijkomstig", "secondary"})
BACKWARD_SECOND_PAIRS = frozenset({("komt", "later"), ("komt", "daarna"), ("comes", "later"),
                                   ("kom", "later"), ("komen", "later"), ("kom", "daarna"),
                                   ("komen", "daarna"), ("regel", "later"), ("regel", "daarna"),
                                   ("can", "wait"), ("kan", "wachten"), ("minder", "urgent"),
                                   ("less", "urgent"), ("minder", "belangrijk"),
                                   ("stap", "twee"), ("tweede", "stap"), ("step", "two"),
                                   ("second", "step"), ("fase", "twee"), ("phase", "two"),
                                   ("op", "termijn"), ("in", "time"), ("later", "stadium"),
                                   # what the asker has in hand: "mensen vinden lukt wel",
                                   # "dat regelen we zelf wel", "hoe dat moet weten we wel"
                                   ("lukt", "wel"), ("geen", "probleem"), ("no", "problem"),
                                   ("zelf", "wel"), ("weten", "wel"),
                                   ("less", "important"), ("regelen", "daarna"),
                                   ("regelen", "later")})


def backward_second(words: Sequence[str], clause_starts: Sequence[int],
                    named: frozenset[int] = frozenset()) -> frozenset[int]:
    """Positions that a marker of lesser importance puts second (``BACKWARD_SECOND_WORDS``):
    its own clause ("een website komt later"); the clause before when it points back ("…, maar
    dat is bijzaak"); the clause after when it names nothing itself ("Minder belangrijk: …")."""
    bounds = clause_bounds(clause_starts, len(words))
    out: set[int] = set()
    for k, (s, e) in enumerate(bounds):
        if any(w in BACKWARD_SECOND_WORDS
               or (j + 1 < e and (w, words[j + 1]) in BACKWARD_SECOND_PAIRS)
               # the verb before its subject: "kom ik later op", "regelen we daarna"
               or (j + 2 < e and words[j + 1] in PRONOUNS
                   and (w, words[j + 2]) in BACKWARD_SECOND_PAIRS)
               for j, w in enumerate(words[s:e], start=s)):
            out.update(range(s, e))
            if k and (_lead(words, s, e) in POINTING_WORDS or words[s] in ("maar", "but")):
                out.update(range(*bounds[k - 1]))
            elif not any(s <= p < e for p in named) and k + 1 < len(bounds):
                out.update(range(*bounds[k + 1]))
    return frozenset(out)


# After "and"/"en" at a clause's start, these open a new question.
NEW_ASK_WORDS = frozenset({"could", "can", "is", "are", "do", "does", "how", "what", "which",
                           "who", "kan", "kunnen", "zijn", "hoe", "wat", "welke", "wie"})


# A main-ask word after these says the opposite ("minder urgent", "not important").
NOT_MAIN = frozenset({"minder", "less", "niet", "not", "geen", "no"})
# A main-ask marker in a clause that names nothing and opens with a pointing word ("Dit is mijn
# eigenlijke vraag", "Dat tweede is mijn hoofdvraag", "That is what I really need") points back
# at the sentence before it; a marker of lesser importance opening so points at the clause
# before ("…, maar dat is bijzaak").
POINTING_WORDS = frozenset({"dit", "dat", "deze", "die", "daar", "this", "that", "these",
                            "those"})


# Learning is about something: the other themes' words that name what is learnt
# (``_learnt_positions``: "een cursus over AI", "a digital marketing course", "leren werken met
# warmtepompen") count for this much; money for the training stays a question of its own.
LEARNING_THEME = "leren-en-ontwikkelen"
LEARNT_WEIGHT = 0.4
LEARNT_EXEMPT = frozenset({"financiering"})
LEARNING_NOUNS = frozenset({"course", "courses", "cursus", "cursussen", "training",
                            "trainingen", "opleiding", "opleidingen", "workshop", "workshops"})
LEARNT_PREPOSITIONS = frozenset({"over", "in", "met", "about", "on", "with"})


# Whom one seeks is for something ("een stagiair voor onze social media", "a developer for
# our webshop"): the words after "voor/for" name the role, and count below the hiring.
ROLE_PREPOSITIONS = frozenset({"voor", "for"})
ROLE_REACH = 4


def _role_positions(words: Sequence[str], hits: Sequence[PhraseHit]) -> frozenset[int]:
    out: set[int] = set()
    for h in hits:
        if h.label != HIRING_THEME or h.weight < 1.0:
            continue
        p = h.start + len(h.words)
        if p < len(words) and words[p] in ROLE_PREPOSITIONS:
            out.update(range(p + 1, min(len(words), p + 1 + ROLE_REACH)))
    return frozenset(out)


def _learnt_positions(words: Sequence[str], hits: Sequence[PhraseHit],
                      clause_starts: Sequence[int] = ()) -> frozenset[int]:
    """Word positions that name what is learnt: right after training and a preposition
    ("leren werken met warmtepompen", "een cursus over AI", "training in lean"), between a
    preposition and a Dutch learning verb at the end of its clause ("zodat ze met
    warmtepompen leren werken"), or right before a noun for a course ("a digital marketing
    course")."""
    out: set[int] = set()
    for h in hits:
        if h.label != LEARNING_THEME or h.weight < 1.0:
            continue
        p = h.start + len(h.words)
        prep = next((j for j in range(p, min(len(words), p + 2))
                     if words[j] in LEARNT_PREPOSITIONS), None)
        if prep is not None:
            out.update(range(prep + 1, min(len(words), prep + 5)))
        if words[h.start] in LEARNING_NOUNS:
            out.update(range(max(0, h.start - 3), h.start))
        elif words[h.start] in LEARN_VERBS_NL:
            begin = clause_of(clause_starts, len(words), h.start)[0]
            prep = next((j for j in range(h.start - 1, max(begin, h.start - 5) - 1, -1)
                         if words[j] in LEARNT_PREPOSITIONS), None)
            if prep is not None:
                out.update(range(prep + 1, h.start))
    return frozenset(out)


# A learning verb is a weak word alone ("leren wat werkt"), but said in a clause about the
# staff ("mijn monteurs moeten leren …", "hoe leer ik ze ermee werken") it asks for training.
LEARN_VERBS_NL = frozenset({"leren", "leer", "leert", "bijleren", "omleren"})
LEARN_VERBS = LEARN_VERBS_NL | frozenset({"learn", "learning"})
STAFF_PRONOUNS = frozenset({"ze", "zij", "hen", "hun", "them", "they"})
# "van ze leren", "learn from them": learning from others, not training one's staff.
FROM_WHOM = frozenset({"van", "from", "bij", "of"})


def _staff_learning(words: Sequence[str], hits: list[PhraseHit],
                    clause_starts: Sequence[int]) -> list[PhraseHit]:
    """Weak learning verbs made strong where their clause names the staff."""
    out = []
    for h in hits:
        if (h.label == LEARNING_THEME and h.weight < 1.0 and len(h.words) == 1
                and h.words[0] in LEARN_VERBS):
            s, e = clause_of(clause_starts, len(words), h.start)
            if any(is_people(w) or (w in STAFF_PRONOUNS and not (
                    k and words[k - 1] in FROM_WHOM))
                   for k, w in enumerate(words[s:e], start=s)):
                h = replace(h, weight=1.0)
        out.append(h)
    return out


# Theme words in sentences that tell the situation count for this much when other sentences ask
# ("Door de automatisering verdwijnt werk. Kunnen die mensen omgeschoold worden?" asks about
# retraining).
CONTEXT_WEIGHT = 0.6


def _telling_positions(n: int, clause_starts: Sequence[int],
                       asks: Sequence[bool]) -> frozenset[int]:
    """Word positions in clauses that tell rather than ask, when the question has both kinds;
    else none (a question that only tells or only asks weighs all its words alike)."""
    bounds = clause_bounds(clause_starts, n)
    if len(asks) != len(bounds) or all(asks) or not any(asks):
        return frozenset()
    return frozenset(i for a, (s, e) in zip(asks, bounds, strict=True) if not a
                     for i in range(s, e))


# A clause that points back and says "that is what/where …" names the main ask by a cleft
# ("…, en dat laatste is waar ik hulp bij zoek", "that's what we need help with").
CLEFT_VERBS = frozenset({"is", "s", "zijn", "was", "are"})
CLEFT_WORDS = frozenset({"waar", "wat", "what", "where", "waarvoor", "waarmee", "waarbij"})
# Words by which a clause refers to one of the topics said before: by number ("Punt 1 is het
# meest urgent", "question 2 matters most"), or by order ("het eerste", "the latter").
ITEM_NOUNS = frozenset({"punt", "vraag", "nummer", "onderwerp", "point", "question", "item",
                        "number", "issue", "topic"})
ORDINALS = {"eerste": 1, "first": 1, "tweede": 2, "second": 2, "derde": 3, "third": 3,
            "vierde": 4, "fourth": 4}
FIRST_WORDS = frozenset({"eerste", "first", "former", "eerstgenoemde", "eerstgenoemd"})
LAST_WORDS = frozenset({"laatste", "latter", "last", "laatstgenoemde", "laatstgenoemd"})
# List markers that open an item: a lone number ("1)", "2."), "ten eerste", "firstly".
LIST_ORDINALS = {"firstly": 1, "secondly": 2, "thirdly": 3}
TOPIC_JOINS = frozenset({"en", "and", "of", "or"})


# A clause that opens by saying what is sought ("waar we hulp bij zoeken is de techniek:",
# "Wat ik nu wil weten: …", "What we need most is …") marks the main ask.
WHAT_WORDS = frozenset({"wat", "waar", "what", "where"})
SOUGHT_WORDS = frozenset({"hulp", "help", "nodig", "need", "weten", "know", "zoeken", "zoek",
                          "zoekt", "vraag", "wondering"})


def _pseudo_cleft(words: Sequence[str], start: int, end: int) -> bool:
    if end - start < 2:
        return False
    k = start + 1 if words[start] in LINKS and start + 1 < end else start
    if words[k] not in WHAT_WORDS or k + 1 >= end or words[k + 1] not in PRONOUNS:
        return False  # "Wat is daarvoor nodig?" asks; "wat ik nu wil weten" says what it asks
    sought = [j for j in range(k + 1, end) if words[j] in SOUGHT_WORDS]
    return bool(sought) and (sought[-1] == end - 1 or any(
        words[j] in CLEFT_VERBS for j in range(sought[0] + 1, min(end, sought[0] + 4))))


def _is_main_marker(words: Sequence[str], i: int, starts: Sequence[int]) -> bool:
    w = words[i]
    if w in MAIN_ASK_WORDS and not (i and words[i - 1] in NOT_MAIN):
        return True
    if i + 1 < len(words) and (w, words[i + 1]) in MAIN_ASK_PAIRS:
        return True
    # the cleft: a pointing clause start, a form of "to be", then "what"/"waar"
    if not (w in CLEFT_WORDS and i >= 2 and words[i - 1] in CLEFT_VERBS):
        return False
    clause_start = clause_of(starts, len(words), i)[0]
    return any(x in POINTING_WORDS for x in words[max(clause_start, i - 4):i - 1])


def list_items(words: Sequence[str], starts: Sequence[int]) -> dict[int, tuple[int, int]]:
    """The numbered items of a question ("1) … 2) …", "ten eerste …, ten tweede …"), as
    word positions [start, end) by their number; empty when it numbers nothing."""
    bounds = clause_bounds(starts, len(words))
    begins: list[tuple[int, int]] = []  # (number, first word position of the item)
    for s, e in bounds:
        clause = words[s:e]
        if len(clause) == 1 and clause[0].isdigit() and 0 < int(clause[0]) < 10:
            begins.append((int(clause[0]), e))
        elif clause[0] == "ten" and len(clause) > 1 and clause[1] in ORDINALS:
            begins.append((ORDINALS[clause[1]], s + 2))
        elif clause[0] in LIST_ORDINALS:
            begins.append((LIST_ORDINALS[clause[0]], s + 1))
    items: dict[int, tuple[int, int]] = {}
    for k, (number, begin) in enumerate(begins):
        end = begins[k + 1][1] if k + 1 < len(begins) else len(words)
        if k + 1 < len(begins):  # up to the next item's marker, not into it
            end = max((c for c in starts if c < end), default=end)
            end = max(end, begin)
        items.setdefault(number, (begin, end))
    return items


def _number(word: str) -> int | None:
    """A number said in digits or as an ordinal ("2", "tweede", "second")."""
    return int(word) if word.isdigit() else ORDINALS.get(word)


def _referred_span(words: Sequence[str], starts: Sequence[int], start: int, end: int,
                   named: frozenset[int]) -> tuple[int, int] | None:
    """The topic that the marker clause [start, end) refers to by number or by order, when
    it names none itself: a numbered item ("Punt 1 is het meest urgent"), the last topic said
    before it ("dat laatste", "the latter"), or the first ("het eerste", "the former")."""
    clause = words[start:end]
    items = list_items(words, starts)
    number = next((n for k, w in enumerate(clause[:-1]) if w in ITEM_NOUNS
                   and (n := _number(clause[k + 1])) is not None), None)
    if number is None and items:
        number = next((int(w) for w in clause if w.isdigit() and int(w) in items), None)
    if number is not None and number in items:
        return items[number]
    bounds = [(s, e) for s, e in clause_bounds(starts, len(words))
              if any(s <= p < e for p in named)]

    def joins(s: int, e: int) -> list[int]:
        """Where "en"/"and" joins two topics within the clause [s, e)."""
        return [j for j in range(s, e) if words[j] in TOPIC_JOINS
                and any(s <= p < j for p in named) and any(j < p < e for p in named)]

    if any(w in LAST_WORDS for w in clause):
        before = [b for b in bounds if b[1] <= start]
        if not before:
            return None
        s, e = before[-1]
        at = joins(s, e)
        return (at[-1], e) if at else (s, e)  # "… een loodgieter en zonnepanelen. Dat laatste"
    if any(w in FIRST_WORDS for w in clause) and _lead(words, start, end) in (
            POINTING_WORDS | {"het", "de", "the"}):
        others = [b for b in bounds if not start <= b[0] < end]
        if not others:
            return None
        s, e = others[0]
        at = joins(s, e)
        return (s, at[0]) if at else (s, e)
    return None


def _repeated_span(words: Sequence[str], starts: Sequence[int], span: tuple[int, int],
                   named: frozenset[int]) -> tuple[int, int] | None:
    """A main ask that names no theme but repeats a word said earlier ("Wij willen een app
    laten maken. Weten jullie ook of daar subsidie voor is? Het gaat me vooral om de app."):
    the theme word nearest to where that word was first said, within its clause (``named``:
    theme words' positions, weak ones included)."""
    s, e = span
    for w in words[s:e]:
        if w in _STOP or len(w) < 3 or w in MAIN_ASK_WORDS:
            continue
        key = stem(w)
        for j in range(s):
            if stem(words[j]) == key:
                cs, ce = clause_of(starts, len(words), j)
                near = [p for p in named if cs <= p < ce]
                if near:  # the theme word nearest to it ("the AI tool … such a tool")
                    p = min(near, key=lambda p: (abs(p - j), p))
                    return p, p + 1
    return None


def main_ask_span(words: Sequence[str], clause_starts: Sequence[int],
                  opens: Sequence[bool] = (),
                  named: frozenset[int] = frozenset(),
                  mentioned: frozenset[int] | None = None) -> tuple[int, int] | None:
    """Where the question says its main ask is, as word positions [start, end): from the
    clause with a main-ask marker up to (not into) the next later clause with a second-topic
    marker; None when no clause says so. A marker clause that names no theme (``named``: the
    positions of theme words) refers to a topic by number or order ("Punt 1 is het meest
    urgent", "dat laatste is waar ik hulp bij zoek"), or opens with a pointing word ("Dit is
    mijn eigenlijke vraag") and points at the sentence before it; a main ask that names
    nothing but repeats an earlier word ("het gaat me vooral om de app") is that word's
    clause."""
    starts = sorted({0, *clause_starts})
    at = next((i for i in range(len(words)) if _is_main_marker(words, i, starts)), None)
    cleft = next((s for s, e in clause_bounds(starts, len(words)) if _pseudo_cleft(words, s, e)),
                 None)
    if cleft is not None and (at is None or cleft < at):
        at = cleft
    if at is None:
        return None
    start, clause_end = clause_of(starts, len(words), at)
    said = named if mentioned is None else mentioned  # weak theme words included
    if not any(start <= p < clause_end for p in named):
        referred = _referred_span(words, starts, start, clause_end, named)
        if referred is not None:
            return referred
    if (_lead(words, start, clause_end) in POINTING_WORDS
            and not any(start <= p < clause_end for p in named)
            and start > 0 and len(opens) == len(starts)):
        k = starts.index(start)
        previous = (starts[k - 1], start)
        if not opens[k] and any(previous[0] <= p < start for p in said):
            # within a sentence, the clause just before ("…, maar het personeel, dat is
            # waar we hulp bij zoeken")
            return previous
        # Back to the nearest earlier sentence that names a theme.
        sentence_starts = [c for c, o in zip(starts, opens, strict=True) if o and c < start]
        end = start
        for begin in reversed(sentence_starts or [0]):
            if any(begin <= p < end for p in named):
                return begin, end
            end = begin
        return max(sentence_starts or [0]), start  # the sentence before, named or not
    end = len(words)
    sentence_opens = (frozenset(c for c, o in zip(starts, opens, strict=True) if o)
                      if len(opens) == len(starts) else frozenset())
    for c in starts:
        if c <= start:
            continue
        nxt = next((x for x in starts if x > c), len(words))
        if any(w in SECOND_TOPIC_MARKERS
               or (j + 1 < nxt and (w, words[j + 1]) in SECOND_TOPIC_PAIRS)
               for j, w in enumerate(words[c:nxt], start=c)) or (
                # a later sentence that opens with "Verder …", "En …", "Plus …"
                c in sentence_opens and words[c] in SECOND_TOPIC_OPENERS) or (
                # a later clause that asks anew: "…; and could the team get trained?"
                words[c] in LINKS and c + 1 < nxt and words[c + 1] in NEW_ASK_WORDS):
            end = c
            break
    if not any(start <= p < end for p in named):
        repeated = _repeated_span(words, starts, (start, end), said)
        if repeated is not None:
            return repeated
    return start, end


# Asking who pays (``vocabulary.PAYING``) next to another theme: the thing paid for is the main
# ask ("wie betaalt de opleiding?" is about training, and financing is its second topic).
PAYING = frozenset(v for p in vocabulary.PAYING for v in dutch.expand_synonyms(p))
PAYING_WEIGHT = 0.5
# The marker points at its first few content words, within a short reach.
MARKER_WORDS, MARKER_REACH = 3, 6

# Keywords so common that on their own they say little; they count for half.
WEAK_KEYWORDS = frozenset({
    "data", "online", "app", "groei", "groeien", "geld", "regels", "verbeteren", "leren",
    "ontwikkelen", "netwerk", "cultuur", "talent", "keten", "scan", "energie", "groen",
    "global", "hub", "beurs", "management", "manager", "feedback", "participatie",
    "ondernemer", "ondernemen", "strategie", "ict", "registratie", "administratie",
    "samenwerken", "samenwerking", "systeem", "advies", "stoppen", "machine", "machines",
    "it", "personeel", "diensten", "planning", "bezetting", "fonds", "aanvragen", "bank",
    "regeling", "import", "stage", "inspectie", "cnc", "familiebedrijf",
    # English words that are too common to decide on their own
    "digital", "register", "registration", "international", "energy", "green",
    "efficient", "efficiency", "insight", "capital", "credit", "education", "train",
    "healthy", "collaboration", "cooperate", "rules", "workers", "finance", "software",
    "productivity", "waste", "engagement", "automation", "disability", "werkgevers",
    "koppelen", "papier", "sorteren", "bv", "voor mezelf", "mensen",
    # occupations say whom a question is about; a word for finding them makes it recruitment
    "monteurs", "chauffeurs", "vakmensen", "bakkers", "lassers", "timmerlieden", "technicians",
    # who the asker is, not what they ask ("wij zijn een start-up en zoeken …")
    "starten", "starter", "startup", "start-up", "groeiplan", "groeifase", "founder", "founders",
    "overname",
})

# "To scale up" is an ask for growth money; "our software scale-up" says who asks. Used as a
# noun (not after "to", "om" or a verb of wanting) the phrase counts as one weak word.
SCALE_UP = ("scale", "up")
SCALE_UP_NOUN_WEIGHT = 0.5
VERB_CUES = frozenset({"to", "om", "te", "can", "could", "will", "want", "wants", "need",
                       "needs", "help", "helps", "we", "i", "and", "en", "willen", "kunnen"})


@dataclass(frozen=True)
class ThemeMatcher:
    themes: Mapping[str, ThemeInfo]
    matcher: PhraseMatcher
    picked_weight: float = 3.0
    # A theme counts as recognised when it scores at least this share of the best theme.
    relative_threshold: float = 0.25

    @classmethod
    def build(cls, themes: Iterable[ThemeInfo],
              extra: Mapping[str, Sequence[str]] = EXTRA_KEYWORDS) -> ThemeMatcher:
        by_slug = {t.slug: t for t in themes}
        entries: list[tuple[str, str, float]] = []
        for t in by_slug.values():
            phrases = [t.name_nl, t.name_en, *t.keywords, *extra.get(t.slug, ()),
                       *MORE_DUTCH.get(t.slug, ()), *ENGLISH_KEYWORDS.get(t.slug, ()),
                       *vocabulary.DUTCH.get(t.slug, ()), *vocabulary.ENGLISH.get(t.slug, ()),
                       *vocabulary.EVERYDAY.get(t.slug, ()),
                       *vocabulary.CONCEPTS.get(t.slug, ())]
            if t.slug in vocabulary.EXACT_ONLY_THEMES:
                phrases += vocabulary.PLACES_ABROAD
            if t.slug == vocabulary.PAYING_THEME:
                phrases += vocabulary.PAYING
            for phrase in phrases:
                for variant in dutch.expand_synonyms(phrase):
                    weak = variant in WEAK_KEYWORDS or variant in vocabulary.WEAK
                    entries.append((t.slug, variant, 0.5 if weak else 1.0))
        exact_only = frozenset(w for p in vocabulary.PLACES_ABROAD for w in dutch.words(p))
        return cls(by_slug, PhraseMatcher(entries, exact_only))

    def recognise(self, text: str, picked: str | None = None) -> list[ThemeMatch]:
        """Themes of the question, strongest first; the picked topic always among them."""
        clauses = language.clause_words(text)
        asks, opens = language.clause_roles(text)
        return self.recognise_words([w for c in clauses for w in c], picked,
                                    clause_starts=clause_starts(clauses), asks=asks,
                                    opens=opens)

    def _separable_hits(self, words: Sequence[str],
                        clause_starts: Sequence[int]) -> list[PhraseHit]:
        """Dutch separable verbs: "schrijf ik me uit" is "uitschrijven", "zet … op" is
        "opzetten". A verb and a particle that closes its clause ("… uit?", "… op om …") are
        read as the joined verb; a particle before a noun is a preposition ("in Duitsland")."""
        hits: list[PhraseHit] = []
        single = self.matcher.single
        starts = set(clause_starts)
        n = len(words)
        for j, particle in enumerate(words):
            if particle not in PARTICLES or not (
                    j + 1 == n or (j + 1) in starts or words[j + 1] in CLAUSE_LINKS):
                continue  # a particle closes its clause; before a noun it is a preposition
            for i in range(j - 1, max(-1, j - 7), -1):
                if (i + 1) in starts:
                    break  # the verb is in the particle's clause
                w = words[i]
                if w in _STOP or w in PARTICLES or len(w) < 3:
                    continue
                for ph in single.get(stem(particle + w), ()):
                    hits.append(PhraseHit(ph.label, ph.phrase, (w, particle), STEM, ph.weight,
                                          i))
        return hits

    def recognise_words(self, words: Sequence[str], picked: str | None = None,
                        votes: Mapping[str, float] | None = None,
                        clause_starts: Sequence[int] = (),
                        asks: Sequence[bool] = (),
                        opens: Sequence[bool] = ()) -> list[ThemeMatch]:
        """``recognise`` for a text already cut into folded words.

        The main ask comes first: theme words after a second-topic marker ("ook", "also")
        count for ``SECOND_TOPIC_WEIGHT`` — from the start of the marker's clause when that is
        not the first clause ("… een nieuw ERP-pakket? De or wil ook meepraten."; positions
        in ``clause_starts``) — and between equal scores the theme named first wins.
        ``votes`` (theme -> weight, from the knowledge base) add to the words' score; a
        theme only the knowledge base suggests is kept when no word named any theme.
        """
        hits = self.matcher.match_words(words)
        if HIRING_THEME in self.themes:
            subjects = subject_people(words)
            if subjects:  # "personeel wil …": the staff ask, they are not sought
                hits = [h for h in hits if not (h.label == HIRING_THEME and len(h.words) == 1
                                                and h.start in subjects)]
            sought = _hiring_hits(words, clause_starts)
            # A word read as people one seeks ("waar vinden we opvolgers?") is no other theme's
            # word there (not a successor to the business).
            claimed = {h.start for h in sought}
            hits = [h for h in hits if h.label == HIRING_THEME or len(h.words) > 1
                    or h.start not in claimed]
            hits.extend(sought)
        if AUTOMATION_THEME in self.themes:
            hits.extend(_automation_hits(words))
        if BUSINESS_THEME in self.themes:
            hits.extend(_business_takeover_hits(words, clause_starts))
        exact_only = self.matcher.exact_only
        hits = [replace(h, weight=h.weight * ORIGIN_WEIGHT)
                if len(h.words) == 1 and h.words[0] in exact_only
                and _asker_origin(words, h.start) else
                replace(h, weight=min(h.weight, SCALE_UP_NOUN_WEIGHT))
                if h.words == SCALE_UP and (h.start == 0 or words[h.start - 1] not in VERB_CUES)
                else h for h in hits]
        hits.extend(self._separable_hits(words, clause_starts))
        if MONEY_THEME in self.themes:
            hits.extend(_money_hits(words))
        hits = _phrases_claim_their_words(hits)
        hits = [h for h in hits if not _said_of_a_machine(words, h)
                and not _where_to_start(words, h) and not _learn_what(words, h)
                and not _not_the_noun(h)]
        hits = _staff_learning(words, _who_asks(words, hits), clause_starts)
        named = frozenset(h.start for h in hits if h.weight >= 1.0)  # strong theme words
        main_span = main_ask_span(words, clause_starts, opens, named,
                                  frozenset(h.start for h in hits))
        telling = _telling_positions(len(words), clause_starts, asks)
        later = backward_second(words, clause_starts, named)
        bounds = clause_bounds(clause_starts, len(words))
        later_sentences = (frozenset(s for (s, _), o in zip(bounds, opens, strict=True)
                                     if o and s > 0)
                           if len(opens) == len(bounds) else frozenset())
        clause_ends = frozenset(c - 1 for c in clause_starts) | {len(words) - 1}
        markers = [i for i, w in enumerate(words)
                   # "too" adds a topic at the end of its clause ("… and drivers too"); before a
                   # word it says "excessively" ("too young", "too expensive")
                   if ((w in SECOND_TOPIC_MARKERS and (w != "too" or i in clause_ends))
                       or (i + 1 < len(words) and (w, words[i + 1]) in SECOND_TOPIC_PAIRS)
                       or (w in SECOND_TOPIC_OPENERS and i in later_sentences))
                   and (main_span is None or not main_span[0] <= i < main_span[1])]
        marker = markers[0] if markers else None
        discount_from = marker
        if marker is not None:
            start = max((c for c in clause_starts if c <= marker), default=0)
            # The second topic is the whole later clause the marker is in ("De or wil ook
            # meepraten"), unless "and" joins it within the clause ("we need drivers and also
            # warehouse staff": only what follows).
            if start > 0 and not (marker and words[marker - 1] in ("and", "en")):
                discount_from = start - 1
        # The first content words after the marker (function words skipped: "we could also do
        # with a sensor system") are what it points at.
        pointed = frozenset(p for m in markers for p in list(
            j for j in range(m + 1, min(len(words), m + 1 + MARKER_REACH))
            if words[j] not in _STOP)[:MARKER_WORDS])
        learnt = _learnt_positions(words, hits, clause_starts)
        role = _role_positions(words, hits)

        def discounted(position: int) -> bool:
            """Whether a word counts as said of the second topic: outside the main ask the
            question names, else after a second-topic marker or put second by a later one."""
            if main_span is not None:
                return not main_span[0] <= position < main_span[1]
            return (discount_from is not None and position > discount_from) or position in later

        def in_second(position: int) -> bool:
            """Whether a word lies where the question marks its second topic."""
            return position in pointed or position in later or discounted(position)

        in_main_span: set[str] = set()

        by_theme: dict[str, dict[tuple[str, ...], PhraseHit]] = defaultdict(dict)
        for hit in hits:
            if hit.start in pointed and hit.weight < 1.0:
                # "… en zoeken ook personeel": the word the marker points at is the second
                # topic itself, even when it is a weak word elsewhere.
                hit = replace(hit, weight=1.0)
            current = by_theme[hit.label].get(hit.words)
            # The same words said twice count where they count most ("… een webshop … Het
            # gaat ons vooral om de webshop").
            if current is None or hit.weight > current.weight or (
                    hit.weight == current.weight and discounted(current.start)
                    and not discounted(hit.start)):
                by_theme[hit.label][hit.words] = hit
        scored: dict[str, ThemeMatch] = {}
        told_discount: dict[str, float] = {}
        raw: dict[str, float] = {}  # each theme's score wherever its words were said
        in_span: dict[str, float] = {}  # each theme's score within the main ask's span
        # A theme named only by asking who pays yields the main ask to what is paid for.
        paying_only = {slug for slug, found in by_theme.items() if len(by_theme) > 1
                       and all(h.phrase in PAYING for h in found.values())}
        # A theme named by at least one strong word (not a weak keyword, a compound's modifier
        # or a typo; a compound's head is strong: a "palletiseerrobot" is a robot) is kept
        # however strong the main theme is: it may be the second topic.
        strong = {slug for slug, found in by_theme.items()
                  if any(h.weight >= 1.0 or (h.kind == PART and h.weight >= KIND_WEIGHT[PART])
                         for h in found.values())}
        for slug, found in by_theme.items():
            # A question word counts once per theme, through its best phrase.
            per_word: dict[str, float] = {}
            told: dict[str, float] = {}  # the part of each word's score said in telling
            raw_word: dict[str, float] = {}  # the same without where it was said
            second_part: dict[str, bool] = {}  # whether the word was said as a second topic
            span_word: dict[str, float] = {}  # the words said where the question puts its ask
            for words_, hit in found.items():
                factor = SECOND_TOPIC_WEIGHT if discounted(hit.start) else 1.0
                if slug in paying_only:
                    factor *= PAYING_WEIGHT
                if (hit.start in learnt and slug != LEARNING_THEME
                        and slug not in LEARNT_EXEMPT) or (
                        hit.start in role and slug != HIRING_THEME):
                    factor *= LEARNT_WEIGHT
                # Function words enable a phrase but add nothing to the score.
                content = [w for w in words_ if w not in _STOP] or list(words_)
                # A concept named twice ("robots … robot") counts once: keyed by its stem.
                for w in content:
                    key = stem(w)
                    value = factor * hit.weight / len(content)
                    raw_word[key] = max(raw_word.get(key, 0.0), hit.weight / len(content))
                    if value > per_word.get(key, 0.0):
                        per_word[key] = value
                        told[key] = value if hit.start in telling else 0.0
                        second_part[key] = in_second(hit.start)
                    if main_span is not None and main_span[0] <= hit.start < main_span[1]:
                        span_word[key] = max(span_word.get(key, 0.0), value)
            # What the question says as its second topic counts at most as one second-topic
            # word, however many words it spends on it ("Bijkomend vraagje: zijn er regelingen
            # die een deel van het rijbewijs betalen?").
            first_part = sum(v for k, v in per_word.items() if not second_part.get(k))
            score = first_part + min(SECOND_TOPIC_WEIGHT,
                                     sum(v for k, v in per_word.items() if second_part.get(k)))
            raw[slug] = sum(raw_word.values())
            in_span[slug] = sum(span_word.values())
            # Which theme is the main ask weighs the words of asking sentences above those
            # that tell the situation; the score (and so which themes are recognised) does not.
            told_discount[slug] = (1.0 - CONTEXT_WEIGHT) * sum(told.values())
            ordered = sorted(found.values(), key=lambda h: (-h.weight, h.phrase))
            scored[slug] = ThemeMatch(
                slug, score,
                tuple(dict.fromkeys(w for h in ordered for w in h.words)),
                tuple(dict.fromkeys(h.phrase for h in ordered)),
                first=min(h.start for h in found.values()),
                second=any(in_second(h.start) for h in found.values()))
            if main_span is not None and any(main_span[0] <= h.start < main_span[1]
                                             for h in found.values()):
                in_main_span.add(slug)
        for slug, weight in sorted((votes or {}).items()):
            if slug not in self.themes or weight <= 0:
                continue
            base = scored.get(slug)
            if base is not None:
                scored[slug] = replace(base, score=base.score + weight, votes=weight)
            elif not by_theme:
                scored[slug] = ThemeMatch(slug, weight, (), (), first=len(words), votes=weight)
        if picked and picked in self.themes:
            base = scored.get(picked)
            scored[picked] = ThemeMatch(picked, (base.score if base else 0.0) + self.picked_weight,
                                        base.words if base else (),
                                        base.keywords if base else (), picked=True,
                                        first=base.first if base else 0,
                                        votes=base.votes if base else 0.0)
        if not scored:
            return []
        # Whether a theme is recognised does not depend on where it was said (a second topic
        # is still a topic); which one is the main ask does (the sort below).
        recognition = {m.theme: max(m.score, raw.get(m.theme, 0.0) + m.votes)
                       for m in scored.values()}
        top = max(recognition.values())
        kept = [m for m in scored.values()
                if m.picked or (recognition[m.theme] >= 0.5 and (
                    m.theme in strong or recognition[m.theme] >= self.relative_threshold * top))]
        # Equal scores: the theme named first, then the one more phrases point at.
        # Where the question says which is its main ask, a theme named there goes first.
        # Among the themes named there, what is said there decides ("Hoofdvraag: een
        # stagiair voor onze social media? Bijvraag: …" asks for an intern).
        kept.sort(key=lambda m: (main_span is not None and not m.picked
                                 and m.theme not in in_main_span,
                                 -round(in_span.get(m.theme, 0.0), 6),
                                 -round(m.score - told_discount.get(m.theme, 0.0), 6), m.first,
                                 -len(m.keywords), m.theme))
        return kept


# --- the taxonomy -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SectorInfo:
    slug: str
    name_nl: str
    name_en: str
    parent: str | None = None

    def label(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_nl
