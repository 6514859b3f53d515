"""Hygiene for text that people type: what a form value means, and what a one-line field may
hold.

- ``checked``: a checkbox counts as ticked only for the values a browser sends for a ticked
  box (our boxes send ``1``; a box without ``value`` sends ``on``). ``consent=0`` or
  ``consent=false`` is not consent (issue 12): ``bool("0")`` is True in Python.
- ``clean_line``: NFC normalisation, and no C0/C1 control characters or Unicode bidi controls
  (line breaks and tabs become a space) in a single-line field (names, e-mail addresses,
  titles, labels…): a VARCHAR of at most 300 characters. A right-to-left override (U+202E)
  in a name turns ``gpj.exe`` into ``exe.jpg`` on screen; a NUL or ESC in a
  name ends up in CSV files, terminals and logs. ``clean_text`` does the same for multi-line
  text but keeps TAB, LF and CR. The ORM applies both before every flush
  (``install_text_hygiene``): every door (form, API, import, CLI) writes through it.
- ``skeleton``: a key under which addresses that look alike are equal, from a small table of
  confusable characters (below); ``accounts.service.create_user`` refuses an account whose
  e-mail address has the skeleton of an existing one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapper
from sqlalchemy.orm import Session as OrmSession

TICKED = frozenset({"1", "on", "true", "yes", "ja"})

# C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F); bidi embeddings, overrides, isolates and marks;
# the line and paragraph separators (a one-line field has no lines).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_LINE_BREAKS = re.compile("[\t\n\v\f\r\x85\u2028\u2029]")  # become a space
_LINE_BAD = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_TEXT_BAD = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")
# A VARCHAR of at most this length is a single-line field; longer ones and TEXT are text.
SINGLE_LINE_MAX = 300


def checked(value: str | None) -> bool:
    return (value or "").strip().lower() in TICKED


def clean_line(value: str) -> str:
    """Breaks and tabs become a space (``a\tb`` stays two words), other controls go."""
    return _LINE_BAD.sub("", _LINE_BREAKS.sub(" ", unicodedata.normalize("NFC", value)))


def clean_text(value: str) -> str:
    return _TEXT_BAD.sub("", unicodedata.normalize("NFC", value))


# --- confusable e-mail addresses ---------------------------------------------------------------
# A deliberately small skeleton in the spirit of Unicode TR39 (not its full confusables.txt):
# NFKC folds full-width and compatibility forms, accents are dropped, then the Cyrillic and
# Greek letters that look like Latin ones, and the digit/letter and letter-pair look-alikes of
# ordinary fonts, map to one Latin form. Sources: Unicode TR39 section 4 (skeleton),
# https://www.unicode.org/reports/tr39/#Confusable_Detection (checked 2026-12-07).
_CONFUSABLE = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "і": "l", "ј": "j", "к": "k",
    "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "т": "t", "у": "y", "х": "x",
    "ү": "y", "ԝ": "w", "ӏ": "l", "ё": "e", "ї": "l",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "l", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c",
    # Latin and digits that read alike
    "0": "o", "1": "l", "i": "l", "|": "l", "ı": "l", "5": "s", "ſ": "f",
})
_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))


@lru_cache(maxsize=4096)
def skeleton(value: str) -> str:
    folded = unicodedata.normalize("NFKC", clean_line(value)).casefold()
    bare = "".join(c for c in unicodedata.normalize("NFD", folded)
                   if not unicodedata.combining(c))
    mapped = bare.translate(_CONFUSABLE)
    for pair, single in _PAIRS:
        mapped = mapped.replace(pair, single)
    return mapped


# --- applied to every write -------------------------------------------------------------------

@cache
def _string_columns(mapper: Mapper[Any]) -> tuple[tuple[str, bool], ...]:
    """(attribute, single line?) for the mapped class's string columns."""
    found: list[tuple[str, bool]] = []
    for attr in mapper.column_attrs:
        kind = attr.columns[0].type
        base = kind.impl_instance if isinstance(kind, sa.types.TypeDecorator) else kind
        if not isinstance(base, sa.String) or isinstance(base, sa.Enum):
            continue
        length = getattr(base, "length", None)
        single = (not isinstance(base, sa.Text) and length is not None
                  and length <= SINGLE_LINE_MAX)
        found.append((attr.key, single))
    return tuple(found)


def _clean_instance(obj: Any) -> None:
    mapper = sa.inspect(obj).mapper
    for key, single in _string_columns(mapper):
        value = obj.__dict__.get(key)
        if isinstance(value, str) and value:
            cleaned = clean_line(value) if single else clean_text(value)
            if cleaned != value:
                setattr(obj, key, cleaned)


def _before_flush(session: OrmSession, _context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        _clean_instance(obj)


def install_text_hygiene() -> None:
    if not event.contains(OrmSession, "before_flush", _before_flush):
        event.listen(OrmSession, "before_flush", _before_flush)
