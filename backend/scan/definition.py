"""The scan as versioned data: questions, scale, scoring thresholds and advice rules.

A definition is read from ``seed/scan/scan-v<N>.yaml`` (or an editor's new version) and stored
whole with its version number, so a result can always be shown with the questions it was
answered with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from backend.core.i18n import N_, get_language, gettext_


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


Path = tuple[str | int, ...]
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass(frozen=True)
class Issue:
    """One problem in a definition: where (a path into the data) and what (an English message
    id with its parameters, translated when shown)."""

    path: Path
    message: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def where(self) -> str:
        out = ""
        for part in self.path:
            out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out

    def text(self) -> str:
        return str(gettext_(self.message, **dict(self.params)))


def _items(data: dict[str, Any], key: str, issues: list[Issue], *, minimum: int = 1
           ) -> list[dict[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list) or len(value) < minimum:
        issues.append(Issue((key,), N_("Give a list with at least %(n)s entries."),
                            (("n", minimum),)))
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            out.append(item)
        else:
            issues.append(Issue((key, i), N_("Each entry must have fields (name: value).")))
    return out


def _need_text(item: dict[str, Any], field: str, path: Path, issues: list[Issue]) -> None:
    value = item.get(field)
    if not isinstance(value, str) or not value.strip():
        issues.append(Issue((*path, field), N_("Fill in a text.")))


def _slug(item: dict[str, Any], field: str, path: Path, issues: list[Issue],
          seen: set[str]) -> str | None:
    value = item.get(field)
    if not isinstance(value, str) or not SLUG_RE.match(value):
        issues.append(Issue((*path, field), N_("Use lowercase letters, digits and hyphens.")))
        return None
    if value in seen:
        issues.append(Issue((*path, field), N_("%(value)s occurs twice; it must be unique."),
                            (("value", value),)))
    seen.add(value)
    return value


def check(data: Any, known_themes: set[str] | None = None) -> list[Issue]:
    """Every problem that would make a definition unusable (empty when it is fine).
    ``known_themes``: when given, advice rules may only name these themes."""
    issues: list[Issue] = []
    if not isinstance(data, dict):
        return [Issue((), N_("The definition must consist of fields (name: value)."))]
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        issues.append(Issue(("version",), N_("Give a whole number of 1 or more.")))
    _need_text(data, "title_nl", (), issues)

    values: list[int] = []
    for i, point in enumerate(_items(data, "scale", issues, minimum=2)):
        value = point.get("value")
        if not isinstance(value, int) or isinstance(value, bool):
            issues.append(Issue(("scale", i, "value"), N_("Give a whole number.")))
        else:
            if values and value <= values[-1]:
                issues.append(Issue(("scale", i, "value"),
                                    N_("The values of the scale must go up.")))
            values.append(value)
        _need_text(point, "nl", ("scale", i), issues)

    scoring = data.get("scoring", {})
    if not isinstance(scoring, dict):
        issues.append(Issue(("scoring",), N_("The definition must consist of fields "
                                             "(name: value).")))
        scoring = {}
    bounds: dict[str, float] = {}
    for key in ("weak", "strong"):
        if key not in scoring:
            continue
        value = scoring[key]
        if not isinstance(value, int | float) or isinstance(value, bool):
            issues.append(Issue(("scoring", key), N_("Give a number.")))
        elif values and not values[0] <= value <= values[-1]:
            issues.append(Issue(("scoring", key), N_("Give a number on the scale (%(low)s to "
                                                     "%(high)s)."),
                                (("low", values[0]), ("high", values[-1]))))
        else:
            bounds[key] = float(value)
    if "weak" in bounds and "strong" in bounds and bounds["weak"] > bounds["strong"]:
        issues.append(Issue(("scoring", "weak"), N_("The weak threshold must not be above the "
                                                    "strong threshold.")))

    pillars: set[str] = set()
    for i, p in enumerate(_items(data, "pillars", issues)):
        _slug(p, "slug", ("pillars", i), issues, pillars)
        _need_text(p, "nl", ("pillars", i), issues)

    dims: set[str] = set()
    pillars_used: set[str] = set()
    for i, d in enumerate(_items(data, "dimensions", issues)):
        _slug(d, "slug", ("dimensions", i), issues, dims)
        _need_text(d, "nl", ("dimensions", i), issues)
        if d.get("pillar") not in pillars:
            issues.append(Issue(("dimensions", i, "pillar"),
                                N_("Unknown pillar %(value)s: use one of the pillars above."),
                                (("value", d.get("pillar")),)))
        else:
            pillars_used.add(d["pillar"])

    ids: set[str] = set()
    dims_used: set[str] = set()
    for i, q in enumerate(_items(data, "questions", issues)):
        qid = q.get("id")
        if not isinstance(qid, str) or not qid.strip():
            issues.append(Issue(("questions", i, "id"), N_("Fill in a text.")))
        elif qid in ids:
            issues.append(Issue(("questions", i, "id"),
                                N_("%(value)s occurs twice; it must be unique."),
                                (("value", qid),)))
        else:
            ids.add(qid)
        _need_text(q, "nl", ("questions", i), issues)
        if q.get("dimension") not in dims:
            issues.append(Issue(("questions", i, "dimension"),
                                N_("Unknown dimension %(value)s: use one of the dimensions."),
                                (("value", q.get("dimension")),)))
        else:
            dims_used.add(q["dimension"])
    if isinstance(data.get("questions"), list):
        for i, d in enumerate(data.get("dimensions") or []):
            if isinstance(d, dict) and d.get("slug") in dims - dims_used:
                issues.append(Issue(("dimensions", i), N_("This dimension has no questions.")))
    if isinstance(data.get("dimensions"), list):
        for i, p in enumerate(data.get("pillars") or []):
            if isinstance(p, dict) and p.get("slug") in pillars - pillars_used:
                issues.append(Issue(("pillars", i), N_("This pillar has no dimensions.")))

    advice = data.get("advice", [])
    if advice:
        for i, a in enumerate(_items(data, "advice", issues)):
            if a.get("dimension") not in dims:
                issues.append(Issue(("advice", i, "dimension"),
                                    N_("Unknown dimension %(value)s: use one of the "
                                       "dimensions."), (("value", a.get("dimension")),)))
            _need_text(a, "nl", ("advice", i), issues)
            themes = a.get("themes", [])
            if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
                issues.append(Issue(("advice", i, "themes"), N_("Give a list of theme codes.")))
            elif known_themes is not None:
                for t in themes:
                    if t not in known_themes:
                        issues.append(Issue(("advice", i, "themes"),
                                            N_("Unknown theme %(value)s."), (("value", t),)))
    return issues


def validate(data: dict[str, Any]) -> list[str]:
    """Problems that would make a definition unusable, in English (empty when it is fine)."""
    return [f"{issue.where}: {issue.message % dict(issue.params)}" if issue.params
            else f"{issue.where}: {issue.message}" for issue in check(data)]
