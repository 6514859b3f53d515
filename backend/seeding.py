"""Idempotent loading of everything under ``seed/``: each domain's ``seed`` loader
(``backend.core.domain.Domain``), in the layer order of ``backend.domains.DOMAINS``."""

from __future__ import annotations

from collections.abc import Callable

from backend.core.db import Database
from backend.core.settings import ROOT, Settings
from backend.domains import demo, domains

SEED_DIR = ROOT / "seed"

Loader = Callable[[Database, Settings], str]


def loaders() -> list[Loader]:
    # Order matters (taxonomy before content, regions before desks): DOMAINS is in layer order;
    # the demo accounts (development only) come last, after desks and groups. Imported here,
    # not with this module: `loket serve` imports it and serves before importing every domain.
    return [*(d.seed for d in domains() if d.seed is not None), demo().seed_demo_accounts]


def run_seed(db: Database, settings: Settings) -> list[str]:
    return [loader(db, settings) for loader in loaders()]
