"""Routing fixtures: the shipped map (seed) and pure router inputs built from the seed files."""

from __future__ import annotations

from functools import cache

import pytest
import yaml

from backend.core.db import Database
from backend.core.settings import Settings
from backend.regions.index import RegionIndex
from backend.regions.service import SEED_DIR, seed_region_index
from backend.routing.router import DeskIndex, DeskProfile
from backend.routing.seed import read_desks
from tests.factories.routing import seed_map


def seed_regions_index() -> RegionIndex:
    """The shipped division with its postcodes and places (``regions.service``, cached)."""
    return seed_region_index()


@cache
def seed_desk_index() -> DeskIndex:
    """The desks of seed/desks.yaml as the router sees them, without a database."""
    index = seed_regions_index()
    profiles = []
    for e in read_desks():
        coverage = set()
        for c in e.get("coverage") or ():
            code = str(c.get("code") or "")
            if c["kind"] == "municipality":
                found = index.resolve(code)
                assert found is not None, code
                code = found.code
            coverage.add((c["kind"], code))
        profiles.append(DeskProfile(
            slug=e["slug"], name=e["name"], coverage=frozenset(coverage),
            themes=frozenset(e.get("themes") or ()), sectors=frozenset(e.get("sectors") or ()),
            company_sizes=frozenset(e.get("company_sizes") or ()),
            languages=frozenset(e.get("languages") or ("nl",)),
            keywords=tuple(e.get("keywords") or ()), capacity=e.get("capacity", 50),
            general_remit=e.get("general_remit", False), is_fallback=e.get("is_fallback", False)))
    return DeskIndex(profiles)


@pytest.fixture
def seeded(db: Database, settings: Settings) -> Database:
    seed_map(db, settings)
    return db


def load_questions() -> list[dict[str, object]]:
    with (SEED_DIR.parents[1] / "tests" / "routing" / "questions.yaml").open(
            encoding="utf-8") as fh:
        return list(yaml.safe_load(fh))
