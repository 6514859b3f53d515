"""Every domain of the app, in the order the app includes their routers (first match wins for
overlapping paths, and catch-all paths come last) and runs their seed loaders (taxonomy and
content before desks, regions before desks). Which domain may import which is a different
order, the layers kept by import-linter (``pyproject.toml``, ``docs/architecture.md``).

The app and the worker loop over this one list: ``backend.main`` includes each domain's
routers and runs its set-up, ``backend.seeding`` runs its seed loader. A new domain adds
one ``domain.py`` with ``DOMAIN = Domain(...)`` (``backend.core.domain``) and one name here.

A domain's ``domain.py`` imports its routers and jobs, and so the whole domain: they are
imported by name, when asked for (:func:`domain`, :func:`domains`, ``DOMAINS``), so that a
served app can import the domains its first pages need before it answers and the others
after (``AT_START``; ``backend.main``, issue 19 cold start).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from types import ModuleType

from backend.core.domain import Domain

NAMES: tuple[str, ...] = ("ops", "accounts", "content", "regions", "routing", "cases", "scan",
                          "community", "schemes", "insight", "privacy", "site")

# What a served app imports before it answers: the probes, the sessions, the knowledge base
# and the site's pages (the first pages most visitors ask for). None of them imports a domain
# of ``LATER`` (the layers), and no table of theirs names one of ``LATER``'s.
AT_START: tuple[str, ...] = ("ops", "accounts", "content", "regions", "site")
LATER: tuple[str, ...] = tuple(n for n in NAMES if n not in AT_START)

# The development demo's login page and accounts (app level: it seeds across domains); its
# router is included before every domain's.
DEMO = "backend.demo"


def domain(name: str) -> Domain:
    """The domain ``name``, its ``domain.py`` imported (and with it the domain)."""
    found: Domain = importlib.import_module(f"backend.{name}.domain").DOMAIN
    return found


def domains(names: Iterable[str] = NAMES) -> tuple[Domain, ...]:
    return tuple(domain(n) for n in names)


def demo() -> ModuleType:
    return importlib.import_module(DEMO)


def imported(names: Iterable[str]) -> bool:
    """Whether every domain of ``names`` has been imported in this process."""
    return all(f"backend.{n}.domain" in sys.modules for n in names)


def __getattr__(name: str) -> tuple[Domain, ...]:
    if name == "DOMAINS":  # every domain, in inclusion order (imports them all)
        return domains()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
