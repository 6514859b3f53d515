"""Cold start: from starting the server until ``/healthz`` answers, and the first page after it.

    .venv/bin/python bench/coldstart.py
    .venv/bin/python bench/coldstart.py --runs 5 --no-seed

In a temporary directory (removed afterwards): migrates and seeds a SQLite database, then
``--runs`` times starts ``loket serve`` (one process, as installed: bytecode as ``make
install`` leaves it) and, as the reference in the same run, a bare FastAPI app with one
``/healthz`` route under the same uvicorn options; polls ``/healthz`` every 5 ms and prints the
time until it answers (wall, and the server's CPU time from /proc), then times the first and
second request of ``/`` and ``/regelingen`` (Jinja compiles a template at its first use unless
the start-up warmed it). Prints the targets of issue 19 item 3 (until ``/healthz`` ≤ 1.0 s, the
first page after it ≤ 50 ms) with "met" or "NOT met" for CPU and wall time; the machine's load
shows in wall time, so read CPU on a busy machine. Asserts nothing.
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
    args = parser.parse_args()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, load average "
          f"{os.getloadavg()[0]:.1f}")
    compiled = any((ROOT / "backend" / "__pycache__").glob("main.*.pyc"))
    print(f"Loket's own bytecode compiled: {'yes' if compiled else 'no'}")
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
        results: dict[str, list[dict[str, float]]] = {"loket": [], "bare": []}
        for _ in range(args.runs):
            port = free_port()
            results["bare"].append(start(
                [str(BIN / "python"), "-m", "uvicorn", "bare_app:app", "--port", str(port),
                 "--log-level", "warning"], {**env, "PYTHONPATH": str(tmp)}, tmp, port, ()))
            port = free_port()
            results["loket"].append(start(
                [loket, "serve", "--workers", "1", "--port", str(port)],
                {**env, "LOKET_BASE_URL": f"http://127.0.0.1:{port}"}, tmp, port,
                ("/", "/regelingen")))

    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in results[kind])

    bare, own = med("bare", "healthz"), med("loket", "healthz")
    print(f"until /healthz answers (median of {args.runs}): Loket {own:.2f} s wall "
          f"({med('loket', 'healthz_cpu'):.2f} s CPU), bare FastAPI {bare:.2f} s wall "
          f"({med('bare', 'healthz_cpu'):.2f} s CPU): {own / bare:.1f}×")
    runs = ", ".join(f"{r['healthz']:.2f}" for r in results["loket"])
    print(f"  Loket runs: {runs} s")
    for page in ("/", "/regelingen"):
        print(f"{page:12s} first request {1000 * med('loket', page + ' first'):6.1f} ms "
              f"(CPU {1000 * med('loket', page + ' first cpu'):5.0f} ms), second "
              f"{1000 * med('loket', page + ' second'):6.1f} ms "
              f"(CPU {1000 * med('loket', page + ' second cpu'):5.0f} ms)")

    def verdict(value: float, target: float) -> str:
        return "met" if value <= target else "NOT met"

    cpu = med("loket", "healthz_cpu")
    print(f"target until /healthz <= {TARGET_HEALTHZ:.1f} s: CPU {cpu:.2f} s "
          f"{verdict(cpu, TARGET_HEALTHZ)}, wall {own:.2f} s {verdict(own, TARGET_HEALTHZ)}")
    # The first page a visitor asks for; "/" may come from the page cache the warm-up filled.
    first = med("loket", "/regelingen first")
    first_cpu = med("loket", "/regelingen first cpu")
    print(f"target first page (/regelingen) <= {1000 * TARGET_FIRST_PAGE:.0f} ms: CPU "
          f"{1000 * first_cpu:.0f} ms {verdict(first_cpu, TARGET_FIRST_PAGE)} (the server's "
          f"CPU in 10 ms ticks, the warm-up thread's included), wall {1000 * first:.0f} ms "
          f"{verdict(first, TARGET_FIRST_PAGE)}")


if __name__ == "__main__":
    main()
