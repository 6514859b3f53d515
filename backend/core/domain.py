"""What one domain brings to the app, declared in one place: ``backend/<domain>/domain.py``.

Each domain module holds one ``DOMAIN = Domain(...)``: its routers, the modules that register
its outbox handlers, periodic jobs and panels, an optional set-up hook and its seed loader.
``backend/domains.py`` lists them in layer order (lowest first) and the app loops over that
one list (``backend.main``, ``backend.seeding``), as Pyramid/warehouse's ``includeme`` does.

A served app imports some domains only after it answers (``backend.main``, issue 19 cold
start). What they register when imported — outbox handlers, periodic jobs, workplaces,
account offers, the introduction desk, search listeners — is missing until then, so whoever
reads such a registry from a domain imported at the start first calls
:func:`registrations_complete`, which imports the others if they are not yet.
"""

from __future__ import annotations

import threading
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
    # Background work of a served app (not under tests): started with it, returns its stop.
    start: Callable[[Database], Callable[[], None]] | None = None


_load_later: Callable[[], None] | None = None
_complete = threading.Event()
_complete.set()


def defer_registrations(load: Callable[[], None]) -> None:
    """Some domains are not imported yet; ``load`` imports them (and then calls
    :func:`registrations_done`)."""
    global _load_later
    _load_later = load
    _complete.clear()


def registrations_done() -> None:
    global _load_later
    _load_later = None
    _complete.set()


def registrations_complete() -> None:
    """Call before reading a registry that domains fill when imported: imports the domains a
    served app has not imported yet, now (once; a second caller waits for the first)."""
    load = _load_later
    if load is not None:
        load()


def wait_for_registrations(timeout: float) -> bool:
    """Wait at most ``timeout`` seconds for another thread to complete the registrations;
    whether they are complete."""
    return _complete.wait(timeout)
