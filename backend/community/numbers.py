"""Numbers on the benchmark page, formatted like the ``number`` template filter (Babel's
default decimal pattern, ``#,##0.###``) but without Babel's per-call pattern work: a member's
comparison page shows some 1,500 numbers (docs/benchmarks.md). The symbols come from Babel,
once per language; ``tests/community/test_numbers.py`` checks the output equals Babel's."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache, partial

from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

from backend.core import i18n

_MILLI = Decimal("0.001")


@lru_cache(maxsize=8)
def _symbols(lang: str) -> dict[int, str]:
    return str.maketrans({",": get_group_symbol(lang), ".": get_decimal_symbol(lang),
                          "-": get_minus_sign_symbol(lang)})


def _format(value: float | int, lang: str) -> str:
    d = Decimal(repr(value) if isinstance(value, float) else value)
    if not d.is_finite():
        return str(value)
    text = f"{d.quantize(_MILLI, rounding=ROUND_HALF_EVEN):,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.translate(_symbols(lang))


# The comparison page formats ~2,700 numbers per request, nearly all of them class edges
# (docs/disclosure.md, rule 0): the same few dozen values. ``typed``: an int and a float
# stay apart; zeros are not kept, since -0.0 == 0.0 but they format differently.
_kept = lru_cache(maxsize=4096, typed=True)(_format)


def format_number(value: float | int | None, lang: str | None = None) -> str:
    if value is None:
        return ""
    lang = lang or i18n.get_language()
    return _format(value, lang) if value == 0 else _kept(value, lang)


def number_formatter(lang: str | None = None) -> Callable[[float | None], str]:
    """``format_number`` with the language looked up once (a page formats ~1,500 numbers)."""
    lang = lang or i18n.get_language()
    return partial(format_number, lang=lang)
