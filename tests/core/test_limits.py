"""The rate-limit table, network keys and the signed challenge, as pure functions."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from backend.core import challenge
from backend.core.challenge import ChallengeRequired
from backend.core.limits import address_key
from backend.core.ratelimit import parse_limit
from backend.core.settings import RATE_LIMITS, ROOT, Settings

SECRET = "s" * 40


@pytest.mark.parametrize(("address", "key"), [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
    ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
    ("::ffff:198.51.100.4", "198.51.100.4"),
    ("fe80::1%eth0", "fe80::/64"),
    ("testclient", "testclient"),
    ("", "unknown"),
])
def test_address_key(address: str, key: str) -> None:
    assert address_key(address) == key


def test_every_entry_of_the_table_is_a_limit_and_every_act_is_applied() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "backend").rglob("*.py")
                        if p.name != "settings.py")
    for act, row in RATE_LIMITS.items():
        assert row, act
        for scope, value in row.items():
            assert parse_limit(value).count >= 1, (act, scope)
        assert re.search(rf'"{re.escape(act)}"', sources), f"nothing applies {act}"


def test_overrides_and_older_settings() -> None:
    s = Settings(rate_limits={"ask_question": {"site": "7/60"}}, rate_limit_ask_ip="3/60")
    table = s.limits_table()
    assert table["ask_question"]["site"] == "7/60"
    assert table["ask_question"]["address"] == "3/60"
    assert table["ask_question"]["desk"] == RATE_LIMITS["ask_question"]["desk"]
    assert RATE_LIMITS["ask_question"]["site"] != "7/60"  # the table itself is untouched
    with pytest.raises(ValidationError):
        Settings(rate_limits={"ask_question": {"site": "veel"}})


def _answers(issued: challenge.Issued, language: str = "nl") -> list[str]:
    words = {w: i for i, w in enumerate(challenge.WORDS[language])}
    out = []
    for q in issued.questions:
        a, op, b = re.findall(r"(\w+) (plus|min|minus) (\w+)\?", q)[0]
        out.append(str(words[a] + words[b] if op == "plus" else words[a] - words[b]))
    return out


def _require(token: str, answers: list[str], *, act: str = "ask_question", level: int = 1,
             now: float = 1_000_100.0, used: set[str] | None = None) -> None:
    seen = used if used is not None else set()

    def first_use(key: str) -> bool:
        if key in seen:
            return False
        seen.add(key)
        return True

    challenge.require(SECRET, act, level, token=token, answers=answers, language="nl",
                      first_use=first_use, now=now)


def test_a_challenge_is_signed_bound_to_its_act_once_and_in_time() -> None:
    issued = challenge.issue(SECRET, "ask_question", 2, now=1_000_000.0)
    assert len(issued.questions) == 2 and issued.wait == challenge.WAIT[2]
    answers = _answers(issued)
    assert issued.questions[0] not in issued.token  # the questions are not in the token
    used: set[str] = set()
    _require(issued.token, answers, level=2, used=used)
    with pytest.raises(ChallengeRequired):  # once only
        _require(issued.token, answers, level=2, used=used)
    fresh = challenge.issue(SECRET, "ask_question", 1, now=1_000_000.0)
    good = _answers(fresh)
    with pytest.raises(ChallengeRequired):  # another act
        _require(fresh.token, good, act="entrepreneur_reply")
    with pytest.raises(ChallengeRequired):  # too old
        _require(fresh.token, good, now=1_000_000.0 + challenge.VALID_SECONDS + 1)
    with pytest.raises(ChallengeRequired):  # a lower level than asked for
        _require(fresh.token, good, level=2)
    encoded, _, signature = fresh.token.partition(".")
    with pytest.raises(ChallengeRequired):  # tampered signature
        _require(encoded + "." + "0" * len(signature), good)
    with pytest.raises(ChallengeRequired) as early:  # answered before the waiting time
        _require(fresh.token, good, now=1_000_000.0)
    assert early.value.issued.token == fresh.token  # the same question again
    _require(fresh.token, good)


def test_answers_in_words_count_and_wrong_answers_say_so() -> None:
    issued = challenge.issue(SECRET, "ask_question", 1, now=1_000_000.0)
    right = int(_answers(issued)[0])
    _require(issued.token, [challenge.WORDS["nl"][right].upper()])
    other = challenge.issue(SECRET, "ask_question", 1, now=1_000_000.0)
    with pytest.raises(ChallengeRequired) as wrong:
        _require(other.token, [str(int(_answers(other)[0]) + 1)])
    assert wrong.value.message == challenge.WRONG
    assert wrong.value.issued.token != other.token  # a new question


def test_english_questions() -> None:
    issued = challenge.issue(SECRET, "ask_question", 3, language="en", now=1_000_000.0)
    assert all(q.startswith("What is ") for q in issued.questions)
    _require(issued.token, _answers(issued, "en"), level=3, now=1_000_000.0 + 60)
