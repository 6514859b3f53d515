"""Scheme terms with provenance (issue 17, item 1): each term per year with its source page and
the date someone checked it; a check date only when every current term has both; stale schemes
say so on their page, in the finder and on the editors' list."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from backend.content import service
from backend.content.models import ContentItem, TermSource, check_terms
from backend.content.seed import load_seed
from backend.content.views import load_view
from backend.core.db import Database
from backend.core.settings import Settings
from tests.client import LoketClient
from tests.factories.content import create_scheme

STALE = "Voorwaarden niet recent gecontroleerd — kijk bij de aanbieder"
PAGE = "https://www.rvo.nl/subsidies-financiering/robots"


def _term(year: int, checked: date | None, term: str = "Subsidiepercentage",
          url: str = PAGE) -> dict[str, Any]:
    return {"year": year, "term": term, "value": "40%", "source_url": url,
            "checked_on": checked.isoformat() if checked else None}


def test_a_term_needs_a_specific_page_not_a_home_page() -> None:
    with pytest.raises(ValidationError):
        TermSource.model_validate(_term(2026, None, url="https://www.belastingdienst.nl"))
    with pytest.raises(ValidationError):
        TermSource.model_validate(_term(2026, None, url="https://www.belastingdienst.nl/"))
    assert TermSource.model_validate(_term(2026, None)).source_url == PAGE


def test_the_current_year_counts_and_staleness_follows_six_months() -> None:
    on = date(2026, 12, 7)
    old = _term(2025, date(2025, 3, 1))
    fresh = [old, _term(2026, date(2026, 11, 1)), _term(2026, date(2026, 10, 1), "Maximum")]
    check = check_terms(fresh, on)
    assert check.year == 2026 and len(check.current) == 2 and check.earlier_years == (2025,)
    assert check.verified and check.checked_on == date(2026, 10, 1) and not check.stale
    # one current term not checked: no date, stale
    half = check_terms([_term(2026, date(2026, 11, 1)), _term(2026, None, "Maximum")], on)
    assert not half.verified and half.checked_on is None and half.stale
    # checked 184 days ago: stale; 183: not
    assert check_terms([_term(2026, on - timedelta(days=184))], on).stale
    assert not check_terms([_term(2026, on - timedelta(days=183))], on).stale
    assert check_terms([], on).stale


def test_check_date_is_derived_never_typed(session: Session, taxonomy: None) -> None:
    scheme = create_scheme(session, slug="robots", terms_checked_on="2026-11-22")
    terms = load_view(session, scheme).terms
    assert terms is not None and terms.terms_checked_on is None


def test_scheme_page_shows_sources_or_says_not_verified(client: LoketClient, session: Session,
                                                        taxonomy: None) -> None:
    today = date.today()
    create_scheme(session, title="Gecontroleerd", slug="checked", funding_rate=40,
                  term_sources=[_term(today.year, today - timedelta(days=10))])
    create_scheme(session, title="Niet gecontroleerd", slug="unchecked", funding_rate=40,
                  term_sources=[_term(today.year, None)])
    create_scheme(session, title="Fiscaal", slug="fiscaal", kind="tax", funding_rate=28)
    session.commit()
    ok = client.get("/regelingen/checked").text
    assert "Voorwaarden gecontroleerd op" in ok and STALE not in ok
    assert f'href="{PAGE}"' in ok
    bad = client.get("/regelingen/unchecked").text
    assert STALE in bad and "Voorwaarden gecontroleerd op" not in bad
    assert "Niet gecontroleerd tegen de bron" in bad
    tax = client.get("/regelingen/fiscaal").text
    assert "Aftrekpercentage" in tax and "Subsidiepercentage" not in tax
    assert STALE in tax


def test_finder_and_api_mark_stale_schemes(client: LoketClient, session: Session,
                                           taxonomy: None) -> None:
    today = date.today()
    create_scheme(session, title="Vers", slug="vers",
                  term_sources=[_term(today.year, today)])
    create_scheme(session, title="Oud", slug="oud",
                  term_sources=[_term(today.year, today - timedelta(days=200))])
    session.commit()
    body = client.get("/regelingen/zoeker?size=klein").text
    assert body.count(STALE) == 1
    matches = {m["slug"]: m for m in client.get("/api/v1/schemes/match?size=klein").json()
               ["items"]}
    assert matches["oud"]["terms_stale"]
    assert matches["oud"]["terms_checked_on"] == (today - timedelta(days=200)).isoformat()
    assert not matches["vers"]["terms_stale"]
    assert matches["vers"]["terms_checked_on"] == today.isoformat()


def test_editors_get_the_list_of_stale_schemes(editor_client: LoketClient, session: Session,
                                               taxonomy: None) -> None:
    today = date.today()
    create_scheme(session, title="Vers", slug="vers", term_sources=[_term(today.year, today)])
    create_scheme(session, title="Nooit gecontroleerd", slug="nooit")
    session.commit()
    assert [s.slug for s in service.stale_schemes(session)] == ["nooit"]
    page = editor_client.get("/redactie").text
    section = page.split("Te controleren regelingen", 1)[1].split("</section>", 1)[0]
    assert "Nooit gecontroleerd" in section and "Vers" not in section


def test_editor_form_keeps_terms_with_sources() -> None:
    from backend.content.forms import format_terms, parse_terms

    lines = (f"2026 | Subsidiepercentage | 40% | {PAGE} | 2026-11-30\n"
             f"2025 | Maximum | € 20.000 | {PAGE} |")
    parsed = parse_terms(lines)
    assert parsed[0]["checked_on"] == "2026-11-30" and parsed[1]["checked_on"] is None
    assert parse_terms(format_terms(parsed)) == parsed


def test_no_seeded_scheme_page_shows_a_check_date_without_a_source_for_each_term(
        db: Database, settings: Settings, session: Session, client: LoketClient,
        drain: Callable[[], int]) -> None:
    load_seed(db, settings)
    schemes = list(session.exec(select(ContentItem).where(ContentItem.type == "scheme",
                                                          ContentItem.status == "published")))
    assert len(schemes) >= 15
    dated = 0
    for item in schemes:
        html = client.get(f"/regelingen/{item.slug}").text
        assert "min_amount" not in html and "max_amount" not in html
        view = load_view(session, item)
        check = view.terms_check
        if "Voorwaarden gecontroleerd op" in html:
            dated += 1
            assert check.current and all(t.source_url and t.checked_on for t in check.current)
            for t in check.current:
                assert f'href="{t.source_url}"' in html
                assert re.search(r"https?://[^/]+/\S", t.source_url)
        else:
            assert STALE in html
        if item.kind in ("tax", "loan", "guarantee"):
            assert "Subsidiepercentage" not in html, item.slug
    assert dated >= 2  # KIA and WBSO are checked; the rest say they are not


def test_terms_of_an_old_year_are_stale_however_recently_checked() -> None:
    on = date(2026, 12, 7)
    assert not check_terms([_term(2025, on)], on).stale  # last year's table: still current
    old = check_terms([_term(2021, on)], on)
    assert old.verified and old.stale
