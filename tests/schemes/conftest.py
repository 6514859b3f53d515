"""Scheme finder fixtures: the small test taxonomy and the shipped municipalities."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from backend.core.db import Database
from backend.core.settings import Settings
from backend.regions.service import seed_regions
from tests.factories.content import create_taxonomy


@pytest.fixture
def finder_data(db: Database, settings: Settings, session: Session) -> None:
    create_taxonomy(session)
    session.commit()
    seed_regions(db, settings)
