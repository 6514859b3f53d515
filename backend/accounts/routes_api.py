"""JSON API for accounts: who am I, and admin management of users, roles and tokens.

Authenticates with the session cookie (plus ``X-CSRF-Token`` on writes) or with a bearer
API token (``Authorization: Bearer lkt_…``); admin endpoints need the admin role.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from backend.accounts import service
from backend.accounts.deps import AdminUser, CurrentUser, client_ip
from backend.accounts.models import (
    ApiToken,
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenPublic,
    MePublic,
    RoleGrant,
    UserCreate,
    UserPublic,
    UsersPublic,
)
from backend.core.db import MAX_ROW_ID, RowId, SessionDep
from backend.core.openapi import error_responses
from backend.core.routing import LazyRoute

router = APIRouter(prefix="/api/v1", tags=["accounts"], route_class=LazyRoute)

_errors: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not authenticated"},
    403: {"description": "Not allowed (admin role needed)"},
}


def _token_public(token: ApiToken) -> ApiTokenPublic:
    return ApiTokenPublic.model_validate(token, from_attributes=True)


def _user_out(session: SessionDep, user_id: int) -> UserPublic:
    return service.user_public(service.get_user(session, user_id),
                               service.roles_of(session, user_id))


@router.get("/me", response_model=MePublic, responses={401: _errors[401]},
            summary="The logged-in user or the token's principal")
def me(principal: CurrentUser) -> MePublic:
    return MePublic(id=principal.user_id, name=principal.display_name,
                    roles=sorted(principal.roles), via=principal.via,
                    token_id=principal.token_id)


@router.get("/admin/users", response_model=UsersPublic, responses=_errors,
            summary="List users (search by e-mail or name)")
def list_users(session: SessionDep, admin: AdminUser,
               q: Annotated[str | None, Query(max_length=200)] = None,
               role: Annotated[str | None, Query(max_length=32)] = None,
               offset: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
               limit: Annotated[int, Query(ge=1, le=200)] = 50) -> UsersPublic:
    users, total = service.list_users(session, q=q, role=role, offset=offset, limit=limit)
    roles = service.roles_by_user(session, [u.id for u in users if u.id is not None])
    return UsersPublic(data=[service.user_public(u, roles.get(u.id or 0, [])) for u in users],
                       count=total)


@router.post("/admin/users", response_model=UserPublic, status_code=status.HTTP_201_CREATED,
             responses={**_errors, **error_responses(409)},  # the address is taken
             summary="Create a user")
def create_user(request: Request, session: SessionDep, admin: AdminUser,
                body: UserCreate) -> UserPublic:
    user = service.create_user(session, body.email, name=body.name, roles=body.roles,
                               actor=admin, ip=client_ip(request))
    assert user.id is not None
    return _user_out(session, user.id)


@router.post("/admin/users/{user_id}/roles", response_model=UserPublic,
             responses=_errors, summary="Grant a role")
def grant_role(request: Request, session: SessionDep, admin: AdminUser, user_id: RowId,
               body: RoleGrant) -> UserPublic:
    service.grant_role(session, user_id, body.role, actor=admin, ip=client_ip(request),
                       province=body.province)
    return _user_out(session, user_id)


@router.delete("/admin/users/{user_id}/roles/{role}", response_model=UserPublic,
               responses={**_errors, **error_responses(409)},  # the last admin keeps it
               summary="Revoke a role")
def revoke_role(request: Request, session: SessionDep, admin: AdminUser, user_id: RowId,
                role: str) -> UserPublic:
    service.get_user(session, user_id)
    service.revoke_role(session, user_id, role, actor=admin, ip=client_ip(request))
    return _user_out(session, user_id)


@router.get("/admin/tokens", response_model=list[ApiTokenPublic], responses=_errors,
            summary="List API tokens (never their secrets)")
def list_tokens(session: SessionDep, admin: AdminUser,
                include_revoked: bool = True) -> list[ApiTokenPublic]:
    return [_token_public(t) for t in service.list_tokens(session,
                                                          include_revoked=include_revoked)]


@router.post("/admin/tokens", response_model=ApiTokenCreated,
             status_code=status.HTTP_201_CREATED, responses=_errors,
             summary="Create an API token; the secret is in this response only")
def create_token(request: Request, response: Response, session: SessionDep, admin: AdminUser,
                 body: ApiTokenCreate) -> ApiTokenCreated:
    token, plain = service.create_api_token(session, name=body.name, role=body.role,
                                            user_id=body.user_id, expires_at=body.expires_at,
                                            actor=admin, ip=client_ip(request))
    response.headers["Cache-Control"] = "no-store"
    return ApiTokenCreated(**_token_public(token).model_dump(), token=plain)


@router.delete("/admin/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses=_errors, summary="Revoke an API token")
def revoke_token(request: Request, session: SessionDep, admin: AdminUser,
                 token_id: RowId) -> Response:
    service.revoke_api_token(session, token_id, actor=admin, ip=client_ip(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
