"""Jinja2 environment with i18n, and the render helper that serves HTMX fragments.

A page template defines named blocks; an HTMX request (``HX-Request``) for a page gets only
the named block, a normal request the whole page. Responses say ``Vary: HX-Request`` so
caches keep the two apart. A form answered with 400/422 goes back whole to htmx too,
retargeted at ``<main>``, so its errors show as they do without JavaScript.
"""

from __future__ import annotations

import hashlib
import logging
from collections import ChainMap
from collections.abc import Callable, KeysView, Mapping, MutableMapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, pass_context
from jinja2.bccache import Bucket
from jinja2.runtime import Context
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup

from backend.core import i18n
from backend.core.settings import ROOT

TEMPLATE_DIR = ROOT / "templates"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class TemplateBytecode(FileSystemBytecodeCache):
    """Compiled templates kept on disk, as Python keeps bytecode: ``make install`` and the
    Docker build compile every template once (``warm_templates``), and a start only loads them
    (issue 19: compiling the ~100 templates cost every start 0.5–1 s of CPU).
    An entry is used only while its template's source is unchanged (Jinja checks a checksum),
    and the folder's name carries the environment's options, which the code depends on too. A
    folder the server cannot write (a read-only image) only means compiling in memory."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            logging.getLogger("loket").debug("template cache %s not writable", self.directory)


class _Globals(ChainMap[str, Any]):
    """A template's globals, as Jinja makes them (its own over the environment's), whose
    ``keys()`` is a plain dict's: at every ``{% import %}`` and ``{% from ... import %}`` Jinja
    subtracts them from a set (``Template._get_default_module``), which through ChainMap's
    Python ``__contains__`` cost 50 us an import (two on the finder, one on most pages;
    docs/benchmarks.md, h10-pages). The keys are read at once there, so a copy serves."""

    def keys(self) -> KeysView[str]:
        return dict.fromkeys(self).keys()


class _Environment(Environment):
    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return _Globals(d or {}, self.globals)


env = _Environment(
    loader=FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
    auto_reload=False,
    # Every template kept, in a plain dict: the templates are files, a few hundred; Jinja's
    # default LRU cache (400) moved the template to the front of a deque on every
    # ``get_template`` (the page, its layout and each import).
    cache_size=-1,
)
templates = Jinja2Blocks(env=env)
env.install_gettext_callables(  # type: ignore[attr-defined]
    lambda message: i18n.translations(i18n.get_language()).gettext(message),
    lambda s, p, n: i18n.translations(i18n.get_language()).ngettext(s, p, n),
    newstyle=True,
)
_jinja_gettext = cast(Callable[..., str], env.globals["gettext"])
_KEPT_MESSAGES = 8192  # (catalog, message, autoescape): the templates' own messages, twice
_kept_messages: dict[tuple[object, str, bool], str] = {}


@pass_context
def _gettext(context: Context, message: str, **variables: Any) -> str:
    """Jinja's newstyle ``gettext`` (translate, ``Markup`` when autoescaping, then ``%``
    with the variables, always), kept per catalog and message when there are no variables:
    a page asks for 25-40 messages, each through two ``Context.call`` s, a ``Markup`` and a
    ``%`` (4-8 us apiece, 0.1-0.3 ms a page; docs/benchmarks.md, h10-pages). Also ``_``,
    which Jinja otherwise points at ``gettext`` through one more call."""
    if variables:
        return _jinja_gettext(context, message, **variables)
    key = (i18n.translations(i18n.get_language()), message, context.eval_ctx.autoescape)
    text = _kept_messages.get(key)
    if text is None:
        text = _jinja_gettext(context, message)
        if len(_kept_messages) < _KEPT_MESSAGES:  # a message made of data is not kept forever
            _kept_messages[key] = text
    return text


env.globals["gettext"] = env.globals["_"] = _gettext
# The compiled code depends on these (and on the template's source, which Jinja checks).
_OPTIONS = repr((env.autoescape, env.trim_blocks, env.lstrip_blocks, sorted(env.extensions),
                 env.newstyle_gettext, env.block_start_string,  # type: ignore[attr-defined]
                 env.variable_start_string, env.comment_start_string))
CACHE_DIR = TEMPLATE_DIR / "__pycache__" / (
    "jinja-" + hashlib.sha256(_OPTIONS.encode()).hexdigest()[:12])


def _bytecode_cache() -> TemplateBytecode | None:
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
    except OSError:
        if not CACHE_DIR.is_dir():
            return None
    return TemplateBytecode(str(CACHE_DIR))


env.bytecode_cache = _bytecode_cache()


# One date format everywhere (issue 15: three formats, and English month names on Dutch pages):
# "7 december 2026, 09:33" for a moment, "7 december 2026" for a day, in the page's language and
# Amsterdam time. ``|date`` and ``|date("short")`` both give it; only a time ("HH:mm") differs.
DATETIME_FORMAT = "d MMMM y, HH:mm"
ONE_FORMAT = frozenset({"long", "short", "medium"})


def _fmt_date(value: date | datetime | None, fmt: str = "long") -> str:
    if value is None:
        return ""
    return _formatted_date(value, fmt, i18n.get_language())


@lru_cache(maxsize=8192)
def _formatted_date(value: date | datetime, fmt: str, lang: str) -> str:
    """Babel's formatting costs ≈ 50 µs; an inbox page shows 50 rows with two dates each, the
    same ones on every visit, so results are kept (a pure function of its arguments)."""
    if isinstance(value, datetime):
        return format_datetime(value, format=DATETIME_FORMAT if fmt in ONE_FORMAT else fmt,
                               locale=lang, tzinfo=AMSTERDAM)
    return format_date(value, format="long" if fmt in ONE_FORMAT else fmt, locale=lang)


def _fmt_number(value: float | int | None, fmt: str | None = None) -> str:
    if value is None:
        return ""
    return _formatted_number(value, fmt, i18n.get_language())


@lru_cache(maxsize=8192)
def _formatted_number(value: float | int, fmt: str | None, lang: str) -> str:
    """Babel's number formatting costs ≈ 40 µs (it parses the pattern each time); the pages
    show the same amounts and rates on every visit. A pure function of its arguments."""
    return format_decimal(value, format=fmt, locale=lang)


def _stored_text(value: str | None) -> str:
    """A stored text that is either one of our message ids (translated) or what someone typed
    (a revision note). Unlike ``_()``, whose new-style gettext marks its result safe and
    %-formats it, this returns plain text that autoescaping handles."""
    if not value:
        return ""
    return i18n.translations(i18n.get_language()).gettext(value)


env.filters["date"] = _fmt_date
env.filters["stored_text"] = _stored_text
env.filters["number"] = _fmt_number
env.globals["LANGUAGES"] = i18n.LANGUAGES


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and not request.headers.get(
        "hx-history-restore-request"
    )


def base_context(request: Request) -> dict[str, Any]:
    state = request.scope.get("state", {})
    return {
        "request": request,
        "lang": i18n.get_language(),
        "csrf_token": state.get("csrf_token", ""),
        "principal": state.get("principal"),
        "flash": state.get("flash_messages", []),
        "settings": request.app.state.settings,
    }


# Statuses that htmx swaps although they are errors: a form with invalid input (see base.html).
SWAPPED_ERRORS = frozenset({400, 422})


def render(request: Request, template: str, context: Mapping[str, Any] | None = None, *,
           block: str | None = None, status_code: int = 200,
           headers: Mapping[str, str] | None = None) -> HTMLResponse:
    ctx = base_context(request)
    if context:
        ctx.update(context)
    if status_code in SWAPPED_ERRORS and is_htmx(request):
        # A form with errors: htmx swaps 400/422 (base.html's ``responseHandling``), but the
        # errors sit in the form and the summary above it, outside any results block (and an
        # error page is a whole page). The whole page goes back and htmx puts its <main> in
        # place of ours, so a person with JavaScript sees what a person without it sees;
        # loket.js focuses the summary.
        headers = {**(headers or {}), "HX-Retarget": "#main", "HX-Reselect": "#main",
                   "HX-Reswap": "outerHTML"}
        block = None
    if block is not None and is_htmx(request):
        # Starlette's template response is an HTMLResponse; the stubs only say Response.
        response = cast(HTMLResponse, templates.TemplateResponse(
            request, template, ctx, block_name=block, status_code=status_code,
            headers=dict(headers or {})))
    else:
        response = cast(HTMLResponse, templates.TemplateResponse(
            request, template, ctx, status_code=status_code, headers=dict(headers or {})))
    response.headers["Vary"] = "HX-Request, Cookie"
    return response


def render_error(request: Request, status: int, message: str, *, code: str,
                 fields: Mapping[str, str], headers: Mapping[str, str] | None) -> Response:
    return render(request, "errors/error.html",
                  {"status": status, "message": i18n.gettext_(message), "code": code,
                   "fields": fields}, status_code=status, headers=headers)


def markup(html: str) -> Markup:
    """Mark HTML as safe. Only for output of the sanitiser or of our own templates."""
    return Markup(html)  # noqa: S704 - callers pass sanitised HTML only


def warm_templates() -> int:
    """Compile every page template once (Jinja keeps them: ``auto_reload`` is off), so the
    first visitor after a start does not wait for the compiler (issue 19: the first page took
    0.31 s). Run from a background thread at start-up; returns how many were compiled. A
    template that does not compile is left for its first request to report."""
    done = 0
    for name in env.list_templates(extensions=["html"]):
        try:
            env.get_template(name)
        except Exception:  # its page raises the same error, with its context
            logging.getLogger("loket").debug("template %s did not compile", name)
            continue
        done += 1
    return done
