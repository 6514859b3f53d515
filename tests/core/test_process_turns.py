"""SQLite writers of different processes take turns (``core.db.ProcessTurns``).

Adversary: two busy processes writing to one SQLite file (``loket serve --workers 2``). SQLite's
busy handler sleeps while the other process's next writer takes the lock the moment it is free,
so one process starved for its whole busy timeout (30 s, "database is locked") under load
(``tests/cases/test_concurrency.py`` at load 8 on 2 cores). Here two processes each take the
writer lock 40 times as fast as they can; with the turnstile the lock alternates between them.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
import time
from pathlib import Path

from backend.core.db import ProcessTurns
from backend.core.settings import ROOT

WRITER = """
import sys, time
from pathlib import Path
from backend.core.db import ProcessTurns
turns = ProcessTurns(Path(sys.argv[1]))
log = Path(sys.argv[2])
(log.parent / ("ready-" + sys.argv[4])).touch()
while len(list(log.parent.glob("ready-*"))) < 2:  # both imported: start together
    time.sleep(0.001)
for _ in range(40):
    assert turns.acquire(30)
    with log.open("a") as f:
        f.write(sys.argv[4] + "\\n")
    time.sleep(0.003)  # the transaction
    turns.release()
"""


def test_two_busy_processes_alternate_at_the_writer_lock(tmp_path: Path) -> None:
    db, log = tmp_path / "loket.db", tmp_path / "order.log"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(log), "", name],
                              cwd=ROOT) for name in ("a", "b")]
    for p in procs:
        assert p.wait(timeout=60) == 0
    order = log.read_text().split()
    assert sorted(order) == ["a"] * 40 + ["b"] * 40
    longest = max(len(run) for run in "".join(order).replace("ab", "a b").replace(
        "ba", "b a").split())
    assert longest <= 3, "".join(order)  # without turns one process keeps the lock for long runs


def test_a_writer_gives_up_after_its_timeout_and_the_lock_stays_usable(tmp_path: Path) -> None:
    db = tmp_path / "loket.db"
    other = ProcessTurns(db)
    held = other._open()[1]
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys, time\n"
         f"fd = open({str(db) + '-writer.lock'!r}, 'a')\n"
         "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    turns = ProcessTurns(db)
    began = time.monotonic()
    assert turns.acquire(0.2) is False
    assert 0.2 <= time.monotonic() - began < 2
    holder.kill()  # the kernel lets go of a dead process's lock
    holder.wait(timeout=10)
    assert turns.acquire(5) is True
    turns.release()
    fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again for anyone
    fcntl.flock(held, fcntl.LOCK_UN)
