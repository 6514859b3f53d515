"""The KPI formula language: parsed, never eval'd."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.community.formula import FormulaError, evaluate, parse, references


def test_value_added_per_hour() -> None:
    tree = parse("value_added / hours_worked")
    assert references(tree) == {"value_added", "hours_worked"}
    assert evaluate(tree, {"value_added": 100.0, "hours_worked": 4.0}) == 25.0
    assert evaluate(tree, {"value_added": 100.0, "hours_worked": 0.0}) is None
    assert evaluate(tree, {"value_added": 100.0}) is None
    assert evaluate(parse("-(a + 2) * 3 - b / 2"), {"a": 1.0, "b": 4.0}) == -11.0


@pytest.mark.parametrize("text", ["a +", "__import__('os')", "a b", "(a", "a;b", "a ** 2",
                                  "open(1)", ""])
def test_refuses_anything_else(text: str) -> None:
    with pytest.raises(FormulaError):
        parse(text)


@given(st.text(max_size=40))
def test_never_crashes_on_garbage(text: str) -> None:
    try:
        tree = parse(text)
    except FormulaError:
        return
    evaluate(tree, {})
