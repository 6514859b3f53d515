# ruff: noqa: E501  (word lists and Lua read better on one line each)
"""Load benchmark: a realistic mix against a real server, and 10,000 questions at full speed.

    .venv/bin/python bench/load.py                      # 20 s mix, 10,000 questions
    .venv/bin/python bench/load.py --duration 30 --questions 2000 --keep
    .venv/bin/python bench/load.py --reuse /tmp/loadrun --questions 0 --kinds ask

What it does, all in a temporary directory that is removed afterwards (``--keep`` keeps it):

1. migrates and seeds a fresh SQLite database, builds the embedded search index;
2. starts ``loket serve --workers 2`` (two uvicorn processes, uvloop + httptools; the bare
   reference app gets as many: ``--workers N``) and the outbox worker ``loket worker`` as a
   third process, the production layout of the compose
   file (``--worker in-process``: a worker thread in each web process instead), with the
   question rate limits raised through ``LOKET_RATE_LIMITS`` (``ask_question``: address,
   email, desk and site ceilings; the limits stay on; they are only set high enough for one
   client address to send thousands of questions);
3. prepares what browsers would hold: CSRF cookies with their tokens (from real page loads),
   200 questions so the inbox has cases, and an advisor logged in through the password form;
4. **ceiling**: ``GET /healthz`` of the same app with wrk (32 connections);
5. **mix**: four wrk processes at once, one per kind of visitor, 32 connections in all:
   search as you type (``GET /zoeken?q=…`` with ``HX-Request``, growing prefixes of real
   queries), browsing (home, knowledge-base item pages, scheme pages, the scheme finder; one
   visit in ten without cookies, as a first visit), asking (``POST /vraag`` with the CSRF
   token, varied texts, municipalities, sectors and sizes, so routing varies) and the advisor
   inbox (``/werkplek``, a desk inbox and case pages, logged in). Each reports its throughput
   and p50/p95/p99; every response is checked (200, or 303 for an accepted question);
6. **questions**: 10,000 ``POST /vraag`` at full speed (32 connections), each with a unique
   marker in its text; afterwards the database must hold every one of them exactly once, each
   as a case on a desk with its routing event, and the outbox must drain.

The load generator is wrk (C, LuaJIT): install it with ``apt-get install wrk``. It shares the
machine's cores with the server; the script prints the CPU time each side used.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import resource
import secrets
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from grow import grow_cases  # noqa: E402

from backend.core.db import Database, make_engine  # noqa: E402

LOKET = ROOT / ".venv" / "bin" / "loket"
if not LOKET.exists():  # not in the project's venv: the command next to this Python
    LOKET = Path(sys.executable).with_name("loket")

# Real queries (tests/search/relevance.yaml and the search benchmark), typed letter by letter.
QUERIES = [
    "subsidie opleiding personeel", "robotisering personeelstekort", "productiviteit scan",
    "innovatiekrediet", "zelfsturende teams", "borgstelling lening bank", "predictive maintenance",
    "digital twin", "ondernemershuis", "werkgeversloket", "productiviteit meten",
    "robotsubsidie", "machineonderhoud sensordata", "opleidingsfonds installatiebranche",
    "energiebesparende investering", "leercultuur mkb", "kunstmatige intelligentie werkdruk",
    "internet of things fabriek", "administratieve lasten verminderen", "kamer van koophandel",
    "wbso", "mit haalbaarheid", "cobot inpakken", "lean werken", "roosters plannen",
]
OPENERS = ["Ik zoek hulp bij", "Wij willen graag advies over", "Wie helpt ons met", "Vraag over",
           "Hoe pakken we", "Kunnen jullie meedenken over", "We lopen vast op"]
SUBJECTS = [
    "financiering voor een nieuwe machine", "een investeerder voor onze groei", "subsidie voor innovatie",
    "de WBSO aanvragen", "personeel vinden voor de werkplaats", "twaalf vacatures voor monteurs",
    "mensen met een afstand tot de arbeidsmarkt", "een cobot voor het inpakken", "robotisering van de lasafdeling",
    "exporteren naar Duitsland", "mijn administratie digitaliseren", "ons pand verduurzamen",
    "lean werken in de productie", "AI in de klantenservice", "omscholing van ons personeel",
    "slim roosteren in de zorg", "ziekteverzuim en werkdruk", "een productiviteitsscan",
]
CONTEXT = ["We zijn een familiebedrijf met vijftien medewerkers.", "Ik werk als zzp'er vanuit huis.",
           "Ons bedrijf groeit snel en de orders lopen uit.", "We hebben al offertes opgevraagd.",
           "Graag een gesprek met iemand uit de regio.", ""]
SECTORS = ["", "", "industrie", "bouw", "zorg", "horeca", "ict", "landbouw", "logistiek", "handel"]
SIZES = ["", "zzp", "micro", "klein", "middel", "groot"]

CONNECTIONS = {"search": 12, "browse": 12, "ask": 2, "advisor": 6}  # 32, as in the issue
TARGET_RPS = 1500
TARGET_P95_MS = 50.0


def die(message: str) -> None:
    print(f"bench/load.py: {message}", file=sys.stderr)
    raise SystemExit(2)


def check_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        die("needs the HTTP load generator wrk (C + LuaJIT), which is not on PATH.\n"
            "  Debian/Ubuntu: sudo apt-get install wrk   (macOS: brew install wrk)\n"
            "A Python client would need more CPU than the server it measures on the same "
            "two cores, so there is no fallback.")
    assert wrk is not None
    return wrk


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def lua_str(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Lua string literal for ASCII text


def lua_list(values: list[str]) -> str:
    return "{" + ",".join(lua_str(v) for v in values) + "}"


def cpu_of(pids: list[int]) -> float:
    """User + system CPU seconds of the given processes (Linux /proc)."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class WrkResult:
    name: str
    requests: int = 0
    seconds: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    extra: dict[str, int] = field(default_factory=dict)
    quantiles: list[float] = field(default_factory=list)  # ms at 0.1 %, 0.2 %, … 99.9 %

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


# --- the Lua side --------------------------------------------------------------------------

LUA_COMMON = r"""
local threads = {}
THREAD_ID = 1
function setup(thread)
  table.insert(threads, thread)
  thread:set("THREAD_ID", #threads)
end
bad = 0
badstatus = ""
function note_bad(status)
  bad = bad + 1
  if #badstatus < 200 then badstatus = badstatus .. status .. " " end
end
function report(summary, latency, extra)
  local e = summary.errors
  local b, statuses = 0, ""
  local sums = {}
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
    statuses = statuses .. t:get("badstatus")
    for _, k in ipairs(extra) do sums[k] = (sums[k] or 0) + (t:get(k) or 0) end
  end
  io.write(string.format("RESULT requests %d\nRESULT duration_us %d\n", summary.requests, summary.duration))
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("RESULT p%d_us %d\n", p, latency:percentile(p)))
  end
  io.write(string.format("RESULT max_us %d\n", latency.max))
  local qs = {}
  for i = 1, 999 do qs[#qs + 1] = tostring(latency:percentile(i / 10)) end
  io.write("RESULT quantiles_us " .. table.concat(qs, " ") .. "\n")
  io.write(string.format("RESULT err_connect %d\nRESULT err_read %d\nRESULT err_write %d\nRESULT err_timeout %d\nRESULT err_unexpected %d\n",
    e.connect, e.read, e.write, e.timeout, b))
  for _, k in ipairs(extra) do io.write(string.format("RESULT x_%s %d\n", k, sums[k] or 0)) end
  if #statuses > 0 then io.write("RESULT statuses " .. statuses .. "\n") end
end
"""

# Prepared requests (SPECS), cycled from a random start; every answer must be EXPECT.
LUA_CYCLE = r"""
local reqs = {}
local n, i = 0, 0
function init(args)
  for k, spec in ipairs(SPECS) do reqs[k] = wrk.format(spec[1], spec[2], spec[3], spec[4]) end
  n = #reqs
  math.randomseed(os.time() * 100 + THREAD_ID)
  i = math.random(n)
end
function request()
  i = i % n + 1
  return reqs[i]
end
function response(status, headers, body)
  if status ~= EXPECT then note_bad(status) end
end
function done(summary, latency, requests) report(summary, latency, {}) end
"""

# TARGET unique questions numbered 1…TARGET, then cheap GET /healthz fillers (200) for
# connections that ask for more while the last questions are answered (303, or an error
# status); once every question has its answer the thread stops. One wrk thread: wrk
# calls request() once before the run to check the script (for thread 0 only), and that
# request is never sent, so the first call returns a filler instead of a question.
LUA_QUESTIONS = r"""
accepted, fillers = 0, 0
local issued, checked, stopped = 0, false, false
local filler
function init(args)
  filler = wrk.format("GET", "/healthz")
end
function request()
  if not checked then
    checked = true
    return filler
  end
  if issued >= TARGET then
    fillers = fillers + 1
    return filler
  end
  issued = issued + 1
  local k = issued
  local pair = PAIRS[k % #PAIRS + 1]
  local body = string.format(BODY_FORMAT, pair[2], TEXTS[k % #TEXTS + 1], k,
                             PLACES[(k * 7) % #PLACES + 1], SECTORS[(k * 3) % #SECTORS + 1],
                             SIZES[(k * 5) % #SIZES + 1], k)
  return wrk.format("POST", "/vraag", {["Cookie"] = "loket_csrf=" .. pair[1],
                    ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
function delay()
  return issued >= TARGET and 1000 or 0  -- fillers only keep connections open
end
function response(status, headers, body)
  if status == 303 then
    accepted = accepted + 1
  elseif status ~= 200 then
    note_bad(status)
  end
  if accepted + bad >= TARGET and not stopped then
    -- wrk's main thread sleeps for the whole -d duration; the bench sends it SIGINT on this line.
    stopped = true
    io.write("STOPPED\n")
    io.flush()
    wrk.thread:stop()
  end
end
function done(summary, latency, requests) report(summary, latency, {"accepted", "fillers"}) end
"""


# method, path, headers, body, expected status
Spec = tuple[str, str, dict[str, str], str | None, int]


def lua_specs(specs: list[Spec]) -> str:
    rows = []
    for method, path, headers, body, expect in specs:
        hdrs = "{" + ",".join(f"[{lua_str(k)}]={lua_str(v)}" for k, v in headers.items()) + "}"
        rows.append(f"{{{lua_str(method)},{lua_str(path)},{hdrs},"
                    f"{lua_str(body) if body is not None else 'nil'},{expect}}}")
    return "SPECS = {\n" + ",\n".join(rows) + "\n}\n"


def run_wrk(wrk: str, name: str, url: str, script: Path, *, connections: int, seconds: float,
            threads: int = 1, timeout: int = 10) -> subprocess.Popen[str]:
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", f"--timeout={timeout}s",
           "-s", str(script), url]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def parse_wrk(name: str, out: str) -> WrkResult:
    res = WrkResult(name)
    values: dict[str, str] = {}
    for line in out.splitlines():
        if line.startswith("RESULT "):
            _, key, value = line.split(" ", 2)
            values[key] = value
    if "requests" not in values:
        raise RuntimeError(f"wrk ({name}) gave no result:\n{out}")
    res.requests = int(values["requests"])
    res.seconds = int(values["duration_us"]) / 1e6
    res.p50, res.p95, res.p99 = (int(values[f"p{p}_us"]) / 1000 for p in (50, 95, 99))
    res.max = int(values["max_us"]) / 1000
    res.quantiles = [int(v) / 1000 for v in values.get("quantiles_us", "").split()]
    for key in ("connect", "read", "write", "timeout", "unexpected"):
        n = int(values[f"err_{key}"])
        if n:
            res.errors[key] = n
    res.extra = {k[2:]: int(v) for k, v in values.items() if k.startswith("x_")}
    if "statuses" in values:
        res.extra["statuses: " + values["statuses"].strip()] = 0
    return res


# --- the server ----------------------------------------------------------------------------

class Server:
    def __init__(self, tmp: Path, port: int, env: dict[str, str], *,
                 separate_worker: bool = False, workers: int = 2) -> None:
        self.tmp, self.port, self.env = tmp, port, env
        self.workers = workers
        self.separate_worker = separate_worker
        if separate_worker:
            self.env = {**env, "LOKET_WORKER_IN_PROCESS": "0"}
        self.proc: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.log = tmp / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [str(LOKET), "serve", "--workers", str(self.workers), "--port", str(self.port)],
                env=self.env, cwd=self.tmp, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)  # its own process group: stopped as a whole
            if self.separate_worker:
                # As in production (the compose file's ``worker``): the outbox worker in a
                # process of its own, so mail work never holds a web process's GIL.
                self.worker = subprocess.Popen([str(LOKET), "worker"], env=self.env,
                                               cwd=self.tmp, stdout=log,
                                               stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                die(f"the server exited ({self.proc.returncode}); log:\n"
                    + self.log.read_text()[-3000:])
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    time.sleep(2)  # the second process may still be importing
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        die("the server did not become ready in 90 s")

    def pids(self) -> list[int]:
        if self.proc is None:
            return []
        pids = [self.proc.pid]
        for p in Path("/proc").iterdir():
            if p.name.isdigit():
                try:
                    stat = (p / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(stat[2]) == self.proc.pid:  # ppid
                    pids.append(int(p.name))
        return pids + ([self.worker.pid] if self.worker else [])

    def cpu(self) -> float:
        return cpu_of(self.pids())

    def stop(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.terminate()
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.worker.kill()
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


# --- preparation ---------------------------------------------------------------------------

def loket(env: dict[str, str], cwd: Path, *args: str) -> None:
    subprocess.run([str(LOKET), *args], env=env, cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def csrf_pairs(url: str, n: int) -> list[tuple[str, str]]:
    """(cookie, token) as a browser gets them on its first page."""
    out = []
    for _ in range(n):
        r = httpx.get(url + "/vraag", timeout=30)
        r.raise_for_status()
        match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', r.text)
        if match is None or "loket_csrf" not in r.cookies:
            die("no CSRF token on /vraag")
        assert match is not None
        out.append((str(r.cookies["loket_csrf"]), match.group(1)))
    return out


def question_text(rng: random.Random) -> str:
    return " ".join(x for x in (rng.choice(OPENERS), rng.choice(SUBJECTS) + ".",
                                rng.choice(CONTEXT)) if x)


def question_form(rng: random.Random, token: str, places: list[str], marker: str = "") -> str:
    return urlencode({
        "csrf_token": token, "text": question_text(rng) + marker,
        "municipality": rng.choice(places), "sector": rng.choice(SECTORS),
        "company_size": rng.choice(SIZES), "email": f"ondernemer{rng.randrange(10**6)}@example.nl",
        "consent": "1"})


def create_advisor(env: dict[str, str], email: str, password: str) -> None:
    code = ("import sys; from backend.core.db import Database; from backend.core.settings import get_settings;"
            "import backend.models; from backend.accounts import service;"
            "db = Database.from_settings(get_settings());\n"
            "with db.transaction() as s:\n"
            "    u = service.create_user(s, sys.argv[1], name='Adviseur Belasting');"
            " service.set_password(s, u, sys.argv[2])")
    subprocess.run([sys.executable, "-c", code, email, password], env=env, cwd=ROOT, check=True)


def join_desks(db_path: Path, email: str, n: int) -> list[str]:
    """Make the advisor a member of the n desks with the most cases; returns their slugs."""
    con = sqlite3.connect(db_path, timeout=30)
    try:
        rows = con.execute(
            "SELECT d.id, d.slug FROM desk d JOIN question_case c ON c.desk_id = d.id "
            "GROUP BY d.id ORDER BY count(*) DESC LIMIT ?", (n,)).fetchall()
        (user_id,) = con.execute("SELECT id FROM user_account WHERE email = ?", (email,)).fetchone()
        with con:
            for desk_id, _slug in rows:
                con.execute("INSERT OR IGNORE INTO desk_member (desk_id, user_id, role, added_at) "
                            "VALUES (?, ?, 'advisor', datetime('now'))", (desk_id, user_id))
        return [slug for _, slug in rows]
    finally:
        con.close()


def grow(db_path: Path, cases: int, open_cases: int) -> None:
    """Bulk cases on the seeded desks and municipalities (bench/grow.py), then ANALYZE."""
    t0 = time.perf_counter()
    con = sqlite3.connect(db_path)
    desks = [(int(i), str(s)) for i, s in con.execute(
        "SELECT id, slug FROM desk WHERE is_active ORDER BY id")]
    munis = [str(c) for (c,) in con.execute("SELECT code FROM municipality ORDER BY code")]
    themes = [str(t) for (t,) in con.execute("SELECT slug FROM taxonomy_theme ORDER BY slug")]
    sectors = [str(t) for (t,) in con.execute("SELECT slug FROM taxonomy_sector ORDER BY slug")]
    sizes = [str(t) for (t,) in con.execute("SELECT slug FROM taxonomy_company_size ORDER BY slug")]
    first = int(con.execute("SELECT coalesce(max(id), 0) FROM question_case").fetchone()[0]) + 1
    con.close()
    db = Database(make_engine(f"sqlite:///{db_path}"))
    with db.transaction() as session:
        grow_cases(session, random.Random(19), cases=cases, open_cases=open_cases,
                   municipalities=munis, desks=desks, themes=themes, sectors=sectors,
                   sizes=sizes, start=datetime.now(UTC) - timedelta(days=730),
                   span=timedelta(days=729), first_id=first)
    db.engine.dispose()
    con = sqlite3.connect(db_path)
    con.execute("ANALYZE")
    con.close()
    print(f"grown: {cases:,} cases ({open_cases:,} open) over {len(desks)} desks in "
          f"{time.perf_counter() - t0:.1f} s")


def login(url: str, email: str, password: str) -> tuple[str, str]:
    """The advisor logs in with the password form; returns (session cookie, csrf cookie)."""
    with httpx.Client(base_url=url, timeout=30) as client:
        page = client.get("/inloggen/beheer")
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
        assert token is not None
        r = client.post("/inloggen/beheer", data={"email": email, "password": password,
                                                  "next": "/werkplek", "csrf_token": token.group(1)})
        if r.status_code != 303 or "loket_session" not in client.cookies:
            die(f"advisor login failed ({r.status_code})")
        return str(client.cookies["loket_session"]), str(client.cookies["loket_csrf"])


def check_urls(url: str, specs: list[Spec]) -> None:
    """Every GET of the mix once, before measuring: all must answer as expected."""
    seen = set()
    with httpx.Client(base_url=url, timeout=30) as client:
        for method, path, headers, _body, expect in specs:
            if method != "GET" or (path, headers.get("HX-Request")) in seen:
                continue
            seen.add((path, headers.get("HX-Request")))
            r = client.get(path, headers=headers)
            if r.status_code != expect:
                die(f"GET {path} answered {r.status_code}, expected {expect}")


# --- the run -------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=20.0,
                        help="seconds of the mix (0: skip the ceiling and the mix)")
    parser.add_argument("--ceiling-duration", type=float, default=10.0)
    parser.add_argument("--kinds", default=",".join(CONNECTIONS),
                        help="the mix's kinds of visitors to run (comma-separated; to measure "
                             "one kind alone)")
    parser.add_argument("--warmup", type=float, default=5.0,
                        help="seconds of the mix before measuring (caches fill as on a server "
                             "that has been running)")
    parser.add_argument("--questions", type=int, default=10_000,
                        help="questions submitted at full speed (0: skip)")
    parser.add_argument("--question-connections", type=int, default=32)
    parser.add_argument("--question-timeout", type=float, default=900,
                        help="seconds the question run may take before it is stopped")
    parser.add_argument("--grow-cases", type=int, default=0, metavar="N",
                        help="before serving, add N cases over two years on the seeded desks "
                             "(bench/grow.py), as a database in use for years holds")
    parser.add_argument("--grow-open", type=int, default=10_000, metavar="M",
                        help="of the grown cases, how many are still open (the newest)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--reuse", type=Path, metavar="DIR",
                        help="set up in DIR once and reuse it in later runs (kept)")
    parser.add_argument("--worker", choices=("separate", "in-process"), default="in-process",
                        help="the outbox worker as a thread in each web process (the default, as "
                             "`loket serve` runs) or in a process of its own (the compose file)")
    parser.add_argument("--workers", type=int, default=2,
                        help="web processes of Loket and of the bare reference app (both)")
    parser.add_argument("--log-level", default="INFO",
                        help="server log level (INFO: one access-log line per request)")
    args = parser.parse_args()
    wrk = check_wrk()

    if args.reuse:
        tmp = args.reuse.resolve()
        tmp.mkdir(parents=True, exist_ok=True)
        args.keep = True
    else:
        tmp = Path(tempfile.mkdtemp(prefix="loket-load-"))
    db_path = tmp / "loket.db"
    reuse = (tmp / "advisor.txt").exists()
    env = {**os.environ,
           "LOKET_ENV": "development", "LOKET_SECRET_KEY": secrets.token_urlsafe(48),
           "LOKET_DATABASE_URL": f"sqlite:///{db_path}", "LOKET_SEARCH_PATH": str(tmp / "search"),
           "LOKET_VAR_DIR": str(tmp), "LOKET_LOG_LEVEL": args.log_level,
           "PYTHONPATH": str(ROOT),  # the code next to this script, also from a worktree
           "LOKET_SMTP_URL": "", "LOKET_REDIS_URL": "",
           # The limits stay on, set high enough for one client address and its test mailboxes.
           "LOKET_RATE_LIMITS": json.dumps({"ask_question": {
               "address": "1000000/3600", "email": "1000000/86400", "desk": "1000000/3600",
               "site": "1000000/3600"}})}
    for key in ("LOKET_SMTP_URL", "LOKET_REDIS_URL", "LOKET_METRICS_TOKEN"):
        env.pop(key, None)
    port = free_port()
    env["LOKET_BASE_URL"] = f"http://127.0.0.1:{port}"
    server = Server(tmp, port, env, separate_worker=args.worker == "separate",
                    workers=args.workers)
    rng = random.Random(7)
    try:
        t0 = time.perf_counter()
        advisor_email = "adviseur@loket.example"
        if reuse:
            advisor_password = (tmp / "advisor.txt").read_text().strip()
        else:
            loket(env, tmp, "db", "upgrade")
            loket(env, tmp, "seed")
            loket(env, tmp, "search", "reindex")
            if args.grow_cases:
                grow(db_path, args.grow_cases, min(args.grow_open, args.grow_cases))
            advisor_password = secrets.token_urlsafe(18)
            create_advisor(env, advisor_email, advisor_password)
            (tmp / "advisor.txt").write_text(advisor_password)
        con = sqlite3.connect(db_path)
        items = con.execute("SELECT type, slug FROM content_item WHERE status = 'published' "
                            "AND deleted_at IS NULL ORDER BY type, slug").fetchall()
        places = [r[0] for r in con.execute("SELECT name FROM municipality ORDER BY code")]
        con.close()
        print(f"setup: {'reused ' + str(tmp) if reuse else 'database, seed and index'} in "
              f"{time.perf_counter() - t0:.1f} s "
              f"({len(items)} published items, {len(places)} municipalities)")

        server.start()
        base = server.url
        pairs = csrf_pairs(base, 32)
        # 200 questions before measuring, so the advisor has an inbox and routing is warm.
        refs = []
        with httpx.Client(base_url=base, timeout=30) as client:
            for k in range(200):
                cookie, token = pairs[k % len(pairs)]
                r = client.post("/vraag", content=question_form(rng, token, places),
                                headers={"Content-Type": "application/x-www-form-urlencoded",
                                         "Cookie": f"loket_csrf={cookie}"})
                if r.status_code != 303:
                    die(f"warm-up question refused: {r.status_code}\n{r.text[:2000]}")
                refs.append(r.headers["location"].split("/mijn-vraag/")[1].split("?")[0])
        desks = join_desks(db_path, advisor_email, 2)
        session_cookie, advisor_csrf = login(base, advisor_email, advisor_password)
        con = sqlite3.connect(db_path)
        my_refs = [r for (r,) in con.execute(
            "SELECT c.reference FROM question_case c JOIN desk d ON d.id = c.desk_id "
            "WHERE d.slug IN (?, ?) ORDER BY c.id", (desks + desks)[:2])]
        con.close()

        from backend.content.views import item_url

        def with_cookie(k: int) -> dict[str, str]:
            return {"Cookie": f"loket_csrf={pairs[k % len(pairs)][0]}"}

        search_specs: list[Spec] = []
        for qi, q in enumerate(QUERIES):
            for end in range(3, len(q) + 1):
                if q[end - 1] == " ":
                    continue
                search_specs.append(("GET", "/zoeken?q=" + quote_plus(q[:end]),
                                     {"HX-Request": "true", **with_cookie(qi)}, None, 200))
        browse_specs: list[Spec] = []
        schemes = [s for t, s in items if t == "scheme"]
        others = [(t, s) for t, s in items if t != "scheme"]
        for k in range(400):
            roll = k % 10
            if roll < 2:
                path = "/"
            elif roll < 6:
                path = item_url(*others[(k * 7) % len(others)])
            elif roll < 8:
                path = item_url("scheme", schemes[(k * 3) % len(schemes)])
            else:
                path = "/regelingen/zoeker"
            browse_specs.append(("GET", path, {} if k % 10 == 9 else with_cookie(k), None, 200))
        ask_specs: list[Spec] = []
        for k in range(500):
            c, token = pairs[k % len(pairs)]
            ask_specs.append(("POST", "/vraag",
                              {"Cookie": f"loket_csrf={c}",
                               "Content-Type": "application/x-www-form-urlencoded"},
                              question_form(rng, token, places), 303))
        adv_cookie = {"Cookie": f"loket_session={session_cookie}; loket_csrf={advisor_csrf}"}
        advisor_specs: list[Spec] = []
        for k in range(200):
            roll = k % 5
            if roll == 0:
                path = "/werkplek"
            elif roll == 1:
                path = f"/werkplek/{desks[k % len(desks)]}"
            else:
                path = f"/werkplek/zaken/{my_refs[k % len(my_refs)]}"
            advisor_specs.append(("GET", path, adv_cookie, None, 200))
        for specs in (search_specs, browse_specs, advisor_specs):
            check_urls(base, specs)

        scripts = {}
        for name, specs in (("search", search_specs), ("browse", browse_specs),
                            ("ask", ask_specs), ("advisor", advisor_specs)):
            path = tmp / f"{name}.lua"
            path.write_text(lua_specs(specs) + f"EXPECT = {303 if name == 'ask' else 200}\n"
                            + LUA_COMMON + LUA_CYCLE)
            scripts[name] = path
        for name, specs in (("search", search_specs), ("browse", browse_specs)):
            closing = [(m, p, {**h, "Connection": "close"}, b, e) for m, p, h, b, e in specs]
            path = tmp / f"warm-{name}.lua"
            path.write_text(lua_specs(closing) + "EXPECT = 200\n" + LUA_COMMON + LUA_CYCLE)
            scripts[f"warm-{name}"] = path
        ceiling_lua = tmp / "ceiling.lua"
        ceiling_lua.write_text(lua_specs([("GET", "/healthz", {}, None, 200)])
                               + "EXPECT = 200\n" + LUA_COMMON + LUA_CYCLE)

        load_before = os.getloadavg()
        print(f"load average before the measurements: {load_before[0]:.2f} "
              f"(1 min), {load_before[1]:.2f} (5 min); {os.cpu_count()} cores")

        ok = True
        if args.duration > 0:
            ok = run_mix(args, wrk, server, scripts, ceiling_lua)

        if args.questions:
            question_result = run_questions(args, wrk, server, db_path, pairs, places, tmp)
            report_questions(args, question_result)
            ok = ok and question_result["ok"]
            print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f}")
        return 0 if ok else 1
    finally:
        server.stop()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run_mix(args: argparse.Namespace, wrk: str, server: Server, scripts: dict[str, Path],
            ceiling_lua: Path) -> bool:
    """The ceiling, then the four kinds of visitors at once; True when nothing failed."""
    cpu_s, cpu_g = server.cpu(), children_cpu()
    proc = run_wrk(wrk, "ceiling", server.url, ceiling_lua, connections=32,
                   seconds=args.ceiling_duration)
    ceiling = parse_wrk("healthz", proc.communicate()[0])
    ceiling_cpu = (server.cpu() - cpu_s, children_cpu() - cpu_g)
    bare, bare_cpu = bare_ceiling(args, wrk, server, ceiling_lua)

    if args.warmup > 0:
        # Every server process keeps its own page cache, and wrk's connections stay with the
        # process that accepted them: the warm-up closes its connection after every request,
        # so that each process sees the pages, as on a server that has been running a while.
        warm = [run_wrk(wrk, name, server.url, scripts[f"warm-{name}"], connections=16,
                        seconds=args.warmup) for name in ("search", "browse")]
        for p in warm:
            p.communicate()
    cpu_s, cpu_g = server.cpu(), children_cpu()
    kinds = [k for k in CONNECTIONS if k in args.kinds.split(",")]
    procs = {name: run_wrk(wrk, name, server.url, scripts[name], connections=CONNECTIONS[name],
                           seconds=args.duration) for name in kinds}
    mix = {name: parse_wrk(name, p.communicate()[0]) for name, p in procs.items()}
    mix_cpu = (server.cpu() - cpu_s, children_cpu() - cpu_g)
    report_mix(ceiling, ceiling_cpu, mix, mix_cpu)
    report_bare(bare, bare_cpu, ceiling, ceiling_cpu, mix, mix_cpu)
    report_page_cache(server.url)
    print(f"load average (1 min) after the mix: {os.getloadavg()[0]:.2f}", flush=True)
    return all(r.error_count == 0 for r in (ceiling, *mix.values()))


BARE_APP = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
"""


def bare_ceiling(args: argparse.Namespace, wrk: str, server: Server, ceiling_lua: Path
                 ) -> tuple[WrkResult, float]:
    """The reference (issue 19): a bare FastAPI app with one ``/healthz``, served by uvicorn
    with Loket's options (``backend.core.server.uvicorn_options``) and as many workers (two),
    under the same wrk run as Loket's ceiling, right after it (Loket idle meanwhile)."""
    (server.tmp / "bare_app.py").write_text(BARE_APP)
    port = free_port()
    code = ("import uvicorn; from backend.core.server import uvicorn_options; "
            "from backend.core.settings import get_settings; "
            f"uvicorn.run('bare_app:app', port={port}, workers={server.workers}, "
            "**uvicorn_options(get_settings()))")
    env = {**server.env, "PYTHONPATH": f"{server.tmp}{os.pathsep}{ROOT}"}
    with (server.tmp / "bare.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=server.tmp,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        time.sleep(2)  # the second process may still be importing
        pids = [proc.pid] + [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                             and _ppid(p) == proc.pid]
        cpu = cpu_of(pids)
        run = run_wrk(wrk, "bare", url, ceiling_lua, connections=32,
                      seconds=args.ceiling_duration)
        result = parse_wrk("bare healthz", run.communicate()[0])
        return result, cpu_of(pids) - cpu
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def _ppid(p: Path) -> int:
    try:
        return int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def report_bare(bare: WrkResult, bare_cpu: float, ceiling: WrkResult,
                ceiling_cpu: tuple[float, float], mix: dict[str, WrkResult],
                mix_cpu: tuple[float, float]) -> None:
    total = sum(r.requests for r in mix.values())
    mix_rps = total / max(r.seconds for r in mix.values())
    print(f"{'bare FastAPI /healthz':<22}{32:>6}{bare.requests:>10}{bare.rps:>9.0f}"
          f"{bare.p50:>9.1f}{bare.p95:>9.1f}{bare.p99:>9.1f}{bare.max:>9.1f}  "
          f"{bare.error_count}")
    if not bare.rps:
        return
    # Per CPU second of the server too: on a shared machine the rates follow the neighbours.
    per_cpu = [(r.requests / c if c else 0.0) for r, c in
               ((bare, bare_cpu), (ceiling, ceiling_cpu[0]))]
    mix_per_cpu = total / mix_cpu[0] if mix_cpu[0] else 0.0
    print(f"ratio to the bare app (same workers, same wrk run): /healthz "
          f"{100 * ceiling.rps / bare.rps:.0f} % (target ≥ 80 %), mix "
          f"{100 * mix_rps / bare.rps:.0f} % (target ≥ 50 %); per server CPU second: bare "
          f"{per_cpu[0]:.0f}, Loket /healthz {per_cpu[1]:.0f} "
          f"({100 * per_cpu[1] / per_cpu[0] if per_cpu[0] else 0:.0f} %), mix {mix_per_cpu:.0f}"
          f" ({100 * mix_per_cpu / per_cpu[0] if per_cpu[0] else 0:.0f} %)", flush=True)


def run_questions(args: argparse.Namespace, wrk: str, server: Server, db_path: Path,
                  pairs: list[tuple[str, str]], places: list[str], tmp: Path) -> dict[str, Any]:
    """N questions at full speed, each with a unique marker; then check them in the database."""
    n = args.questions
    conns = args.question_connections
    rng = random.Random(11)
    texts = [question_text(rng) for _ in range(97)]
    run = secrets.token_hex(3)  # markers unique to this run, also in a reused database
    body_format = (f"csrf_token=%s&text=%s+Kenmerk+LT-{run}-%05d.&municipality=%s&sector=%s"
                   "&company_size=%s&email=lt%05d%%40example.nl&consent=1")
    lua = (f"PAIRS = {{{','.join('{' + lua_str(c) + ',' + lua_str(t) + '}' for c, t in pairs)}}}\n"
           f"TEXTS = {lua_list([quote_plus(t) for t in texts])}\n"
           f"PLACES = {lua_list([quote_plus(p) for p in places])}\n"
           f"SECTORS = {lua_list(SECTORS)}\nSIZES = {lua_list(SIZES)}\n"
           f"BODY_FORMAT = {lua_str(body_format)}\nTARGET = {n}\n"
           + LUA_COMMON + LUA_QUESTIONS)
    script = tmp / "questions.lua"
    script.write_text(lua)
    con = sqlite3.connect(db_path, timeout=30)
    before = con.execute("SELECT count(*) FROM question_case").fetchone()[0]
    con.close()
    cpu_s, cpu_g = server.cpu(), children_cpu()
    start = time.perf_counter()
    proc = run_wrk(wrk, "questions", server.url, script, connections=conns,
                   seconds=args.question_timeout + 60, timeout=60)
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    out = b""
    deadline = start + args.question_timeout
    while b"STOPPED" not in out and time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)  # the script's STOPPED line
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            out += chunk
    elapsed = time.perf_counter() - start
    proc.send_signal(signal.SIGINT)  # wrk's main thread would sleep out its -d duration
    while chunk := os.read(fd, 65536):
        out += chunk
    proc.wait()
    res = parse_wrk("questions", out.decode())
    cpu = (server.cpu() - cpu_s, children_cpu() - cpu_g)
    # The outbox (confirmation mails, desk notifications) drains in the background.
    drain_start = time.perf_counter()
    con = sqlite3.connect(db_path, timeout=30)
    pending = -1
    while time.perf_counter() - drain_start < 600:
        pending = con.execute("SELECT count(*) FROM outbox_message WHERE status IN "
                              "('pending', 'failed')").fetchone()[0]
        if pending == 0:
            break
        time.sleep(0.5)
    drain = time.perf_counter() - drain_start
    after = con.execute("SELECT count(*) FROM question_case").fetchone()[0]
    rows = con.execute(
        "SELECT c.text, c.desk_id, d.slug, "
        "(SELECT count(*) FROM case_event e WHERE e.case_id = c.id AND e.kind = 'routed') "
        "FROM question_case c LEFT JOIN desk d ON d.id = c.desk_id "
        "WHERE c.text LIKE ?", (f"%Kenmerk LT-{run}-%",)).fetchall()
    failed = con.execute("SELECT count(*) FROM outbox_message WHERE status = 'failed'").fetchone()[0]
    con.close()
    markers: dict[int, int] = {}
    unrouted = 0
    desks_used: dict[str, int] = {}
    for text, desk_id, slug, routed in rows:
        m = re.search(rf"Kenmerk LT-{run}-(\d+)\.", text)
        if m:
            markers[int(m.group(1))] = markers.get(int(m.group(1)), 0) + 1
        if desk_id is None or slug is None or routed != 1:
            unrouted += 1
        else:
            desks_used[slug] = desks_used.get(slug, 0) + 1
    missing = [k for k in range(1, n + 1) if markers.get(k, 0) == 0]
    doubled = [k for k, c in markers.items() if c > 1]
    accepted = res.extra.get("accepted", 0)
    ok = (accepted == n and after - before == n and not missing and not doubled
          and unrouted == 0 and res.error_count == 0 and pending == 0 and failed == 0)
    return {"n": n, "accepted": accepted, "stored": after - before, "missing": len(missing),
            "doubled": len(doubled), "unrouted": unrouted, "desks": len(desks_used),
            "elapsed": elapsed, "rps": n / elapsed, "p50": res.p50, "p95": res.p95,
            "p99": res.p99, "max": res.max, "errors": res.errors, "drain": drain,
            "pending": pending, "failed": failed, "cpu": cpu, "ok": ok,
            "top_desks": sorted(desks_used.items(), key=lambda kv: -kv[1])[:5]}


def mixed_percentile(results: list[WrkResult], p: float) -> float:
    """The p-th percentile of all the mix's requests together.

    Each wrk gives its own latency distribution (999 quantiles); the mix's distribution is
    their sum weighted by each type's number of requests. The answer is the smallest latency
    x at which the requests up to x make p % of all.
    """
    import bisect

    total = sum(r.requests for r in results)
    candidates = sorted({q for r in results for q in r.quantiles})
    for x in candidates:
        below = sum(r.requests * bisect.bisect_right(r.quantiles, x) / (len(r.quantiles) + 1)
                    for r in results if r.quantiles)
        if below >= total * p / 100:
            return x
    return max(r.max for r in results)


def report_mix(ceiling: WrkResult, ceiling_cpu: tuple[float, float],
               mix: dict[str, WrkResult], mix_cpu: tuple[float, float]) -> None:
    print()
    print(f"{'request type':<22}{'conns':>6}{'requests':>10}{'req/s':>9}{'p50 ms':>9}"
          f"{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}  errors")
    labels = {"search": "search as you type", "browse": "browse", "ask": "ask (POST /vraag)",
              "advisor": "advisor inbox"}
    for name, r in mix.items():
        print(f"{labels[name]:<22}{CONNECTIONS[name]:>6}{r.requests:>10}{r.rps:>9.0f}"
              f"{r.p50:>9.1f}{r.p95:>9.1f}{r.p99:>9.1f}{r.max:>9.1f}  "
              f"{r.error_count or 0} {r.errors or ''}{' '.join(k for k in r.extra if k.startswith('statuses'))}")
    total = sum(r.requests for r in mix.values())
    seconds = max(r.seconds for r in mix.values())
    mix_rps = total / seconds
    # The mix's percentiles over all its requests (each type weighted by its requests).
    every = list(mix.values())
    mix_p = {p: mixed_percentile(every, p) for p in (50, 95, 99)}
    worst_p95 = max(r.p95 for r in mix.values())
    print(f"{'mix (all four)':<22}{sum(CONNECTIONS.values()):>6}{total:>10}{mix_rps:>9.0f}"
          f"{mix_p[50]:>9.1f}{mix_p[95]:>9.1f}{mix_p[99]:>9.1f}")
    print(f"{'ceiling GET /healthz':<22}{32:>6}{ceiling.requests:>10}{ceiling.rps:>9.0f}"
          f"{ceiling.p50:>9.1f}{ceiling.p95:>9.1f}{ceiling.p99:>9.1f}{ceiling.max:>9.1f}  "
          f"{ceiling.error_count}")
    ratio = mix_rps / ceiling.rps if ceiling.rps else 0.0
    print(f"\nmix / ceiling: {100 * ratio:.1f} %   (targets: mix ≥ {TARGET_RPS} req/s "
          f"{'met' if mix_rps >= TARGET_RPS else 'NOT met'}, p95 ≤ {TARGET_P95_MS:.0f} ms "
          f"{'met' if mix_p[95] <= TARGET_P95_MS else 'NOT met'} (all requests; slowest "
          f"type's p95 {worst_p95:.1f} ms), ≥ 25 % of the "
          f"ceiling {'met' if ratio >= 0.25 else 'NOT met'})")
    print(f"CPU seconds, server / wrk: ceiling {ceiling_cpu[0]:.1f} / {ceiling_cpu[1]:.1f}, "
          f"mix {mix_cpu[0]:.1f} / {mix_cpu[1]:.1f} (the generator shares the 2 cores)",
          flush=True)


def report_page_cache(url: str) -> None:
    """Hits, misses and stale lookups of the page cache, per server process (from /metrics;
    each fetch reaches one of the processes)."""
    seen: dict[str, dict[str, float]] = {}
    for _ in range(12):
        text = httpx.get(url + "/metrics", timeout=10).text
        pid = re.search(r"^process_start_time_seconds (\S+)", text, re.M)
        counts = {m.group(1): float(m.group(2)) for m in re.finditer(
            r'^loket_page_cache_lookups_total\{result="(\w+)"\} (\S+)', text, re.M)}
        seen[pid.group(1) if pid else "?"] = counts
    for n, counts in enumerate(seen.values(), 1):
        total = sum(counts.values()) or 1
        print(f"page cache, process {n} (since start): "
              + ", ".join(f"{k} {v:.0f} ({100 * v / total:.1f} %)" for k, v in counts.items()))


def report_questions(args: argparse.Namespace, q: dict[str, Any]) -> None:
    print(f"\nquestions: {q['n']} posted at full speed ({args.question_connections} "
          f"connections) in {q['elapsed']:.1f} s = {q['rps']:.0f} questions/s; "
          f"p50 {q['p50']:.1f} ms, p95 {q['p95']:.1f} ms, p99 {q['p99']:.1f} ms, "
          f"max {q['max']:.0f} ms; errors {q['errors'] or 0}")
    print(f"  accepted (303) {q['accepted']}, stored {q['stored']}, missing {q['missing']}, "
          f"stored twice {q['doubled']}, without desk or routing event {q['unrouted']}; "
          f"{q['desks']} desks; busiest {q['top_desks']}")
    print(f"  outbox drained {q['drain']:.1f} s after the last answer (pending {q['pending']}, "
          f"failed {q['failed']}); CPU seconds server / wrk {q['cpu'][0]:.1f} / {q['cpu'][1]:.1f}")
    print(f"  {'OK: none lost, every one routed' if q['ok'] else 'FAILED'}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
