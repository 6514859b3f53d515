"""Dutch first, English second.

Message ids are English; ``backend/locale/<lang>/LC_MESSAGES/messages.po`` hold the
translations and are compiled in memory at start-up, so no build step is needed.
The active language lives in a context variable so that templates, services and mails
all translate the same way.
"""

from __future__ import annotations

import gettext
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
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


@lru_cache
def translations(lang: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
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


def pick_language(cookie: str | None, query: str | None = None) -> str:
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate  # type: ignore[return-value]
    return DEFAULT_LANGUAGE
