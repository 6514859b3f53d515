"""The one Dutch/English language module: folding, words, stop words, stemming and language
detection, shared by search (``backend.search.analysis`` builds the index's analyzer chains
from here) and by the router (``backend.routing.themes`` stems question words with ``stem``).

Dutch data (synonyms, compound parts, stop words) lives in ``backend.search.dutch``; this module
adds what both engines and the router need on top of it, so that a word is analysed the same
way when it is indexed, searched and routed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import tantivy

from backend.search import dutch

fold = dutch.fold
words = dutch.words

MAX_TOKEN = 40  # longer tokens are dropped (base64, hashes, pasted junk)
STEMMER = "dutch"  # Snowball stemmer of the index chain and the router
ENGLISH_STEMMER = "english"  # Snowball stemmer of the English fields' chain


def index_stem_chain() -> tantivy.TextAnalyzer:
    """Search's stemmed chain: tokenize, drop long tokens, lowercase, ascii fold, split Dutch
    compounds, Dutch stop words and linking morphemes, Dutch Snowball stemmer."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.split_compound(dutch.compound_dictionary()))
        .filter(tantivy.Filter.stopword("dutch"))
        .filter(tantivy.Filter.custom_stopword(list(dutch.LINKING)))
        .filter(tantivy.Filter.stemmer(STEMMER))
        .build()
    )


def index_english_chain() -> tantivy.TextAnalyzer:
    """Search's chain for the English fields: tokenize, drop long tokens, lowercase, ascii
    fold, English stop words, English Snowball (Porter 2) stemmer ("subsidies" and "subsidy"
    share "subsidi", "hiring" and "hire" share "hire")."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stopword("english"))
        .filter(tantivy.Filter.stemmer(ENGLISH_STEMMER))
        .build()
    )


def index_raw_chain() -> tantivy.TextAnalyzer:
    """Search's unstemmed chain for prefix and typo matching."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


# One folded word through the same stemmer (no compound split: the router splits itself).
_WORD_STEMMER = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.ascii_fold())
    .filter(tantivy.Filter.stemmer(STEMMER))
    .build()
)


_REAL_WORDS = Path(__file__).with_name("data") / "real_words.txt"


@lru_cache(maxsize=1)
def real_words() -> frozenset[str]:
    """Real Dutch and English words (folded) that lie one or two letters from a word the router
    knows ("tellen" from "tillen", "metal" from "mental", "steeds" from "speed"): such a word
    is what it says, never a typo of the known word. From OpenTaal's word list and SCOWL
    (``data/real_words.txt``, made by ``python -m backend.routing.real_words``)."""
    return frozenset(line for line in _REAL_WORDS.read_text(encoding="utf-8").splitlines()
                     if line and not line.startswith("#"))


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Dutch Snowball stem of a folded word; a plural -s the stemmer keeps is dropped too (so
    English plurals such as "robots" and "technicians" meet their singular as well)."""
    out = _WORD_STEMMER.analyze(word)
    s = out[0] if out else word
    if len(s) > 4 and s.endswith("s") and not s.endswith("ss"):
        trimmed = _WORD_STEMMER.analyze(s[:-1])
        s = trimmed[0] if trimmed else s[:-1]
    return s


@lru_cache(maxsize=100_000)
def word_stem(word: str) -> str:
    """``stem`` for matching single words against a vocabulary: the stemmer also drops a
    leading "ge" (a Dutch participle's prefix), which makes unrelated words meet ("gebeurt"
    and "beurs" share "beur", "german" becomes "rman"), and cuts some foreign words to two
    letters ("order" and "orders" become "or", the ondernemingsraad); such a stem is not
    trusted and the word stands for itself."""
    s = stem(word)
    return s if s[:2] == word[:2] and (len(s) >= 3 or len(word) <= 3) else word


# Clause punctuation; a point or comma between digits is part of a number ("40.000", "2,5"),
# and a dash between spaces cuts a clause too.
# "… en overwegen daarom …" opens the consequence as a clause of its own.
_CLAUSE_BREAK = re.compile(r"(?:[!?;:()\n]|[.,](?!\d)|(?<!\d)[.,])+|\s[—–-]+\s"
                           r"|\s(?=(?:en|and)\s+(?:[^\W\d_]+\s+){0,2}?(?:daarom|dus|therefore)\b)",
                           re.IGNORECASE)


def clause_words(text: str) -> list[list[str]]:
    """The folded words of a text, clause by clause (split at sentence and clause punctuation),
    so that a reader can tell which clause a word belongs to; flattened they are ``words``."""
    return [ws for part in _CLAUSE_BREAK.split(text) if (ws := dutch.words(part))]


_SENTENCE_END = re.compile(r"(?<=[!?\n])|(?<=\.)(?!\d)")
# Words that open a question written without a question mark ("wie weet daar iets van").
_QUESTION_OPENERS = frozenset({
    "hoe", "wie", "wat", "waar", "welke", "welk", "wanneer", "waarom", "kan", "kunnen", "kun",
    "mag", "moet", "zijn", "is", "heeft", "hebben", "bestaat", "weet", "how", "who", "what",
    "where", "which", "when", "why", "can", "could", "are", "does", "do", "should",
    "any", "anyone", "anybody", "iemand",
})


_CONJUNCTIONS = frozenset({"en", "maar", "of", "and", "but", "or", "so", "dus"})
# Words that open the consequence of what was told ("We vinden geen mensen. Daarom willen we
# weten of een robot kan."): the plan they open asks; the reason before it tells.
_CONSEQUENCE = frozenset({"daarom", "dus", "vandaar", "therefore", "so", "hence", "thus"})


def _lead_word(clause: list[str], passing: frozenset[str] = _CONJUNCTIONS - _CONSEQUENCE) -> str:
    """A clause's first word, past a joining word (``passing``) and a list number ("2) kan
    iemand …")."""
    k = 1 if len(clause) > 1 and (clause[0] in passing or clause[0].isdigit()) else 0
    return clause[k]


def clause_roles(text: str) -> tuple[list[bool], list[bool]]:
    """For each clause of ``clause_words(text)``, in one pass: whether it asks rather than
    tells the situation — it lies in a sentence that ends with a question mark or opens with
    a question word ("wie weet daar iets van"), or it opens a consequence ("Daarom willen we
    …", "so we are thinking of …"), whose reason told before it then tells —; and whether it
    opens its sentence."""
    asks: list[bool] = []
    opens: list[bool] = []
    for sentence in _SENTENCE_END.split(text):
        parts = [ws for part in _CLAUSE_BREAK.split(sentence) if (ws := dutch.words(part))]
        if not parts:
            continue
        opening = parts[1] if len(parts) > 1 and len(parts[0]) == 1 and parts[0][0].isdigit() \
            else parts[0]  # "1) hoe vind ik …": the list number opens nothing
        first = _lead_word(opening, _CONJUNCTIONS | _CONSEQUENCE)
        asking = sentence.rstrip().endswith("?") or first in _QUESTION_OPENERS
        for i, part in enumerate(parts):
            if (_lead_word(part) in _CONSEQUENCE or (
                    part[0] in ("en", "and") and any(w in _CONSEQUENCE for w in part[1:4]))) \
                    and (i or asks):
                # the plan asks; the reason told before it (this sentence's clauses, or the
                # sentence before when the consequence opens this one) tells
                start = len(asks) - (i or 1)
                while i == 0 and start > 0 and not opens[start]:
                    start -= 1
                for j in range(max(0, start), len(asks)):
                    asks[j] = False
                asks.append(True)
                opens.append(i == 0)
                asking = True
                continue
            asks.append(asking)
            opens.append(i == 0)
    return asks, opens


# Function words that tell the two languages apart (words both use, such as "in", "is" and
# "we", are left out).
_ENGLISH = frozenset({
    "the", "a", "an", "our", "my", "i", "you", "your", "us", "is", "are", "was", "be", "been",
    "can", "could", "would", "should", "do", "does", "did", "how", "who", "what", "which",
    "where", "when", "why", "with", "for", "to", "and", "of", "on", "at", "from", "about",
    "need", "want", "looking", "help", "there", "any", "some", "this", "that", "it", "they",
    "have", "has", "get", "find", "company", "business", "employees", "staff", "small",
})
_DUTCH = frozenset({
    "de", "het", "een", "wij", "ons", "onze", "ik", "mijn", "jij", "je", "u", "uw", "hoe",
    "wie", "wat", "welke", "waar", "wanneer", "waarom", "zijn", "kan", "kunnen", "wil",
    "willen", "voor", "met", "en", "van", "naar", "niet", "geen", "ook", "er", "die", "dat",
    "te", "bij", "op", "aan", "om", "zoeken", "hebben", "heb", "moet", "moeten", "graag",
    "bedrijf", "personeel", "medewerkers", "mensen", "nog", "maar", "of", "als", "dit",
})


# English function words that say nothing about a question's subject (the router skips them
# outside phrases, as it skips Dutch stop words).
ENGLISH_STOPWORDS = frozenset({
    "the", "a", "an", "our", "my", "i", "you", "your", "us", "is", "are", "was", "be", "been",
    "can", "could", "would", "should", "do", "does", "did", "how", "who", "what", "which",
    "where", "when", "why", "with", "for", "to", "and", "of", "on", "at", "from", "about",
    "want", "there", "any", "some", "this", "that", "it", "they", "have", "has", "get", "we",
    "need", "like", "also", "into", "its", "so", "if", "by", "as", "but", "not",
    "no", "yes", "here", "me", "them", "their", "will", "am",
})


def detect_language(text: str) -> str | None:
    """"en" or "nl" from the function words of a text; None when it cannot tell (too short,
    or no function words of either language)."""
    ws = dutch.words(text)
    en = sum(1 for w in ws if w in _ENGLISH)
    nl = sum(1 for w in ws if w in _DUTCH)
    if en >= 2 and en > nl:
        return "en"
    if nl >= 1 and nl >= en:
        return "nl"
    return None
