"""Request dependencies the routing domain's route modules share (a route module imports no
other route module)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from backend.accounts.deps import OptionalPrincipal, login_redirect
from backend.accounts.principal import Principal
from backend.content.indexing import backend_for_app


def _signed_in(request: Request, principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise login_redirect(request)
    return principal


SignedIn = Annotated[Principal, Depends(_signed_in)]


def search_backend(request: Request) -> Any:
    """The knowledge base's search backend for theme votes, or None when it cannot be opened
    (routing then goes without the votes)."""
    try:
        return backend_for_app(request.app)
    except Exception:
        return None
