"""Fail fast while the search engine is away.

A hanging engine (Meilisearch not answering) costs every search its client timeout, and each
waiting request holds a worker thread: typing in the search box or the question form could
use up the threads and slow every other page. After a search fails with
``SearchUnavailable`` the breaker answers "unavailable" at once for ``open_seconds``; the first
search after that tries the engine again (and closes the breaker when it answers).

Only reads go through it: index updates are the worker's, which retries them from the outbox.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from backend.search.port import SearchUnavailable

T = TypeVar("T")
OPEN_SECONDS = 5.0


class CircuitBreaker:
    def __init__(self, open_seconds: float = OPEN_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.open_seconds = open_seconds
        self.clock = clock
        self._open_until: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def is_open(self, backend: Any) -> bool:
        with self._lock:
            until = self._open_until.get(backend)
        return until is not None and self.clock() < until

    def call(self, backend: Any, fn: Callable[[], T]) -> T:
        if self.is_open(backend):
            raise SearchUnavailable("search engine unavailable; trying again in a few seconds")
        try:
            result = fn()
        except SearchUnavailable:
            with self._lock:
                self._open_until[backend] = self.clock() + self.open_seconds
            raise
        with self._lock:
            self._open_until.pop(backend, None)
        return result

    def trip(self, backend: Any) -> None:
        """Open the breaker for ``backend`` as a failed call would: for a caller that gave up
        waiting on its own deadline (routing's knowledge-base vote)."""
        with self._lock:
            self._open_until[backend] = self.clock() + self.open_seconds

    def reset(self) -> None:
        with self._lock:
            self._open_until.clear()


breaker = CircuitBreaker()
