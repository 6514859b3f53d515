"""Uncached pages of two trees, before and after, interleaved: for a busy machine.

    .venv/bin/python bench/pages_ab.py --before /tmp/main-copy --after . --rounds 10 --runs 30
    .venv/bin/python bench/pages_ab.py --before A --after B --only '/regelingen/zoeker (profile)'

On a machine shared with other work the neighbours' bursts move a page's p95 more than a change
does, and two ``bench/pages.py`` runs a minute apart meet different neighbours. Here each tree
runs in a process of its own (its scratch database seeded, its app made with the page cache
off, as ``bench/pages.py`` does, and its warm-up thread finished), and the driver asks them in
turn for ``--runs`` requests of one page, ``--rounds`` times over every page, the order of the
two trees alternating; so both meet the same neighbours, a few tenths of a second apart. One
process waits (reads its pipe) while the other is timed: process CPU time (``time.process_time``,
the whole process, as ``bench/pages.py``) and wall time per request. Prints p50/p95 of both per
page over all rounds, and the bare FastAPI + Jinja reference of each process. Asserts nothing.
The trees' own code is timed with this file's ``pages.py`` helpers (``public_pages``), which
must import in both.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def worker(tree: Path) -> None:
    """Serve timing requests on stdin: one JSON line per command, one JSON line back."""
    sys.path[:0] = [str(tree), str(HERE)]
    backend = importlib.import_module("backend")  # first: pages.py puts its tree on the path
    from pages import bare_app, label_of, public_pages
    from scratch import scratch_database, scratch_settings

    if not Path(backend.__file__ or "").resolve().is_relative_to(tree):
        raise SystemExit(f"backend imported from {backend.__file__}, not from {tree}")

    with tempfile.TemporaryDirectory(prefix="loket-bench-ab-") as name:
        tmp = Path(name)
        url, db = scratch_database(tmp)
        settings = scratch_settings(tmp, url).model_copy(update={"page_cache_seconds": 0})
        from fastapi.testclient import TestClient

        from backend.content.views import item_url
        from backend.main import create_app
        from backend.seeding import run_seed

        run_seed(db, settings)
        app = create_app(settings, db, start_worker=False)
        bare = bare_app()

        with TestClient(app, base_url="http://testserver") as client, \
                TestClient(bare, base_url="http://testserver") as ref:
            pages: dict[str, tuple[str, dict[str, str]]] = {}
            for path, params in public_pages(app, db):
                if path.startswith("@"):
                    kind, slug = path[1:].split("/", 1)
                    path = item_url(kind, slug)
                if client.get(path, params=params).status_code == 200:  # warm
                    pages[label_of(path, params)] = (path, params)
            for thread in threading.enumerate():  # see bench/pages.py
                if thread.name == "loket-warm-up":
                    thread.join(120)
            gc.collect()
            gc.freeze()
            print(json.dumps(sorted(pages)), flush=True)
            for line in sys.stdin:
                command = json.loads(line)
                label, runs = command["label"], command["runs"]
                c, (path, params) = (ref, ("/", {})) if label == "reference" else (
                    client, pages[label])
                out = []
                for _ in range(runs):
                    t, cpu = time.perf_counter(), time.process_time()
                    c.get(path, params=params)
                    out.append(((time.perf_counter() - t) * 1000,
                                (time.process_time() - cpu) * 1000))
                print(json.dumps(out), flush=True)
        db.engine.dispose()


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(q * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, help="the tree before (a copy of main, say)")
    parser.add_argument("--after", type=Path, help="the tree after")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20, help="requests a page per round")
    parser.add_argument("--only", action="append", default=None, metavar="LABEL")
    parser.add_argument("--worker", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker.resolve())
        return
    if not args.before or not args.after:  # ``make bench`` runs every script without arguments
        print("bench/pages_ab.py compares two trees: give --before DIR and --after DIR")
        return
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    procs: dict[str, subprocess.Popen[str]] = {}
    labels: dict[str, list[str]] = {}
    for name, tree in (("before", args.before), ("after", args.after)):
        procs[name] = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(tree)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=tree,
            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    for name, proc in procs.items():  # seeded in parallel; timed one at a time
        assert proc.stdout is not None
        labels[name] = json.loads(proc.stdout.readline())
    common = [label for label in labels["after"] if label in labels["before"]]
    if args.only:
        common = [label for label in common if label in args.only]
    for label in set(labels["before"]) ^ set(labels["after"]):
        print(f"only in one tree, left out: {label}")

    def ask(name: str, label: str, runs: int) -> list[list[float]]:
        proc = procs[name]
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps({"label": label, "runs": runs}) + "\n")
        proc.stdin.flush()
        return json.loads(proc.stdout.readline())

    samples: dict[tuple[str, str], list[list[float]]] = {}
    started = time.perf_counter()
    for r in range(args.rounds):
        order = ("before", "after") if r % 2 == 0 else ("after", "before")
        for label in ["reference", *common]:
            for name in order:
                samples.setdefault((name, label), []).extend(ask(name, label, args.runs))
    for proc in procs.values():
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=60)
    print(f"{args.rounds} rounds of {args.runs} requests a page and tree in "
          f"{time.perf_counter() - started:.0f} s; load average now "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'page':44s} {'CPU p50/p95 before':>19s} {'after':>12s}   "
          f"{'wall p50/p95 before':>20s} {'after':>12s}  (ms)")
    met: dict[str, list[int]] = {"before": [0, 0], "after": [0, 0]}
    for label in ["reference", *common]:
        row: list[Any] = []
        for kind in (1, 0):  # CPU, then wall
            for name in ("before", "after"):
                values = [s[kind] for s in samples[(name, label)]]
                row.append(f"{statistics.median(values):5.1f} / {_p(values, .95):5.1f}")
                if label != "reference" and _p(values, .95) <= 10.0:
                    met[name][kind == 0] += 1
        print(f"{label[:44]:44s} {row[0]:>19s} {row[1]:>12s}   {row[2]:>20s} {row[3]:>12s}")
    for name in ("before", "after"):
        print(f"{name}: pages with p95 <= 10 ms: {met[name][0]} of {len(common)} (CPU), "
              f"{met[name][1]} of {len(common)} (wall)")


if __name__ == "__main__":
    main()
