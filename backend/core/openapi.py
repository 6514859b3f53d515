"""The API's error responses in the OpenAPI schema: one structured model, every status listed.

Every error under ``/api/`` has the shape ``{"error": {"code", "message", "fields"}}``
(``backend/core/errors.py``), validation errors included — FastAPI's own 422 schema
(``{"detail": [...]}``) would be wrong. ``document_api_errors`` runs once, before the app's
first OpenAPI schema (``document_api_errors_on_first_schema``: reading a route's dependencies
builds it, which start-up leaves to each route's first use), and adds to each API operation the
errors it can give, derived from what the route is:

- 400 (a body that cannot be parsed) and 422 (invalid parameters or body) when it takes input;
- what its dependencies declare with :func:`raises`: 401 where the caller is read (a bearer
  token that is unknown, revoked or expired is refused even where a token is optional), 403
  where a role or membership is needed;
- 403 on every unsafe method (the CSRF check: a browser request without a valid token or from
  a foreign origin);
- 404 when its path names something (a slug, a reference, an id).

Statuses that depend on the service (409 conflicts, 429 rate limits, 503 search down) are
declared on the route itself with :func:`error_responses`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.utils import create_model_field
from pydantic import BaseModel, Field

from backend.core.db import SAFE_METHODS


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. not_found, invalid, "
                                  "csrf_failed, rate_limited")
    message: str = Field(description="What went wrong, for people")
    fields: dict[str, str] | None = Field(
        default=None, description="Per input field (dotted for nested ones): what is wrong "
                                  "with it; only on validation errors")


class ErrorResponse(BaseModel):
    """The body of every error response of the API."""

    error: ErrorDetail


DESCRIPTIONS: dict[int, str] = {
    400: "The request body could not be read (malformed JSON or encoding)",
    401: "Not authenticated, or the API token is unknown, revoked or expired",
    403: "Not allowed: the role or membership is missing, or (for a browser) the CSRF check "
         "failed",
    404: "Not found, or not visible to this caller",
    409: "Conflicts with the current state",
    422: "Invalid parameters or body; error.fields names each field",
    429: "Too many requests; retry after the Retry-After header's seconds",
    503: "A backing service (the search engine) is temporarily unavailable",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route or router: these statuses with the error model."""
    return {status: {"model": ErrorResponse, "description": DESCRIPTIONS[status]}
            for status in statuses}


F = TypeVar("F", bound=Callable[..., Any])


def raises(*statuses: int) -> Callable[[F], F]:
    """Mark a dependency with the error statuses it may answer with (401, 403 …): every API
    route that depends on it, directly or through other dependencies, documents them."""

    def mark(func: F) -> F:
        func.__dict__["loket_error_statuses"] = frozenset(statuses)
        return func

    return mark


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for dep in dependant.dependencies:
        yield from _dependants(dep)


def statuses_for(route: APIRoute) -> set[int]:
    """The error statuses a route can answer with, from its shape and its dependencies."""
    deps = list(_dependants(route.dependant))  # the route's and its dependencies' parameters
    path = any(d.path_params for d in deps)
    body = any(d.body_params for d in deps)
    out: set[int] = set()
    if path or body or any(d.query_params or d.header_params for d in deps):
        out.add(422)
    if body:
        out.add(400)
    for d in deps:
        out |= getattr(d.call, "loket_error_statuses", frozenset())
    if set(route.methods or ()) - set(SAFE_METHODS):
        out.add(403)
    if path:
        out.add(404)
    return out


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        # FastAPI includes routers lazily: their routes stay on the included router and the
        # effective route is built from them (responses included) on first use.
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _api_routes(included.routes)


def document_api_errors(app: FastAPI, prefix: str = "/api/") -> None:
    """Add the error responses of every API route (call after the routers are included,
    before the first request or ``app.openapi()``)."""
    for route in _api_routes(app.router.routes):
        if not route.path.startswith(prefix):
            continue
        # The app's own dependencies (the CSRF check) are not on the route: statuses_for
        # adds 403 for unsafe methods itself.
        for status, spec in error_responses(*sorted(statuses_for(route))).items():
            route.responses.setdefault(status, spec)
        for status, spec in route.responses.items():
            if not isinstance(status, int) or status < 400:
                continue
            # A status declared with a description only gets the model too.
            spec.setdefault("description", DESCRIPTIONS.get(status, "Error"))
            spec.setdefault("model", ErrorResponse)
            if status not in route.response_fields:  # what APIRoute builds from "model"
                route.response_fields[status] = create_model_field(
                    name=f"Response_{status}_{route.unique_id}", type_=spec["model"],
                    mode="serialization")
    app.openapi_schema = None


def document_api_errors_on_first_schema(app: FastAPI, prefix: str = "/api/") -> None:
    """Run :func:`document_api_errors` when ``app.openapi()`` first makes the schema (the
    errors only show in the schema; the routes are not built at start-up for them)."""
    make_schema = app.openapi
    done = False

    def openapi() -> dict[str, Any]:
        nonlocal done
        if not done:
            document_api_errors(app, prefix)
            done = True
        return make_schema()

    app.openapi = openapi  # type: ignore[method-assign]
