"""Fixtures for the cases tests: a small regional map with desks and their members."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlmodel import Session, col, select

from backend.core.mail import MAIL_KIND
from backend.core.outbox import OutboxMessage
from backend.routing.models import Desk
from tests.factories.cases import regional_setup


@pytest.fixture
def desks(session: Session) -> dict[str, Desk]:
    found = regional_setup(session)
    session.commit()
    return found


def mails(session: Session, to: str | None = None) -> list[dict[str, Any]]:
    session.expire_all()
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == MAIL_KIND)
                        .order_by(col(OutboxMessage.id))).all()
    return [r.payload for r in rows if to is None or r.payload["to"] == to]


def link_token(mail: dict[str, Any]) -> str:
    match = re.search(r"/vraag/volgen/([A-Za-z0-9_-]+)", mail["text"])
    assert match, mail["text"]
    return match.group(1)
