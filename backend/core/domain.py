"""What one domain brings to the app, declared in one place: ``backend/<domain>/domain.py``.

Each domain module holds one ``DOMAIN = Domain(...)``: its routers, the modules that register
its outbox handlers, periodic jobs and panels, an optional set-up hook and its seed loader.
``backend/domains.py`` lists them in layer order (lowest first) and the app loops over that
one list (``backend.main``, ``backend.seeding``), as Pyramid/warehouse's ``includeme`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from fastapi import APIRouter

if TYPE_CHECKING:  # only for the seed loader's signature
    from backend.core.db import Database
    from backend.core.settings import Settings


@dataclass(frozen=True)
class Domain:
    name: str
    # Included in this order, domain after domain in the order of ``backend.domains.DOMAINS``.
    routers: tuple[APIRouter, ...] = ()
    # Paths with a catch-all parameter (``/regelingen/{slug}``): included after every
    # domain's ``routers``, so they never shadow another domain's fixed pages.
    routers_last: tuple[APIRouter, ...] = ()
    # Modules that register outbox handlers, periodic jobs or panels when imported; naming
    # them here imports them (the worker needs them without serving a page).
    jobs: tuple[ModuleType, ...] = ()
    # Called once when the app or the worker starts (listeners on other domains' hooks).
    setup: Callable[[], None] | None = None
    # Builds the domain's in-memory read models in the start-up warm-up thread (a served app),
    # so that no request builds them while it holds a write lock (``core.memo``).
    warm_up: Callable[[Database], None] | None = None
    # Loads the domain's part of ``seed/`` idempotently; returns a one-line report.
    seed: Callable[[Database, Settings], str] | None = None
