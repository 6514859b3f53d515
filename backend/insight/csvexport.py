"""CSV export of an insight table, safe to open in a spreadsheet.

A cell that is text and starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
would be run as a formula by Excel or LibreOffice: it gets a leading apostrophe. Numbers
(``-3``, ``-0.5``) stay numbers. The same rule as ``backend.core.csvsafe`` (its list of
formula starts), except that insight's figures are already formatted as Dutch text
(``-0,5``), so text that is a plain number passes."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from backend.core.csvsafe import FORMULA_STARTS as _DANGEROUS

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(_DANGEROUS) and not _NUMBER.match(text):
        return "'" + text
    return text


def to_csv(rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buf.getvalue()
