"""Routes built at their first request, not at import: a cold start that does not wait for
FastAPI's work on its ~320 routes (issue #19 item 3; docs/benchmarks.md).

An ``APIRoute`` analyses its endpoint when it is created: the dependency tree, a pydantic
``TypeAdapter`` per parameter, the response model, the request handler — about 1.5 ms of CPU a
route, 0.5–0.7 s for the whole app. FastAPI (0.16x) then includes a router lazily and builds
every route a second time, with the app's dependencies, the first time a request walks past it.
So the app paid twice, once while importing and once on its first request.

Here each route is built once, when it is first used:

- every domain router is ``APIRouter(..., route_class=LazyRoute)``: the decorator only records
  the route's arguments and compiles its path (what matching, ``url_for`` and the route tables
  read);
- :func:`include` copies a router's routes into the app's router as new ``LazyRoute`` s with the
  app's dependencies, tags and responses added — what ``include_router`` did in FastAPI before
  it became lazy — so a request matches them directly;
- any other attribute (``dependant``, ``response_field``, ``app``, …) builds the route with
  ``APIRoute.__init__`` and the arguments recorded: a request, the OpenAPI schema or a test
  reading it gets exactly the route ``APIRoute`` would have made. One lock keeps two threads
  from building the same route twice.

A request is matched against the app's routes one by one, ~310 of them for a page near the
end of the table (the content pages): FastAPI's ``matches`` and Starlette's, a regular
expression each, 0.2–0.3 ms a request. ``LazyRoute.matches`` first compares the path with the
route's literal part (all of a path without parameters, else what comes before the first
``{``; the regular expression requires exactly that), and says ``Match.NONE`` when it differs,
as the regular expression would have.

FastAPI asks of every parameter and response model it analyses whether it is a ``pydantic.v1``
model (to refuse it), and imports ``pydantic.v1`` to ask (≈ 40 modules, 15–20 ms of CPU the first
route with a parameter paid). No class can be a ``pydantic.v1`` model while ``pydantic.v1`` is
not imported, so :func:`_unless_v1_absent` answers "no" without importing it then, and asks
FastAPI's own check once it is imported: the same answers, and a v1 model is refused as before
(``tests/core/test_lazy_routes.py``).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

import fastapi.encoders
from fastapi import APIRouter
from fastapi._compat import shared as fastapi_compat
from fastapi.routing import _FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY, _FASTAPI_SCOPE_KEY, APIRoute
from starlette._utils import get_route_path
from starlette.routing import Match, compile_path, get_name
from starlette.types import Scope


def _unless_v1_absent(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """``check`` (is this a ``pydantic.v1`` model or instance?), asked only once ``pydantic.v1``
    is imported: before that no class or object can be one."""
    def guarded(obj: Any) -> bool:
        return "pydantic.v1" in sys.modules and check(obj)

    guarded.__wrapped__ = check  # type: ignore[attr-defined]
    return guarded


if not hasattr(fastapi_compat.is_pydantic_v1_model_class, "__wrapped__"):
    fastapi_compat.is_pydantic_v1_model_class = _unless_v1_absent(  # type: ignore[assignment]
        fastapi_compat.is_pydantic_v1_model_class)
    fastapi.encoders.is_pydantic_v1_model_instance = _unless_v1_absent(  # type: ignore[assignment]
        fastapi.encoders.is_pydantic_v1_model_instance)

# One lock for all routes: a build takes about a millisecond and is done once per route.
_LOCK = threading.RLock()
_PATHS: dict[str, tuple[Any, str, dict[str, Any]]] = {}  # compile_path per path


_EFFECTIVE = _FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY  # set by an included router: match as usual
_NONE: dict[str, Any] = {}


def _probe() -> None:
    """A route of nothing, to learn which attributes APIRoute.__init__ sets."""


# What a built route has; reading one of these from an unbuilt route builds it.
_BUILT: frozenset[str] = frozenset(vars(APIRoute("/", _probe)))


def _compiled(path: str) -> tuple[Any, str, dict[str, Any]]:
    found = _PATHS.get(path)
    if found is None:
        found = _PATHS[path] = compile_path(path)
    return found


class LazyRoute(APIRoute):
    """An ``APIRoute`` whose endpoint analysis and handler are made at first use."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self._spec: tuple[str, Callable[..., Any], dict[str, Any]] | None = (
            path, endpoint, kwargs)
        self._building = False
        # What matching a request, url_for and the route tables read (as APIRoute sets them).
        self.path = path
        self.endpoint = endpoint
        name = kwargs.get("name")
        self.name = get_name(endpoint) if name is None else name
        self.path_regex, self.path_format, self.param_convertors = _compiled(path)
        self.methods = {m.upper() for m in (kwargs.get("methods") or ["GET"])}
        self.include_in_schema = kwargs.get("include_in_schema", True)
        cut = path.find("{")
        self._literal = path if cut < 0 else path[:cut]
        self._whole = cut < 0  # the path is all literal: only that path matches

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and _EFFECTIVE not in scope.get(_FASTAPI_SCOPE_KEY, _NONE):
            path = get_route_path(scope) if scope.get("root_path") else scope["path"]
            if path != self._literal if self._whole else not path.startswith(self._literal):
                return Match.NONE, {}
        return super().matches(scope)

    @property
    def spec(self) -> tuple[str, Callable[..., Any], dict[str, Any]]:
        """The arguments the route was made with (its path, endpoint and keywords)."""
        with _LOCK:
            if self._spec is None:
                raise RuntimeError("the route is built; its arguments are its attributes")
            return self._spec

    @property
    def built(self) -> bool:
        return self.__dict__.get("_spec") is None

    def build(self) -> None:
        """Make the route as ``APIRoute`` would have (once; the first caller does it)."""
        with _LOCK:
            spec = self._spec
            if spec is None:
                return
            if self._building:  # read during its own build: not there yet, as in APIRoute
                raise AttributeError("route attribute read while the route is built")
            self._building = True
            try:
                path, endpoint, kwargs = spec
                APIRoute.__init__(self, path, endpoint, **kwargs)
                self._spec = None
            finally:
                self._building = False

    def __getattr__(self, name: str) -> Any:  # only for attributes not (yet) set
        if name in _BUILT and self.__dict__.get("_spec") is not None:
            self.build()
            return object.__getattribute__(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def include(parent: APIRouter, router: APIRouter) -> None:
    """Add ``router``'s routes to ``parent`` as unbuilt routes with ``parent``'s prefix,
    dependencies, tags, responses and defaults (``include_router`` before FastAPI 0.16x). A
    router with anything else (a route made another way, start-up handlers, a frontend) is
    included by FastAPI as usual."""
    routes = router.routes
    if (router.on_startup or router.on_shutdown or getattr(router, "_low_priority_routes", None)
            or not all(isinstance(r, LazyRoute) and not r.built for r in routes)):
        parent.include_router(router)
        return
    for route in routes:
        assert isinstance(route, LazyRoute)
        path, endpoint, kwargs = route.spec
        kwargs = dict(kwargs)
        kwargs.pop("dependency_overrides_provider", None)  # the parent's (the app's) instead
        parent.add_api_route(path, endpoint, route_class_override=LazyRoute, **kwargs)
