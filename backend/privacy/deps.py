"""``AccountPage``: any logged-in account holder (anonymous visitors go to the login page)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from backend.accounts.deps import OptionalPrincipal, login_redirect
from backend.accounts.principal import Principal
from backend.core.errors import Forbidden


def require_account_page(request: Request, principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise login_redirect(request)
    if principal.user_id is None or principal.via != "session":
        raise Forbidden()
    return principal


AccountPage = Annotated[Principal, Depends(require_account_page)]
