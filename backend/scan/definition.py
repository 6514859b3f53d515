"""The scan as versioned data: questions, scale, scoring thresholds and advice rules.

A definition is read from ``seed/scan/scan-v<N>.yaml`` (or an editor's new version) and stored
whole with its version number, so a result can always be shown with the questions it was
answered with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.core.i18n import get_language


def _text(obj: Any, key: str = "") -> str:
    """Dutch, or English when the page is in English and a translation exists."""
    prefix = f"{key}_" if key else ""
    if get_language() == "en" and obj.get(f"{prefix}en"):
        return str(obj[f"{prefix}en"])
    return str(obj.get(f"{prefix}nl", ""))


@dataclass(frozen=True)
class Definition:
    version: int
    data: dict[str, Any]

    @property
    def title(self) -> str:
        return _text(self.data, "title")

    @property
    def scale(self) -> list[tuple[int, str]]:
        return [(int(p["value"]), _text(p)) for p in self.data["scale"]]

    @property
    def weak(self) -> float:
        return float(self.data.get("scoring", {}).get("weak", 3.0))

    @property
    def strong(self) -> float:
        return float(self.data.get("scoring", {}).get("strong", 4.0))

    @property
    def questions(self) -> list[dict[str, Any]]:
        return list(self.data["questions"])

    @property
    def dimensions(self) -> list[dict[str, Any]]:
        return list(self.data["dimensions"])

    @property
    def pillars(self) -> list[dict[str, Any]]:
        return list(self.data["pillars"])

    def question_text(self, q: dict[str, Any]) -> str:
        return _text(q)

    def dimension(self, slug: str) -> dict[str, Any]:
        return next(d for d in self.dimensions if d["slug"] == slug)

    def dimension_name(self, slug: str) -> str:
        return _text(self.dimension(slug))

    def dimension_explanation(self, slug: str) -> str:
        return _text(self.dimension(slug), "explain")

    def pillar_name(self, slug: str) -> str:
        return _text(next(p for p in self.pillars if p["slug"] == slug))

    def advice(self, dimension: str) -> dict[str, Any] | None:
        return next((a for a in self.data.get("advice", ()) if a["dimension"] == dimension),
                    None)

    def advice_text(self, dimension: str) -> str:
        rule = self.advice(dimension)
        return _text(rule) if rule else ""

    def advice_themes(self, dimension: str) -> list[str]:
        rule = self.advice(dimension)
        return list(rule.get("themes", ())) if rule else []


def validate(data: dict[str, Any]) -> list[str]:
    """Problems that would make a definition unusable (empty when it is fine)."""
    problems: list[str] = []
    try:
        version = int(data["version"])
        if version < 1:
            problems.append("version must be 1 or more")
        values = [int(p["value"]) for p in data["scale"]]
        if values != sorted(values) or len(values) < 2:
            problems.append("scale must have at least two ascending points")
        pillars = {p["slug"] for p in data["pillars"]}
        dims = {d["slug"] for d in data["dimensions"]}
        for d in data["dimensions"]:
            if d["pillar"] not in pillars:
                problems.append(f"dimension {d['slug']}: unknown pillar {d['pillar']}")
        ids = [q["id"] for q in data["questions"]]
        if len(ids) != len(set(ids)):
            problems.append("question ids must be unique")
        for q in data["questions"]:
            if q["dimension"] not in dims:
                problems.append(f"question {q['id']}: unknown dimension {q['dimension']}")
            if not q.get("nl"):
                problems.append(f"question {q['id']}: no Dutch text")
        used = {q["dimension"] for q in data["questions"]}
        problems += [f"dimension {d}: no questions" for d in sorted(dims - used)]
        for a in data.get("advice", ()):
            if a["dimension"] not in dims:
                problems.append(f"advice: unknown dimension {a['dimension']}")
    except (KeyError, TypeError, ValueError) as exc:
        problems.append(f"malformed definition: {exc!r}")
    return problems
