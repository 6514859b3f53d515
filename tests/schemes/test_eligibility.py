"""Eligibility rules of the scheme finder: a pure function, tested without a database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from backend.core import i18n
from backend.schemes.eligibility import (
    FITS,
    NEAR_MISS,
    NO_FIT,
    Profile,
    SchemeFacts,
    SchemeMatch,
    evaluate,
    match_schemes,
)

TODAY = date(2026, 11, 22)
LINEAGE = {"installatie": ["installatie", "bouw"], "bouw": ["bouw"],
           "industrie": ["industrie"], "metaal": ["metaal", "industrie"]}
FIRM = Profile(size="klein", sector="metaal", province="overijssel", municipality="Zwolle",
               themes=("robotisering-automatisering",))


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    token = i18n.set_language("en")
    yield
    i18n.reset_language(token)


def scheme(**kw: object) -> SchemeFacts:
    values: dict[str, Any] = {
        "id": 1, "slug": "robots", "title": "Robotsubsidie", "sizes": frozenset({"micro", "klein"}),
        "regions": frozenset({"nl"}), "themes": frozenset({"robotisering-automatisering"}),
        "closes_on": TODAY + timedelta(days=60)}
    values.update(kw)
    return SchemeFacts(**values)


def criteria(match: SchemeMatch, outcome: str) -> set[str]:
    return {r.criterion for r in match.reasons if r.outcome == outcome}


def test_national_scheme_fits_everywhere() -> None:
    m = evaluate(scheme(), FIRM, TODAY, lineage=LINEAGE)
    assert m.verdict == FITS
    assert "region" in criteria(m, "match")
    assert any("whole of the Netherlands" in r.text for r in m.why)
    other = evaluate(scheme(), Profile(size="klein", province="limburg",
                                       themes=("robotisering-automatisering",)), TODAY)
    assert other.verdict == FITS


def test_provincial_scheme_only_in_its_province() -> None:
    s = scheme(regions=frozenset({"overijssel", "gelderland"}))
    assert evaluate(s, FIRM, TODAY).verdict == FITS
    elsewhere = evaluate(s, Profile(size="klein", province="noord-brabant",
                                    themes=("robotisering-automatisering",)), TODAY)
    assert elsewhere.verdict == NEAR_MISS
    assert [r.criterion for r in elsewhere.why_not] == ["region"]
    assert "Gelderland" in elsewhere.why_not[0].text or "gelderland" in elsewhere.why_not[0].text


def test_closed_window_is_a_miss_and_hidden_unless_asked() -> None:
    closed = scheme(slug="closed", closes_on=TODAY - timedelta(days=1))
    m = evaluate(closed, FIRM, TODAY)
    assert m.status == "closed" and m.verdict == NEAR_MISS
    assert [r.criterion for r in m.why_not] == ["window"]
    shown, hidden = match_schemes([closed, scheme()], FIRM, TODAY)
    assert [x.scheme.slug for x in shown] == ["robots"] and hidden == 1
    shown, hidden = match_schemes([closed, scheme()], FIRM, TODAY, include_closed=True)
    assert {x.scheme.slug for x in shown} == {"robots", "closed"} and hidden == 0


def test_budget_exhausted_is_closed() -> None:
    m = evaluate(scheme(budget_status="exhausted", closes_on=None), FIRM, TODAY)
    assert m.status == "exhausted" and m.is_closed
    assert any("exhausted" in r.text for r in m.why_not)
    assert match_schemes([scheme(budget_status="exhausted")], FIRM, TODAY)[1] == 1


def test_upcoming_scheme_is_shown_with_its_opening_date() -> None:
    m = evaluate(scheme(opens_on=TODAY + timedelta(days=10)), FIRM, TODAY)
    assert m.status == "upcoming" and m.verdict == FITS
    assert any("Opens on" in r.text for r in m.info)


def test_missing_profile_fields_are_unknown_not_a_failure() -> None:
    s = scheme(sectors=frozenset({"industrie"}), regions=frozenset({"overijssel"}))
    m = evaluate(s, Profile(), TODAY, lineage=LINEAGE)
    assert m.verdict == FITS
    assert criteria(m, "unknown") == {"size", "sector", "region", "theme"}
    assert m.why_not == []


def test_sub_sector_of_an_eligible_sector_fits() -> None:
    s = scheme(sectors=frozenset({"industrie"}))
    m = evaluate(s, FIRM, TODAY, lineage=LINEAGE)
    assert m.verdict == FITS
    assert any("includes your sector" in r.text for r in m.why)
    # the other way round does not hold: a scheme for a sub-sector does not fit its section
    parent_firm = Profile(size="klein", sector="industrie", themes=FIRM.themes)
    assert evaluate(scheme(sectors=frozenset({"metaal"})), parent_firm, TODAY,
                    lineage=LINEAGE).verdict == NEAR_MISS


def test_size_and_theme_misses_make_no_fit() -> None:
    m = evaluate(scheme(), Profile(size="groot", themes=("leren-en-ontwikkelen",)), TODAY)
    assert m.verdict == NO_FIT
    assert criteria(m, "miss") == {"size", "theme"}


def test_amount_below_minimum_and_cost_kind() -> None:
    s = scheme(min_amount=5000, cost_kinds=frozenset({"investering"}))
    low = evaluate(s, Profile(amount=1000, cost_kind="investering"), TODAY)
    assert low.verdict == NEAR_MISS and [r.criterion for r in low.why_not] == ["amount"]
    wrong_kind = evaluate(s, Profile(amount=9000, cost_kind="opleiding"), TODAY)
    assert [r.criterion for r in wrong_kind.why_not] == ["cost_kind"]


def test_order_fits_first_then_closing_soonest() -> None:
    late = scheme(id=2, slug="late", closes_on=TODAY + timedelta(days=200))
    soon = scheme(id=3, slug="soon", closes_on=TODAY + timedelta(days=5),
                  first_come_first_served=True)
    near = scheme(id=4, slug="near", sizes=frozenset({"groot"}))
    shown, _ = match_schemes([near, late, soon], FIRM, TODAY)
    assert [m.scheme.slug for m in shown] == ["soon", "late", "near"]
    assert shown[0].closing_soon and shown[0].days_left == 5
    assert any("First come" in r.text for r in shown[0].info)
