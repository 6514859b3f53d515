"""The seeded schemes carry machine-readable, sourced terms with the date they were checked
(issue 6: "The seeded schemes carry real, sourced terms with the date checked")."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from backend.core.settings import ROOT

SEED = ROOT / "seed" / "content"


def _schemes() -> list[dict[str, Any]]:
    return list(yaml.safe_load((SEED / "schemes.yaml").read_text(encoding="utf-8")))


def _slugs(name: str) -> set[str]:
    return {x["slug"] for x in yaml.safe_load((SEED / name).read_text(encoding="utf-8"))}


@pytest.mark.parametrize("scheme", _schemes(), ids=lambda s: s["slug"])
def test_every_seeded_scheme_is_sourced_and_checked(scheme: dict[str, Any]) -> None:
    url = urlparse(scheme["source_url"])
    assert url.scheme == "https" and url.netloc, scheme["source_url"]
    assert "terms_checked_on" not in scheme  # derived from term_sources, never typed in
    for term in scheme.get("term_sources") or []:
        page = urlparse(term["source_url"])
        assert page.scheme == "https" and page.path.strip("/"), term  # a page, not a home page
        checked = term.get("checked_on")
        assert checked is None or (isinstance(checked, date) and checked <= date.today())
    assert len(scheme["terms_note"]) >= 40  # which version of the terms, what is uncertain
    # No field names in public text.
    assert not any(f in scheme["terms_note"] for f in ("min_amount", "max_amount",
                                                       "funding_rate"))
    assert scheme["provider"] in _slugs("organisations.yaml")
    assert scheme["regions"] and scheme["company_sizes"] and scheme["themes"]
    assert scheme["budget_status"] in {"open", "continuous", "upcoming", "limited",
                                       "exhausted", "closed"}
    if scheme["min_amount"] is not None and scheme["max_amount"] is not None:
        assert scheme["min_amount"] <= scheme["max_amount"]
    if scheme["funding_rate"] is not None:
        assert 0 < scheme["funding_rate"] <= 100


def test_the_seed_covers_the_finders_edge_cases() -> None:
    schemes = _schemes()
    assert len(schemes) >= 15
    assert any(s["regions"] == ["nl"] for s in schemes)  # national
    assert any(len(s["regions"]) == 1 and s["regions"] != ["nl"] for s in schemes)  # 1 province
    assert any(s["closes_on"] for s in schemes)  # a closing date
    assert any(s["budget_status"] == "upcoming" for s in schemes)  # window not open yet


def test_the_terms_named_in_issue_17_are_corrected() -> None:
    by_slug = {s["slug"]: s for s in _schemes()}
    kia = by_slug["kia"]
    assert (kia["min_amount"], kia["max_amount"]) == (2901, 392230)
    assert any("70.602" in t["value"] and t["checked_on"] for t in kia["term_sources"])
    assert urlparse(kia["source_url"]).path.strip("/")
    lkv = by_slug["loonkostenvoordeel"]
    assert "afgeschaft" in lkv["summary"].lower()
    assert "oudere werknemer (56+, met uitkering) en" not in lkv["body"]
    assert urlparse(lkv["source_url"]).path.strip("/")
    wbso = by_slug["wbso"]
    assert any("391.020" in t["value"] for t in wbso["term_sources"])
    assert "350.000" not in wbso["terms_note"]


def test_provincial_schemes_of_overijssel_and_gelderland_with_their_timing() -> None:
    """Issue 17 item 2: provincial MKB instruments, with how fast the last round went."""
    by_slug = {s["slug"]: s for s in _schemes()}
    for slug, province in (("mkb-voucher-overijssel", "overijssel"),
                           ("mit-haalbaarheid-gelderland", "gelderland")):
        scheme = by_slug[slug]
        assert scheme["regions"] == [province] and scheme["first_come_first_served"]
        assert "loting" in scheme["body"] and "eerste dag" in scheme["body"]
        assert scheme["term_sources"] and all(t["checked_on"] for t in scheme["term_sources"])
