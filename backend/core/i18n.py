"""Dutch first, English second.

Message ids are English. Translations live in ``backend/locale/<lang>/*.po``, one catalog per
domain (``core.po``, ``accounts.po``, ``content.po`` …) so that work on different domains does
not collide in one file; they are merged and compiled at their first use, so no build step is
needed. The compiled catalog is kept in ``backend/locale/__pycache__/<lang>.mo`` with the
checksum of the ``.po`` files it was made from, as Python keeps bytecode: ``make install`` and
the Docker build write it (``warm_catalogs``), and a start reads it (parsing the ``.po`` files
cost the first page 50 ms of CPU; docs/benchmarks.md). A stale or missing file means compiling
in memory (and writing it when the folder is writable).
The active language lives in a context variable so that templates, services and mails
all translate the same way.
"""

from __future__ import annotations

import gettext
import hashlib
import logging
import os
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from babel.numbers import format_decimal
from babel.support import Translations

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LANG_COOKIE = "loket_lang"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
CATALOG_CACHE_DIR = LOCALE_DIR / "__pycache__"

_current: ContextVar[str] = ContextVar("loket_lang", default=DEFAULT_LANGUAGE)


def get_language() -> str:
    return _current.get()


def set_language(lang: str) -> object:
    return _current.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def reset_language(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def load_catalog(lang: str, locale_dir: Path = LOCALE_DIR) -> Catalog:
    """All ``*.po`` files of a language merged into one catalog."""
    # lazy: parsing .po files is only needed when the compiled catalog is stale (and for make i18n)
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po  # lazy: as above

    merged = Catalog(locale=lang)
    for po in sorted((locale_dir / lang).glob("*.po")):
        with po.open("rb") as fh:
            part = read_po(fh, locale=lang)
        for message in part:
            if message.id and message.string and not message.fuzzy:
                merged.add(message.id, message.string, context=message.context)
    return merged


def _checksum(lang: str, locale_dir: Path) -> bytes:
    """Of the language's ``.po`` files (names and contents): what the compiled one is made of."""
    digest = hashlib.sha256()
    for po in sorted((locale_dir / lang).glob("*.po")):
        digest.update(po.name.encode() + b"\0" + po.read_bytes() + b"\0")
    return digest.hexdigest().encode()


def compiled_catalog(lang: str, locale_dir: Path = LOCALE_DIR,
                     cache_dir: Path = CATALOG_CACHE_DIR) -> bytes:
    """The language's catalog as ``.mo`` bytes (empty: no translations): read from
    ``cache_dir`` while its checksum matches the ``.po`` files, else compiled and written there
    (an unwritable folder only means compiling again at the next start)."""
    checksum = _checksum(lang, locale_dir)
    cached = cache_dir / f"{lang}.mo"
    try:
        head, _, mo = cached.read_bytes().partition(b"\n")
        if head == checksum:
            return mo
    except OSError:
        pass
    # lazy: only when the compiled catalog is missing or stale
    from babel.messages.mofile import write_mo

    catalog = load_catalog(lang, locale_dir)
    buf = BytesIO()
    if len(catalog):
        write_mo(buf, catalog, use_fuzzy=False)
    mo = buf.getvalue()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        tmp.write_bytes(checksum + b"\n" + mo)
        tmp.replace(cached)  # whole, for a process reading it at the same time
    except OSError:
        logging.getLogger("loket").debug("catalog cache %s not writable", cache_dir)
    return mo


@lru_cache
def translations(lang: str) -> gettext.NullTranslations:
    mo = compiled_catalog(lang)
    if not mo:
        return gettext.NullTranslations()
    return Translations(fp=BytesIO(mo))


def warm_catalogs() -> None:
    """Load (and, when stale, compile and keep) every language's catalog: ``make install``,
    the Docker build and the start-up thread call it."""
    for lang in LANGUAGES:
        translations(lang)


def gettext_(message: str, **params: object) -> str:
    text = translations(get_language()).gettext(message)
    return text % params if params else text


def ngettext_(singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(get_language()).ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


_ = gettext_


def format_count(n: int) -> str:
    """A count as people read it in the current language: 5.000 in Dutch, 5,000 in English
    (for limits in messages: "te lang (hoogstens 5.000 tekens)")."""
    return format_decimal(n, locale=get_language())


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet (class attributes, constants
    that are translated later, e.g. error messages shown through ``gettext_``)."""
    return message


def pick_language(cookie: str | None, query: str | None = None) -> str:
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE
