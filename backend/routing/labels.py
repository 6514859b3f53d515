"""Labels shared by the routing pages: labels for areas, themes, sectors, sizes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from backend.core.i18n import N_
from backend.core.i18n import gettext_ as _
from backend.regions.index import RegionIndex
from backend.regions.schemas import COROP, LABOUR_MARKET_REGION, MUNICIPALITY, NATIONAL, PROVINCE
from backend.routing.models import DeskCoverage
from backend.routing.router import RoutingTaxonomy

# Words people may use for a coverage kind in the admin form (Dutch and English).
KIND_WORDS = {
    "gemeente": MUNICIPALITY, "municipality": MUNICIPALITY,
    "arbeidsmarktregio": LABOUR_MARKET_REGION, "labour_market_region": LABOUR_MARKET_REGION,
    "corop": COROP, "corop-regio": COROP,
    "provincie": PROVINCE, "province": PROVINCE,
    "landelijk": NATIONAL, "national": NATIONAL, "nederland": NATIONAL,
}


_KIND_LABELS = {
    MUNICIPALITY: N_("municipality"), LABOUR_MARKET_REGION: N_("labour-market region"),
    COROP: N_("COROP region"), PROVINCE: N_("province"), NATIONAL: N_("nationwide"),
}


def kind_label(kind: str) -> str:
    label = _KIND_LABELS.get(kind)  # one translation per call (the desks page makes ~150)
    return _(label) if label is not None else kind


def area_label(kind: str, code: str, regions: RegionIndex) -> str:
    if kind == NATIONAL:
        return _("the whole country")
    return f"{kind_label(kind)} {regions.area_name(kind, code)}"


def coverage_lines(coverage: Iterable[DeskCoverage | Any], regions: RegionIndex) -> str:
    """Coverage as the admin form's textarea shows it: one area per line, with its name."""
    lines = []
    for c in coverage:
        if c.kind == NATIONAL:
            lines.append("landelijk")
            continue
        word = {MUNICIPALITY: "gemeente", LABOUR_MARKET_REGION: "arbeidsmarktregio",
                COROP: "corop", PROVINCE: "provincie"}[c.kind]
        lines.append(f"{word}: {c.code}  # {regions.area_name(c.kind, c.code)}")
    return "\n".join(lines)


def parse_coverage_lines(text: str) -> list[dict[str, str]]:
    """The admin textarea back to coverage items; ``Invalid`` is raised by validation later."""
    out: list[dict[str, str]] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        word, _sep, code = line.partition(":")
        kind = KIND_WORDS.get(word.strip().lower(), word.strip().lower())
        out.append({"kind": kind, "code": code.strip()})
    return out


def theme_options(tax: RoutingTaxonomy) -> list[tuple[str, str]]:
    return sorted(((slug, tax.theme_label(slug)) for slug in tax.themes.themes),
                  key=lambda t: t[1].lower())


def sector_options(tax: RoutingTaxonomy) -> list[tuple[str, str]]:
    out = []
    for s in tax.sectors.values():
        label = tax.sector_label(s.slug)
        if s.parent:
            label = f"{tax.sector_label(s.parent)} — {label}"
        out.append((s.slug, label))
    return sorted(out, key=lambda t: t[1].lower())


def size_options(tax: RoutingTaxonomy) -> list[tuple[str, str]]:
    return [(s, tax.size_label(s)) for s in tax.sizes]
