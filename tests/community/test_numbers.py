"""The benchmark page's number formatter gives exactly what Babel gives."""

from __future__ import annotations

from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.community.numbers import format_number


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15,
                           max_value=1e15),
                 st.integers(min_value=-10**12, max_value=10**12),
                 st.decimals(min_value=-10**6, max_value=10**6, places=4,
                             allow_nan=False).map(float)),
       st.sampled_from(["nl", "en"]))
def test_same_as_babel(value: float, lang: str) -> None:
    assert format_number(value, lang) == format_decimal(value, locale=lang)


def test_examples() -> None:
    assert format_number(1234567.8915, "nl") == "1.234.567,892"
    assert format_number(0.5, "en") == "0.5"
    assert format_number(None) == ""


def test_kept_numbers_tell_zeros_and_types_apart() -> None:
    """Formatted numbers are kept (the comparison page repeats the same class edges); -0.0 ==
    0.0 and 1 == 1.0 as keys, so each must still come out as Babel writes it."""
    for lang in ("nl", "en"):
        for value in (0.0, -0.0, 0, 1, 1.0, 2.5, -2.5, 2.5, 0.0):
            assert format_number(value, lang) == format_decimal(value, locale=lang), value
