"""Two app replicas (``loket serve`` processes) on one PostgreSQL database with Redis for the
rate-limit counters, and two ``loket worker`` processes: a session started on one replica is
valid on the other, the rate limit counts across replicas, and mail queued through a replica
reaches the SMTP server (aiosmtpd) exactly once.

The requests alternate between the replicas' ports, as a round-robin proxy would, and carry
the ``X-Forwarded-For`` the proxy sets (``docker/nginx.conf``). The same checks run against
``docker compose up`` with ``docker/scale-out-check.sh``.

Needs PostgreSQL (``LOKET_TEST_DATABASE_URL``); the replicas get a schema of their own in that
database. Without a reachable Redis the counters live in PostgreSQL, which is shared as well.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import select

from backend.core.db import Database, make_engine
from backend.core.mail import MAIL_KIND
from backend.core.outbox import DONE, OutboxMessage
from backend.core.settings import ROOT
from tests.client import hidden_csrf
from tests.conftest import TEST_SECRET, schema_url
from tests.factories.accounts import create_user
from tests.factories.cases import regional_setup
from tests.factories.routing import add_member
from tests.smtp import SmtpServer, free_port

REDIS_URL = os.environ.get("LOKET_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "correct horse battery staple"
LOGIN_LIMIT = 4

def redis_url() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return REDIS_URL


@dataclass
class Cluster:
    db: Database
    replicas: list[str]
    smtp: SmtpServer
    admin_email: str
    redis_url: str | None
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def replica(self, n: int) -> str:
        return self.replicas[n % len(self.replicas)]


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{url} exited: {proc.stderr.read().decode()[-2000:]}"
                                 if proc.stderr else f"{url} exited")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not become healthy")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Cluster]:
    from backend.core.migrate import upgrade

    if not database_url.startswith("postgresql"):
        pytest.skip("scale-out needs PostgreSQL (LOKET_TEST_DATABASE_URL)")
    # The database itself, not the schema of this test process (tests/conftest.py).
    base = os.environ.get("LOKET_TEST_DATABASE_URL", database_url)
    tmp: Path = tmp_path_factory.mktemp("scale-out")
    schema = f"loket_scale_{secrets.token_hex(5)}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = schema_url(base, schema)
    engine = make_engine(url)
    smtp = SmtpServer().start()
    cluster: Cluster | None = None
    try:
        upgrade(url)  # what the compose file's `migrate` service does before the replicas
        db = Database(engine)
        admin_email = f"beheer-{secrets.token_hex(3)}@example.nl"
        with db.transaction() as s:
            desks = regional_setup(s)
            add_member(s, desks["oost-nl"], name="Olga Oost")
            create_user(s, email=admin_email, name="Beheerder", roles=("admin",),
                        password=PASSWORD)
        env = {**os.environ, "LOKET_DATABASE_URL": url, "LOKET_ENV": "production",
               "LOKET_SECRET_KEY": TEST_SECRET, "LOKET_BASE_URL": "http://127.0.0.1",
               "LOKET_WORKER_IN_PROCESS": "0", "LOKET_SMTP_URL": smtp.url + "?timeout=30",
               "LOKET_SEARCH_PATH": str(tmp / "search"), "LOKET_VAR_DIR": str(tmp / "var"),
               "LOKET_RATE_LIMIT_LOGIN": f"{LOGIN_LIMIT}/300", "LOKET_LOG_JSON": "0",
               "LOKET_LOG_LEVEL": "WARNING", "LOKET_WORKER_POLL_SECONDS": "0.1",
               "LOKET_REDIS_URL": redis_url() or ""}
        cluster = Cluster(db=db, replicas=[], smtp=smtp, admin_email=admin_email,
                          redis_url=env["LOKET_REDIS_URL"] or None)
        for n in (1, 2):
            port = free_port()
            cluster.procs[f"app{n}"] = subprocess.Popen(
                [sys.executable, "-m", "backend.cli", "serve", "--host", "127.0.0.1",
                 "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE)
            cluster.replicas.append(f"http://127.0.0.1:{port}")
            cluster.procs[f"worker{n}"] = subprocess.Popen(
                [sys.executable, "-m", "backend.cli", "worker"], cwd=ROOT, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for n, replica in enumerate(cluster.replicas, 1):
            _wait_healthy(replica, cluster.procs[f"app{n}"])
        yield cluster
    finally:
        if cluster is not None:
            for proc in cluster.procs.values():
                if proc.poll() is None:
                    proc.terminate()
            for proc in cluster.procs.values():
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
        smtp.stop()
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def browser() -> httpx.Client:
    """One visitor behind the proxy: one cookie jar for both replicas (cookies do not depend
    on the port) and the client address the proxy would pass on."""
    # Random, so that counters left in Redis by an earlier run never count here.
    ip = "10." + ".".join(str(secrets.randbelow(254) + 1) for _ in range(3))
    return httpx.Client(headers={"X-Forwarded-For": ip}, follow_redirects=False, timeout=30)


def csrf(client: httpx.Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return hidden_csrf(page.text)


def test_a_session_started_on_one_replica_is_valid_on_the_other(cluster: Cluster) -> None:
    one, two = cluster.replicas
    with browser() as b:
        token = csrf(b, f"{one}/inloggen/beheer")
        r = b.post(f"{one}/inloggen/beheer", data={
            "email": cluster.admin_email, "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 303 and r.headers["location"] == "/beheer", r.text[:500]
        assert "loket_session" in b.cookies
        assert b.get(f"{two}/beheer").status_code == 200  # logged in on the other replica
        assert b.get(f"{one}/beheer").status_code == 200
        # Logging out on replica 2 ends the session on replica 1 as well.
        r = b.post(f"{two}/uitloggen", data={"csrf_token": csrf(b, f"{two}/beheer")})
        assert r.status_code == 303
        gone = b.get(f"{one}/beheer")
        assert gone.status_code == 303 and gone.headers["location"].startswith("/inloggen")
    with browser() as anonymous:
        assert anonymous.get(f"{two}/beheer").status_code == 303


def test_rate_limit_counts_across_replicas(cluster: Cluster) -> None:
    email = f"raden-{secrets.token_hex(3)}@example.nl"
    statuses = []
    with browser() as b:
        for attempt in range(LOGIN_LIMIT + 2):
            replica = cluster.replica(attempt)  # 1, 2, 1, 2, …
            token = csrf(b, f"{replica}/inloggen/beheer")
            r = b.post(f"{replica}/inloggen/beheer", data={
                "email": email, "password": "wrong password", "csrf_token": token})
            statuses.append(r.status_code)
            if r.status_code == 429:
                assert int(r.headers["Retry-After"]) > 0
    # Each replica saw only half the attempts; the shared counter refuses the fifth.
    assert statuses == [400] * LOGIN_LIMIT + [429, 429]
    if cluster.redis_url:
        import redis

        client = redis.Redis.from_url(cluster.redis_url)
        ip = b.headers["X-Forwarded-For"]
        keys = client.keys(f"loket:rl:300:password_login:address:{ip}:*")
        assert keys and sum(int(client.get(k) or 0) for k in keys) == LOGIN_LIMIT + 2


def test_mail_queued_through_the_replicas_is_delivered_once_by_two_workers(
        cluster: Cluster) -> None:
    references = []
    for n in range(6):
        with browser() as b:
            replica = cluster.replica(n)
            r = b.post(f"{replica}/vraag", data={
                "text": "Wij willen investeren in een nieuwe productielijn. Welke financiering "
                        f"is er voor ons als klein bedrijf? ({n})",
                "municipality": "Deventer", "sector": "industrie", "company_size": "klein",
                "email": f"schaal-{n}-{secrets.token_hex(2)}@example.nl", "consent": "1",
                "csrf_token": csrf(b, f"{replica}/vraag")})
            assert r.status_code == 303, r.text[:500]
            references.append(r.headers["location"].split("/")[2].split("?")[0])
    deadline = time.monotonic() + 120
    while True:
        with cluster.db.transaction(write=False) as s:
            rows = s.exec(select(OutboxMessage).where(OutboxMessage.kind == MAIL_KIND)).all()
            mine = [m for m in rows if any(ref in m.payload["subject"] for ref in references)]
        if len(mine) == 12 and all(m.status == DONE for m in mine):
            break
        assert time.monotonic() < deadline, [(m.id, m.status, m.last_error) for m in mine]
        time.sleep(0.2)
    time.sleep(1)  # a second delivery, if there were one, would arrive meanwhile
    received = [str(m["Message-ID"]) for m in cluster.smtp.recorder.messages]
    for mail in mine:
        assert received.count(mail.payload["message_id"]) == 1, mail.payload["subject"]
    assert all(m.payload["delivery"] == "smtp" for m in mine)
    assert all(cluster.procs[f"worker{n}"].poll() is None for n in (1, 2))
