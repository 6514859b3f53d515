"""One Dutch date format and real plurals everywhere (issue 15, "One voice")."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from backend.core import i18n
from backend.core.settings import ROOT
from backend.core.templating import _fmt_date, env

MOMENT = datetime(2026, 12, 7, 8, 33, tzinfo=UTC)  # 09:33 in Amsterdam


@pytest.fixture
def dutch():
    token = i18n.set_language("nl")
    yield
    i18n.reset_language(token)


def test_one_date_format_for_every_caller(dutch: None) -> None:
    assert _fmt_date(MOMENT) == "7 december 2026, 09:33"
    assert _fmt_date(MOMENT, "short") == "7 december 2026, 09:33"  # was 07-12-2026 09:33
    assert _fmt_date(MOMENT.replace(tzinfo=None)) == "7 december 2026, 09:33"  # naive is UTC
    assert _fmt_date(date(2026, 11, 22)) == "22 november 2026"
    assert _fmt_date(MOMENT, "HH:mm") == "09:33"


def test_english_pages_get_english_dates() -> None:
    token = i18n.set_language("en")
    try:
        assert _fmt_date(MOMENT) == "7 December 2026, 09:33"
    finally:
        i18n.reset_language(token)


def test_no_template_formats_a_date_itself() -> None:
    """strftime gave a third format ("2026-12-07 09:33 UTC") in English order."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html")
                 if re.search(r"strftime|\|date\(\"(?!HH:mm)", p.read_text())]
    assert offenders == []


@pytest.mark.parametrize(("source", "one", "many"), [
    ('ngettext("%(num)s scheme fits", "%(num)s schemes fit", n)', "1 regeling past",
     "3 regelingen passen"),
    ('ngettext("%(num)s question", "%(num)s questions", n)', "1 vraag", "3 vragen"),
    ('ngettext("%(num)s municipality", "%(num)s municipalities", n)', "1 gemeente",
     "3 gemeenten"),
])
def test_counts_use_plurals(dutch: None, source: str, one: str, many: str) -> None:
    template = env.from_string("{{ " + source + " }}")
    assert template.render(n=1) == one
    assert template.render(n=3) == many


def test_templates_say_no_plural_for_one() -> None:
    """No "%(n)s questions"-style message for a count: those go through ngettext."""
    plural_nouns = re.compile(r'_\("%\((?:n|num|count)\)s (?:schemes|questions|municipalities|'
                              r'closed schemes|other schemes)')
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html")
                 if plural_nouns.search(p.read_text())]
    assert offenders == []
