"""Case references: human-friendly and unique, also when many questions arrive at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from backend.cases.models import CaseSequence
from backend.cases.reference import format_reference, looks_like_reference, next_number
from backend.core.db import Database

YEAR = 2999  # a year of its own: the committed counter row is removed afterwards


def test_format() -> None:
    assert format_reference(2026, 4217) == "LK-2026-004217"
    assert looks_like_reference("LK-2026-004217")
    assert looks_like_reference("LK-2026-1004217")
    assert not looks_like_reference("LK-26-1")


def test_unique_under_concurrency(engine: Engine) -> None:
    """Real transactions on separate connections (not the test's rollback connection)."""
    db = Database(engine)

    def take(_: int) -> list[int]:
        got = []
        for _i in range(10):
            with db.transaction() as s:
                got.append(next_number(s, YEAR))
        return got

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            numbers = [n for chunk in pool.map(take, range(8)) for n in chunk]
        assert len(numbers) == 80
        assert sorted(numbers) == list(range(1, 81))
    finally:
        with db.transaction() as s:
            s.execute(sa.delete(CaseSequence).where(CaseSequence.year == YEAR))  # type: ignore[arg-type]
