"""Every setting is in the README's configuration table, with its current default."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from backend.core.settings import ROOT, Settings


def _configuration_table() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Configuration\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, 'README.md has no "## Configuration" section'
    rows: dict[str, str] = {}
    for line in match.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"`LOKET_[A-Z0-9_]+`", cells[0]):
            rows[cells[0].strip("`")] = cells[1]
    return rows


def _default_matches(cell: str, default: Any) -> bool:
    if default is None or default in ("", {}, []):  # none, or an empty text or table
        return cell in ("—", "-", "")
    value = cell.strip("`")
    if isinstance(default, bool):
        return value.lower() in (("true", "1") if default else ("false", "0"))
    if isinstance(default, Path):
        return Path(value) == default
    if isinstance(default, int | float):
        try:
            return float(value) == float(default)
        except ValueError:
            return False
    return value == str(default)


def test_every_setting_is_documented_in_the_readme() -> None:
    table = _configuration_table()
    fields = {f"LOKET_{name.upper()}": field for name, field in Settings.model_fields.items()}
    missing = sorted(set(fields) - set(table))
    assert not missing, f"add these settings to the README's Configuration table: {missing}"
    unknown = sorted(set(table) - set(fields))
    assert not unknown, f"the README documents settings that do not exist: {unknown}"
    stale = {name: (table[name], field.get_default(call_default_factory=True))
             for name, field in fields.items()
             if not _default_matches(table[name], field.get_default(call_default_factory=True))}
    assert not stale, f"README defaults differ from backend/core/settings.py: {stale}"
