"""The differencing attack on the real views: an analyst who knows every question but one
(the lone question with a rare theme, sector and size) tries every combination of filters
and subtracts the totals. No two answers may differ by fewer than K questions, so the lone
question's attributes are never revealed."""

from __future__ import annotations

import itertools

from sqlmodel import Session

from backend.insight import service
from backend.insight.disclosure import K
from tests.factories import insight as f


def _total(session: Session, access: service.Access, view: str, column: str,
           **filters: str) -> list[int | None]:
    result = service.view(session, view, service.parse_filters(filters, session), access)
    return [r.values.get(column) for r in result.tables[0].rows]


def test_no_filter_combination_isolates_a_question(session: Session) -> None:
    f.build(session)
    f.freeze(session)
    access = service.Access(views=frozenset(service.VIEWS))
    options = {
        "period": ["2026", "2026-Q3", "2026-08"],
        "province": ["", "PV23", "PV26"],
        "corop": ["", "CR22"],
        "theme": ["", "export", "financiering"],
        "sector": ["", "landbouw", "industrie"],
        "size": ["", "groot", "klein"],
    }
    totals: dict[tuple[str, ...], int] = {}
    for combo in itertools.product(*options.values()):
        filters = {k: v for k, v in zip(options, combo, strict=True) if v}
        values = _total(session, access, "demand", "questions", **filters)
        totals[combo] = sum(v for v in values if v is not None)
    assert max(totals.values()) == 72  # the lone 73rd question is in no figure
    for (_a, x), (_b, y) in itertools.combinations(totals.items(), 2):
        assert x == y or abs(x - y) >= K, (x, y)
    # Desks and outcomes obey the same: every shown count is 0 or at least K.
    for by in ("desk", "theme", "province"):
        rows = service.view(session, "outcomes", service.parse_filters({"by": by}, session), access)
        for row in rows.tables[0].rows:
            for key, value in row.values.items():
                if key != "rating" and isinstance(value, int):
                    assert value == 0 or value >= K, (by, row.label, key, value)
