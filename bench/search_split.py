"""Where an uncached search spends its CPU, and a dump of every result to compare two versions.

    .venv/bin/python bench/search.py --path /tmp/idx --skip-fts        # build an index once
    .venv/bin/python bench/search_split.py split /tmp/idx              # CPU per part of a query
    .venv/bin/python bench/search_split.py dump /tmp/idx before.json   # every result of the mix
    .venv/bin/python bench/search_split.py compare before.json after.json

`split` runs the bench's query mix without a cache (after the bench's 100 warm-up queries) and
times each part of every query in thread CPU: the plan, the "did you mean", the ranking pass, the
facet counts (in their own thread), the stored documents, the snippets and the rest; then the
mean per kind of query, the slowest 5 %, and the p50/p95 of the two tantivy passes alone. `dump`
writes totals, facet counts, hits (id, type, title, url, snippet, score) and suggestions of all
queries as JSON; `compare` says which queries differ. To compare two commits, run `dump` from a
`git archive` of each on the same index. Measures; asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import search as bench  # noqa: E402  (bench/search.py, beside this script)

from backend.search import embedded, highlight, spelling, tantivy_query  # noqa: E402

PARTS = ("plan", "suggest", "rank", "facets", "doc", "snippet")
_spent: defaultdict[str, float] = defaultdict(float)


def _timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _spent[label] += time.thread_time() - t0

    return wrapper


class _Searcher:
    """A searcher whose stored-document reads are timed; everything else passes through."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def doc(self, address: Any) -> Any:
        t0 = time.thread_time()
        try:
            return self._inner.doc(address)
        finally:
            _spent["doc"] += time.thread_time() - t0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _instrument() -> None:
    tantivy_query.build = _timed("plan", tantivy_query.build)
    spelling.suggest = _timed("suggest", spelling.suggest)
    highlight.snippet = _timed("snippet", highlight.snippet)
    highlight.matcher = _timed("snippet", highlight.matcher)
    cls = embedded.EmbeddedBackend
    cls._run = _timed("rank", cls._run)  # type: ignore[method-assign]
    cls._facets = _timed("facets", cls._facets)  # type: ignore[method-assign]
    searcher_and_stamp = cls._searcher_and_stamp

    def wrapped(self: embedded.EmbeddedBackend) -> tuple[Any, Any]:
        searcher, stamp = searcher_and_stamp(self)
        return _Searcher(searcher), stamp

    cls._searcher_and_stamp = wrapped  # type: ignore[method-assign]


def _pct(values: Sequence[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def split(index: Path, n: int) -> None:
    _instrument()
    backend = embedded.EmbeddedBackend(index, cache_size=0)
    mix = bench.kinded_mix(n)
    for _, q in mix[:100]:
        backend.search(q)
    rows: list[tuple[str, float, dict[str, float]]] = []
    for kind, q in mix:
        _spent.clear()
        c0 = time.process_time()
        backend.search(q)
        rows.append((kind, time.process_time() - c0, dict(_spent)))

    def line(title: str, picked: list[tuple[str, float, dict[str, float]]]) -> None:
        total = sum(r[1] for r in picked) / len(picked) * 1000
        parts = {p: sum(r[2].get(p, 0.0) for r in picked) / len(picked) * 1000 for p in PARTS}
        rest = total - sum(parts.values())
        shown = "  ".join(f"{p} {v:.2f}" for p, v in parts.items())
        print(f"{title:<12} n={len(picked):5d}  CPU {total:5.2f} ms = {shown}  rest {rest:.2f}")

    line("all", rows)
    for kind in bench.KINDS:
        line(kind, [r for r in rows if r[0] == kind])
    cut = _pct([r[1] for r in rows], 95)
    line("slowest 5 %", [r for r in rows if r[1] >= cut])
    whole = [r[1] * 1000 for r in rows]
    engine = [(r[2].get("rank", 0.0) + r[2].get("facets", 0.0)) * 1000 for r in rows]
    other = [w - e for w, e in zip(whole, engine, strict=True)]
    print(f"whole query p50 {_pct(whole, 50):.2f} p95 {_pct(whole, 95):.2f} ms; the two tantivy "
          f"passes alone p50 {_pct(engine, 50):.2f} p95 {_pct(engine, 95):.2f} ms; everything "
          f"else p50 {_pct(other, 50):.2f} p95 {_pct(other, 95):.2f} ms")  # fmt: skip


def dump(index: Path, out: Path, n: int, cache_size: int) -> None:
    backend = embedded.EmbeddedBackend(index, cache_size=cache_size)
    rows: list[dict[str, Any]] = []
    for _, q in bench.kinded_mix(n):
        r = backend.search(q)
        rows.append({
            "q": q.q, "filters": dict(q.filters), "sort": q.sort, "page": q.page,
            "total": r.total, "facets": r.facets, "suggestion": r.suggestion,
            "hits": [[h.id, h.type, h.title, h.url, h.snippet, h.score] for h in r.hits],
        })  # fmt: skip
    out.write_text(json.dumps(rows, ensure_ascii=False))
    print(f"{len(rows)} queries, {sum(len(r['hits']) for r in rows)} hits -> {out}")


def compare(a: Path, b: Path) -> None:
    left, right = json.loads(a.read_text()), json.loads(b.read_text())
    differ = [i for i, (x, y) in enumerate(zip(left, right, strict=False)) if x != y]
    print(f"{len(left)} / {len(right)} queries; {len(differ)} differ")
    for i in differ[:10]:
        print(f"  #{i} {left[i]['q']!r} {left[i]['filters']}")


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("split")
    p.add_argument("index", type=Path)
    p.add_argument("--queries", type=int, default=1_200)
    p = sub.add_parser("dump")
    p.add_argument("index", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--queries", type=int, default=1_200)
    p.add_argument("--cache-size", type=int, default=0)
    p = sub.add_parser("compare")
    p.add_argument("a", type=Path)
    p.add_argument("b", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "split":
        split(args.index, args.queries)
    elif args.cmd == "dump":
        dump(args.index, args.out, args.queries, args.cache_size)
    else:
        compare(args.a, args.b)


if __name__ == "__main__":
    main()
