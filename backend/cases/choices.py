"""Labels for the question form's choices (themes, sectors, company sizes), read once from the
shipped taxonomy (``seed/taxonomy.yaml``) so the form works before any data is seeded."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from backend.core.i18n import get_language
from backend.core.settings import ROOT

TAXONOMY = ROOT / "seed" / "taxonomy.yaml"


@dataclass(frozen=True)
class Choice:
    slug: str
    name_nl: str
    name_en: str

    @property
    def label(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name_nl


@lru_cache(maxsize=1)
def _taxonomy() -> dict[str, Any]:
    try:
        with TAXONOMY.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except OSError:
        data = {}
    return data if isinstance(data, dict) else {}


def _choices(key: str, *, top_level_only: bool = False) -> tuple[Choice, ...]:
    rows = _taxonomy().get(key) or []
    return tuple(Choice(r["slug"], r.get("name_nl", r["slug"]), r.get("name_en", ""))
                 for r in rows if not (top_level_only and r.get("parent")))


def themes() -> tuple[Choice, ...]:
    return _choices("themes")


def sectors() -> tuple[Choice, ...]:
    return _choices("sectors")


def company_sizes() -> tuple[Choice, ...]:
    return _choices("company_sizes")


def label(kind: str, slug: str | None) -> str:
    if not slug:
        return ""
    for choice in {"theme": themes, "sector": sectors, "size": company_sizes}[kind]():
        if choice.slug == slug:
            return choice.label
    return slug


def is_known(kind: str, slug: str) -> bool:
    return any(c.slug == slug for c in {"theme": themes, "sector": sectors,
                                        "size": company_sizes}[kind]())
