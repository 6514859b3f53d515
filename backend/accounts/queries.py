"""Read functions accounts offers other domains: who a user is, never a way into its tables.

``UserInfo`` is a frozen read model (id, e-mail, name, active); other domains look people up
by id here and join in Python instead of joining ``user_account`` (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from backend.accounts.models import User


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    name: str
    is_active: bool

    @property
    def display_name(self) -> str:
        """The name, or the e-mail address when no name is known."""
        return self.name or self.email


def _info(user: User) -> UserInfo:
    assert user.id is not None
    return UserInfo(id=user.id, email=user.email, name=user.name, is_active=user.is_active)


def user(session: Session, user_id: int | None) -> UserInfo | None:
    """The user with this id, or None."""
    found = session.get(User, user_id) if user_id is not None else None
    return _info(found) if found is not None else None


def active_email(session: Session, user_id: int | None) -> str | None:
    """The e-mail address of an active user, or None (unknown or deactivated)."""
    found = user(session, user_id)
    return found.email if found is not None and found.is_active else None


def users(session: Session, ids: Iterable[int | None], *, active_only: bool = False
          ) -> dict[int, UserInfo]:
    """{id: UserInfo} of the given ids that exist (one query), by id."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    stmt = select(User).where(col(User.id).in_(wanted)).order_by(col(User.id))
    if active_only:
        stmt = stmt.where(col(User.is_active).is_(True))
    return {u.id: _info(u) for u in session.exec(stmt).all() if u.id is not None}
