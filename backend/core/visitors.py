"""Requests in flight, so that start-up work in the background steps aside for visitors.

The warm-up thread (``backend.main``) builds routes, read models and pages after the server
answers ``/healthz``. Running beside a visitor's request it shares the interpreter with it: the
first page after a start cost 160–280 ms of the process's CPU instead of the page's own
50–130 ms (issue 19 item 3; docs/benchmarks.md). So the warm-up does its work in steps and,
before each, waits until no request is in flight and none has ended for ``quiet_seconds``.

``RequestContextMiddleware`` (the outermost layer) counts every HTTP request except the
warm-up's own (marked with :data:`WARM_UP_SCOPE_KEY` in their scope). It runs in the event
loop's thread, so the counters need no lock; the warm-up thread only reads them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

WARM_UP_SCOPE_KEY = "loket.warm_up"
QUIET_SECONDS = 0.2  # a visitor's next request (assets, the next click) often follows at once
POLL_SECONDS = 0.01


class Visitors:
    def __init__(self, quiet_seconds: float = QUIET_SECONDS,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.quiet_seconds = quiet_seconds
        self.clock = clock
        self.sleep = sleep
        self.in_flight = 0
        self.last_end = float("-inf")

    def enter(self) -> None:
        self.in_flight += 1

    def leave(self) -> None:
        self.in_flight -= 1
        self.last_end = self.clock()

    def quiet(self) -> bool:
        return self.in_flight == 0 and self.clock() - self.last_end >= self.quiet_seconds

    def wait_quiet(self) -> None:
        """Return when no request is in flight and none ended in the last ``quiet_seconds``
        (polling: the warm-up's thread is the only one waiting, a few times in all)."""
        while not self.quiet():
            self.sleep(POLL_SECONDS)
