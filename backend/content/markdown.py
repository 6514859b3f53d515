"""Markdown for content bodies: rendered safely, and flattened to plain text for search.

Two layers, because either alone has failed somewhere before: markdown-it-py with raw HTML off
(CommonMark plus tables and strikethrough; it escapes ``<script>`` as text and refuses
``javascript:`` links), then nh3 with a short allow-list of tags and attributes and only
http(s)/mailto/tel URLs, so no script, event handler, style or ``hx-*`` attribute can reach
the page even if the first layer is wrong.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import nh3

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"scope"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
LINK_REL = "noopener nofollow ugc"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # lazy: markdown-it-py is 0.03 s of every cold start; the first body rendered loads it
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])

    # Headings move one level down: the page's own <h1> is the item title.
    def heading_open(self: object, tokens: list[Token], idx: int, options: object,
                     env: object) -> str:
        tok = tokens[idx]
        level = min(6, int(tok.tag[1]) + 1)
        return f"<h{level}>"

    def heading_close(self: object, tokens: list[Token], idx: int, options: object,
                      env: object) -> str:
        level = min(6, int(tokens[idx].tag[1]) + 1)
        return f"</h{level}>\n"

    md.add_render_rule("heading_open", heading_open)
    md.add_render_rule("heading_close", heading_close)
    return md


# Built once: nh3.clean() builds the same cleaner on every call, at twice the cost.
_SANITISER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)
_HIGHLIGHT = nh3.Cleaner(tags={"mark"}, attributes={}, strip_comments=True)


def sanitise(html: str) -> str:
    """The allow-list pass; also used on anything else that arrives as HTML."""
    return _SANITISER.clean(html)


@lru_cache(maxsize=1024)
def _render_cached(text: str) -> str:
    return sanitise(_parser().render(text))


def render_markdown(text: str | None) -> str:
    """Markdown to sanitised HTML (a string safe to mark as Markup).

    A pure function of the text, so results are cached (item pages render the same bodies
    over and over); an edited body is a different key.
    """
    if not text:
        return ""
    return _render_cached(text)


def plain_text(text: str | None) -> str:
    """The words of a Markdown body without markup, for the search index and snippets."""
    if not text:
        return ""
    parts: list[str] = []
    for token in _parser().parse(text):
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
            parts.append("\n")
        elif token.type in ("fence", "code_block"):
            parts.append(token.content)
            parts.append("\n")
    lines = (" ".join(line.split()) for line in "".join(parts).splitlines())
    return "\n".join(line for line in lines if line)


def highlight_html(snippet: str) -> str:
    """Snippets from the search engine: escaped text with <mark>; keep only that."""
    return _HIGHLIGHT.clean(snippet)
