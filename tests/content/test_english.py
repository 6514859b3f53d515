"""English content (issue 17): items carry an optional English title, summary and text (and
schemes an English terms note and term labels); pages in the English UI show them where present
and say what is only in Dutch; the seed translates every scheme and the 20 most-read practices;
the editor edits the English fields."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from backend.content.models import ContentItem, SchemeTerms
from backend.content.views import shown
from tests.client import LoketClient
from tests.factories.content import create_item, create_scheme

SEED = Path(__file__).resolve().parents[2] / "seed"
TERM = {"year": 2026, "term": "Subsidiepercentage", "value": "40%",
        "source_url": "https://www.rvo.nl/subsidies-financiering/robots",
        "checked_on": date.today().isoformat(),
        "term_en": "Subsidy rate", "value_en": "40%"}


def _yaml(name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((SEED / "content" / name).read_text(encoding="utf-8"))
    return list(data["items"] if isinstance(data, dict) else data)


def test_english_page_shows_the_translation_and_no_notice(client: LoketClient,
                                                          session: Session,
                                                          taxonomy: None) -> None:
    create_item(session, title="Leren op de werkvloer", slug="leren",
                summary="Medewerkers leren van collega's.", body_md="Een **Nederlandse** tekst.",
                title_en="Learning on the job", summary_en="Employees learn from colleagues.",
                body_md_en="An **English** text.")
    session.commit()
    client.cookies.set("loket_lang", "en")
    r = client.get("/kennisbank/goede-voorbeelden/leren")
    assert "<h1 id=\"kb-title\">Learning on the job</h1>" in r.text
    assert "Employees learn from colleagues." in r.text and "<strong>English</strong>" in r.text
    assert "Nederlandse" not in r.text and "Leren op de werkvloer" not in r.text
    assert "only available in Dutch" not in r.text
    assert '<article class="kb-detail" aria-labelledby="kb-title">' in r.text  # English: no lang
    # Lists show the English title too.
    assert "Learning on the job" in client.get("/kennisbank/goede-voorbeelden").text
    # The Dutch UI keeps the Dutch text.
    client.cookies.set("loket_lang", "nl")
    r = client.get("/kennisbank/goede-voorbeelden/leren")
    assert "Leren op de werkvloer" in r.text and "<strong>Nederlandse</strong>" in r.text
    assert "Learning on the job" not in r.text


def test_related_items_are_named_in_english_where_translated(client: LoketClient,
                                                             session: Session,
                                                             taxonomy: None) -> None:
    create_item(session, title="Leren op de werkvloer", slug="leren",
                title_en="Learning on the job")
    create_item(session, title="Slim roosteren", slug="roosteren", related=["leren"])
    session.commit()
    client.cookies.set("loket_lang", "en")
    r = client.get("/kennisbank/goede-voorbeelden/roosteren")
    related = r.text.split('id="kb-related-title"', 1)[1]
    assert ">Learning on the job</a>" in related and "Leren op de werkvloer" not in related


def test_english_page_without_translation_shows_dutch_with_the_notice(
        client: LoketClient, session: Session, taxonomy: None) -> None:
    create_item(session, title="Slim roosteren", slug="roosteren")
    session.commit()
    client.cookies.set("loket_lang", "en")
    r = client.get("/kennisbank/goede-voorbeelden/roosteren")
    assert "This content is only available in Dutch." in r.text
    assert '<article class="kb-detail" aria-labelledby="kb-title" lang="nl">' in r.text


def test_scheme_with_english_summary_and_terms_but_dutch_text(client: LoketClient,
                                                              session: Session,
                                                              taxonomy: None) -> None:
    create_scheme(session, slug="robots", body_md="Uitleg in het Nederlands.",
                  summary="Subsidie voor robots.", summary_en="A subsidy for robots.",
                  title_en="Robot subsidy", terms_note="Controleer de bron.",
                  terms_note_en="Check the source.", term_sources=[TERM])
    session.commit()
    client.cookies.set("loket_lang", "en")
    r = client.get("/regelingen/robots")
    assert "Robot subsidy" in r.text and "A subsidy for robots." in r.text
    assert '<th scope="row">Subsidy rate</th>' in r.text and "Check the source." in r.text
    assert "Subsidiepercentage</th>" not in r.text
    # The text itself is Dutch: a notice for the part, and the Dutch part marked as Dutch.
    assert "Part of this content is only available in Dutch." in r.text
    assert "This content is only available in Dutch." not in r.text
    assert '<article class="kb-detail" aria-labelledby="kb-title" lang="nl">' in r.text
    assert '<h1 id="kb-title" lang="en">Robot subsidy</h1>' in r.text
    client.cookies.set("loket_lang", "nl")
    r = client.get("/regelingen/robots")
    assert '<th scope="row">Subsidiepercentage</th>' in r.text and "Check the source." not in r.text
    assert "A subsidy for robots." not in r.text


def test_english_search_finds_the_translation_and_shows_it(client: LoketClient,
                                                           session: Session, taxonomy: None,
                                                           drain: Callable[[], int]) -> None:
    create_item(session, title="Verspilling wegnemen", slug="verspilling",
                summary="Een waardestroomanalyse.", title_en="Removing waste",
                summary_en="A value stream map shows where time is lost.")
    create_item(session, title="Slim roosteren", slug="roosteren",
                summary="Een rooster dat meebeweegt.")
    session.commit()
    drain()
    client.cookies.set("loket_lang", "en")
    r = client.get("/zoeken", params={"q": "value stream maps"})
    assert ">Removing waste</a>" in r.text and "where time is lost" in r.text
    assert "Verspilling wegnemen" not in r.text and "Slim roosteren" not in r.text
    # A Dutch-only hit keeps its Dutch title, marked as Dutch.
    r = client.get("/zoeken", params={"q": "rooster"})
    assert "Slim roosteren" in r.text and '<li lang="nl">' in r.text
    client.cookies.set("loket_lang", "nl")
    r = client.get("/zoeken", params={"q": "verspilling"})
    assert "Verspilling wegnemen" in r.text and "Removing waste" not in r.text


def test_shown_falls_back_per_field() -> None:
    item = ContentItem(type="practice", slug="x", title="Titel", summary="Samenvatting",
                       body_md="Tekst", title_en="Title")
    en = shown(item, lang="en")
    assert (en.title, en.summary, en.body_md) == ("Title", "Samenvatting", "Tekst")
    assert (en.title_lang, en.summary_lang, en.body_lang, en.translation) == (
        "en", "nl", "nl", "partial")
    assert shown(item, lang="nl").title == "Titel"
    assert shown(ContentItem(type="practice", slug="y", title="T"), lang="en").translation == "none"


def test_editor_saves_and_shows_the_english_fieldset(editor_client: LoketClient,
                                                     session: Session, taxonomy: None) -> None:
    page = editor_client.get("/redactie/nieuw/scheme")
    assert "<legend>" in page.text and 'name="title_en"' in page.text
    assert 'name="terms_note_en"' in page.text
    form = {"title": "Leerregeling", "summary": "Subsidie voor leren.", "body_md": "Tekst.",
            "title_en": "Learning scheme", "summary_en": "A subsidy for learning.",
            "body_md_en": "Text.", "terms_note_en": "Check the source.", "kind": "subsidy",
            "budget_status": "open", "lang": "nl", "action": "save",
            "term_sources": ("2026 | Subsidiepercentage | 40% | "
                             "https://www.rvo.nl/subsidies-financiering/leren | | "
                             "Subsidy rate | 40%")}
    r = editor_client.post("/redactie/nieuw/scheme", data=form)
    assert r.status_code == 303, r.text
    session.expire_all()
    item = session.exec(select(ContentItem).where(ContentItem.slug == "leerregeling")).one()
    assert (item.title_en, item.summary_en, item.body_md_en) == (
        "Learning scheme", "A subsidy for learning.", "Text.")
    terms = session.get(SchemeTerms, item.id)
    assert terms is not None and terms.terms_note_en == "Check the source."
    assert terms.term_sources[0]["term_en"] == "Subsidy rate"
    page = editor_client.get(r.headers["location"])
    assert "Learning scheme" in page.text and "| Subsidy rate | 40%" in page.text


# --- the seed ---------------------------------------------------------------------------------

def _numbers(text: str, dutch: bool) -> set[str]:
    """Figures in a text, as numbers: 24.999 and 24,999 are both 24999; 7,56 and 7.56 are 7.56."""
    out = set()
    for raw in re.findall(r"\d[\d.,]*\d|\d", text):
        thousands, decimal = (".", ",") if dutch else (",", ".")
        value = re.sub(re.escape(thousands) + r"(?=\d{3}(?:\D|$))", "", raw)
        value = value.replace(decimal, ".")
        out.add(value.rstrip("."))
    return out


def test_every_seeded_scheme_has_its_summary_and_terms_in_english() -> None:
    for scheme in _yaml("schemes.yaml"):
        en = scheme.get("en") or {}
        assert en.get("title") and en.get("summary"), scheme["slug"]
        assert en.get("terms_note") or not scheme.get("terms_note"), scheme["slug"]
        for term in scheme.get("term_sources") or []:
            assert term.get("term_en") and term.get("value_en"), (scheme["slug"], term)
            # A translation adds no figure: every number in English is in the Dutch value.
            extra = _numbers(term["value_en"], False) - _numbers(term["value"], True)
            assert not extra, (scheme["slug"], term["value_en"], extra)
        for key in ("summary", "terms_note"):
            if en.get(key):
                extra = _numbers(en[key], False) - _numbers(scheme[key], True)
                assert not extra, (scheme["slug"], key, extra)


def most_read_practices() -> list[str]:
    """The rule of seed/README.md: without read counts, the "most-read" practices are those
    the scan's advice shows nationally (scan.service.nearest_items: per weak dimension the
    first 3 practices of its themes, national ones, most shared themes first, then by title),
    for every dimension in order, then the practices and case studies the relevance set's
    English queries expect, in file order, up to 20."""
    scan = yaml.safe_load((SEED / "scan" / "scan-v1.yaml").read_text(encoding="utf-8"))
    items = _yaml("practices.yaml")
    out: list[str] = []
    for advice in scan["advice"]:
        wanted = set(advice["themes"])
        national = [p for p in items if (p.get("type") or "practice") == "practice"
                    and wanted & set(p.get("themes") or [])
                    and (not p.get("regions") or "nl" in p["regions"])]
        national.sort(key=lambda p: (-len(wanted & set(p["themes"])), p["title"].lower()))
        out += [p["slug"] for p in national[:3] if p["slug"] not in out]
    relevance = Path(__file__).resolve().parents[1] / "search" / "relevance.yaml"
    slugs = {p["slug"] for p in items}
    for case in yaml.safe_load(relevance.read_text(encoding="utf-8")):
        if "english" not in (case.get("tags") or ()):
            continue
        for want in case["expect_top3"]:
            type_, _, slug = want.partition(":")
            if type_ in ("practice", "case_study") and slug in slugs and slug not in out:
                out.append(slug)
    return out[:20]


def test_the_twenty_most_read_practices_are_in_english() -> None:
    chosen = most_read_practices()
    assert len(chosen) == 20
    by_slug = {p["slug"]: p for p in _yaml("practices.yaml")}
    for slug in chosen:
        en = by_slug[slug].get("en") or {}
        assert en.get("title") and en.get("summary") and en.get("body"), slug
        # The same figures as the Dutch text: nothing added.
        extra = _numbers(en["body"], False) - _numbers(by_slug[slug]["body"], True)
        assert not extra, (slug, extra)
