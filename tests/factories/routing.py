"""Factories for desks, their members and a loaded map (the shipped seed)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, select

from backend.accounts.models import User
from backend.core.db import Database
from backend.core.settings import Settings
from backend.routing.models import ADVISOR, Desk, DeskCoverage, DeskMember
from backend.routing.queries import DeskInfo, desk_by_id
from tests.factories.accounts import create_user


def create_desk(session: Session, slug: str | None = None, *, name: str | None = None,
                coverage: Sequence[tuple[str, str]] | None = None,
                themes: Sequence[str] = (), sectors: Sequence[str] = (),
                company_sizes: Sequence[str] = (), keywords: Sequence[str] = (),
                general_remit: bool | None = None, is_fallback: bool = False,
                capacity: int = 50, **kw: Any) -> Desk:
    """A desk with coverage given as (kind, code) pairs; nationwide when omitted. A fallback
    desk has a general remit unless told otherwise. A desk whose slug exists already is
    returned as it is (shared setups such as ``regional_setup`` are called more than once)."""
    slug = slug or f"loket-{secrets.token_hex(3)}"
    existing = session.exec(select(Desk).where(Desk.slug == slug)).first()
    if existing is not None:
        return existing
    desk = Desk(slug=slug, name=name or slug.replace("-", " ").title(), themes=list(themes),
                sectors=list(sectors), company_sizes=list(company_sizes),
                keywords=list(keywords),
                general_remit=is_fallback if general_remit is None else general_remit,
                is_fallback=is_fallback, capacity=capacity, **kw)
    session.add(desk)
    session.flush()
    assert desk.id is not None
    for kind, code in coverage if coverage is not None else [("national", "")]:
        session.add(DeskCoverage(desk_id=desk.id, kind=kind, code=code))
    session.flush()
    return desk


def add_member(session: Session, desk: Desk, user: User | None = None, *,
               role: str = ADVISOR, name: str = "Adviseur") -> User:
    user = user or create_user(session, name=name)
    assert desk.id is not None and user.id is not None
    session.add(DeskMember(desk_id=desk.id, user_id=user.id, role=role))
    session.flush()
    return user


def seed_map(db: Database, settings: Settings) -> None:
    """The shipped municipalities, postcodes and desks, whatever an earlier test in the same
    database made: factories write municipalities of year 2026, which the seed would keep
    as a newer import (the browser tests share one live server's database)."""
    import sqlalchemy as sa

    from backend.regions.models import Municipality
    from backend.regions.service import seed_municipalities, seed_regions
    from backend.routing.seed import seed_desks

    year = seed_municipalities()[0].valid_year
    with db.transaction() as s:
        s.execute(sa.update(Municipality).where(sa.column("valid_year") > year)
                  .values(valid_year=year))
    seed_regions(db, settings)
    seed_desks(db, settings)


def get_desk(session: Session, slug: str) -> Desk:
    desk = session.exec(select(Desk).where(Desk.slug == slug)).first()
    assert desk is not None, slug
    return desk


def info(session: Session, desk: Desk) -> DeskInfo:
    """The desk as other domains are handed it (``routing.queries``)."""
    found = desk_by_id(session, desk.id)
    assert found is not None
    return found
