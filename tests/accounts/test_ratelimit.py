"""Rate limits on the login forms: sliding windows in the database or in Redis."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI, Request
from sqlmodel import Session, col, delete, select

from backend.core import ratelimit
from backend.core.errors import TooManyRequests
from backend.core.ratelimit import (
    DatabaseStore,
    Limit,
    RateCounter,
    RedisStore,
    check,
    check_rate,
    decide,
    parse_limit,
    store_for_app,
)
from tests.client import LoketClient
from tests.factories.accounts import create_admin
from tests.threads import together

PASSWORD = "correct horse battery staple"


# --- the rule --------------------------------------------------------------------------------

def test_parse_limit() -> None:
    assert parse_limit("10/300") == Limit(10, 300)
    for bad in ("10", "0/60", "5/0", "x/60", "5/-1", ""):
        with pytest.raises(ValueError):
            parse_limit(bad)


def test_sliding_window_weights_the_previous_window() -> None:
    limit = Limit(10, 100)
    assert decide(limit, 0, 0, 10) == (True, 0)
    assert decide(limit, 99, 0, 11)[0] is False
    # Half-way through, half of the previous window's 10 hits still count.
    assert decide(limit, 50, 10, 5) == (True, 0)
    allowed, retry = decide(limit, 50, 10, 6)
    assert not allowed and retry > 0
    # After that wait, one more hit (current + 1 = 7) fits again.
    assert decide(limit, 50 + retry, 10, 7)[0] is True
    # Current window full: wait into the next window until this one's weight has decayed.
    allowed, retry = decide(limit, 10, 0, 11)
    assert not allowed and retry > 90
    assert decide(limit, (10 + retry) - 100, 11, 1)[0] is True


def test_store_counts_and_refuses_with_retry_after(db: Any) -> None:
    store = DatabaseStore(db)
    key = f"unit:{secrets.token_hex(4)}"
    now = 1_000_000.0
    for i in range(3):
        check(store, key, "3/60", now=now + i)
    with pytest.raises(TooManyRequests) as exc:
        check(store, key, "3/60", now=now + 3)
    assert exc.value.status_code == 429
    assert 1 <= int(exc.value.headers["Retry-After"]) <= 120
    # Two windows later the key is free again.
    check(store, key, "3/60", now=now + 180)


def test_two_limits_on_one_key_do_not_share_counters(db: Any) -> None:
    store = DatabaseStore(db)
    key = f"unit:{secrets.token_hex(4)}"
    check(store, key, "1/60", now=1_000_000.0)
    check(store, key, "1/600", now=1_000_000.0)  # its own counter


def test_counter_rows_hold_no_plain_addresses(client: LoketClient, session: Session) -> None:
    client.post("/inloggen", data={"email": "private.person@example.nl"})
    keys = session.exec(select(RateCounter.key)).all()
    assert any(":login_link:email:" in k for k in keys)
    assert not any("private" in k for k in keys)


# --- on the login forms ------------------------------------------------------------------------

def _password_attempts(client: LoketClient, email: str, n: int) -> list[Any]:
    return [client.post("/inloggen/beheer", data={"email": email, "password": "wrong-" * 3})
            for _ in range(n)]


def test_password_form_answers_429_with_retry_after(
        app_with: Callable[..., FastAPI], client_for: Any, session: Session) -> None:
    create_admin(session, email="limited@example.nl", password=PASSWORD)
    session.commit()
    client = client_for(app_with(rate_limit_login="3/60"))
    responses = _password_attempts(client, "limited@example.nl", 4)
    assert [r.status_code for r in responses] == [400, 400, 400, 429]
    refused = responses[-1]
    assert int(refused.headers["retry-after"]) >= 1
    assert "Te veel pogingen" in refused.text and '<html lang="nl">' in refused.text
    # Even the right password is refused while limited.
    r = client.post("/inloggen/beheer", data={"email": "limited@example.nl",
                                               "password": PASSWORD})
    assert r.status_code == 429


def test_limit_by_address_across_ip_addresses(
        app_with: Callable[..., FastAPI], client_for: Any) -> None:
    app = app_with(rate_limit_email_link="2/60")
    first = client_for(app, client=("203.0.113.1", 5000))
    second = client_for(app, client=("203.0.113.2", 5000))
    for _ in range(2):
        assert first.post("/inloggen", data={"email": "target@example.nl"}).status_code == 303
    # Another IP, same address: refused (mail bombing a victim).
    assert second.post("/inloggen", data={"email": "target@example.nl"}).status_code == 429
    # The second IP itself is not blocked for another address.
    assert second.post("/inloggen", data={"email": "other@example.nl"}).status_code == 303
    # The first IP is not shut out for its other people (an office behind one address):
    # the address as a whole is only slowed down, far later (tests/security/test_limits.py).
    assert first.post("/inloggen", data={"email": "third@example.nl"}).status_code == 303


def test_link_use_is_limited_by_ip(app_with: Callable[..., FastAPI], client_for: Any) -> None:
    client = client_for(app_with(rate_limit_login="2/60"))
    codes = [client.post(f"/inloggen/link/{secrets.token_urlsafe(32)}").status_code
             for _ in range(3)]
    assert codes == [410, 410, 429]


def test_api_gets_json_429(app_with: Callable[..., FastAPI], client_for: Any) -> None:
    app = app_with()

    @app.get("/api/v1/test-limited")
    def limited(request: Request) -> dict[str, bool]:
        check_rate(request, "test:api", "1/60")
        return {"ok": True}

    client = client_for(app)
    assert client.get("/api/v1/test-limited").status_code == 200
    r = client.get("/api/v1/test-limited")
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "rate_limited"
    assert int(r.headers["retry-after"]) >= 1


# --- Redis --------------------------------------------------------------------------------------

def test_redis_store_on_the_password_form(
        app_with: Callable[..., FastAPI], client_for: Any, redis_url: str, redis_prefix: str,
        session: Session) -> None:
    import redis

    app = app_with(redis_url=redis_url, rate_limit_login="2/60")
    client = client_for(app)
    client.get("/healthz")
    store = store_for_app(app)
    assert isinstance(store, RedisStore)
    store.prefix = redis_prefix  # this test's own keys
    responses = _password_attempts(client, "redis-user@example.nl", 3)
    assert [r.status_code for r in responses] == [400, 400, 429]
    assert int(responses[-1].headers["retry-after"]) >= 1
    keys = [k.decode() for k in redis.Redis.from_url(redis_url).scan_iter(
        match=f"{redis_prefix}*")]
    assert any(":password_login:address:testclient:" in k for k in keys)
    assert any(":password_login:account_failures:" in k for k in keys)
    # Nothing was counted in the database.
    assert session.exec(select(RateCounter)).all() == []


def test_redis_store_counts_atomically(redis_url: str, redis_prefix: str) -> None:
    store = RedisStore(redis_url, prefix=redis_prefix)
    results = _hammer(lambda: check(store, "concurrent", "10/60"), 25)
    assert results.count("ok") == 10 and results.count("limited") == 15


# --- concurrency on a real database (several connections, real commits) -------------------------

def _hammer(hit: Callable[[], None], n: int) -> list[str]:
    def worker(start: threading.Barrier) -> str:
        start.wait()
        try:
            hit()
        except TooManyRequests:
            return "limited"
        except Exception as exc:
            return f"error: {exc!r}"
        return "ok"

    return [str(r) for r in together(n, worker)]


def test_database_store_counts_atomically_under_concurrency(fresh_db: Any) -> None:
    store = DatabaseStore(fresh_db.db)
    results = _hammer(lambda: check(store, "concurrent", "10/60"), 20)
    assert sorted(set(results)) == ["limited", "ok"], results
    assert results.count("ok") == 10
    with fresh_db.db.transaction() as s:
        assert sum(s.exec(select(RateCounter.count)).all()) == 20
        s.exec(delete(RateCounter).where(col(RateCounter.key).contains("concurrent")))


def test_purge_drops_expired_counters(db: Any, session: Session) -> None:
    check(DatabaseStore(db), "old", "5/1", now=1_000.0)
    session.expire_all()
    row = session.exec(select(RateCounter).where(col(RateCounter.key).endswith(":old"))).one()
    from datetime import timedelta

    row.expires_at = row.expires_at - timedelta(days=1)
    session.add(row)
    session.flush()
    assert ratelimit.purge_expired(session) >= 1
    assert session.exec(select(RateCounter).where(col(RateCounter.key).endswith(":old"))
                        ).first() is None
