"""Markdown bodies are rendered safely: nothing executable survives, links are marked ugc."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from backend.content.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    highlight_html,
    plain_text,
    render_markdown,
)
from tests.security.xss_payloads import PAYLOADS as ALL_PAYLOADS

# The shared XSS corpus (tests/security/xss_payloads.py): the Markdown set and the
# context-breaking payloads the page and browser tests use as well.
PAYLOADS = ALL_PAYLOADS


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _assert_safe(html: str) -> None:
    parser = _Collector()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            assert name in allowed, (tag, name, html)
            assert not name.startswith(("on", "hx-", "data-", "style")), (name, html)
            assert "javascript:" not in (value or "").lower(), (value, html)
            if name == "href" and value:
                scheme = urlsplit(value.strip()).scheme.lower()
                assert scheme in ("", "http", "https", "mailto", "tel"), (value, html)
        if tag == "a":
            assert ("rel", "noopener nofollow ugc") in attrs, html
    lowered = html.lower()
    # Escaped text such as "&lt;script&gt;" or "javascript:" in prose is harmless; tags are not.
    for bad in ("<script", "<iframe", "<style", "<svg", "<img", "<object", "<embed", "<form"):
        assert bad not in lowered, (bad, html)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives(payload: str) -> None:
    _assert_safe(render_markdown(payload))
    _assert_safe(render_markdown(f"Tekst ervoor\n\n{payload}\n\nen erna **vet**."))


def test_there_are_enough_payloads() -> None:
    assert len(PAYLOADS) >= 100


def test_ordinary_markdown_renders() -> None:
    html = render_markdown("# Kop\n\nEen **vette** en *schuine* [link](https://www.rvo.nl).\n\n"
                           "- een\n- twee\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h2>Kop</h2>" in html  # the page title is the only h1
    assert "<strong>vette</strong>" in html and "<em>schuine</em>" in html
    assert '<a href="https://www.rvo.nl" rel="noopener nofollow ugc">link</a>' in html
    assert "<li>een</li>" in html and "<td>1</td>" in html


def test_local_links_and_mail_links_stay() -> None:
    html = render_markdown("[WBSO](/regelingen/wbso) of [mail](mailto:info@example.nl)")
    assert 'href="/regelingen/wbso"' in html and 'href="mailto:info@example.nl"' in html


def test_plain_text_for_the_index() -> None:
    text = plain_text("## Kop\n\nEen **vette** [link](https://x.nl) en `code`.\n\n- een\n- twee")
    assert text == "Kop\nEen vette link en code.\neen\ntwee"
    # Raw HTML is text to the index (escaped when shown).
    assert plain_text("<script>alert(1)</script>") == "<script>alert(1)</script>"
    assert plain_text(None) == ""


def test_snippets_keep_only_mark() -> None:
    html = highlight_html("a <mark>robot</mark> &lt;b&gt; <b onclick=x>c</b><script>x</script>")
    assert html == "a <mark>robot</mark> &lt;b&gt; c"
