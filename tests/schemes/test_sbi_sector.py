"""The finder and its API take the SBI code a firm knows from its KvK registration as its
sector (issue 17, item 6): "C", "25", "2562" and "25.62" map to the taxonomy."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from backend.content import taxonomy as tx
from backend.content.models import Sector
from tests.client import LoketClient
from tests.factories.content import create_scheme


def _taxonomy() -> tx.Taxonomy:
    industrie = Sector(id=1, slug="industrie", name_nl="Industrie", sbi="C")
    zorg = Sector(id=2, slug="zorg", name_nl="Zorg", sbi="Q")
    metaal = Sector(id=3, slug="metaal", name_nl="Metaal", parent_id=1, sbi_codes=["24", "25"])
    maak = Sector(id=4, slug="maakindustrie", name_nl="Maak", parent_id=1,
                  sbi_codes=["25", "28"])
    food = Sector(id=5, slug="voeding", name_nl="Voeding", parent_id=1, sbi_codes=["10", "11"])
    bouw = Sector(id=6, slug="bouw", name_nl="Bouw", sbi="F")
    inst = Sector(id=7, slug="installatie", name_nl="Installatie", parent_id=6,
                  sbi_codes=["43.2"])
    return tx.Taxonomy(sectors=[industrie, zorg, metaal, maak, food, bouw, inst])


@pytest.mark.parametrize(("code", "slug"), [
    ("C", "industrie"), ("c", "industrie"), ("Q", "zorg"), ("86", "zorg"), ("8610", "zorg"),
    ("1071", "voeding"), ("10.71", "voeding"), ("24", "metaal"),
    ("2562", "industrie"),  # SBI 25 is both metaal and maakindustrie: the section
    ("28", "maakindustrie"), ("4322", "installatie"), ("43.22", "installatie"),
    ("4120", "bouw"),
])
def test_sbi_codes_map_to_the_taxonomy(code: str, slug: str) -> None:
    found = tx.sector_for_sbi(_taxonomy(), code)
    assert found is not None and found.slug == slug


@pytest.mark.parametrize("code", ["Z", "00", "4", "abc", "25-62", ""])
def test_unknown_codes_map_to_nothing(code: str) -> None:
    assert tx.sector_for_sbi(_taxonomy(), code) is None


def test_api_and_page_accept_an_sbi_code(client: LoketClient, session: Session,
                                         finder_data: None) -> None:
    create_scheme(session, "Robots voor de industrie", slug="industrie-robots",
                  sectors=["industrie"])
    create_scheme(session, "Bouw", slug="bouw-only", sectors=["bouw"])
    session.commit()
    for code in ("C", "25", "2562", "25.62"):
        r = client.get("/api/v1/schemes/match", params={"sector": code})
        assert r.status_code == 200, (code, r.text)
        body = r.json()
        assert body["profile"]["sector"] == "industrie"
        verdicts = {i["slug"]: i["verdict"] for i in body["items"]}
        assert verdicts["industrie-robots"] == "fits" and verdicts["bouw-only"] != "fits"
    r = client.get("/api/v1/schemes/match", params={"sector": "ZZ"})
    assert r.status_code == 422 and "sector" in r.json()["error"]["fields"]
    page = client.get("/regelingen/zoeker", params={"sector": "2562"})
    assert page.status_code == 200 and "Robots voor de industrie" in page.text
