"""Care and education, two of the vital sectors of the SER Overijssel advice, have practices
from the source documents with themes, sectors and a cited section (issue 17, item 5)."""

from __future__ import annotations

import yaml

from backend.core.settings import ROOT


def test_care_and_education_have_sourced_practices() -> None:
    items = yaml.safe_load((ROOT / "seed" / "content" / "practices.yaml").read_text())
    by_sector: dict[str, list[dict[str, object]]] = {"zorg": [], "onderwijs": []}
    for item in items:
        for sector in item.get("sectors") or []:
            if sector in by_sector:
                by_sector[sector].append(item)
    assert len(by_sector["zorg"]) >= 2 and len(by_sector["onderwijs"]) >= 2
    for item in by_sector["zorg"] + by_sector["onderwijs"]:
        source = item["source"]
        assert isinstance(source, dict) and source.get("document") and source.get("section")
        assert item["themes"]
