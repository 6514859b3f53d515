"""``core.memo.Memo``: a cold value is built once however many threads ask at the same time.

The adversary is a burst: fifty requests reach a fresh process together (CI saw the
connection pool run dry when each of them built the region index and the theme matcher side
by side while holding its connection).
"""

from __future__ import annotations

import operator
import time

import pytest

from backend.core.memo import Memo
from tests.threads import together


def test_a_burst_on_a_cold_memo_builds_once_and_everyone_gets_that_value() -> None:
    memo: Memo[str, object] = Memo()
    builds: list[int] = []

    def build() -> object:
        builds.append(1)
        time.sleep(0.05)  # long enough for every thread to arrive while it builds
        return object()

    values = together(32, lambda start: (start.wait(), memo.get("k", build))[1])
    assert len(builds) == 1
    assert len(values) == 32 and len({id(v) for v in values}) == 1


def test_a_new_key_rebuilds_and_the_old_key_then_misses() -> None:
    memo: Memo[int, str] = Memo()
    assert memo.get(1, lambda: "one") == "one"
    assert memo.get(1, lambda: "other") == "one"
    assert memo.get(2, lambda: "two") == "two"
    assert memo.get(1, lambda: "one again") == "one again"
    assert memo.peek() == "one again"
    memo.clear()
    assert memo.peek() is None


def test_identity_keys_do_not_match_equal_copies() -> None:
    memo: Memo[list[int], str] = Memo(operator.is_)
    key = [1, 2]
    assert memo.get(key, lambda: "a") == "a"
    assert memo.get(key, lambda: "b") == "a"
    assert memo.get([1, 2], lambda: "c") == "c"


def test_a_failed_build_keeps_nothing_and_the_next_caller_builds() -> None:
    memo: Memo[str, str] = Memo()

    def fail() -> str:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        memo.get("k", fail)
    assert memo.peek() is None
    assert memo.get("k", lambda: "ok") == "ok"
