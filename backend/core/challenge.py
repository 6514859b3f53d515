"""The escalating challenge asked beyond a ceiling: no JavaScript, no third party.

A challenge is one to three sums written in words ("Hoeveel is zeven plus vijf?"), answered
in a plain form field. The server keeps nothing until it is answered: the token names the
act, the level, the time it was issued and a random nonce, and is signed with the secret key
(HMAC-SHA-256); the questions and their answers are derived from the nonce with the same key,
so the token does not contain them. A token

- is valid for ``VALID_SECONDS`` and only for the act it was issued for;
- is used once (its nonce is counted in the rate-limit store; a second use gets a new one);
- is accepted no sooner than ``WAIT[level]`` seconds after it was issued, so each act beyond
  the ceiling costs a script a fresh token *and* wall-clock time, while a person reading the
  question takes longer than that anyway;
- escalates: level 1 is one sum, level 2 two sums and level 3 three sums with a longer wait,
  chosen by how far the traffic is over the ceiling.

Why not a proof of work? Without JavaScript a visitor cannot compute one, so it would need a
fallback like this one anyway, and a script pays for work with cheap CPU while a person on an
old phone pays with battery. Why not a third-party CAPTCHA? It sends visitors' data to
another party and needs JavaScript. This challenge is weak against a script written for it;
it is a speed bump that turns a silent flood into an alert a person looks at
(docs/security.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from backend.core.errors import LoketError
from backend.core.i18n import N_

MAX_LEVEL = 3
VALID_SECONDS = 900
WAIT = {1: 2, 2: 5, 3: 15}

WORDS = {
    "nl": ["nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien",
           "elf", "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien",
           "achttien", "negentien", "twintig"],
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
           "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
           "eighteen", "nineteen", "twenty"],
}
SENTENCE = {"nl": ("Hoeveel is {a} plus {b}?", "Hoeveel is {a} min {b}?"),
            "en": ("What is {a} plus {b}?", "What is {a} minus {b}?")}


@dataclass(frozen=True)
class Issued:
    token: str
    questions: list[str]
    level: int
    wait: int


class ChallengeRequired(LoketError):
    """Beyond a ceiling: answer the challenge in ``issued`` and send the act again."""

    status_code = 429
    code = "challenge_required"
    message = N_("It is very busy right now. To show that a person is sending this, please "
                 "answer the question below and send it again.")
    keeps_writes = True

    def __init__(self, issued: Issued, *, message: str | None = None) -> None:
        super().__init__(message)
        self.issued = issued
        self.extra = {"challenge": {"token": issued.token, "questions": issued.questions,
                                    "level": issued.level, "wait_seconds": issued.wait}}


WRONG = N_("The answer to the question was not right. Please answer this new question.")
EARLY = N_("Please take a moment to read the question, then send the form again.")


def _sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()[:32]


def _sums(secret: str, nonce: str, level: int, language: str) -> list[tuple[str, int]]:
    seed = hmac.new(secret.encode(), f"challenge-questions|{nonce}".encode(),
                    hashlib.sha256).digest()
    words = WORDS.get(language, WORDS["nl"])
    plus, minus = SENTENCE.get(language, SENTENCE["nl"])
    out: list[tuple[str, int]] = []
    for i in range(level):
        a, b, op = 2 + seed[3 * i] % 19, 1 + seed[3 * i + 1] % 9, seed[3 * i + 2] % 2
        if op and b < a:
            out.append((minus.format(a=words[a], b=words[b]), a - b))
        else:
            b = min(b, 20 - a) if a + b > 20 else b
            b = max(b, 0)
            out.append((plus.format(a=words[a], b=words[b]), a + b))
    return out


def issue(secret: str, act: str, level: int, *, language: str = "nl",
          now: float | None = None) -> Issued:
    level = max(1, min(MAX_LEVEL, level))
    issued_at = int(time.time() if now is None else now)
    nonce = secrets.token_urlsafe(12)
    lang = language if language in WORDS else "nl"
    payload = f"{act}|{level}|{issued_at}|{nonce}|{lang}"
    token = (base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=") + "."
             + _sign(secret, payload))
    return Issued(token, [q for q, _a in _sums(secret, nonce, level, lang)], level, WAIT[level])


def _parse(secret: str, token: str) -> tuple[str, int, int, str, str] | None:
    encoded, _, signature = (token or "").strip().partition(".")
    if not encoded or len(token) > 300:
        return None
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        act, level, issued_at, nonce, lang = payload.split("|")
        parsed = (act, int(level), int(issued_at), nonce, lang)
    except (ValueError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(_sign(secret, payload), signature):
        return None
    return parsed


def _number(answer: str, language: str) -> int | None:
    text = answer.strip().lower()
    if text.lstrip("-").isdigit() and len(text) <= 4:
        return int(text)
    words = WORDS.get(language, WORDS["nl"])
    return words.index(text) if text in words else None


def require(secret: str, act: str, level: int, *, token: str, answers: Sequence[str],
            language: str, first_use: Callable[[str], bool], now: float | None = None) -> None:
    """Return when ``token`` and ``answers`` solve a challenge of at least ``level`` for
    ``act``; otherwise raise :class:`ChallengeRequired` with a new (or, when answered too soon,
    the same) challenge."""
    now = time.time() if now is None else now
    parsed = _parse(secret, token) if token else None
    message: str | None = None
    if parsed is not None:
        t_act, t_level, issued_at, nonce, lang = parsed
        fresh = t_act == act and 0 <= now - issued_at <= VALID_SECONDS
        sums = _sums(secret, nonce, t_level, lang)
        right = len(answers) >= len(sums) and all(
            _number(given, lang) == expected for given, (_q, expected) in zip(answers, sums,
                                                                               strict=False))
        if fresh and right and t_level >= level:
            if now - issued_at < WAIT[t_level]:
                raise ChallengeRequired(Issued(token, [q for q, _a in sums], t_level,
                                               WAIT[t_level]), message=EARLY)
            if first_use(f"challenge:{nonce}"):
                return
        elif fresh and not right:
            message = WRONG
        language = lang
    raise ChallengeRequired(issue(secret, act, level, language=language, now=now),
                            message=message)
