"""axe-core checks for pages, reusable by every domain's browser tests.

    from tests.browser.axe import assert_no_axe_violations

    page.goto("/zoeken?q=subsidie")
    assert_no_axe_violations(page)

axe-core comes bundled with axe-playwright-python and runs offline. It runs inside the page,
so it needs a context with JavaScript enabled (in a ``java_script_enabled=False`` context
Playwright's ``evaluate`` never returns).
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

_axe = Axe()


def axe_violations(page: Page, *, tags: tuple[str, ...] = WCAG_21_AA,
                   context: str | dict[str, Any] | None = None) -> list[dict[str, Any]]:
    options = {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]}
    results = _axe.run(page, context=context, options=options)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def format_violations(violations: list[dict[str, Any]], url: str = "") -> str:
    lines = [f"{len(violations)} axe violation(s){' on ' + url if url else ''}:"]
    for v in violations:
        lines.append(f"\n[{v.get('impact') or '?'}] {v['id']}: {v['help']}")
        lines.append(f"    {v.get('helpUrl', '')}")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"  - {target}")
            lines.append(f"    {node.get('html', '').strip()[:200]}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, *, tags: tuple[str, ...] = WCAG_21_AA,
                             context: str | dict[str, Any] | None = None) -> None:
    """Fail with a readable list of WCAG 2.1 A/AA violations on the page as it is now."""
    violations = axe_violations(page, tags=tags, context=context)
    if violations:
        report = format_violations(violations, page.url)
        print(report)
        raise AssertionError(report)
