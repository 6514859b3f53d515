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


@lru_cache(maxsize=16)
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


_KINDS = {"theme": "themes", "sector": "sectors", "size": "company_sizes"}


@lru_cache(maxsize=4)
def _by_slug(kind: str) -> dict[str, Choice]:
    return {c.slug: c for c in _choices(_KINDS[kind])}


def label(kind: str, slug: str | None) -> str:
    """A choice's label in the current language; an unknown slug is shown as it is (inbox and
    case pages call this for every row: one dict lookup)."""
    if not slug:
        return ""
    choice = _by_slug(kind).get(slug)
    return choice.label if choice else slug


def is_known(kind: str, slug: str) -> bool:
    return slug in _by_slug(kind)
