"""Scan fixtures: the seeded definition, the small taxonomy, a small regional map with desks."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from backend.core.db import Database
from backend.core.settings import Settings
from backend.scan.service import load_seed
from tests.factories.cases import regional_setup
from tests.factories.content import create_taxonomy


@pytest.fixture
def scan_data(db: Database, settings: Settings, session: Session) -> None:
    create_taxonomy(session)
    regional_setup(session)
    session.commit()
    load_seed(db, settings)
