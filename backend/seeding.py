"""Idempotent loading of everything under ``seed/``. Each domain adds a loader here."""

from __future__ import annotations

from collections.abc import Callable

from backend.core.db import Database
from backend.core.settings import ROOT, Settings

SEED_DIR = ROOT / "seed"

Loader = Callable[[Database, Settings], str]


def loaders() -> list[Loader]:
    # Order matters: taxonomy before content, regions before desks, desks and groups before
    # the demo accounts (development only).
    from backend.community.seed import load_groups
    from backend.content.seed import load_seed
    from backend.demo import seed_demo_accounts
    from backend.regions.service import seed_regions
    from backend.routing.seed import seed_desks
    from backend.scan.service import load_seed as seed_scan

    return [load_seed, seed_regions, seed_desks, seed_scan, load_groups, seed_demo_accounts]


def run_seed(db: Database, settings: Settings) -> list[str]:
    return [loader(db, settings) for loader in loaders()]
