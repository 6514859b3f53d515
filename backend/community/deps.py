"""Who may do what in a group: the one place where group permissions are checked.

``GroupView`` resolves the group from the path (a domain 404 when it does not exist) and who is
asking; ``GroupMember`` and ``GroupCoordinator`` require the principal's firm to be a member or
coordinator. Pages send anonymous visitors to the login page; the API answers 401.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from backend.accounts.deps import OptionalPrincipal, login_redirect
from backend.accounts.principal import Principal
from backend.community import service
from backend.community.models import COORDINATOR, Firm, Group, GroupMembership
from backend.core.db import SessionDep
from backend.core.errors import Forbidden, NotAuthenticated, wants_json
from backend.core.openapi import raises


@dataclass(frozen=True)
class GroupAccess:
    group: Group
    principal: Principal | None
    firm: Firm | None
    membership: GroupMembership | None

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def is_coordinator(self) -> bool:
        return self.membership is not None and self.membership.role == COORDINATOR


@dataclass(frozen=True)
class MemberAccess(GroupAccess):
    """A member's access: principal, firm and membership are known."""

    @property
    def user(self) -> Principal:
        assert self.principal is not None
        return self.principal

    @property
    def own_firm(self) -> Firm:
        assert self.firm is not None
        return self.firm


def group_view(slug: str, session: SessionDep, principal: OptionalPrincipal) -> GroupAccess:
    group = service.get_group(session, slug)
    firm = service.firm_of_user(session, principal.user_id) if principal else None
    row = service.membership(session, group.id, firm.id) if firm else None
    return GroupAccess(group=group, principal=principal, firm=firm, membership=row)


GroupView = Annotated[GroupAccess, Depends(group_view)]


def _require(request: Request, access: GroupAccess, *, coordinator: bool) -> MemberAccess:
    if access.principal is None:
        if wants_json(request):
            raise NotAuthenticated()
        raise login_redirect(request)
    if not access.is_member or (coordinator and not access.is_coordinator):
        raise Forbidden()
    return MemberAccess(group=access.group, principal=access.principal, firm=access.firm,
                        membership=access.membership)


@raises(401, 403)
def group_member(request: Request, access: GroupView) -> MemberAccess:
    return _require(request, access, coordinator=False)


@raises(401, 403)
def group_coordinator(request: Request, access: GroupView) -> MemberAccess:
    return _require(request, access, coordinator=True)


GroupMember = Annotated[MemberAccess, Depends(group_member)]
GroupCoordinator = Annotated[MemberAccess, Depends(group_coordinator)]
