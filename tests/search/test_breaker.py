"""The search breaker: after a failure, searches fail fast for a while, then try again."""

from __future__ import annotations

import pytest

from backend.search.breaker import CircuitBreaker
from backend.search.port import SearchUnavailable


class Engine:
    def __init__(self) -> None:
        self.up = True
        self.calls = 0

    def search(self) -> str:
        self.calls += 1
        if not self.up:
            raise SearchUnavailable("down")
        return "hits"


def test_fails_fast_while_open_then_tries_again() -> None:
    now = [100.0]
    breaker = CircuitBreaker(open_seconds=5, clock=lambda: now[0])
    engine, other = Engine(), Engine()
    assert breaker.call(engine, engine.search) == "hits"
    engine.up = False
    with pytest.raises(SearchUnavailable):
        breaker.call(engine, engine.search)
    assert engine.calls == 2 and breaker.is_open(engine)
    engine.up = True
    now[0] += 4.9
    with pytest.raises(SearchUnavailable):  # still open: the engine is not asked
        breaker.call(engine, engine.search)
    assert engine.calls == 2
    assert breaker.call(other, other.search) == "hits"  # per backend
    now[0] += 0.2
    assert breaker.call(engine, engine.search) == "hits"  # tried again, closed
    assert not breaker.is_open(engine) and engine.calls == 3


def test_other_errors_do_not_open_it() -> None:
    breaker = CircuitBreaker()
    engine = Engine()

    def bad_filter() -> str:
        raise ValueError("unknown filter field")

    with pytest.raises(ValueError):
        breaker.call(engine, bad_filter)
    assert not breaker.is_open(engine)
