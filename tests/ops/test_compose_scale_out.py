"""The scaled-out compose file, read without a Docker engine: two app replicas behind the
proxy, migrations once before any replica starts, a start-up order that follows the
healthchecks, the proxy's upstream pointing at the replicas' port, and the settings the
replicas need behind a proxy."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from backend.core.settings import ROOT, Settings

LOKET_SERVICES = ("migrate", "app", "worker")


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def services() -> dict[str, Any]:
    found: dict[str, Any] = compose()["services"]
    return found


def conditions(service: dict[str, Any]) -> dict[str, str]:
    deps = service.get("depends_on") or {}
    assert isinstance(deps, dict), "depends_on must name a condition for every dependency"
    return {name: dep["condition"] for name, dep in deps.items()}


def nginx_conf() -> str:
    mounts = services()["proxy"]["volumes"]
    config = [m for m in mounts if m.endswith(":/etc/nginx/nginx.conf:ro")]
    assert len(config) == 1, mounts
    path = ROOT / Path(config[0].split(":")[0])
    assert path.is_file(), path
    return path.read_text()


def test_two_app_replicas_behind_a_proxy_with_worker_postgres_and_meilisearch() -> None:
    s = services()
    assert {"proxy", "app", "worker", "migrate", "db", "meilisearch"} <= set(s)
    assert s["app"]["deploy"]["replicas"] == 2
    # Replicas publish no port (two could not share one); only the proxy does.
    assert "ports" not in s["app"] and s["app"]["expose"] == ["8000"]
    published = [p for name, svc in s.items() for p in svc.get("ports", [])
                 if name != "proxy"]
    assert published == []
    assert s["proxy"]["ports"] == ["${LOKET_PORT:-8000}:8080"]
    assert s["proxy"]["image"].startswith("nginx:1.")
    version = re.match(r"nginx:1\.(\d+)", s["proxy"]["image"])
    assert version and int(version.group(1)) >= 28  # `server … resolve` needs nginx ≥ 1.27.3


def test_proxy_round_robins_over_the_replicas_port_and_sets_the_client_address() -> None:
    conf = nginx_conf()
    assert "listen 8080;" in conf  # the port the compose file publishes
    upstream = re.search(r"upstream (\w+) \{(.*?)\}", conf, re.S)
    assert upstream, conf
    name, body = upstream.groups()
    assert re.search(r"server app:8000 resolve\b", body)  # every replica, re-resolved
    assert "zone " in body and "resolver 127.0.0.11" in conf
    assert f"proxy_pass http://{name};" in conf
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf  # replaced, not appended
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "proxy_set_header Host $host;" in conf
    retry = re.findall(r"^\s*proxy_next_upstream ([^;]*);", conf, re.M)
    assert retry and "non_idempotent" not in retry[0]  # a POST never goes to a second replica
    assert conf.count("{") == conf.count("}")


def test_migrations_run_once_before_any_replica_or_worker_starts() -> None:
    s = services()
    assert s["migrate"]["command"] == ["migrate"]
    assert s["migrate"]["restart"] == "no"
    assert conditions(s["migrate"]) == {"db": "service_healthy"}
    assert s["app"]["environment"]["LOKET_MIGRATE_ON_START"] == "0"
    assert s["app"]["environment"]["LOKET_SEED_ON_START"] == "0"
    for name in ("app", "worker"):
        assert conditions(s[name])["migrate"] == "service_completed_successfully", name
    entrypoint = (ROOT / "docker" / "entrypoint.sh").read_text()
    migrate_case = re.search(r"^  migrate\)\n(.*?);;", entrypoint, re.M | re.S)
    assert migrate_case and migrate_case.group(1).strip() == "migrate"
    assert "loket db upgrade" in entrypoint.split("case ")[0]  # the shell function
    # On PostgreSQL `loket db upgrade` takes an advisory lock: a second run waits its turn.
    assert "pg_advisory_lock" in (ROOT / "backend" / "core" / "migrate.py").read_text()


def test_start_up_order_follows_healthchecks() -> None:
    s = services()
    assert conditions(s["app"]) == {"migrate": "service_completed_successfully",
                                    "db": "service_healthy",
                                    "meilisearch": "service_healthy",
                                    "redis": "service_healthy"}
    assert s["app"]["depends_on"]["redis"]["required"] is False  # only with --profile redis
    assert conditions(s["proxy"]) == {"app": "service_healthy"}
    assert conditions(s["worker"])["meilisearch"] == "service_healthy"
    for name in ("db", "meilisearch", "proxy", "redis"):
        assert s[name]["healthcheck"]["test"], name
    # The app's healthcheck is the image's (Dockerfile HEALTHCHECK on /healthz).
    assert "healthcheck" not in s["app"]
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", (ROOT / "Dockerfile").read_text(), re.M)
    assert s["redis"]["profiles"] == ["redis"]
    # Every service a condition names exists.
    for name, svc in s.items():
        assert set(conditions(svc)) <= set(s), name


def test_replicas_and_worker_share_one_configuration() -> None:
    s = services()
    envs = {name: s[name]["environment"] for name in LOKET_SERVICES}
    shared = ("LOKET_SECRET_KEY", "LOKET_DATABASE_URL", "LOKET_SEARCH_BACKEND", "LOKET_MEILI_URL",
              "LOKET_MEILI_KEY", "LOKET_SMTP_URL", "LOKET_REDIS_URL", "LOKET_BASE_URL")
    for key in shared:
        values = {name: env[key] for name, env in envs.items()}
        assert len(set(values.values())) == 1, (key, values)
    app = envs["app"]
    # Nothing a request needs may be local to a replica.
    assert app["LOKET_DATABASE_URL"].startswith("postgresql://")
    assert app["LOKET_SEARCH_BACKEND"] == "meilisearch"
    assert app["LOKET_WORKER_IN_PROCESS"] == "0"
    assert app["LOKET_FORWARDED_ALLOW_IPS"] == "*"
    # Each value parses as the Settings the processes will build (secrets filled in).
    for name, env in envs.items():
        values = {k.removeprefix("LOKET_").lower(): _filled(v) for k, v in env.items()
                  if k.startswith("LOKET_") and k.removeprefix("LOKET_").lower()
                  in Settings.model_fields}
        settings = Settings(_env_file=None, **values)
        assert settings.env == "production" and not settings.is_sqlite, name


def _filled(value: Any) -> Any:
    """``${NAME:?…}`` / ``${NAME:-default}`` as compose would fill them from a complete .env."""
    text = str(value)

    def one(match: re.Match[str]) -> str:
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if op == ":-":
            return rest
        return {"LOKET_SECRET_KEY": "s" * 48}.get(name, "secret-from-env")

    return re.sub(r"\$\{(\w+)(:\?|:-)([^}]*)\}", one, text)


def test_scale_out_check_script_is_valid_shell_and_uses_the_compose_names() -> None:
    import shutil
    import subprocess

    path = ROOT / "docker" / "scale-out-check.sh"
    if shutil.which("sh"):
        subprocess.run(["sh", "-n", str(path)], check=True)
    script = path.read_text()
    s = services()
    # It talks to the services and tables the compose file and the schema really have.
    for name in re.findall(r"docker compose (?:exec -T|logs --no-color|ps [^|]*-q) (\w+)", script):
        assert name in s, name
    assert "outbox_message" in script and "user_account" in script
    assert "/inloggen/beheer" in script and "X-Request-ID" in script
