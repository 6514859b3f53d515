"""One value derived from the database, kept per key and built by one thread at a time.

Several read models (the taxonomy, the region index, the router's inputs, the coverage matrix,
the form choices) are expensive to build and cheap to check: a fingerprint query or the rows
themselves tell whether the kept value is still current. Without care, a cold process that
gets fifty requests at once builds such a value fifty times side by side (a *stampede*): each
request holds its database connection while it competes for the CPU, the connection pool runs
dry and later requests fail after the pool timeout. Worse, values compared by identity
(``is``) then differ per thread, so everything derived from them is rebuilt again.

:class:`Memo` builds once: the first thread whose key misses builds while the others wait,
then they find the new value. Callers compute the key first (that query also checks out the
caller's connection, so the builder never waits for a connection held by a waiting thread).
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

G = TypeVar("G", bound=Hashable)
K = TypeVar("K")
V = TypeVar("V")


def values_then_objects(a: tuple[Any, tuple[Any, ...]], b: tuple[Any, tuple[Any, ...]]) -> bool:
    """For keys ``(values, objects)``: the values compared by equality (a fingerprint, the
    day), the objects by identity (what other memos keep: the taxonomy, the region index)."""
    return a[0] == b[0] and len(a[1]) == len(b[1]) and all(
        x is y for x, y in zip(a[1], b[1], strict=True))


class Memo(Generic[K, V]):
    """The last value built, with the key it was built for.

    ``same`` decides whether a key still matches (``operator.eq`` by default; ``operator.is_``
    for keys that are themselves cached objects). Reads take no lock: the entry is one tuple,
    replaced as a whole.
    """

    def __init__(self, same: Callable[[K, K], bool] = operator.eq) -> None:
        self._same = same
        self._entry: tuple[K, V] | None = None
        self._build = threading.Lock()

    def get(self, key: K, build: Callable[[], V]) -> V:
        entry = self._entry
        if entry is not None and self._same(entry[0], key):
            return entry[1]
        with self._build:
            entry = self._entry  # another thread may have built it while this one waited
            if entry is not None and self._same(entry[0], key):
                return entry[1]
            value = build()
            self._entry = (key, value)
            return value

    def peek(self) -> V | None:
        """The value kept now, whatever its key (None before the first build)."""
        entry = self._entry
        return None if entry is None else entry[1]

    def clear(self) -> None:
        self._entry = None


class Memos(Generic[G, K, V]):
    """One :class:`Memo` per group (a page type and a language, say), made on first use.

    ``limit``: for groups that come from a visitor's input (a list page's filters), at most
    this many groups are kept; a new one beyond it drops the group made first."""

    def __init__(self, same: Callable[[K, K], bool] = operator.eq,
                 limit: int | None = None) -> None:
        self._same = same
        self._memos: dict[G, Memo[K, V]] = {}
        self._guard = threading.Lock()
        self._limit = limit

    def get(self, group: G, key: K, build: Callable[[], V]) -> V:
        memo = self._memos.get(group)
        if memo is None:
            with self._guard:
                memo = self._memos.get(group)
                if memo is None:
                    if self._limit is not None and len(self._memos) >= self._limit:
                        del self._memos[next(iter(self._memos))]
                    memo = self._memos[group] = Memo(self._same)
        return memo.get(key, build)

    def __len__(self) -> int:
        return len(self._memos)

    def clear(self) -> None:
        with self._guard:
            self._memos.clear()
