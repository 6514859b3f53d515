"""Many threads released at the same moment: the adversary of every cache and counter.

``together(n, work)`` starts ``n`` threads; each calls ``work(start)`` with a shared barrier
and waits at it where the moment matters (before the call under test, or after taking a
database connection, as a request does). It returns what each thread returned or raised.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def together(n: int, work: Callable[[threading.Barrier], T], *, timeout: float = 60
             ) -> list[T | BaseException]:
    start = threading.Barrier(n)
    out: list[T | BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        result: T | BaseException
        try:
            result = work(start)
        except BaseException as exc:  # reported to the caller, who asserts on it
            result = exc
        with lock:
            out.append(result)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "threads did not finish"
    return out
