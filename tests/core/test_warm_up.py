"""Start-up work that waits for a background thread (issue 19, cold start): nothing costly
at import, the warm-up leaves every page template compiled, and compiled templates are kept on
disk so that the next start only loads them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader

from backend import main
from backend.core.routing import LazyRoute
from backend.core.settings import ROOT
from backend.core.templating import (
    CACHE_DIR,
    TEMPLATE_DIR,
    TemplateBytecode,
    env,
    warm_templates,
)
from backend.main import WARM_PAGES, _warm_up
from backend.routing import service as routing_service
from backend.routing.service import invalidate


def test_warm_up_compiles_every_page_template(app: FastAPI) -> None:
    names = env.list_templates(extensions=["html"])
    assert warm_templates() == len(names) > 50
    assert all(env.cache is not None and any(k[1] == n for k in env.cache) for n in names)


def test_importing_accounts_hashes_no_password() -> None:
    code = ("import argon2, time\n"
            "calls = []\n"
            "orig = argon2.PasswordHasher.hash\n"
            "argon2.PasswordHasher.hash = lambda self, p, **k: calls.append(p) or orig(self, p)\n"
            "import backend.accounts.service as s\n"
            "assert calls == [], calls\n"
            "s.warm_up()\n"
            "assert len(calls) == 1\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def _env(folder: Path) -> Environment:
    made = Environment(loader=FileSystemLoader(str(folder)), autoescape=True,
                       extensions=["jinja2.ext.i18n"],
                       bytecode_cache=TemplateBytecode(str(folder / "cache")))
    made.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return made


def test_templates_are_compiled_once_and_loaded_after(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "t.html").write_text("{{ _('Hello') }} {{ x }}", encoding="utf-8")
    assert _env(tmp_path).get_template("t.html").render(x=1) == "Hello 1"
    compiled: list[str] = []
    real = Environment.compile

    def counted(self: Environment, source: str, *args: object, **kwargs: object) -> object:
        compiled.append(source)
        return real(self, source, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Environment, "compile", counted)
    assert _env(tmp_path).get_template("t.html").render(x=2) == "Hello 2"
    assert compiled == []  # a new process (a new environment) loads what was compiled
    (tmp_path / "t.html").write_text("{{ x }}!", encoding="utf-8")
    assert _env(tmp_path).get_template("t.html").render(x=3) == "3!"
    assert compiled == ["{{ x }}!"]  # an edited template is compiled again

    def read_only(self: object, bucket: object) -> None:
        raise PermissionError("read-only image")

    monkeypatch.setattr(FileSystemBytecodeCache, "dump_bytecode", read_only)
    (tmp_path / "t.html").write_text("{{ x }}?", encoding="utf-8")
    assert _env(tmp_path).get_template("t.html").render(x=4) == "4?"


def test_the_app_keeps_its_compiled_templates_next_to_them() -> None:
    assert isinstance(env.bytecode_cache, TemplateBytecode)
    assert CACHE_DIR.parent == TEMPLATE_DIR / "__pycache__"


def test_the_warm_up_asks_for_the_first_pages(app: FastAPI) -> None:
    routes = {r.path: r for r in app.router.routes
              if isinstance(r, LazyRoute) and "GET" in (r.methods or ())}
    assert not any(routes[p].built for p in WARM_PAGES)
    _warm_up(app, WARM_PAGES)  # the app's database is the tests' one connection: no pages
    assert all(routes[p].built for p in WARM_PAGES)


def test_the_warm_up_builds_the_routers_context(app: FastAPI) -> None:
    """A question's write transaction must not be the one that builds the router's context
    (SQLite has one writer; 50 first questions queued behind cold builds timed out). The
    domain's own hook builds it, whichever pages the warm-up asks for."""
    invalidate()
    assert routing_service._context.peek() is None
    _warm_up(app, pages=(), read_models=True)
    assert routing_service._context.peek() is not None


def test_a_served_app_warms_up_also_with_test_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """``loket serve`` (tests' live servers too) warms up; apps built in-process by the test
    suite do not (hundreds of them)."""
    made: list[dict[str, object]] = []

    def create_app(*args: object, **kwargs: object) -> FastAPI:
        made.append(kwargs)
        return FastAPI()

    monkeypatch.setattr(main, "create_app", create_app)
    monkeypatch.setattr(main, "configure_logging", lambda *a, **k: None)
    main.app_factory()
    assert made == [{"warm_up": True}]
