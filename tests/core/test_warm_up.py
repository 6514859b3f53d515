"""Start-up work that waits for a background thread (issue 19, cold start): nothing costly
at import, and the warm-up leaves every page template compiled."""

from __future__ import annotations

import subprocess
import sys

from fastapi import FastAPI

from backend.core.settings import ROOT
from backend.core.templating import env, warm_templates


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
