"""Make ``backend/search/data/real_words.txt``: the real words a typo rule must leave alone.

The router reads a word it does not know as a misspelling of a known word one or two letters
away ("finaciering" is "financiering"). A real word of its own is not a misspelling: "tellen"
is not "tillen", "metal" is not "mental", "expert" is not "export". This module lists the real
Dutch and English words within that reach of the router's known words, from two word lists
with permissive licences:

- OpenTaal's Dutch word list (BSD or CC BY 3.0, https://www.opentaal.org), Debian package
  ``wdutch`` (``/usr/share/dict/dutch``);
- SCOWL's British English list (Kevin Atkinson, permissive, http://wordlist.aspell.net),
  Debian package ``wbritish`` (``/usr/share/dict/british-english``).

The file records a fingerprint of the vocabulary it was made for; ``tests/routing/
test_real_words.py`` fails when the vocabulary changed since, with the command to run:

    sudo apt-get install wdutch wbritish
    .venv/bin/python -m backend.routing.real_words
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable
from pathlib import Path

from backend.routing.router import default_taxonomy
from backend.routing.themes import PhraseMatcher
from backend.search import dutch

OUTPUT = Path(__file__).resolve().parents[1] / "search" / "data" / "real_words.txt"
SOURCES = (Path("/usr/share/dict/dutch"), Path("/usr/share/dict/british-english"))
HEADER = """# Real Dutch and English words within typo reach of the router's known words: never read
# as a misspelling of a known word (backend.search.language.real_words).
# Made by `python -m backend.routing.real_words` from OpenTaal's Dutch word list
# (https://www.opentaal.org, BSD or CC BY 3.0; Debian package wdutch) and SCOWL's British
# English word list (Copyright 2000-2011 Kevin Atkinson, http://wordlist.aspell.net; Debian
# package wbritish). Keep this notice with the list.
"""


def fingerprint(matcher: PhraseMatcher) -> str:
    """The vocabulary a list was made for: a hash of the words typos are measured against."""
    return hashlib.sha256("\n".join(sorted(matcher.typo_targets)).encode()).hexdigest()[:16]


def recorded_fingerprint(path: Path = OUTPUT) -> str | None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# vocabulary: "):
            return line.removeprefix("# vocabulary: ").strip()
    return None


def real_words_near(matcher: PhraseMatcher, candidates: Iterable[str]) -> list[str]:
    """The candidates (folded) that the matcher would take for a typo of a known word."""
    out = set()
    for raw in candidates:
        for word in dutch.words(raw):
            if word in matcher.surface or word in out:
                continue
            if matcher._typo(word, real=False) is not None or (
                    len(word) > 5 and word.endswith("s")
                    and matcher._typo(word[:-1], real=False) is not None):
                out.add(word)  # (a plural's typo: as ``PhraseMatcher.analyse_word`` tries)
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    sources = [Path(a) for a in (argv if argv is not None else sys.argv[1:])] or list(SOURCES)
    missing = [str(p) for p in sources if not p.exists()]
    if missing:
        print(f"missing word lists: {', '.join(missing)} (apt-get install wdutch wbritish)",
              file=sys.stderr)
        return 2
    matcher = default_taxonomy().themes.matcher
    candidates = (line.strip() for p in sources
                  for line in p.read_text(encoding="utf-8", errors="replace").splitlines())
    words = real_words_near(matcher, candidates)
    OUTPUT.write_text(HEADER + f"# vocabulary: {fingerprint(matcher)}\n" + "\n".join(words)
                      + "\n", encoding="utf-8")
    print(f"{len(words)} real words written to {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
