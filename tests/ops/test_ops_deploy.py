"""The container files, checked without a Docker engine: the compose file is valid YAML with
the services and settings the deployment needs, every LOKET_ variable it sets exists, the
Dockerfile runs as a non-root user with a health check, the entrypoint is valid shell."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from backend.core.settings import ROOT, Settings

ENTRYPOINT_ONLY = {"LOKET_MIGRATE_ON_START", "LOKET_SEED_ON_START", "LOKET_PORT"}


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_compose_has_app_worker_postgres_and_meilisearch() -> None:
    services = _compose()["services"]
    assert set(services) >= {"app", "worker", "db", "meilisearch"}
    app, worker = services["app"]["environment"], services["worker"]["environment"]
    assert app["LOKET_ENV"] == "production" and app["LOKET_WORKER_IN_PROCESS"] == "0"
    assert app["LOKET_SEARCH_BACKEND"] == "meilisearch"
    assert app["LOKET_SECRET_KEY"].startswith("${LOKET_SECRET_KEY:?")  # from .env, required
    assert app["LOKET_DATABASE_URL"].startswith("postgresql://")
    assert worker["LOKET_DATABASE_URL"] == app["LOKET_DATABASE_URL"]
    assert services["worker"]["command"] == ["worker"]
    assert services["meilisearch"]["image"].startswith("getmeili/meilisearch:v1.")
    assert "MEILI_MASTER_KEY" in services["meilisearch"]["environment"]
    assert {"pgdata", "meilidata"} <= set(_compose()["volumes"])


def test_every_loket_variable_in_compose_is_a_setting() -> None:
    text = (ROOT / "docker-compose.yml").read_text() + (ROOT / ".env.example").read_text()
    names = set(re.findall(r"\bLOKET_[A-Z0-9_]+", text))
    known = {f"LOKET_{name.upper()}" for name in Settings.model_fields} | ENTRYPOINT_ONLY
    assert names - known == set()


def test_dockerfile_is_multi_stage_non_root_with_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", text, re.M)) == 2
    assert "uv sync --frozen --no-dev" in text
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and not user[-1].startswith(("root", "0"))
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert 'ENTRYPOINT ["/app/docker/entrypoint.sh"]' in text


@pytest.mark.skipif(shutil.which("sh") is None, reason="no POSIX shell")
def test_entrypoint_is_valid_shell_and_migrates_before_serving() -> None:
    path = ROOT / "docker" / "entrypoint.sh"
    subprocess.run(["sh", "-n", str(path)], check=True)
    text = path.read_text()
    assert text.index("loket db upgrade") < text.index("exec loket serve")
    assert "exec loket worker" in text
