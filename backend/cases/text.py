"""Turning case texts into HTML, and stripping personal data for publication.

Advisors write answers in Markdown. The knowledge base's sanitising renderer
(``backend.content.markdown.render_markdown``) is used when present; until then the text is
escaped and shown as plain paragraphs, which is safe too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape


def _plain(text: str) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(
        "<p>" + str(escape(p)).replace("\n", "<br>\n") + "</p>" for p in paragraphs)


def render_markdown(text: str) -> Markup:
    """Sanitised HTML for an advisor's Markdown (or the entrepreneur's plain text)."""
    try:
        from backend.content.markdown import render_markdown as content_render
    except ImportError:
        return Markup(_plain(text))  # noqa: S704 - escaped above
    return Markup(str(content_render(text)))  # noqa: S704 - sanitised by the content renderer


def render_plain(text: str) -> Markup:
    """The entrepreneur's own text: never interpreted, only paragraphs and line breaks."""
    return Markup(_plain(text))  # noqa: S704 - escaped


EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"(?<!\w)(?:\+31|0031|0)[\s-]?(?:\d[\s-]?){8,9}(?!\w)")
KVK_RE = re.compile(r"(?<!\d)\d{8}(?!\d)")
POSTCODE_RE = re.compile(r"\b\d{4}\s?[A-Z]{2}\b")
URL_PERSONAL_RE = re.compile(r"https?://\S*(?:vraag/volgen|mijn-vraag)\S*")

REDACTED = "[…]"
# Name particles that are also ordinary Dutch words: never removed on their own.
PARTICLES = frozenset({"van", "der", "den", "de", "het", "ter", "ten", "te", "op", "in", "la",
                       "le", "du", "von", "bij", "uit", "aan", "tot", "voor"})


def anonymise(text: str, *, names: Iterable[str] = (), extra: Iterable[str] = ()) -> str:
    """Remove e-mail addresses, phone numbers, KvK numbers, postcodes, private links and the
    given names (and their parts) from ``text``. Meant as a first pass; the advisor reviews."""
    out = URL_PERSONAL_RE.sub(REDACTED, text)
    out = EMAIL_RE.sub(REDACTED, out)
    out = PHONE_RE.sub(REDACTED, out)
    out = KVK_RE.sub(REDACTED, out)
    out = POSTCODE_RE.sub(REDACTED, out)
    words: set[str] = set()
    for name in names:
        name = (name or "").strip()
        if not name:
            continue
        words.add(name)
        # Parts of a name ("Jan de Vries" → "Jan", "Vries"), skipping short particles.
        words.update(p for p in re.split(r"[\s,]+", name)
                     if len(p) >= 3 and p.lower() not in PARTICLES)
    words.update(e for e in extra if e and len(e) >= 3)
    for word in sorted(words, key=len, reverse=True):
        out = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", REDACTED, out, flags=re.IGNORECASE)
    return out
