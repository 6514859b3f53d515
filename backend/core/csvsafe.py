"""CSV cells that a spreadsheet never runs as a formula (CWE-1236, OWASP "CSV injection").

Every CSV file Loket writes goes through :func:`write`: a cell holding text that starts with
``=``, ``+``, ``-``, ``@``, TAB or CR is written with a leading apostrophe (``'=SUM(A1)``),
which Excel, LibreOffice and Google Sheets show as text. Numbers the exporter itself wrote
(``int``, ``float``, ``Decimal``; never text that merely looks like a number) are written as
they are, so ``-3.5`` stays a number. ``None`` is an empty cell.

``dutch=True`` writes what Dutch Excel reads without an import step: semicolons between cells
and a decimal comma (``-3,5``); the caller encodes it with a byte order mark.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | None


def cell(value: Cell, dutch: bool = False) -> str:
    """One cell as safe text; ``dutch``: a decimal comma in numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):  # a bool is an int to Python, not a number we meant
        return str(value)
    if isinstance(value, float):
        number = format(value, ".10g")
        return number.replace(".", ",") if dutch else number
    if isinstance(value, int | Decimal):
        return str(value).replace(".", ",") if dutch else str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write(rows: Iterable[Iterable[Cell]], dutch: bool = False) -> str:
    """Rows as CSV text (comma-separated, ``\\r\\n`` line ends, quoting as needed);
    ``dutch``: semicolon-separated with decimal commas."""
    buf = io.StringIO()
    out = csv.writer(buf, delimiter=";" if dutch else ",")
    for row in rows:
        out.writerow([cell(v, dutch) for v in row])
    return buf.getvalue()
