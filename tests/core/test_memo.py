"""``core.memo.Memo``: a cold value is built once however many threads ask at the same time.

The adversary is a burst: fifty requests reach a fresh process together (CI saw the
connection pool run dry when each of them built the region index and the theme matcher side
by side while holding its connection).
"""

from __future__ import annotations

import operator
import threading
import time
from functools import partial

import pytest

from backend.core.memo import Memo, Memos, values_then_objects
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


def test_values_then_objects_compares_values_by_equality_and_objects_by_identity() -> None:
    kept = object()
    assert values_then_objects(((1, "a"), (kept,)), ((1, "a"), (kept,)))
    assert not values_then_objects(((1, "a"), (kept,)), ((1, "b"), (kept,)))
    assert not values_then_objects(((1, "a"), ([1],)), ((1, "a"), ([1],)))  # equal, not same


def test_memos_keep_one_value_per_group_and_a_burst_builds_each_once() -> None:
    memos: Memos[str, int, str] = Memos()
    builds: list[str] = []

    def build(group: str) -> str:
        builds.append(group)
        time.sleep(0.02)
        return f"{group}-value"

    def both(start: threading.Barrier) -> list[str]:
        start.wait()
        return [memos.get(g, 1, partial(build, g)) for g in ("nl", "en")]

    values = together(24, both)
    assert sorted(builds) == ["en", "nl"]
    assert all(v == ["nl-value", "en-value"] for v in values)
    assert memos.get("nl", 2, lambda: "new") == "new"
    assert memos.get("en", 1, lambda: "other") == "en-value"
