"""Requests in flight, so that start-up work in the background steps aside for visitors.

The warm-up thread (``backend.main``) builds routes, read models and pages after the server
answers ``/healthz``. Running beside a visitor's request it shares the interpreter with it: the
first page after a start cost 160–280 ms of the process's CPU instead of the page's own
50–130 ms (issue 19 item 3; docs/benchmarks.md). So the warm-up does its work in steps and,
before each, waits until no request is in flight and none has ended for ``quiet_seconds``.
The first step waits for the server's first requests to come and go (or ``start_seconds``).

``RequestContextMiddleware`` (the outermost layer) counts every HTTP request except the
warm-up's own (marked with :data:`WARM_UP_SCOPE_KEY` in their scope). It runs in the event
loop's thread, so the counters need no lock; the warm-up thread only reads them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

WARM_UP_SCOPE_KEY = "loket.warm_up"
QUIET_SECONDS = 0.2  # a visitor's next request (assets, the next click) often follows at once
START_SECONDS = 2.0  # with no request at all after the app was made
POLL_SECONDS = 0.01


class Visitors:
    def __init__(self, quiet_seconds: float = QUIET_SECONDS,
                 start_seconds: float = START_SECONDS,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.quiet_seconds = quiet_seconds
        self.clock = clock
        self.sleep = sleep
        self.start_seconds = start_seconds
        self.in_flight = 0
        # Made with the app, before the server listens: the warm-up's first step waits until
        # the first requests (a health probe, the first visitors) have come and gone, or
        # ``start_seconds`` passed without any; a step under way when the first visitor came
        # cost the first /regelingen 40–60 ms of CPU (docs/benchmarks.md). Not a fixed delay
        # from the start alone: on a busy machine the server answered its first probe more
        # than a second after the app was made.
        self.made = clock()
        self.last_end: float | None = None

    def enter(self) -> None:
        self.in_flight += 1

    def leave(self) -> None:
        self.in_flight -= 1
        self.last_end = self.clock()

    def quiet(self) -> bool:
        if self.in_flight:
            return False
        if self.last_end is None:  # no request yet
            return self.clock() - self.made >= self.start_seconds
        return self.clock() - self.last_end >= self.quiet_seconds

    def wait_quiet(self) -> None:
        """Return when no request is in flight and none ended in the last ``quiet_seconds``
        (polling: the warm-up's thread is the only one waiting, a few times in all)."""
        while not self.quiet():
            self.sleep(POLL_SECONDS)
