"""Open data: desks (Open Referral HSDS shape), published schemes with their terms, quarterly
aggregates, as JSON and CSV under CC BY 4.0, and a DCAT-AP-NL catalogue (JSON-LD).

No personal data: desks are organisations (their contact details are the desk's public
ones, as on ``/loketten/{slug}``), schemes are public, and the quarterly figures come from
the same disclosure-safe atoms as ``/inzicht`` (docs/disclosure.md, "Insight")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from backend.insight import service
from backend.insight.disclosure import (
    HIDDEN,
    NOT_GIVEN,
    AtomFilter,
    merge_data,
    safe_mean,
    safe_median,
    safe_share,
    shown_count,
)
from backend.regions.service import region_index
from backend.routing.service import coverage_of, list_desks
from backend.schemes.service import published_schemes

LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = "CC BY 4.0"
DATASETS = {
    "loketten": ("Loketten en hun diensten",
                 "Ondernemersloketten, wat ze doen, waar (werkgebied), in welke talen en hoe u "
                 "ze bereikt; in de vorm van Open Referral HSDS (organization, service, "
                 "service_area, language, contact)."),
    "regelingen": ("Regelingen voor ondernemers",
                   "Gepubliceerde regelingen met hun voorwaarden: voor welke grootte, sector, "
                   "regio en kosten, bedragen, percentage, looptijd en bron."),
    "kwartaalcijfers": ("Kwartaalcijfers van Loket",
                        "Vragen, scans, onvervulde vraag, reactietijd en waardering per "
                        "kwartaal en provincie; alleen totalen over groepen van minstens "
                        f"{service.K} vragen of scans."),
}


def _abs(base_url: str, path: str | None) -> str | None:
    if not path:
        return None
    return path if path.startswith("http") else base_url.rstrip("/") + path


# --- desks as HSDS ----------------------------------------------------------------------------

def desks_hsds(session: Session, base_url: str) -> dict[str, Any]:
    regions = region_index(session)
    desks = list_desks(session, active_only=True)
    coverage = coverage_of(session, [d.id for d in desks if d.id is not None])
    organizations, services, areas, languages, contacts = [], [], [], [], []
    for d in desks:
        assert d.id is not None
        org_id, svc_id = f"org-{d.slug}", f"svc-{d.slug}"
        page = _abs(base_url, f"/loketten/{d.slug}")
        organizations.append({"id": org_id, "name": d.name, "description": d.summary,
                              "website": d.website or page})
        services.append({"id": svc_id, "organization_id": org_id, "name": d.name,
                         "description": d.summary, "url": page, "status": "active",
                         "email": d.contact_email, "themes": list(d.themes),
                         "sectors": list(d.sectors), "company_sizes": list(d.company_sizes),
                         "general_remit": d.general_remit, "fallback": d.is_fallback,
                         "first_response_target_working_hours": d.first_response_hours})
        for i, c in enumerate(coverage.get(d.id, [])):
            areas.append({"id": f"{svc_id}-area-{i}", "service_id": svc_id,
                          "name": regions.area_name(c.kind, c.code), "extent_type": c.kind,
                          "code": c.code or None})
        for lang in d.languages:
            languages.append({"id": f"{svc_id}-{lang}", "service_id": svc_id, "code": lang})
        contacts.append({"id": f"{svc_id}-contact", "service_id": svc_id,
                         "title": "Algemeen contact", "email": d.contact_email,
                         "phone": d.contact_phone, "website": d.website, "address": d.address})
    return {"organization": organizations, "service": services, "service_area": areas,
            "language": languages, "contact": contacts}


def desks_rows(session: Session, base_url: str) -> list[list[Any]]:
    data = desks_hsds(session, base_url)
    areas: dict[str, list[str]] = {}
    for a in data["service_area"]:
        areas.setdefault(a["service_id"], []).append(a["name"])
    langs: dict[str, list[str]] = {}
    for lang in data["language"]:
        langs.setdefault(lang["service_id"], []).append(lang["code"])
    contact = {c["service_id"]: c for c in data["contact"]}
    head = ["service_id", "organization_id", "name", "description", "url", "themes",
            "sectors", "company_sizes", "service_area", "languages", "email", "phone",
            "website", "first_response_target_working_hours"]
    rows: list[list[Any]] = [head]
    for s in data["service"]:
        c = contact.get(s["id"], {})
        rows.append([s["id"], s["organization_id"], s["name"], s["description"], s["url"],
                     " | ".join(s["themes"]), " | ".join(s["sectors"]),
                     " | ".join(s["company_sizes"]), " | ".join(areas.get(s["id"], [])),
                     " | ".join(langs.get(s["id"], [])), c.get("email"), c.get("phone"),
                     c.get("website"), s["first_response_target_working_hours"]])
    return rows


# --- schemes ----------------------------------------------------------------------------------

def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def schemes(session: Session, base_url: str) -> list[dict[str, Any]]:
    return [{"id": s.slug, "title": s.title, "url": _abs(base_url, s.url), "kind": s.kind,
             "summary": s.summary, "company_sizes": sorted(s.sizes),
             "sectors": sorted(s.sectors), "regions": sorted(s.regions),
             "themes": sorted(s.themes), "cost_kinds": sorted(s.cost_kinds),
             "min_amount_eur": s.min_amount, "max_amount_eur": s.max_amount,
             "funding_rate": s.funding_rate, "opens_on": _iso(s.opens_on),
             "closes_on": _iso(s.closes_on), "first_come_first_served":
             s.first_come_first_served, "budget_status": s.budget_status,
             "provider": s.provider, "source_url": s.source_url,
             "terms_checked_on": _iso(s.terms_checked_on)}
            for s in published_schemes(session)]


def schemes_rows(session: Session, base_url: str) -> list[list[Any]]:
    items = schemes(session, base_url)
    head = ["id", "title", "url", "kind", "company_sizes", "sectors", "regions", "themes",
            "cost_kinds", "min_amount_eur", "max_amount_eur", "funding_rate", "opens_on",
            "closes_on", "first_come_first_served", "budget_status", "provider",
            "source_url", "terms_checked_on"]
    rows: list[list[Any]] = [head]
    for s in items:
        rows.append([(" | ".join(s[k]) if isinstance(s[k], list) else s[k]) for k in head])
    return rows


# --- quarterly aggregates ---------------------------------------------------------------------

QUARTERLY_COLUMNS = ("quarter", "province", "questions", "scans", "questions_closed_with_help",
                     "questions_only_general_desk", "median_first_response_working_hours",
                     "share_within_target", "average_rating", "median_scan_score")


def quarterly(session: Session) -> list[dict[str, Any]]:
    """Per ended quarter and province (and "*": provinces hidden to protect small groups)."""
    q_atoms = service.load_atoms(session, "question", AtomFilter())
    s_atoms = service.load_atoms(session, "scan", AtomFilter())
    groups: dict[tuple[str, str], dict[str, list[service.Atom]]] = {}
    for kind, atoms in (("q", q_atoms), ("s", s_atoms)):
        for a in atoms:
            groups.setdefault((a.key.quarter, a.key.province), {"q": [], "s": []})[kind].append(a)
    out = []
    for (quarter, province), g in sorted(groups.items()):
        d = merge_data(a.data for a in g["q"])
        n = sum(a.n for a in g["q"])
        ratings = d.get("ratings", {})
        rn = sum(ratings.values())
        rs = sum(int(k) * v for k, v in ratings.items())
        med = safe_median(d.get("resp", []))
        scan_med = safe_median(merge_data(a.data for a in g["s"]).get("overall", []))
        share = safe_share(d.get("on_time", 0), d.get("judged", 0))
        mean = safe_mean(rs, rn)
        out.append({
            "quarter": quarter,
            "province": None if province in (HIDDEN, NOT_GIVEN) else province,
            "questions": n, "scans": sum(a.n for a in g["s"]),
            "questions_closed_with_help": shown_count(d.get("helped", 0)),
            "questions_only_general_desk": shown_count(d.get("unmet", 0)),
            "median_first_response_working_hours": round(med / 3600, 1) if med else None,
            "share_within_target": round(share, 3) if share is not None else None,
            "average_rating": round(mean, 2) if mean is not None else None,
            "median_scan_score": round(scan_med, 2) if scan_med is not None else None,
        })
    return out


def quarterly_rows(session: Session) -> list[list[Any]]:
    return [list(QUARTERLY_COLUMNS), *[[r[c] for c in QUARTERLY_COLUMNS]
                                       for r in quarterly(session)]]


# --- DCAT-AP-NL catalogue ---------------------------------------------------------------------

def catalogue(base_url: str, modified: str) -> dict[str, Any]:
    """The catalogue as JSON-LD (DCAT-AP / DCAT-AP-NL vocabulary)."""
    base = base_url.rstrip("/")

    def dataset(key: str) -> dict[str, Any]:
        title, description = DATASETS[key]
        return {
            "@id": f"{base}/open-data#{key}", "@type": "dcat:Dataset",
            "dct:identifier": f"{base}/open-data#{key}",
            "dct:title": {"@language": "nl", "@value": title},
            "dct:description": {"@language": "nl", "@value": description},
            "dct:language": {"@id": "http://publications.europa.eu/resource/authority/"
                                    "language/NLD"},
            "dct:license": {"@id": LICENSE_URL},
            "dct:accessRights": {"@id": "http://publications.europa.eu/resource/authority/"
                                        "access-right/PUBLIC"},
            "dct:publisher": {"@id": f"{base}/", "@type": "foaf:Agent", "foaf:name": "Loket"},
            "dcat:contactPoint": {"@type": "vcard:Organization", "vcard:fn": "Loket",
                                  "vcard:hasURL": {"@id": f"{base}/open-data"}},
            "dcat:theme": {"@id": "http://publications.europa.eu/resource/authority/"
                                  "data-theme/ECON"},
            "dcat:keyword": ["ondernemers", "mkb", "loket"],
            "dct:modified": {"@value": modified, "@type": "xsd:date"},
            "dcat:landingPage": {"@id": f"{base}/open-data"},
            "dcat:distribution": [
                {"@id": f"{base}/open-data/{key}.{ext}", "@type": "dcat:Distribution",
                 "dcat:accessURL": {"@id": f"{base}/open-data/{key}.{ext}"},
                 "dcat:downloadURL": {"@id": f"{base}/open-data/{key}.{ext}"},
                 "dcat:mediaType": {"@id": "https://www.iana.org/assignments/media-types/"
                                           + media},
                 "dct:format": {"@id": "http://publications.europa.eu/resource/authority/"
                                       "file-type/" + fmt},
                 "dct:license": {"@id": LICENSE_URL},
                 "dct:title": {"@language": "nl", "@value": f"{title} ({fmt})"}}
                for ext, media, fmt in (("json", "application/json", "JSON"),
                                        ("csv", "text/csv", "CSV"))],
        }

    return {
        "@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
                     "foaf": "http://xmlns.com/foaf/0.1/",
                     "vcard": "http://www.w3.org/2006/vcard/ns#",
                     "xsd": "http://www.w3.org/2001/XMLSchema#"},
        "@id": f"{base}/open-data/catalogus.jsonld", "@type": "dcat:Catalog",
        "dct:title": {"@language": "nl", "@value": "Open data van Loket"},
        "dct:description": {"@language": "nl", "@value": "Loketten, regelingen en "
                            "kwartaalcijfers van Loket, onder CC BY 4.0."},
        "dct:publisher": {"@id": f"{base}/", "@type": "foaf:Agent", "foaf:name": "Loket"},
        "dct:license": {"@id": LICENSE_URL},
        "dct:language": {"@id": "http://publications.europa.eu/resource/authority/"
                                "language/NLD"},
        "foaf:homepage": {"@id": f"{base}/open-data"},
        "dct:modified": {"@value": modified, "@type": "xsd:date"},
        "dcat:dataset": [dataset(k) for k in DATASETS],
    }


def envelope(dataset: str, data: Any, base_url: str) -> dict[str, Any]:
    title, description = DATASETS[dataset]
    return {"title": title, "description": description, "license": LICENSE_NAME,
            "license_url": LICENSE_URL, "attribution": "Loket",
            "catalogue": _abs(base_url, "/open-data/catalogus.jsonld"), "data": data}


def rows_of(dataset: str, session: Session, base_url: str) -> Sequence[Sequence[Any]]:
    if dataset == "loketten":
        return desks_rows(session, base_url)
    if dataset == "regelingen":
        return schemes_rows(session, base_url)
    return quarterly_rows(session)


def data_of(dataset: str, session: Session, base_url: str) -> Any:
    if dataset == "loketten":
        return desks_hsds(session, base_url)
    if dataset == "regelingen":
        return schemes(session, base_url)
    return quarterly(session)
