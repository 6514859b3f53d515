"""Scoring, strong and weak points, and the comparison with an earlier scan: pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import mean
from typing import Any

from backend.scan.definition import Definition


@dataclass(frozen=True)
class Scores:
    dimensions: dict[str, float]  # dimension slug -> mean answer (1–5), rounded to 0.1
    pillars: dict[str, float]  # pillar slug -> mean of its dimensions
    overall: float

    def as_dict(self) -> dict[str, Any]:
        return {"dimensions": self.dimensions, "pillars": self.pillars, "overall": self.overall}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scores:
        return cls(dimensions=dict(data["dimensions"]), pillars=dict(data["pillars"]),
                   overall=float(data["overall"]))


def score(definition: Definition, answers: dict[str, int]) -> Scores:
    """Mean per dimension over the answered questions; unanswered dimensions are left out."""
    lo, hi = definition.scale[0][0], definition.scale[-1][0]
    per_dim: dict[str, list[int]] = {}
    for q in definition.questions:
        value = answers.get(q["id"])
        if value is None:
            continue
        if not lo <= int(value) <= hi:
            raise ValueError(f"answer {value} to {q['id']} is off the scale")
        per_dim.setdefault(q["dimension"], []).append(int(value))
    dims = {d["slug"]: round(mean(per_dim[d["slug"]]), 1)
            for d in definition.dimensions if d["slug"] in per_dim}
    pillars: dict[str, float] = {}
    for p in definition.pillars:
        values = [dims[d["slug"]] for d in definition.dimensions
                  if d["pillar"] == p["slug"] and d["slug"] in dims]
        if values:
            pillars[p["slug"]] = round(mean(values), 1)
    overall = round(mean(dims.values()), 1) if dims else 0.0
    return Scores(dimensions=dims, pillars=pillars, overall=overall)


def weakest(definition: Definition, scores: Scores, n: int = 3) -> list[str]:
    """Dimensions below the weak threshold, lowest first (at most ``n``); when none is below
    it, the single lowest dimension, so there is always something to work on."""
    ordered = sorted(scores.dimensions.items(), key=lambda kv: (kv[1], kv[0]))
    weak = [slug for slug, value in ordered if value < definition.weak]
    return weak[:n] if weak else [s for s, _ in ordered[:1]]


def strongest(definition: Definition, scores: Scores, n: int = 3) -> list[str]:
    ordered = sorted(scores.dimensions.items(), key=lambda kv: (-kv[1], kv[0]))
    strong = [slug for slug, value in ordered if value >= definition.strong]
    return strong[:n] if strong else [s for s, _ in ordered[:1]]


@dataclass(frozen=True)
class Change:
    dimension: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 1)


def compare(before: Scores, after: Scores) -> list[Change]:
    """Per dimension, in the order of the later scan; dimensions only one scan has are kept
    with ``None`` on the other side (a new version may add or drop dimensions)."""
    slugs = list(after.dimensions) + [s for s in before.dimensions if s not in after.dimensions]
    return [Change(s, before.dimensions.get(s), after.dimensions.get(s)) for s in slugs]
