"""Page numbers from query strings and the paging dict the shared pagination macro renders."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

PAGE_PARAM = "pagina"


def page_number(value: str | None) -> int:
    """A page number from a query string; anything unusable means the first page."""
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def paginate(page: int, per_page: int, total: int, base: str,
             params: dict[str, Any]) -> dict[str, Any]:
    """Clamp ``page`` to the pages there are and build prev/next links that keep ``params``."""
    pages = max(1, math.ceil(total / per_page))
    page = min(page, pages)
    keep = {k: v for k, v in params.items() if v not in (None, "")}

    def href(n: int) -> str:
        return f"{base}?{urlencode({**keep, PAGE_PARAM: n})}"

    return {"page": page, "pages": pages, "total": total,
            "prev": href(page - 1) if page > 1 else None,
            "next": href(page + 1) if page < pages else None,
            "offset": (page - 1) * per_page}
