# ruff: noqa: E501  (word lists and templates read better on one line each)
"""Search benchmark: the embedded engine against SQLite FTS5 on the same Dutch corpus and queries.

    .venv/bin/python bench/search.py                 # 100,000 documents, 1,200 queries
    .venv/bin/python bench/search.py --docs 10000
    .venv/bin/python bench/search.py --url http://127.0.0.1:8000   # also the HTTP endpoint
    .venv/bin/python bench/search.py --docs 1000000  # national scale: corpus generated on the fly

Prints the full index build time, p50/p95/p99 of the backend call for a mix of as-you-type
prefixes, typos, multi-word and faceted queries (wall clock and the CPU time of the whole
process, so that a busy machine inflates the figures less; p95 per kind of query too), the same
for SQLite FTS5 with the ratio, the peak resident memory of the indexing process and of a fresh
process with the index open after running the mix, and how long an edited document takes to
become searchable. The documents are generated while they are indexed, so the bench never holds
the corpus; the index, the FTS5 database and the query file live in one temporary directory that
goes with the run, also when it fails or is stopped (SIGTERM, Ctrl-C). This is a benchmark, not a
test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import atexit
import itertools
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from backend.search import SearchDoc, SearchQuery, dutch  # noqa: E402
from backend.search.embedded import CACHE_SIZE, EmbeddedBackend  # noqa: E402

# --- corpus ---------------------------------------------------------------------------------

THEMES: dict[str, tuple[str, list[str]]] = {
    "digitalisering": ("technologie", ["digitalisering", "software", "data", "dashboard", "cloud"]),
    "robotisering-automatisering": (
        "technologie",
        ["robotisering", "robot", "cobot", "automatisering", "lasrobot"],
    ),
    "kunstmatige-intelligentie": (
        "technologie",
        ["kunstmatige intelligentie", "AI", "algoritme", "voorspelling", "chatbot"],
    ),
    "lean-procesinnovatie": (
        "organisatie",
        ["lean", "procesinnovatie", "verspilling", "doorlooptijd", "kaizen"],
    ),
    "zelforganiserende-teams": (
        "organisatie",
        ["zelfsturende teams", "zelforganisatie", "teamcoach", "verantwoordelijkheid"],
    ),
    "leren-en-ontwikkelen": (
        "personeel",
        ["scholing", "opleiding", "leercultuur", "leren op de werkvloer", "vakmanschap"],
    ),
    "duurzame-inzetbaarheid": (
        "personeel",
        ["duurzame inzetbaarheid", "vitaliteit", "werkdruk", "verzuim", "loopbaan"],
    ),
    "medewerkersparticipatie": (
        "personeel",
        [
            "medezeggenschap",
            "werknemersparticipatie",
            "medewerkersaandeelhouderschap",
            "betrokkenheid",
        ],
    ),
    "financiering": (
        "organisatie",
        ["financiering", "krediet", "lening", "garantie", "investering"],
    ),
    "regeldruk": (
        "organisatie",
        ["regeldruk", "administratieve lasten", "vergunning", "rapportage"],
    ),
    "internationalisering": (
        "organisatie",
        ["export", "internationalisering", "buitenlandse markt", "handelsmissie"],
    ),
    "duurzaamheid": (
        "technologie",
        ["verduurzaming", "energiebesparing", "circulaire economie", "warmtepomp"],
    ),
    "kennisdeling-ecosystemen": (
        "organisatie",
        ["kennisdeling", "fieldlab", "ecosysteem", "netwerk", "kennisinstelling"],
    ),
    "sociale-innovatie": (
        "personeel",
        ["sociale innovatie", "slimmer werken", "werkorganisatie", "arbeidsproductiviteit"],
    ),
    "slim-roosteren": (
        "organisatie",
        ["slim roosteren", "roosterplanning", "flexibele uren", "bezetting"],
    ),
}
SECTORS = ["maakindustrie", "installatietechniek", "bouw", "zorg", "onderwijs", "logistiek",
           "detailhandel", "horeca", "landbouw", "zakelijke-dienstverlening", "ict", "voedingsmiddelenindustrie"]  # fmt: skip
REGIONS = {"groningen": "Groningen", "friesland": "Friesland", "drenthe": "Drenthe",
           "overijssel": "Overijssel", "flevoland": "Flevoland", "gelderland": "Gelderland",
           "utrecht": "Utrecht", "noord-holland": "Noord-Holland", "zuid-holland": "Zuid-Holland",
           "zeeland": "Zeeland", "noord-brabant": "Noord-Brabant", "limburg": "Limburg", "nl": "Nederland"}  # fmt: skip
SIZES = ["zzp", "micro", "klein", "middel", "groot"]
TYPES = [("practice", 35), ("case_study", 15), ("scheme", 10), ("expert", 15), ("event", 15), ("organisation", 10)]  # fmt: skip
STATUSES = ["open", "open", "upcoming", "closed", "exhausted"]

NOUNS = ["productiviteit", "arbeidsproductiviteit", "medewerker", "ondernemer", "werkvloer",
         "werkplaats", "klant", "leverancier", "proces", "productie", "kwaliteit", "planning",
         "machine", "installatie", "project", "team", "afdeling", "vakman", "leerling", "stagiair",
         "subsidie", "regeling", "aanvraag", "investering", "omzet", "marge", "kosten", "loonkosten",
         "opleiding", "training", "coach", "adviseur", "onderzoek", "innovatie", "prototype",
         "software", "sensor", "dashboard", "robot", "cobot", "algoritme", "netwerk", "keten",
         "samenwerking", "werkgever", "werknemer", "vacature", "personeelstekort", "verzuim",
         "werkdruk", "rooster", "bezetting", "orderstroom", "voorraad", "doorlooptijd", "storing",
         "onderhoud", "energie", "warmtepomp", "zonnepanelen", "kennisinstelling", "hogeschool",
         "mbo-school", "fieldlab", "proeftuin", "ecosysteem", "regio", "gemeente", "provincie",
         "innovatiekrediet", "productiviteitsverbetering", "procesverbetering", "werkinstructie",
         "kwaliteitssysteem", "klanttevredenheid", "levertijd", "foutmarge", "uitval", "digitalisering",
         "robotisering", "automatisering", "scholing", "loopbaan", "vakmanschap", "leercultuur"]  # fmt: skip
ADJECTIVES = ["kleine", "grote", "nieuwe", "slimme", "digitale", "duurzame", "regionale",
              "technische", "financiële", "praktische", "innovatieve", "flexibele", "eerste",
              "betere", "snellere", "eenvoudige", "gezamenlijke", "zelfstandige", "ervaren"]  # fmt: skip
VERBS = ["verbeterde", "verhoogde", "halveerde", "verlaagde", "automatiseerde", "digitaliseerde",
         "onderzocht", "ontwikkelde", "introduceerde", "meet", "bespreekt", "plant", "deelt",
         "organiseert", "combineert", "versnelt", "vereenvoudigt", "begeleidt", "financiert"]  # fmt: skip
SYLLABLES = ["brink", "hof", "molen", "veld", "berg", "dijk", "stra", "ma", "van", "der", "ker",
             "huis", "bos", "beek", "land", "ter", "horst", "kamp", "wijk", "dam", "vliet", "meer",
             "ling", "ra", "do", "ten", "sen", "ink", "ga", "lo", "mer", "bu", "wes", "sel"]  # fmt: skip
COMPANY_KINDS = ["Techniek", "Installaties", "Metaal", "Bouw", "Zorg", "Logistiek", "Print",
                 "Food", "Engineering", "Advies", "Machinebouw", "Elektro", "Kunststoffen"]  # fmt: skip
FIRST_NAMES = ["Anna", "Sanne", "Fleur", "Lotte", "Eva", "Daan", "Bram", "Sem", "Lars", "Jeroen",
               "Mohammed", "Fatima", "Priya", "Kees", "Marieke", "Ingrid", "Ruud", "Yusuf"]  # fmt: skip
SCHEME_NAMES = ["SLIM", "WBSO", "MIT", "EIA", "MIA", "Vamil", "Innovatiekrediet", "Innovatiebox",
                "BMKB", "Qredits", "Groeifaciliteit", "Regionaal Ontwikkelfonds", "Scholingsvoucher"]  # fmt: skip


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


TEMPLATES = [
    "De {a} {n} {v} de {n} met {t}.",
    "Door {t} {v} het bedrijf de {n} binnen een jaar.",
    "Een {a} aanpak voor {n} en {n} bij {c}.",
    "Medewerkers {v} samen de {n}, en de {n} steeg met {p} procent.",
    "Met steun van een {a} {n} kwam er ruimte voor {t}.",
    "Volgens de ondernemer is {t} de sleutel tot een hogere {n}.",
    "Het team {v} elke week de {n} en de {n}.",
    "In {r} {v} {c} de {n} met {t}.",
    "De {n} van {c} bleek een {a} {n} voor de {n}.",
    "Na een pilot met {n} {v} de directie de {n}.",
]


_THEME_WORDS = [words for _, words in THEMES.values()]
_REGION_NAMES = list(REGIONS.values())


class Vocabulary:
    """Nouns with a Zipf-like spread: domain words often, compounds and jargon rarely.

    A real knowledge base has a long tail of rare words; drawing every word from a short list
    would make every posting list long and every query slower than it would be in production.
    """

    def __init__(self, rng: random.Random) -> None:
        compounds = {
            a + rng.choice(["", "", "s"]) + b
            for a, b in (rng.sample(NOUNS, 2) for _ in range(6_000))
            if len(a) + len(b) < 24
        }
        jargon = {
            _name(rng).lower() + rng.choice(["ing", "isatie", "heid", "plan", "tool"])
            for _ in range(20_000)
        }
        # Shares of all noun draws: domain words 30 %, compounds 40 %, jargon and names 30 %,
        # which puts a domain word like "subsidie" in roughly one document in eight.
        groups = [(list(NOUNS), 0.30), (sorted(compounds), 0.40), (sorted(jargon), 0.30)]
        self.words = []
        weights: list[float] = []
        for words, share in groups:
            rng.shuffle(words)
            zipf = [1.0 / (i + 10) for i in range(len(words))]
            scale = share / sum(zipf)
            self.words += words
            weights += [w * scale for w in zipf]
        total = 0.0
        self.cum: list[float] = []
        for w in weights:
            total += w
            self.cum.append(total)

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum, k=k)


def _pick(rng: random.Random, seq: Sequence[str]) -> str:
    # random.choice is the generator's bottleneck; this is the same draw, twice as fast.
    return seq[int(rng.random() * len(seq))]


def _text(rng: random.Random, vocab: Vocabulary, sentences: int, company: str) -> str:
    nouns = iter(vocab.draw(rng, sentences * 4))
    out = []
    for _ in range(sentences):
        theme_word = _pick(rng, _THEME_WORDS[int(rng.random() * len(_THEME_WORDS))])
        out.append(_pick(rng, TEMPLATES).format_map(_Slots(rng, nouns, theme_word, company)))
    return " ".join(out)


class _Slots(dict[str, str]):
    """Fills each {slot} of a template afresh, so one template can use a slot twice."""

    def __init__(self, rng: random.Random, nouns: Iterator[str], theme_word: str, company: str):
        super().__init__()
        self.rng, self.nouns, self.theme_word, self.company = rng, nouns, theme_word, company

    def __missing__(self, key: str) -> str:
        rng = self.rng
        if key == "n":
            return next(self.nouns, "werk")
        if key == "a":
            return _pick(rng, ADJECTIVES)
        if key == "v":
            return _pick(rng, VERBS)
        if key == "t":
            return self.theme_word
        if key == "p":
            return str(5 + int(rng.random() * 36))
        if key == "r":
            return _pick(rng, _REGION_NAMES)
        return self.company


@dataclass
class Corpus:
    docs: list[SearchDoc]


def generate(n: int, seed: int = 42) -> Corpus:
    """N realistic Dutch documents, the same for the same seed."""
    return Corpus(list(iter_docs(n, seed)))


def iter_docs(n: int, seed: int = 42) -> Iterator[SearchDoc]:
    """The documents of generate(n, seed), one at a time (a million do not fit in memory)."""
    rng = random.Random(seed)
    vocab = Vocabulary(rng)
    companies = [f"{_name(rng)} {rng.choice(COMPANY_KINDS)}" for _ in range(5_000)]
    types = [t for t, w in TYPES for _ in range(w)]
    start = datetime(2019, 1, 1, tzinfo=UTC)
    for i in range(n):
        kind = rng.choice(types)
        theme_keys = rng.sample(list(THEMES), rng.randint(1, 2))
        theme_words = [rng.choice(THEMES[t][1]) for t in theme_keys]
        region = rng.choice(list(REGIONS))
        company = rng.choice(companies)
        tw = theme_words[0]
        if kind == "scheme":
            title = f"{rng.choice(SCHEME_NAMES)}: {rng.choice(['subsidie', 'lening', 'fiscale regeling', 'voucher'])} voor {tw}"
        elif kind == "expert":
            title = f"{rng.choice(FIRST_NAMES)} {_name(rng)}, adviseur {tw}"
        elif kind == "event":
            title = f"{rng.choice(['Webinar', 'Workshop', 'Netwerkbijeenkomst'])}: {tw} in {REGIONS[region]}"
        elif kind == "organisation":
            title = f"{company}: kennispartner voor {tw}"
        else:
            title = f"{company} {rng.choice(VERBS)} de {rng.choice(NOUNS)} met {tw}"
        summary = _text(rng, vocab, 2, company)
        body = _text(rng, vocab, rng.randint(5, 9), company) + (
            f" {company} is gevestigd in {REGIONS[region]}."
        )
        closes = None
        if kind in ("scheme", "event"):
            closes = date(2025, 1, 1) + timedelta(days=rng.randrange(730))
        yield SearchDoc(
            id=f"{kind}:doc-{i}",
            type=kind,
            title=title,
            summary=summary,
            body=body,
            url=f"/kennisbank/{kind}/doc-{i}",
            published_at=start + timedelta(minutes=rng.randrange(3_000_000)),
            themes=tuple(theme_keys),
            pillars=tuple(dict.fromkeys(THEMES[t][0] for t in theme_keys)),
            sectors=tuple(rng.sample(SECTORS, rng.randint(1, 2))),
            regions=(region,),
            sizes=tuple(rng.sample(SIZES, rng.randint(1, 3))),
            status=rng.choice(STATUSES) if kind == "scheme" else None,
            keywords=(company, *theme_words),
            closes_on=closes,
            boost=1.5 if rng.random() < 0.02 else 1.0,
        )


# --- query mix ------------------------------------------------------------------------------

TARGETS = ["subsidie robotisering", "arbeidsproductiviteit", "kunstmatige intelligentie",
           "lean werkvloer", "scholing mkb", "duurzame inzetbaarheid", "slim roosteren",
           "innovatiekrediet", "zzp financiering", "digitalisering installatietechniek",
           "energiebesparing warmtepomp", "personeelstekort zorg", "leercultuur", "cobot",
           "productiviteit", "medewerkersaandeelhouderschap", "fieldlab", "verzuim werkdruk"]  # fmt: skip
TYPO_WORDS = ["subsidie", "robotisering", "productiviteit", "digitalisering", "innovatie",
              "automatisering", "opleiding", "leercultuur", "financiering", "installatie",
              "werkplaats", "medewerker", "onderhoud", "verduurzaming", "loopbaan"]  # fmt: skip
MULTI = ["subsidie voor scholing in het mkb", "robot in de werkplaats", "lean en productiviteit",
         "AI voor planning", "kennisinstelling samenwerking regio", "zzp financiering krediet",
         "vitaliteit werkdruk verzuim", "export buitenlandse markt", "circulaire economie bouw",
         "zelfsturende teams zorg", "midden- en kleinbedrijf digitalisering", "sensor onderhoud storing"]  # fmt: skip


def _typo(rng: random.Random, word: str) -> str:
    for _ in range(dutch.max_edits(word)):
        i = rng.randrange(1, len(word) - 1)
        op = rng.randrange(3)
        if op == 0:
            word = word[:i] + word[i + 1 :]
        elif op == 1:
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            word = word[:i] + rng.choice("aeioutnrs") + word[i + 1 :]
    return word


KINDS = ("prefix", "typo", "multi", "faceted")


def query_mix(n: int, seed: int = 7) -> list[SearchQuery]:
    return [q for _, q in kinded_mix(n, seed)]


def kinded_mix(n: int, seed: int = 7) -> list[tuple[str, SearchQuery]]:
    """The query mix with the kind of each query (one of KINDS)."""
    rng = random.Random(seed)
    out: list[tuple[str, SearchQuery]] = []
    while len(out) < n:
        kind = rng.choices(range(4), weights=(25, 30, 20, 25))[0]
        if kind == 0:  # as you type: a run of prefixes, as a debounced search box sends them
            target = rng.choice(TARGETS)
            out += [("prefix", SearchQuery(q=target[:k])) for k in range(2, len(target) + 1, 3)]
        elif kind == 1:
            out.append(("typo", SearchQuery(q=_typo(rng, rng.choice(TYPO_WORDS)))))
        elif kind == 2:
            out.append(("multi", SearchQuery(q=rng.choice(MULTI))))
        else:  # faceted, with or without text, sometimes sorted
            filters: dict[str, list[str]] = {"type": [rng.choice(["scheme", "practice", "event"])]}
            if rng.random() < 0.6:
                filters["region"] = [rng.choice(list(REGIONS))]
            if rng.random() < 0.4:
                filters["theme"] = rng.sample(list(THEMES), 2)
            q = rng.choice(["", "", *TYPO_WORDS])
            sort = rng.choice(["relevance", "relevance", "newest", "closing"])
            out.append(("faceted", SearchQuery(q=q, filters=filters, sort=sort, page=rng.choice([1, 1, 2]))))  # type: ignore[arg-type]
    return out[:n]


# --- measuring ------------------------------------------------------------------------------


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    s = sorted(samples_ms)

    def at(p: float) -> float:
        return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]

    return {"p50": at(50), "p95": at(95), "p99": at(99), "mean": sum(s) / len(s)}


def by_kind(samples_ms: Sequence[float], kinds: Sequence[str]) -> str:
    """p95 per kind of query, e.g. "prefix 5.1  typo 3.2  multi 4.0  faceted 2.2 ms"."""
    parts = []
    for kind in KINDS:
        picked = [ms for ms, k in zip(samples_ms, kinds, strict=False) if k == kind]
        if picked:
            parts.append(f"{kind} {percentiles(picked)['p95']:.2f}")
    return "p95 by kind: " + "  ".join(parts) + " ms"


def fmt(stats: dict[str, float]) -> str:
    return "  ".join(f"{k} {v:7.2f} ms" for k, v in stats.items())


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB."""
    # VmHWM, not ru_maxrss: the latter survives exec, so a child would report its parent's peak.
    fields: dict[str, float] = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(rest.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


def timed(
    fn: Callable[[SearchQuery], object], queries: Sequence[SearchQuery]
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each call (CPU time is steadier on a busy machine).

    CPU time is the whole process's, so that work the search hands to other threads counts.
    """
    wall: list[float] = []
    cpu: list[float] = []
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        fn(q)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - t0) * 1000)
    return wall, cpu


def query_phase(path: Path, queries_file: Path, cache_size: int) -> None:
    """Run in a fresh process: open the index as a web worker would, replay, report as JSON."""
    queries = [SearchQuery(**q) for q in json.loads(queries_file.read_text())]
    backend = EmbeddedBackend(path, cache_size=cache_size)
    timed(backend.search, queries[:100])  # warm the page cache and the code paths
    wall, cpu = timed(backend.search, queries)
    zero = sum(1 for q in queries[:300] if backend.search(q).total == 0)
    current, peak = rss_mb()
    print(json.dumps({"wall": wall, "cpu": cpu, "rss": current, "peak": peak, "zero": zero}))


# --- SQLite FTS5 baseline -------------------------------------------------------------------


class Fts5:
    """The same corpus in SQLite FTS5: prefix on the last word, no typos, bm25 with weights."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript(
            """
            PRAGMA journal_mode=WAL;
            CREATE TABLE meta(id INTEGER PRIMARY KEY, doc_id TEXT, type TEXT, status TEXT,
                              region TEXT, themes TEXT, published INTEGER, closes INTEGER,
                              url TEXT);
            CREATE VIRTUAL TABLE fts USING fts5(title, keywords, summary, body,
                tokenize='unicode61 remove_diacritics 2', prefix='2 3');
            """
        )

    def build(self, docs: Iterable[SearchDoc], deadline: float = float("inf")) -> bool:
        """Load the documents in one transaction; False if time.monotonic() passed `deadline`."""
        it = enumerate(docs)
        with self.db:
            while batch := list(itertools.islice(it, 5_000)):
                if time.monotonic() > deadline:
                    return False
                self.db.executemany(
                    "INSERT INTO meta VALUES (?,?,?,?,?,?,?,?,?)",
                    [
                        (i, d.id, d.type, d.status, " ".join(d.regions), " ".join(d.themes),
                         int(d.published_at.timestamp()),
                         d.closes_on.toordinal() if d.closes_on else None, d.url)
                        for i, d in batch
                    ],
                )  # fmt: skip
                self.db.executemany(
                    "INSERT INTO fts(rowid, title, keywords, summary, body) VALUES (?,?,?,?,?)",
                    [(i, d.title, " ".join(d.keywords), d.summary, d.body) for i, d in batch],
                )
        return True

    def search(self, q: SearchQuery) -> tuple[int, list[tuple[str, str]]]:
        where, args = [], []
        for name, values in q.filters.items():
            if name in ("type", "status"):
                where.append(f"m.{name} IN ({','.join('?' * len(values))})")
                args += list(values)
            elif name in ("region", "theme"):
                col = "region" if name == "region" else "themes"
                where.append("(" + " OR ".join(f"(' '||m.{col}||' ') LIKE ?" for _ in values) + ")")
                args += [f"% {v} %" for v in values]
        words = dutch.words(q.q)
        offset = (q.page - 1) * q.per_page
        order = {"newest": "m.published DESC", "closing": "m.closes IS NULL, m.closes"}
        if words:
            match = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'
            base = "FROM fts JOIN meta m ON m.id = fts.rowid WHERE fts MATCH ?"
            base_args: list[object] = [match.strip()]
            by = order.get(q.sort, "bm25(fts, 4.0, 2.5, 1.5, 1.0)")
            cols = "m.doc_id, snippet(fts, 3, '<mark>', '</mark>', '…', 16)"
        else:
            base, base_args = "FROM meta m WHERE 1", []
            by = order.get(q.sort, "m.published DESC")
            cols = "m.doc_id, ''"
        cond = "".join(f" AND {w}" for w in where)
        all_args = base_args + args
        total = self.db.execute(f"SELECT count(*) {base}{cond}", all_args).fetchone()[0]
        rows = self.db.execute(
            f"SELECT {cols} {base}{cond} ORDER BY {by} LIMIT ? OFFSET ?",
            [*all_args, q.per_page, offset],
        ).fetchall()
        # Facet counts for the single-valued fields, like the engine's facets.
        for col in ("type", "status"):
            self.db.execute(
                f"SELECT m.{col}, count(*) {base}{cond} GROUP BY m.{col}", all_args
            ).fetchall()
        return total, rows


# --- HTTP hook ------------------------------------------------------------------------------


def bench_http(base_url: str, queries: Sequence[SearchQuery], timeout: float = 10.0) -> list[float]:
    """HOOK for the HTTP part: replay the mix against GET {base_url}/api/v1/search.

    Wired by the API's owner; it needs only the endpoint to accept q, the facet fields, sort,
    page and per_page as query parameters. Bounded: one request per query, each with a timeout.
    """
    import httpx

    samples: list[float] = []
    with httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout) as client:
        for q in queries:
            params: list[tuple[str, str | int | float | bool | None]] = [
                ("q", q.q),
                ("sort", q.sort),
                ("page", q.page),
                ("per_page", q.per_page),
            ]
            params += [(k, v) for k, vs in q.filters.items() for v in vs]
            t0 = time.perf_counter()
            response = client.get("/api/v1/search", params=params)
            samples.append((time.perf_counter() - t0) * 1000)
            response.raise_for_status()
    return samples


# --- main -----------------------------------------------------------------------------------


def _load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def _line(label: str, stats: dict[str, float]) -> None:
    print(f"{label:<44} {fmt(stats)}")


class Stream:
    """Generated documents, counting the time spent generating them apart from the consumer's."""

    def __init__(self, docs: Iterable[SearchDoc], keep: int = 123) -> None:
        self._docs, self._keep = iter(docs), keep
        self.wall = self.cpu = 0.0
        self.kept: SearchDoc | None = None

    def __iter__(self) -> Iterator[SearchDoc]:
        count = 0
        while True:
            t0, c0 = time.perf_counter(), time.process_time()
            doc = next(self._docs, None)
            self.wall += time.perf_counter() - t0
            self.cpu += time.process_time() - c0
            if doc is None:
                return
            if count == self._keep:
                self.kept = doc
            count += 1
            yield doc


def _build(backend: EmbeddedBackend, path: Path, n: int) -> None:
    """Index n generated documents in one commit, then time an edit until it is searchable."""
    stream = Stream(iter_docs(n))
    t0, c0 = time.perf_counter(), time.process_time()
    count = backend.reindex_all(stream)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    size = sum(f.stat().st_size for f in Path(path).iterdir()) / 1e6
    build = wall - stream.wall
    print(f"generated {count:,} documents while indexing them: {stream.wall:.1f} s ({stream.cpu:.1f} s CPU)")
    print(
        f"embedded: full index build of {count:,} documents in {build:.1f} s without generating "
        f"({count / build:,.0f} docs/s; {wall:.1f} s with; CPU of all threads "
        f"{cpu - stream.cpu:.1f} s), index {size:.0f} MB"
    )
    _, peak = rss_mb()
    print(f"embedded: indexing process peak RSS {peak:.0f} MB (does not hold the corpus)")

    # An edit becomes searchable: one upsert (its own commit), then search until it is found.
    assert stream.kept is not None
    edited = replace(stream.kept, title="Vierdaagse werkweek bij een zorginstelling")
    t0 = time.perf_counter()
    backend.index([edited])
    while not backend.search(SearchQuery(q="vierdaagse werkweek")).hits:
        time.sleep(0.001)
    print(f"embedded: edited document searchable after {(time.perf_counter() - t0) * 1000:.0f} ms")


def _stop(signum: int, frame: object) -> None:
    # SIGTERM ends the run through SystemExit, so that atexit removes the temporary directory.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=1_200)
    ap.add_argument("--path", type=Path, help="index directory (default: a temporary one)")
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="with --path: search an index built by an earlier run instead of rebuilding it",
    )
    ap.add_argument("--url", help="base URL of a running Loket, to time GET /api/v1/search")
    ap.add_argument("--skip-fts", action="store_true", help="skip the SQLite FTS5 baseline")
    ap.add_argument(
        "--fts-budget",
        type=float,
        default=300.0,
        help="seconds the FTS5 baseline may take (build and queries); the ratio is then taken "
        "over the queries it finished (default 300)",
    )
    ap.add_argument("--cache-size", type=int, default=CACHE_SIZE, help=argparse.SUPPRESS)
    ap.add_argument("--query-phase", nargs=2, metavar=("PATH", "QUERIES"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.query_phase:
        query_phase(Path(args.query_phase[0]), Path(args.query_phase[1]), args.cache_size)
        return

    signal.signal(signal.SIGTERM, _stop)
    workdir = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    # The index, the query file and the FTS5 database (≈ 208 MB at 100k documents, ≈ 2 GB at a
    # million) go with the run, also when it fails or is stopped (an index given with --path
    # stays).
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    path = args.path or workdir / "index"
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load {_load()}")
    mix = kinded_mix(args.queries)
    queries = [q for _, q in mix]
    kinds = [k for k, _ in mix]
    faceted = sum(1 for q in queries if q.filters)
    counts = "  ".join(f"{k} {kinds.count(k)}" for k in KINDS)
    print(f"query mix: {len(queries)} queries ({faceted} faceted; {counts})")

    backend = EmbeddedBackend(path)
    reuse = args.reuse and args.path is not None and backend.health().documents > 0
    if reuse:
        print(f"embedded: reusing the index at {path} ({backend.health().documents:,} documents)")
    else:
        _build(backend, path, args.docs)
    del backend

    qfile = workdir / "queries.json"
    qfile.write_text(
        json.dumps(
            [
                {"q": q.q, "filters": dict(q.filters), "sort": q.sort, "page": q.page}
                for q in queries
            ]
        )
    )
    distinct = len({(q.q, repr(sorted(q.filters.items()))) for q in queries})
    print(f"query mix: {distinct} distinct (text, filters) pairs among {len(queries)} queries")
    emb: list[float] = []
    emb_cpu: list[float] = []
    # First with the per-generation cache (as a web worker runs), then with no cache at all:
    # every query then pays its plan and facet counts, as a query never seen before does.
    for cache_size, label in ((CACHE_SIZE, "cached"), (0, "no cache")):
        out = subprocess.run(
            [sys.executable, __file__, "--query-phase", str(path), str(qfile),
             "--cache-size", str(cache_size)],
            check=True,
            capture_output=True,
            text=True,
        )  # fmt: skip
        phase = json.loads(out.stdout.strip().splitlines()[-1])
        p_wall, p_cpu = percentiles(phase["wall"]), percentiles(phase["cpu"])
        if not cache_size:
            # FTS5 has no such cache: compare it with the uncached run.
            emb, emb_cpu = phase["wall"], phase["cpu"]
        _line(f"embedded backend.search, {label}, wall ({len(queries)}):", p_wall)
        _line(f"embedded backend.search, {label}, cpu ({len(queries)}):", p_cpu)
        print(f"    cpu {by_kind(phase['cpu'], kinds)};  wall {by_kind(phase['wall'], kinds)}")
        print(
            f"embedded ({label}): fresh process with the index open, after the mix: "
            f"RSS {phase['rss']:.0f} MB (peak {phase['peak']:.0f} MB)"
        )
    print(f"embedded: zero-hit queries among the first 300: {phase['zero']}")

    if not args.skip_fts:
        _fts(workdir, args.docs, queries, emb, emb_cpu, args.fts_budget)

    if args.url:
        _line(
            f"http GET /api/v1/search ({len(queries)}):", percentiles(bench_http(args.url, queries))
        )
    print(f"load average at the end: {_load()}")


def _fts(
    workdir: Path,
    n: int,
    queries: Sequence[SearchQuery],
    emb: Sequence[float],
    emb_cpu: Sequence[float],
    budget: float,
) -> None:
    """The FTS5 baseline within `budget` seconds, and its ratio to the uncached embedded run."""
    deadline = time.monotonic() + budget
    fts = Fts5(workdir / "fts.sqlite")
    t0 = time.perf_counter()
    if not fts.build(iter_docs(n), deadline):
        print(
            f"sqlite fts5: building the index of {n:,} documents took over the budget of "
            f"{budget:.0f} s; no ratio at this size (see the 100k run in docs/benchmarks.md)"
        )
        return
    print(f"sqlite fts5: indexed {n:,} documents in {time.perf_counter() - t0:.1f} s (with generating)")
    timed(fts.search, queries[:20])
    wall: list[float] = []
    cpu: list[float] = []
    for q in queries:
        if time.monotonic() > deadline:
            break
        w, c = timed(fts.search, [q])
        wall += w
        cpu += c
    done = len(wall)
    if done < len(queries):
        print(f"sqlite fts5: the budget of {budget:.0f} s ran out after {done} of {len(queries)} "
              f"queries; the ratio below compares those {done} queries only")  # fmt: skip
    f, f_cpu = percentiles(wall), percentiles(cpu)
    e, e_cpu = percentiles(emb[:done]), percentiles(emb_cpu[:done])
    _line(f"sqlite fts5 search, wall ({done}):", f)
    _line(f"sqlite fts5 search, cpu ({done}):", f_cpu)
    ratios = "  ".join(f"{k} {f[k] / e[k]:.1f}x" for k in ("p50", "p95", "p99"))
    cpu_ratios = "  ".join(f"{k} {f_cpu[k] / e_cpu[k]:.1f}x" for k in ("p50", "p95", "p99"))
    print(f"ratio fts5/embedded (no cache, same {done} queries), wall: {ratios}")
    print(f"ratio fts5/embedded (no cache, same {done} queries), cpu:  {cpu_ratios}")
    fts.db.close()


if __name__ == "__main__":
    main()
