"""Factories for groups, firms and their people."""

from __future__ import annotations

import secrets

from sqlmodel import Session

from backend.accounts.models import User
from backend.community import service
from backend.community.models import COORDINATOR, MEMBER, Firm, Group
from tests.factories.accounts import create_user


def create_firm(session: Session, *, name: str | None = None, sector: str = "installatie",
                size_class: str = "klein", people: tuple[User, ...] = (),
                kvk: str | None = None) -> Firm:
    """A firm with a random (invented) KvK number unless one is given."""
    return service.create_firm(session, name=name or f"Firma {secrets.token_hex(3)}",
                               sector=sector, size_class=size_class,
                               kvk=kvk if kvk is not None else f"{secrets.randbelow(10**8):08d}",
                               people=[p.id for p in people if p.id is not None])


def create_person(session: Session, firm: Firm, **kw: object) -> User:
    user = create_user(session, **kw)  # type: ignore[arg-type]
    assert user.id is not None
    service.add_person(session, firm, user.id)
    return user


def create_group(session: Session, *, slug: str | None = None, name: str = "Testgroep",
                 purpose: str = "Samen productiever.", sector: str = "installatie",
                 region: str = "Overijssel", is_example: bool = False,
                 coordinator: Firm | None = None) -> Group:
    return service.create_group(session, slug=slug or f"groep-{secrets.token_hex(3)}",
                                name=name, purpose=purpose, sector=sector, region=region,
                                is_example=is_example, coordinator=coordinator)


def join(session: Session, group: Group, firm: Firm, *, coordinator: bool = False) -> None:
    service.add_member(session, group, firm, role=COORDINATOR if coordinator else MEMBER)


def member_with_person(session: Session, group: Group, *, coordinator: bool = False,
                       sector: str = "installatie", size_class: str = "klein"
                       ) -> tuple[Firm, User]:
    firm = create_firm(session, sector=sector, size_class=size_class)
    user = create_person(session, firm)
    join(session, group, firm, coordinator=coordinator)
    return firm, user


def figures_for(session: Session, group: Group, period_id: int, firm: Firm,
                values: dict[str, float]) -> None:
    """Store a firm's figures directly (``kpi key → value``)."""
    from backend.community import benchmarks as bm
    from backend.community.models import KpiFigure

    by_key = {k.key: k for k in bm.kpis(session, group)}
    for key, value in values.items():
        kpi_id = by_key[key].id
        assert kpi_id is not None and firm.id is not None
        session.add(KpiFigure(period_id=period_id, firm_id=firm.id, kpi_id=kpi_id, value=value))
    session.flush()
