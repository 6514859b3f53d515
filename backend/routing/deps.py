"""Request dependencies the routing domain's route modules share (a route module imports no
other route module)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from backend.accounts.deps import OptionalPrincipal, login_redirect
from backend.accounts.principal import Principal


def _signed_in(request: Request, principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise login_redirect(request)
    return principal


SignedIn = Annotated[Principal, Depends(_signed_in)]
