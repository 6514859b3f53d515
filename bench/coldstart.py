"""Cold start: from starting the server until ``/healthz`` answers, and the first page after it.

    .venv/bin/python bench/coldstart.py
    .venv/bin/python bench/coldstart.py --runs 5 --no-seed
    .venv/bin/python bench/coldstart.py --runs 7 --compare /tmp/main-snapshot

In a temporary directory (removed afterwards): migrates and seeds a SQLite database, then
``--runs`` times starts ``loket serve`` (one process, as installed: bytecode as ``make
install`` leaves it) and, as the reference in the same run, a bare FastAPI app with one
``/healthz`` route under the same uvicorn options; polls ``/healthz`` every 5 ms and prints the
time until it answers (wall, and the server's CPU time from /proc), then times the first and
second request of ``/`` and ``/regelingen`` (Jinja compiles a template at its first use unless
the start-up warmed it). The server's CPU time is the sum over its threads of what the kernel
counts in nanoseconds (``/proc/<pid>/task/*/schedstat``; the 10 ms ticks of
``/proc/<pid>/stat`` where that is missing), the warm-up's and the worker's threads included.
``--compare TREE`` also starts ``loket serve`` from another checkout of Loket (its bytecode
compiled as ``make install`` leaves it; the same virtualenv, the same database) in every run,
alternating with this one, and prints both: a before/after on the same machine and load.
Prints the targets of issue 19 item 3 (until ``/healthz`` ≤ 1.0 s, the first page after it
≤ 50 ms) with "met" or "NOT met" for CPU and wall time; the machine's load shows in wall time,
so read CPU on a busy machine. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TARGET_HEALTHZ = 1.0  # seconds until /healthz answers (issue 19 item 3)
TARGET_FIRST_PAGE = 0.050  # seconds for the first page after that
BIN = Path(sys.executable).parent
TICK = os.sysconf("SC_CLK_TCK")
BARE_APP = '''
from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_of(pid: int) -> float:
    """The CPU time of process ``pid`` so far, all its threads: nanoseconds from schedstat
    (a thread that has ended is no longer listed: Loket's threads live as long as the server),
    else user + system ticks."""
    try:
        return sum(int((task / "schedstat").read_text().split()[0])
                   for task in Path(f"/proc/{pid}/task").iterdir()) / 1e9
    except (OSError, ValueError, IndexError):
        pass
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def start(cmd: list[str], env: dict[str, str], cwd: Path, port: int,
          pages: tuple[str, ...]) -> dict[str, float]:
    url = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    out: dict[str, float] = {}
    try:
        with httpx.Client(timeout=120) as client:
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"{cmd} exited with {proc.returncode}")
                try:
                    if client.get(url + "/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.perf_counter() - t0 > 120:
                    raise SystemExit(f"{cmd}: no answer in 120 s")
                time.sleep(0.005)
            out["healthz"] = time.perf_counter() - t0
            out["healthz_cpu"] = cpu_of(proc.pid)
            for page in pages:
                for n in ("first", "second"):
                    t, c = time.perf_counter(), cpu_of(proc.pid)
                    r = client.get(url + page)
                    assert r.status_code == 200, (page, r.status_code)
                    out[f"{page} {n}"] = time.perf_counter() - t
                    out[f"{page} {n} cpu"] = cpu_of(proc.pid) - c
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-seed", action="store_true", help="an empty (migrated) database")
    parser.add_argument("--compare", type=Path, default=None, metavar="TREE",
                        help="another checkout of Loket, started alternately with this one")
    args = parser.parse_args()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, load average "
          f"{os.getloadavg()[0]:.1f}")
    trees = {"loket": ROOT}
    if args.compare is not None:
        trees = {"compare": args.compare.resolve(), "loket": ROOT}
    for kind, tree in trees.items():
        compiled = any((tree / "backend" / "__pycache__").glob("main.*.pyc"))
        print(f"{kind} ({tree}): Loket's own bytecode compiled: {'yes' if compiled else 'no'}")
    with tempfile.TemporaryDirectory(prefix="loket-bench-cold-") as name:
        tmp = Path(name)
        env = {**os.environ, "LOKET_ENV": "production",
               "LOKET_SECRET_KEY": secrets.token_urlsafe(48),
               "LOKET_DATABASE_URL": f"sqlite:///{tmp / 'loket.db'}",
               "LOKET_SEARCH_PATH": str(tmp / "search"), "LOKET_VAR_DIR": str(tmp),
               "LOKET_BASE_URL": "http://127.0.0.1", "LOKET_LOG_LEVEL": "WARNING",
               "LOKET_TRUSTED_HOSTS": "*", "PYTHONPATH": str(ROOT)}
        for key in ("LOKET_SMTP_URL", "LOKET_REDIS_URL"):
            env.pop(key, None)
        loket = str(BIN / "loket")
        subprocess.run([loket, "db", "upgrade"], env=env, cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not args.no_seed:
            subprocess.run([loket, "seed"], env=env, cwd=tmp, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        (tmp / "bare_app.py").write_text(BARE_APP)
        results: dict[str, list[dict[str, float]]] = {"bare": [], **{k: [] for k in trees}}
        for _ in range(args.runs):
            port = free_port()
            results["bare"].append(start(
                [str(BIN / "python"), "-m", "uvicorn", "bare_app:app", "--port", str(port),
                 "--log-level", "warning"], {**env, "PYTHONPATH": str(tmp)}, tmp, port, ()))
            for kind, tree in trees.items():
                port = free_port()
                results[kind].append(start(
                    [loket, "serve", "--workers", "1", "--port", str(port)],
                    {**env, "LOKET_BASE_URL": f"http://127.0.0.1:{port}",
                     "PYTHONPATH": str(tree)}, tmp, port, ("/", "/regelingen")))

    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in results[kind])

    bare = med("bare", "healthz")
    print(f"load average at the end {os.getloadavg()[0]:.1f}; bare FastAPI until /healthz "
          f"{bare:.2f} s wall ({med('bare', 'healthz_cpu'):.2f} s CPU)")
    for kind, tree in trees.items():
        own = med(kind, "healthz")
        print(f"{kind} ({tree}):")
        print(f"  until /healthz answers (median of {args.runs}): {own:.2f} s wall "
              f"({med(kind, 'healthz_cpu'):.2f} s CPU): {own / bare:.1f}× bare")
        runs = ", ".join(f"{r['healthz']:.2f}/{r['healthz_cpu']:.2f}" for r in results[kind])
        print(f"  runs (wall/CPU): {runs} s")
        for page in ("/", "/regelingen"):
            print(f"  {page:12s} first request {1000 * med(kind, page + ' first'):6.1f} ms "
                  f"(CPU {1000 * med(kind, page + ' first cpu'):5.1f} ms), second "
                  f"{1000 * med(kind, page + ' second'):6.1f} ms "
                  f"(CPU {1000 * med(kind, page + ' second cpu'):5.1f} ms)")
        cpus = ", ".join(f"{1000 * r['/regelingen first cpu']:.0f}" for r in results[kind])
        print(f"  first /regelingen CPU per run: {cpus} ms")

    def verdict(value: float, target: float) -> str:
        return "met" if value <= target else "NOT met"

    own, cpu = med("loket", "healthz"), med("loket", "healthz_cpu")
    print(f"target until /healthz <= {TARGET_HEALTHZ:.1f} s: CPU {cpu:.2f} s "
          f"{verdict(cpu, TARGET_HEALTHZ)}, wall {own:.2f} s {verdict(own, TARGET_HEALTHZ)}")
    # The first page a visitor asks for; "/" may come from the page cache the warm-up filled.
    first = med("loket", "/regelingen first")
    first_cpu = med("loket", "/regelingen first cpu")
    print(f"target first page (/regelingen) <= {1000 * TARGET_FIRST_PAGE:.0f} ms: CPU "
          f"{1000 * first_cpu:.0f} ms {verdict(first_cpu, TARGET_FIRST_PAGE)} (the server's "
          f"CPU, its other threads' included), wall {1000 * first:.0f} ms "
          f"{verdict(first, TARGET_FIRST_PAGE)}")


if __name__ == "__main__":
    main()
