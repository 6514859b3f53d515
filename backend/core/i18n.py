"""Dutch first, English second.

Message ids are English. Translations live in ``backend/locale/<lang>/*.po``, one catalog per
domain (``core.po``, ``accounts.po``, ``content.po`` …) so that work on different domains does
not collide in one file; they are merged and compiled in memory at start-up, so no build step
is needed.
The active language lives in a context variable so that templates, services and mails
all translate the same way.
"""

from __future__ import annotations

import gettext
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LANG_COOKIE = "loket_lang"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"

_current: ContextVar[str] = ContextVar("loket_lang", default=DEFAULT_LANGUAGE)


def get_language() -> str:
    return _current.get()


def set_language(lang: str) -> object:
    return _current.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def reset_language(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def load_catalog(lang: str) -> Catalog:
    """All ``*.po`` files of a language merged into one catalog."""
    merged = Catalog(locale=lang)
    for po in sorted((LOCALE_DIR / lang).glob("*.po")):
        with po.open("rb") as fh:
            part = read_po(fh, locale=lang)
        for message in part:
            if message.id and message.string and not message.fuzzy:
                merged.add(message.id, message.string, context=message.context)
    return merged


@lru_cache
def translations(lang: str) -> gettext.NullTranslations:
    catalog = load_catalog(lang)
    if not len(catalog):
        return gettext.NullTranslations()
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf)


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
