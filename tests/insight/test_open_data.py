"""/open-data: desks (HSDS), schemes, quarterly figures, a DCAT catalogue; no personal data."""

from __future__ import annotations

import csv
import io
import json
import re

from sqlmodel import Session

from backend.insight import opendata
from tests.client import LoketClient
from tests.factories import insight as f

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"(?:\+31|\b0)[\s-]?\d(?:[\s-]?\d){7,9}\b")


def test_open_data_is_complete_licensed_and_holds_no_personal_data(
        session: Session, client: LoketClient) -> None:
    world = f.build(session)
    world.desks["oost-nl"].contact_email = "info@oostnl.example"
    world.desks["oost-nl"].contact_phone = "088 667 0202"
    session.add(world.desks["oost-nl"])
    session.flush()
    f.freeze(session)
    page = client.get("/open-data")
    assert page.status_code == 200 and "CC BY 4.0" in page.text
    bodies = [page.text]
    for name in opendata.DATASETS:
        j = client.get(f"/open-data/{name}.json")
        assert j.status_code == 200 and j.headers["content-type"] == "application/json"
        body = j.json()
        assert body["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
        bodies.append(j.text)
        c = client.get(f"/open-data/{name}.csv")
        assert c.status_code == 200 and c.headers["content-type"].startswith("text/csv")
        assert next(iter(csv.reader(io.StringIO(c.text))))
        bodies.append(c.text)
    desks = client.get("/open-data/loketten.json").json()["data"]
    assert set(desks) == {"organization", "service", "service_area", "language", "contact"}
    oost = next(s for s in desks["service"] if s["id"] == "svc-oost-nl")
    area = next(a for a in desks["service_area"] if a["service_id"] == oost["id"])
    assert area["name"] == "Overijssel" and area["extent_type"] == "province"
    quarterly = client.get("/open-data/kwartaalcijfers.json").json()["data"]
    by = {(r["quarter"], r["province"]): r for r in quarterly}
    assert by[("2026-Q3", "PV23")]["questions"] == 48
    cat = client.get("/open-data/catalogus.jsonld")
    assert cat.headers["content-type"] == "application/ld+json"
    doc = cat.json()
    assert doc["@type"] == "dcat:Catalog" and len(doc["dcat:dataset"]) == 3
    for ds in doc["dcat:dataset"]:
        assert ds["dct:license"]["@id"] == opendata.LICENSE_URL
        assert {d["dct:format"]["@id"].rsplit("/", 1)[1] for d in ds["dcat:distribution"]} \
            == {"JSON", "CSV"}
    bodies.append(cat.text)
    # Only the desks' published contact details; never an asker's.
    allowed_emails = {"info@oostnl.example"}
    for body in bodies:
        text = json.dumps(body) if not isinstance(body, str) else body
        for secret in (f.SECRET_TEXT[:25], "kxqvraag", f.SECRET_NAME, f.SECRET_EMAIL,
                       "98765432", "Jan de Vries", "Beleid Medewerker"):
            assert secret.lower() not in text.lower(), secret
        assert set(EMAIL_RE.findall(text)) <= allowed_emails
        assert {re.sub(r"\D", "", p) for p in PHONE_RE.findall(text)} <= {"0886670202"}
