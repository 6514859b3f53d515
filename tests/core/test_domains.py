"""One shape per domain: each domain declares its routers, jobs and seed loader once
(``backend/<domain>/domain.py``) and the app loops over ``backend.domains.DOMAINS``."""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import APIRouter

from backend.core.settings import ROOT
from backend.core.worker import periodic_jobs
from backend.domains import DOMAINS
from backend.seeding import loaders

BACKEND = ROOT / "backend"
NOT_DOMAINS = {"core", "search", "locale", "static"}  # no routes of their own


def _packages() -> list[Path]:
    return sorted(p.parent for p in BACKEND.glob("*/__init__.py")
                  if p.parent.name not in NOT_DOMAINS)


def test_every_domain_declares_itself_once_and_is_listed() -> None:
    names = [d.name for d in DOMAINS]
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(p.name for p in _packages())
    for package in _packages():
        module = importlib.import_module(f"backend.{package.name}.domain")
        assert module.DOMAIN in DOMAINS, package.name
        assert not (package / "routes.py").exists(), (
            f"{package.name}: route modules are routes_<kind>.py; domain.py combines them")


def test_every_route_module_is_included_by_its_domain() -> None:
    for domain in DOMAINS:
        declared = {id(r) for r in (*domain.routers, *domain.routers_last)}
        for path in sorted((BACKEND / domain.name).glob("routes_*.py")):
            module = importlib.import_module(f"backend.{domain.name}.{path.stem}")
            router = getattr(module, "router", None)
            assert isinstance(router, APIRouter), f"{path}: no router"
            assert id(router) in declared, f"{path} is not in {domain.name}'s DOMAIN"
        for extra in ("api_docs",):  # the site's API docs live outside routes_*.py
            if (BACKEND / domain.name / f"{extra}.py").exists():
                module = importlib.import_module(f"backend.{domain.name}.{extra}")
                assert id(module.router) in declared


def test_seed_loaders_run_in_layer_order() -> None:
    order = [f"{fn.__module__}.{fn.__name__}" for fn in loaders()]
    assert order == ["backend.content.seed.load_seed", "backend.regions.service.seed_regions",
                     "backend.routing.seed.seed_desks", "backend.scan.service.load_seed",
                     "backend.community.seed.load_groups",
                     # the development demo's accounts (app level: desks and groups first)
                     "backend.demo.seed_demo_accounts"]


def test_the_jobs_the_domains_name_are_registered() -> None:
    names = {j.name for j in periodic_jobs()}
    assert {"cases.sla"} <= names
    for domain in DOMAINS:
        for module in domain.jobs:
            assert module.__name__.startswith(f"backend.{domain.name}."), module.__name__
