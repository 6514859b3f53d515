"""Routes built at their first request, not at import: a cold start that does not wait for
FastAPI's work on its ~320 routes (issue #19 item 3; docs/benchmarks.md).

An ``APIRoute`` analyses its endpoint when it is created: the dependency tree, a pydantic
``TypeAdapter`` per parameter, the response model, the request handler — about 1.5 ms of CPU a
route, 0.5–0.7 s for the whole app. FastAPI (0.16x) then includes a router lazily and builds
every route a second time, with the app's dependencies, the first time a request walks past it.
So the app paid twice, once while importing and once on its first request.

Here each route is built once, when it is first used:

- every domain router is ``APIRouter(..., route_class=LazyRoute)``: the decorator only records
  the route's arguments, path, methods and name (what matching, ``url_for`` and the route
  tables read; the path's regular expression is compiled when first read, and most routes'
  literal part turns every request away before it is needed);
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

A route can also be added before its module is imported, from a route table
(:func:`route_table`, :func:`include_table`): a *pending* route, matched like the others; its
first use calls the function that imports the module and :func:`fill` s it with what
:func:`include` would have added. A served app adds the routes of the domains it imports after
its start that way (``backend.main``). :func:`answers` asks whether a route serves a request
without that import (the menu asks it of every route).

FastAPI asks of every parameter and response model it analyses whether it is a ``pydantic.v1``
model (to refuse it), and imports ``pydantic.v1`` to ask (≈ 40 modules, 15–20 ms of CPU the first
route with a parameter paid). No class can be a ``pydantic.v1`` model while ``pydantic.v1`` is
not imported, so :func:`_unless_v1_absent` answers "no" without importing it then, and asks
FastAPI's own check once it is imported: the same answers, and a v1 model is refused as before
(``tests/core/test_lazy_routes.py``).
"""

from __future__ import annotations

import copy
import sys
import threading
from collections.abc import Callable
from typing import Any

import anyio.to_thread
import fastapi.encoders
from fastapi import APIRouter
from fastapi._compat import shared as fastapi_compat
from fastapi.routing import _FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY, _FASTAPI_SCOPE_KEY, APIRoute
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, compile_path, get_name
from starlette.types import Receive, Scope, Send


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


# What a built route has; reading one of these from an unbuilt route builds it, except the
# parts of its compiled path.
_PATH_PARTS = frozenset({"path_regex", "path_format", "param_convertors"})
_BUILT: frozenset[str] = frozenset(vars(APIRoute("/", _probe))) - _PATH_PARTS


def _compiled(path: str) -> tuple[Any, str, dict[str, Any]]:
    found = _PATHS.get(path)
    if found is None:
        found = _PATHS[path] = compile_path(path)
    return found


class LazyRoute(APIRoute):
    """An ``APIRoute`` whose endpoint analysis and handler are made at first use."""

    _resolve: Callable[[], None] | None = None  # a pending route's (``pending``)

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self._spec: tuple[str, Callable[..., Any], dict[str, Any]] | None = (
            path, endpoint, kwargs)
        self._building = False
        # What matching a request, url_for and the route tables read (as APIRoute sets them;
        # the path's regular expression when first read: ``__getattr__``).
        self.path = path
        self.endpoint = endpoint
        name = kwargs.get("name")
        self.name = get_name(endpoint) if name is None else name
        self.methods = {m.upper() for m in (kwargs.get("methods") or ["GET"])}
        self.include_in_schema = kwargs.get("include_in_schema", True)
        cut = path.find("{")
        self._literal = path if cut < 0 else path[:cut]
        self._whole = cut < 0  # the path is all literal: only that path matches

    @classmethod
    def pending(cls, path: str, *, methods: list[str], name: str, include_in_schema: bool,
                resolve: Callable[[], None]) -> LazyRoute:
        """A route known by its path, methods and name only (a route table's row,
        :func:`route_table`), as a request is matched; its endpoint and everything else come
        from ``resolve``, called at first use (it imports the route's module and
        :func:`fill` s the route)."""
        route = cls.__new__(cls)
        route._spec = None
        route._resolve = resolve
        route._building = False
        route.path = path
        route.name = name
        route.methods = set(methods)
        route.include_in_schema = include_in_schema
        cut = path.find("{")
        route._literal = path if cut < 0 else path[:cut]
        route._whole = cut < 0
        return route

    def _literal_differs(self, scope: Scope) -> bool:
        if scope["type"] == "http" and _EFFECTIVE not in scope.get(_FASTAPI_SCOPE_KEY, _NONE):
            path = get_route_path(scope) if scope.get("root_path") else scope["path"]
            return path != self._literal if self._whole else not path.startswith(self._literal)
        return False

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self._literal_differs(scope):
            return Match.NONE, {}
        if scope["type"] == "http" and self.__dict__.get("_resolve") is not None:
            # Pending: Starlette's and FastAPI's answer without the endpoint, which ``handle``
            # puts in the scope once the route's module is imported.
            found = self.path_regex.match(get_route_path(scope))
            if not found:
                return Match.NONE, {}
            params = {key: self.param_convertors[key].convert(value)
                      for key, value in found.groupdict().items()}
            child = {"path_params": {**scope.get("path_params", {}), **params}, "route": self}
            if self.methods and scope["method"] not in self.methods:
                return Match.PARTIAL, child
            return Match.FULL, child
        return super().matches(scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.__dict__.get("_resolve") is not None:
            # In a thread: importing the route's module takes a few hundred milliseconds,
            # which the event loop spends on other requests meanwhile.
            await anyio.to_thread.run_sync(self._resolved, False)
            if self.__dict__.get("_dropped"):  # no longer among the app's routes: route anew
                for key in ("path_params", "route"):
                    scope.pop(key, None)
                await scope["router"].app(scope, receive, send)
                return
            scope["endpoint"] = self.endpoint
        await super().handle(scope, receive, send)

    def drop(self) -> None:
        """A pending route its router's routes replaced (they did not fit the table)."""
        self._dropped = True
        self._resolve = None

    def answers(self, scope: Scope) -> Match:
        """What ``matches`` answers for an HTTP request (without a route context of an
        included router), from the path and methods alone: a pending route stays pending."""
        if self._literal_differs(scope) or not self.path_regex.match(get_route_path(scope)):
            return Match.NONE
        if self.methods and scope["method"] not in self.methods:
            return Match.PARTIAL
        return Match.FULL

    @property
    def spec(self) -> tuple[str, Callable[..., Any], dict[str, Any]]:
        """The arguments the route was made with (its path, endpoint and keywords)."""
        self._resolved()
        with _LOCK:
            if self._spec is None:
                raise RuntimeError("the route is built; its arguments are its attributes")
            return self._spec

    @property
    def built(self) -> bool:
        return self.__dict__.get("_spec") is None and self.__dict__.get("_resolve") is None

    @property
    def is_pending(self) -> bool:
        return self.__dict__.get("_resolve") is not None

    def _resolved(self, strict: bool = True) -> None:
        # Outside _LOCK: ``resolve`` takes its own lock, then _LOCK (``fill``).
        resolve = self.__dict__.get("_resolve")
        if resolve is not None:
            resolve()
            if self.__dict__.get("_resolve") is not None:
                raise RuntimeError(f"{self.path}: resolving the route did not fill it")
        if strict and self.__dict__.get("_dropped"):
            raise LookupError(f"{self.path}: no longer a route of its router")

    def build(self) -> None:
        """Make the route as ``APIRoute`` would have (once; the first caller does it)."""
        self._resolved()
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
        if name in _PATH_PARTS and "path" in self.__dict__:
            # Compiled when first read: most routes' literal part turns every request away
            # (``matches``), so their expression is never needed (0.1 ms of CPU each, 30–40 ms
            # for the app's ~300 at every start).
            self.path_regex, self.path_format, self.param_convertors = _compiled(self.path)
            return object.__getattribute__(self, name)
        if name in _BUILT and (self.__dict__.get("_spec") is not None
                               or self.__dict__.get("_resolve") is not None):
            self.build()
            return object.__getattribute__(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def answers(route: BaseRoute, scope: Scope) -> Match:
    """Whether ``route`` serves an HTTP request (``scope``), as ``route.matches`` answers, but
    without making a pending route's module import (the menu asks this of every route)."""
    if isinstance(route, LazyRoute):
        return route.answers(scope)
    return route.matches(scope)[0]


def include(parent: APIRouter, router: APIRouter) -> None:
    """Add ``router``'s routes to ``parent`` as unbuilt routes with ``parent``'s prefix,
    dependencies, tags, responses and defaults (``include_router`` before FastAPI 0.16x). A
    router with anything else (a route made another way, start-up handlers, a frontend) is
    included by FastAPI as usual."""
    if not lazily_included(router):
        parent.include_router(router)
        return
    for route in router.routes:
        assert isinstance(route, LazyRoute)
        path, endpoint, kwargs = route.spec
        kwargs = dict(kwargs)
        kwargs.pop("dependency_overrides_provider", None)  # the parent's (the app's) instead
        parent.add_api_route(path, endpoint, route_class_override=LazyRoute, **kwargs)


class StaleRouteTable(RuntimeError):
    """The routes a router has now are not those its route table listed."""


def _row(route: LazyRoute) -> list[Any]:
    return [route.path, sorted(route.methods or ()), route.name, route.include_in_schema]


def route_table(router: APIRouter) -> list[list[Any]]:
    """What matching a request reads of each of ``router``'s routes, in order: path, methods,
    name and whether the OpenAPI schema shows it (a row each). With the table a router's
    routes can be added (:func:`include_table`) before its module is imported."""
    if not lazily_included(router):
        raise ValueError("only a router of unbuilt LazyRoutes, included by include()")
    rows = []
    for route in router.routes:
        assert isinstance(route, LazyRoute)
        rows.append(_row(route))
    return rows


def lazily_included(router: APIRouter) -> bool:
    """Whether :func:`include` adds ``router``'s routes as unbuilt ``LazyRoute`` s."""
    return not (router.on_startup or router.on_shutdown
                or getattr(router, "_low_priority_routes", None)
                or not all(isinstance(r, LazyRoute) and not r.built for r in router.routes))


def include_table(parent: APIRouter, table: list[list[Any]],
                  resolve: Callable[[], None]) -> list[LazyRoute]:
    """Add a router's routes to ``parent`` from its :func:`route_table`, pending: matched by
    path and method like the others; the first use of one calls ``resolve``, which must
    :func:`fill` them (with the router, once its module is imported). Returns them."""
    routes = [LazyRoute.pending(path, methods=methods, name=name, include_in_schema=in_schema,
                                resolve=resolve)
              for path, methods, name, in_schema in table]
    parent.routes.extend(routes)
    return routes


def fill(parent: APIRouter, pending: list[LazyRoute], router: APIRouter) -> None:
    """Make the routes :func:`include_table` added for ``router`` what :func:`include` would
    have added: the same path, methods and name (else :class:`StaleRouteTable`), and the
    endpoint and keywords ``include`` passes."""
    scratch = copy.copy(parent)  # the parent's prefix, dependencies, tags and defaults
    scratch.routes = []
    include(scratch, router)
    made = scratch.routes
    with _LOCK:
        if [_row(r) for r in pending] != [_row(r) for r in made]:  # type: ignore[arg-type]
            raise StaleRouteTable(f"{len(made)} routes, {len(pending)} in the table")
        for route, new in zip(pending, made, strict=True):
            assert isinstance(new, LazyRoute)
            if route.__dict__.get("_resolve") is None:
                continue  # filled already
            route._spec = new.spec
            route.endpoint = new.endpoint
            route._resolve = None
