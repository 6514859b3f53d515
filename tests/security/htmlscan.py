"""Find what an XSS payload would have injected into a page: parse the HTML, do not grep it.

``scan(html)`` parses a page or an HTMX fragment with the standard library's HTML parser (it
tokenises like a browser: unquoted attributes, stray quotes and broken markup all become
elements and attributes, as they would in Chromium) and reports every construct that must come
from a payload, never from Loket's own templates:

- a ``<script>`` that is not one of the page's own ``/static/`` files, or has inline code;
- an event-handler attribute (``on*``): Loket's templates have none (strict CSP);
- an element whose ``id`` (or ``name``) starts with ``xss``: every marked payload uses one;
- an ``hx-*`` / ``data-hx-*`` attribute whose value carries a payload marker (``xss``,
  ``alert(``, ``javascript:``) or that sits on an element with an injected id: Loket's own
  ``hx-*`` attributes never do (an escaped payload in the ``value`` of an input that has
  Loket's own ``hx-get`` is fine);
- a ``javascript:``/``vbscript:``/``data:`` URL in a URL-bearing attribute (``data:`` images
  excepted: the CSP allows them and they cannot run script in an ``<img>``);
- an element Loket never renders (``iframe``, ``object``, ``embed``, ``base``, ``frame``,
  ``marquee``, ``style``, an external stylesheet, a refresh ``<meta>``, a form posting away);
- a ``style`` attribute with ``url(`` or ``expression(``;
- the product of a template-injection payload (``{{ 7*7777777 }}`` evaluated).

``Scan.text`` is the page's text and attribute values (entities decoded, whitespace removed),
for checking that a payload really reached the page, escaped, so a test cannot pass vacuously.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from tests.security.xss_payloads import TEMPLATE_PRODUCTS

URL_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href", "background",
             "poster", "srcdoc", "codebase", "cite", "lowsrc", "dynsrc", "ping"}
FOREIGN_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet", "marquee",
                "style", "isindex", "portal"}
MARKERS = ("xss", "alert(", "javascript:")
_WS = re.compile(r"\s+")
_CTRL = re.compile(r"[\x00-\x20]+")


def squash(text: str) -> str:
    """Whitespace removed: pages wrap, indent and break lines where the value did not."""
    return _WS.sub("", text)


@dataclass
class Scan:
    problems: list[str] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return squash("".join(self.text_parts))

    def contains(self, value: str) -> bool:
        return squash(value) in self.text


def _bad_url(value: str) -> bool:
    v = _CTRL.sub("", value).lower()
    if v.startswith("data:image/") and "svg" not in v:
        return False
    return v.startswith(("javascript:", "vbscript:", "data:"))


class _Scanner(HTMLParser):
    def __init__(self, scan: Scan) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = scan
        self.in_script = False

    def _problem(self, what: str) -> None:
        self.scan.problems.append(what)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        shown = " ".join(f"{n}={v!r}" for n, v in attrs)[:160]
        for _name, value in attrs:
            if value:
                self.scan.text_parts.append(" " + value + " ")
        injected_id = values.get("id", "").lower().startswith("xss")
        if tag == "script":
            self.in_script = True
            src = values.get("src", "")
            if not src.startswith("/static/"):
                self._problem(f"<script> not from /static/: {shown}")
        if tag in FOREIGN_TAGS:
            self._problem(f"<{tag}> injected: {shown}")
        if tag == "link" and not values.get("href", "").startswith("/static/"):
            self._problem(f"<link> to elsewhere: {shown}")
        if tag == "meta" and "http-equiv" in values:
            self._problem(f"<meta http-equiv>: {shown}")
        if tag == "form" and values.get("action", "/")[:1] not in ("/", "?", ""):
            self._problem(f"<form> posting away: {shown}")
        for name, value in values.items():
            if name.startswith("on"):
                self._problem(f"event handler {name} on <{tag}>: {shown}")
            if name in ("id", "name") and value.lower().startswith("xss"):
                self._problem(f"element with injected id on <{tag}>: {shown}")
            if name.startswith(("hx-", "data-hx-")) and (
                    injected_id or any(m in value.lower() for m in MARKERS)):
                self._problem(f"injected {name} on <{tag}>: {shown}")
            if name in URL_ATTRS and _bad_url(value):
                self._problem(f"{name}={value[:40]!r} on <{tag}>")
            if name == "style" and re.search(r"url\(|expression\(", value, re.I):
                self._problem(f"style with code on <{tag}>: {shown}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self._problem(f"inline script code: {data[:80]!r}")
        self.scan.text_parts.append(data)


def scan(html: str) -> Scan:
    result = Scan()
    parser = _Scanner(result)
    parser.feed(html)
    parser.close()
    for product in TEMPLATE_PRODUCTS:
        if product in html:
            result.problems.append(f"template expression evaluated: {product}")
    return result
