"""Every UI string has a Dutch translation; the language switch works and stays on this site.

The completeness test covers every domain: it extracts the message ids of all of
``backend/**/*.py`` and ``templates/**/*.html`` (as ``make i18n`` does, following babel.cfg)
and checks them against all Dutch catalogs merged (``backend/locale/nl/*.po``). When it fails,
run ``make i18n``: the missing ids are appended to the right ``<domain>.po``, ready to translate.
"""

from __future__ import annotations

import gettext
import importlib
import pkgutil
import re
import shutil
from io import BytesIO
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment

import backend
from backend.core import i18n, i18n_extract, templating
from backend.core.errors import LoketError
from backend.core.i18n import LOCALE_DIR, compiled_catalog, load_catalog, translations
from backend.core.i18n_extract import Message, domain_for, extract_messages, is_translated
from tests.client import LoketClient

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def _where(message: Message) -> str:
    return ", ".join(f"{path}:{line}" for path, line in message.locations[:3])


def test_every_message_has_a_dutch_translation() -> None:
    messages = extract_messages()
    # sanity: the extraction sees Python and templates, keywords included
    assert "Skip to content" in messages  # templates/base.html
    assert "Search the knowledge base" in messages  # backend/site/doors.py via _()
    catalog = load_catalog("nl")
    missing = [m for m in messages.values() if not is_translated(catalog, m.id)]
    report = "\n".join(f"  backend/locale/nl/{m.domain}.po: {m.key!r}  ({_where(m)})"
                       for m in sorted(missing, key=lambda m: (m.domain, m.key)))
    if missing:
        pytest.fail(f"{len(missing)} message(s) without a Dutch translation "
                    f"(run `make i18n`, then translate):\n{report}", pytrace=False)


def _all_error_classes() -> set[type[LoketError]]:
    for module in pkgutil.walk_packages(backend.__path__, "backend."):
        if module.name.endswith("__main__") or module.name == "backend.cli":
            continue
        try:
            importlib.import_module(module.name)
        except Exception:  # noqa: S112 - a module that cannot import fails its own tests
            continue
    found: set[type[LoketError]] = set()
    todo = [LoketError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_error_messages_have_dutch_translations() -> None:
    """Domain errors are shown translated (``gettext_(exc.message)``) on every page."""
    catalog = load_catalog("nl")
    missing = sorted({f"{cls.__module__}.{cls.__qualname__}: {cls.message!r}"
                      for cls in _all_error_classes()
                      if "message" in vars(cls) and not is_translated(catalog, cls.message)})
    if missing:
        pytest.fail("error messages without a Dutch translation (add them to the domain's .po):"
                    "\n  " + "\n  ".join(missing), pytrace=False)


def _texts(value: object) -> list[str]:
    """A message id or string as a list (plural forms are tuples)."""
    return [str(v) for v in value] if isinstance(value, tuple | list) else [str(value)]


def _po_files() -> list[Path]:
    return sorted((LOCALE_DIR / "nl").glob("*.po"))


@pytest.mark.parametrize("po", _po_files(), ids=lambda p: p.name)
def test_catalog_is_valid_and_keeps_placeholders(po: Path) -> None:
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="nl")
    assert catalog.locale is not None and str(catalog.locale) == "nl"
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = _texts(message.id)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for text in _texts(message.string):
            if text:
                assert set(PLACEHOLDER.findall(text)) == wanted, (
                    f"{po.name}: {message.id!r} -> {text!r} changes the %(name)s placeholders")


def test_no_message_is_translated_differently_in_two_catalogs() -> None:
    seen: dict[str, tuple[str, object]] = {}
    conflicts = []
    for po in _po_files():
        with po.open("rb") as fh:
            for message in read_po(fh, locale="nl"):
                if not message.id or not message.string:
                    continue
                key = _texts(message.id)[0]
                if key in seen and seen[key][1] != message.string:
                    conflicts.append(f"{key!r}: {seen[key][0]} vs {po.name}")
                seen.setdefault(key, (po.name, message.string))
    assert not conflicts, "translated differently in two catalogs:\n  " + "\n  ".join(conflicts)


def test_domain_of_a_message_follows_its_file() -> None:
    assert domain_for("templates/base.html") == "core"
    assert domain_for("templates/errors/error.html") == "core"
    assert domain_for("backend/site/doors.py") == "core"
    assert domain_for("backend/core/errors.py") == "core"
    assert domain_for("backend/search/service.py") == "search"
    assert domain_for("templates/search/page.html") == "search"
    assert domain_for("backend/accounts/login.py") == "accounts"
    assert domain_for("backend/ops/routes_admin.py") == "ops"


def test_make_i18n_appends_untranslated_messages_to_their_domain(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = [Message("A brand-new search label", [("templates/search/page.html", 3)]),
            Message(("%(num)s result", "%(num)s results"), [("backend/search/views.py", 9)]),
            Message("A new core string", [("templates/base.html", 1)])]
    monkeypatch.setattr(i18n_extract, "untranslated", lambda lang, messages=None: fake)
    added = i18n_extract.add_untranslated("nl", locale_dir=tmp_path)
    assert added == {"search": 2, "core": 1}
    with (tmp_path / "nl" / "search.po").open("rb") as fh:
        search = read_po(fh, locale="nl")
    assert search["A brand-new search label"].string == ""
    assert search["%(num)s result"].id == ("%(num)s result", "%(num)s results")
    assert search.plural_forms == "nplurals=2; plural=(n != 1);"
    assert (tmp_path / "nl" / "core.po").exists()


# --- the language switch ---------------------------------------------------------------------

def test_language_switch_changes_the_home_page_to_english_and_back(client: LoketClient) -> None:
    r = client.get("/")
    assert '<html lang="nl">' in r.text and "Ga direct naar de inhoud" in r.text
    r = client.get("/taal/en", params={"next": "/"})
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "loket_lang=en" in r.headers["set-cookie"]
    r = client.get("/")
    assert '<html lang="en">' in r.text
    assert "One door to a more productive business" in r.text
    assert "Skip to content" in r.text and "Ga direct naar de inhoud" not in r.text
    r = client.get("/taal/nl", params={"next": "/"})
    assert "loket_lang=nl" in r.headers["set-cookie"]
    r = client.get("/")
    assert '<html lang="nl">' in r.text and "Eén loket voor een productiever bedrijf" in r.text


def test_switch_link_returns_to_the_same_page_with_its_query(client: LoketClient) -> None:
    r = client.get("/toegankelijkheid", params={"a": "1 2", "b": "x"})
    match = re.search(r'href="(/taal/en\?next=[^"]+)"', r.text)
    assert match
    r = client.get(match.group(1).replace("&amp;", "&"))
    assert r.headers["location"] == "/toegankelijkheid?a=1+2&b=x"


def test_unknown_language_changes_nothing(client: LoketClient) -> None:
    r = client.get("/taal/fr", params={"next": "/"})
    assert r.status_code == 303
    assert not [c for c in r.headers.get_list("set-cookie") if c.startswith("loket_lang=")]
    assert '<html lang="nl">' in client.get("/").text


@pytest.mark.parametrize("target", [
    "//evil.example/", "https://evil.example/", "http:evil.example", "/\\evil.example",
    "\\\\evil.example", "/\t/evil.example", "/%2F/evil.example", " //evil.example",
    "javascript:alert(1)", "evil.example", "",
])
def test_next_cannot_leave_the_site(client: LoketClient, target: str) -> None:
    r = client.get("/taal/en", params={"next": target})
    assert r.status_code == 303
    resolved = urljoin("http://testserver/taal/en", r.headers["location"])
    assert urlsplit(resolved).netloc == "testserver", r.headers["location"]
    assert urlsplit(resolved).scheme == "http"


@pytest.mark.parametrize(("path", "status", "english"), [
    ("/", 200, "What do you want to do?"),
    ("/toegankelijkheid", 200, "Enforcement procedure"),
    ("/bestaat-niet", 404, "Page not found"),
])
def test_pages_render_in_english_with_lang_en(client: LoketClient, path: str, status: int,
                                              english: str) -> None:
    client.cookies.set("loket_lang", "en")
    r = client.get(path)
    assert r.status_code == status
    assert '<html lang="en">' in r.text
    assert english in r.text
    assert 'lang="nl" hreflang="nl">Nederlands</a>' in r.text  # the way back, marked as Dutch


def test_error_messages_are_translated_on_pages(client: LoketClient) -> None:
    r = client.get("/bestaat-niet")
    assert "Deze pagina of dit onderdeel bestaat niet (meer)." in r.text
    client.cookies.set("loket_lang", "en")
    assert "This page or item does not exist (any more)." in client.get("/bestaat-niet").text


def _messages(mo: bytes) -> dict[str | tuple[str, int], str]:
    return dict(Translations(fp=BytesIO(mo))._catalog) if mo else {}


def test_compiled_catalog_is_kept_and_follows_its_po_files(tmp_path: Path) -> None:
    """The ``.mo`` kept in the cache folder is the one compiling the ``.po`` files gives; it is
    read back while they are unchanged and made again when one changes."""
    locale, cache = tmp_path / "locale", tmp_path / "cache"
    shutil.copytree(LOCALE_DIR / "nl", locale / "nl")
    fresh = BytesIO()
    write_mo(fresh, load_catalog("nl", locale), use_fuzzy=False)

    first = compiled_catalog("nl", locale, cache)
    assert _messages(first) == _messages(fresh.getvalue())
    assert _messages(first)["Skip to content"] == "Ga direct naar de inhoud"
    kept = (cache / "nl.mo").read_bytes()
    assert kept.partition(b"\n")[2] == first

    # read back, not compiled: a marker put into the kept catalog comes out
    (cache / "nl.mo").write_bytes(kept.replace(b"Ga direct naar de inhoud",
                                               b"Ga DIRECT naar de inhoud"))
    assert _messages(compiled_catalog("nl", locale, cache))["Skip to content"] == (
        "Ga DIRECT naar de inhoud")

    # a changed .po file makes it stale: compiled again, and kept
    core = locale / "nl" / "core.po"
    text = core.read_text(encoding="utf-8")
    assert 'msgstr "Ga direct naar de inhoud"' in text
    core.write_text(text.replace('msgstr "Ga direct naar de inhoud"',
                                 'msgstr "Direct naar de inhoud"'), encoding="utf-8")
    again = compiled_catalog("nl", locale, cache)
    assert _messages(again)["Skip to content"] == "Direct naar de inhoud"
    assert (cache / "nl.mo").read_bytes().partition(b"\n")[2] == again


def test_compiled_catalog_without_a_writable_cache_or_translations(tmp_path: Path) -> None:
    locale = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR / "nl", locale / "nl")
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    mo = compiled_catalog("nl", locale, blocked / "cache")  # cannot be written: compiled anyway
    assert _messages(mo)["Skip to content"] == "Ga direct naar de inhoud"
    assert compiled_catalog("en", locale, tmp_path / "cache") == b""  # English: the ids
    assert type(translations("en")) is gettext.NullTranslations


# --- messages in templates -------------------------------------------------------------------

def test_template_messages_are_kept_per_language_and_say_what_jinja_says() -> None:
    """``_()`` and ``gettext()`` in templates keep a message's text per catalog (no variables
    only): the same text as Jinja's own newstyle gettext, in each language, escaped or not."""
    jinja = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    jinja.install_gettext_callables(  # type: ignore[attr-defined]
        lambda m: i18n.translations(i18n.get_language()).gettext(m),
        lambda s, p, n: i18n.translations(i18n.get_language()).ngettext(s, p, n),
        newstyle=True)
    source = ('{{ _("Why not") }}|{{ gettext("Good to know") }}|{{ _("100%% sure") }}|'
              '{{ _("Closes on %(date)s", date="<b>") }}|{% trans %}Why not{% endtrans %}|'
              '{% autoescape false %}{{ _("Why not") ~ "<i>" }}{% endautoescape %}|'
              '{{ _("Why not") ~ "<i>" }}')
    ours, theirs = templating.env.from_string(source), jinja.from_string(source)
    seen = []
    for lang in ("nl", "en", "nl", "en"):
        token = i18n.set_language(lang)
        try:
            text = ours.render()
            assert text == theirs.render()
            seen.append(text)
        finally:
            i18n.reset_language(token)
    assert seen[0] == seen[2] != seen[1] == seen[3]
    assert seen[0].startswith("Waarom niet|Goed om te weten|100% sure|Sluit op &lt;b&gt;|")
    # a message is trusted text (Markup) where the template escapes, plain text where not
    assert seen[0].endswith("|Waarom niet<i>|Waarom niet&lt;i&gt;")
    assert any(key[1] == "Why not" for key in templating._kept_messages)
    assert not any(key[1] == "Closes on %(date)s" for key in templating._kept_messages)
