"""Turning case texts into HTML, and stripping personal data for publication.

Advisors write answers in Markdown, rendered by the knowledge base's sanitising renderer
(``backend.content.markdown.render_markdown``); ``render_plain`` escapes a text and shows it
as plain paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from backend.content.markdown import render_markdown as content_render


def _plain(text: str) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(
        "<p>" + str(escape(p)).replace("\n", "<br>\n") + "</p>" for p in paragraphs)


FENCE_RE = re.compile(r"^\s{0,3}(```|~~~)")


def keep_line_breaks(text: str) -> str:
    """An answer is a letter: "Met vriendelijke groet,⏎Anna" must stay on two lines, where
    Markdown would join them. Each line followed by another line of the same paragraph gets
    a hard break (two trailing spaces); code blocks are left alone, and a break at the end of
    a block (a list item, a heading) means nothing in CommonMark."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    fenced = False
    for i, line in enumerate(lines):
        if FENCE_RE.match(line):
            fenced = not fenced
            out.append(line)
            continue
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if (not fenced and line.strip() and following.strip() and not FENCE_RE.match(following)
                and not line.lstrip().startswith("|")):
            out.append(line.rstrip() + "  ")
        else:
            out.append(line)
    return "\n".join(out)


def render_markdown(text: str) -> Markup:
    """Sanitised HTML for an advisor's Markdown (or the entrepreneur's plain text), with its
    line breaks kept (``keep_line_breaks``)."""
    return Markup(str(content_render(keep_line_breaks(text))))  # noqa: S704 - sanitised


def render_plain(text: str) -> Markup:
    """The entrepreneur's own text: never interpreted, only paragraphs and line breaks."""
    return Markup(_plain(text))  # noqa: S704 - escaped


EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL_PERSONAL_RE = re.compile(r"https?://\S*(?:vraag/volgen|mijn-vraag)\S*")
# Phone numbers in the layouts people type: "+31 (0)6 1234 5678", "(053) 480 12 34",
# "06 - 12 34 56 78", "0031 6 12345678", "+49 170 1234567". A candidate starts with "+", "00",
# "0" or "(0" and is kept to digits and separators; it counts as a phone with 9 to 15 digits.
PHONE_CANDIDATE_RE = re.compile(
    r"(?<![\w+])(?:\+|\(0|0)[\d()]*(?:[ \t.\-/]{0,3}[\d()]+)+")
# "KvK 1234 5678", "KvK-nummer: 12.34.56.78", and plain eight-digit numbers.
KVK_CONTEXT_RE = re.compile(r"(?i)\b(kvk[\w-]*|handelsregister)(\W{0,3})(?:\d[ .]?){7}\d(?!\d)")
KVK_RE = re.compile(r"(?<!\d)\d{8}(?!\d)")
# Nine digits, optionally grouped ("123456782", "1234.56.782", "123 456 782"): a BSN when the
# number passes the eleven test (11-proef); after "BSN" or "burgerservicenummer" always.
NINE_DIGITS_RE = re.compile(r"(?<![\d.,])\d(?:[ .\-]?\d){8}(?!\d|[.,]\d)")
BSN_CONTEXT_RE = re.compile(
    r"(?i)\b(bsn|burgerservicenummer|sofinummer)(\W{0,3})\d(?:[ .\-]?\d){8}(?!\d)")
# Postcodes: "7511 AB", "7511AB", "7511ab"; "7511 ab" only before a place name or punctuation,
# so "in 2024 de omzet" is left alone.
POSTCODE_RE = re.compile(
    r"\b[1-9]\d{3}(?:\s?[A-Z]{2}|[a-zA-Z]{2}|\s[a-z]{2}(?=\s+[A-Z]|\s*[,.;:)]|\s*$))\b",
    re.MULTILINE)
# A street with a house number: "Hengelosestraat 12", "Oude Markt 3a", "Van Heekplein 1-3".
STREET_SUFFIXES = (
    "straat|weg|laan|plein|gracht|kade|singel|dijk|steeg|markt|pad|hof|park|dreef|baan|ring|"
    "wal|veld|erf|haven|boulevard|allee|dam|kant|oord|hoek|plantsoen|promenade|wijk|brink|"
    "esplanade|street|road|avenue|lane|stra\u00dfe|strasse")
_HOUSE_NUMBER = r"\s+\d{1,5}(?:\s?[a-zA-Z](?!\w))?(?:\s?[-/]\s?\d{1,5}[a-zA-Z]?)?\b"
STREET_RE = re.compile(
    # "Oude Markt 3": a bare suffix takes up to two words before it ...
    r"(?:\b(?:[A-Z][\w'\u00c0-\u00ff-]*|van|de|der|den|het|ter|ten|'t)\s+){1,2}"
    r"\b(?i:" + STREET_SUFFIXES + r")" + _HOUSE_NUMBER
    # ... a compound ("Hengelosestraat 12", "Van Heekplein 1") only its particles.
    + r"|(?:\b(?:Van|De|Den|Der|Het|Ter|Ten|'t|van|de|der|den)\s+){0,3}"
    r"\b(?=[A-Z])[\w'\u00c0-\u00ff-]+?(?i:" + STREET_SUFFIXES + r")" + _HOUSE_NUMBER)
# A third person named after a word that introduces a person ("mijn collega Piet Jansen",
# "de heer De Vries", "mevrouw Van den Berg", "dhr. P. Jansen").
PERSON_CUES = (
    "de heer|heer|mevrouw|mevr\\.?|mw\\.?|dhr\\.?|meneer|juffrouw|dr\\.?|ir\\.?|ing\\.?|"
    "mr\\.?|drs\\.?|prof\\.?|collega|compagnon|partner|vennoot|directeur|eigenaar|"
    "bedrijfsleider|boekhouder|accountant|adviseur|werknemer|medewerker|medewerkster|"
    "contactpersoon|zoon|dochter|vrouw|man|broer|zus|vader|moeder|schoonvader|schoonzoon|"
    "echtgenoot|echtgenote|genaamd|heet|namens|Mr\\.?|Mrs\\.?|Ms\\.?|colleague|named")
NAME_PART = r"(?:[A-Z]\.(?:\s?[A-Z]\.)*|[A-Z][a-z\u00e0-\u00ff'-]+)"
PARTICLE_PART = r"(?:van|de|der|den|het|ter|ten|te|op|in|'t|Van|De|Der|Den|Ter|Ten)"
PERSON_RE = re.compile(
    r"(?i:\b(?:" + PERSON_CUES + r"))(\s+)(" + NAME_PART + r"(?:\s+(?:" + PARTICLE_PART
    + r"\s+)*" + NAME_PART + r"){0,3}|(?:" + PARTICLE_PART + r"\s+)+" + NAME_PART + r")")
# Web addresses and bare domains ("www.bakkerij-jansen.nl", "bakkerijjansen.nl/contact").
DOMAIN_RE = re.compile(
    r"(?i)(?:https?://)?(?:www\.)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:nl|com|eu|be|de|org|net|info|biz|shop|online|nu|io|co|uk|frl|amsterdam|example))"
    r"(?![\w-])(?:[/?#][^\s)\]>\"']*)?")
# Free mail and public-sector domains are not the firm's own.
PUBLIC_DOMAINS = frozenset({
    "gmail.com", "hotmail.com", "outlook.com", "live.nl", "live.com", "yahoo.com", "icloud.com",
    "kpnmail.nl", "ziggo.nl", "xs4all.nl", "planet.nl", "home.nl", "hetnet.nl", "proton.me",
    "protonmail.com", "rvo.nl", "kvk.nl", "belastingdienst.nl", "overheid.nl", "rijksoverheid.nl",
    "government.nl", "business.gov.nl", "example.com", "example.org", "example.nl"})

REDACTED = "[…]"
# Name particles that are also ordinary Dutch words: never removed on their own.
PARTICLES = frozenset({"van", "der", "den", "de", "het", "ter", "ten", "te", "op", "in", "la",
                       "le", "du", "von", "bij", "uit", "aan", "tot", "voor"})


def eleven_test(digits: str) -> bool:
    """The BSN eleven test: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 (and not 0)."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    total -= int(digits[8])
    return total % 11 == 0 and total != 0


def _phone(match: re.Match[str]) -> str:
    candidate = match.group(0)
    digits = re.sub(r"\D", "", candidate)
    if not 9 <= len(digits) <= 15:
        return candidate
    if not (candidate.startswith(("+", "00", "(0")) or candidate[0] == "0"):
        return candidate
    # Trailing separators or an unmatched bracket stay outside the redaction.
    end = len(candidate.rstrip(" \t.-/("))
    return REDACTED + candidate[end:]


def _bsn(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return REDACTED if eleven_test(digits) else match.group(0)


def domains_in(text: str) -> set[str]:
    """The web domains named in ``text`` (lower case, without ``www.``), public ones left out."""
    found = {m.group(1).lower() for m in DOMAIN_RE.finditer(EMAIL_RE.sub(" ", text))}
    return {d for d in found if d not in PUBLIC_DOMAINS}


def firm_domain(email: str) -> str | None:
    """The domain of an e-mail address, unless it is a free-mail provider's."""
    domain = email.rpartition("@")[2].strip().lower()
    return domain if domain and "." in domain and domain not in PUBLIC_DOMAINS else None


def _domain_matcher(domains: Iterable[str]) -> re.Pattern[str] | None:
    names = sorted({d.lower().removeprefix("www.") for d in domains if d}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?i)(?:https?://)?(?:[\w-]+\.)*(?:" + "|".join(map(re.escape, names))
                      + r")(?![\w-])(?:[/?#][^\s)\]>\"']*)?")


def anonymise(text: str, *, names: Iterable[str] = (), extra: Iterable[str] = (),
              domains: Iterable[str] = ()) -> str:
    """Remove e-mail addresses, phone numbers, KvK numbers, BSNs, postcodes, streets with a
    house number, people introduced by a title or a relation ("collega Piet Jansen"), private
    links, the given web ``domains`` and the given names (and their parts) from ``text``.
    Meant as a first pass: the advisor reviews and confirms the personal-data check."""
    out = URL_PERSONAL_RE.sub(REDACTED, text)
    matcher = _domain_matcher(domains)
    out = EMAIL_RE.sub(REDACTED, out)
    if matcher is not None:
        out = matcher.sub(REDACTED, out)
    out = KVK_CONTEXT_RE.sub(lambda m: m.group(1) + m.group(2) + REDACTED, out)
    out = BSN_CONTEXT_RE.sub(lambda m: m.group(1) + m.group(2) + REDACTED, out)
    out = PHONE_CANDIDATE_RE.sub(_phone, out)
    out = NINE_DIGITS_RE.sub(_bsn, out)
    out = KVK_RE.sub(REDACTED, out)
    out = POSTCODE_RE.sub(REDACTED, out)
    out = STREET_RE.sub(REDACTED, out)
    out = PERSON_RE.sub(lambda m: m.group(0)[:m.start(2) - m.start(0)] + REDACTED, out)
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
