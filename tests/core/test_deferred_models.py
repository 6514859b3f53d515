"""Pydantic models are built at their first use, not when their class is made
(``backend/__init__.py``, issue 19 cold start): importing the app builds none of Loket's
models, every one of them builds, and a model first used by a validation, a FastAPI route or
the warm-up behaves as one built when its class was made."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import backend.models  # noqa: F401 - every table
from backend.content.models import SchemeCreate
from backend.core.settings import ROOT
from backend.domains import DOMAINS
from backend.main import build_models, unbuilt_models


def _run(code: str, tmp: Path | None = None) -> str:
    env = dict(os.environ)
    if tmp is not None:
        env.update({"LOKET_ENV": "test", "LOKET_SECRET_KEY": "s" * 48,
                    "LOKET_DATABASE_URL": f"sqlite:///{tmp / 'loket.db'}",
                    "LOKET_VAR_DIR": str(tmp), "LOKET_SEARCH_PATH": str(tmp / "search")})
    return subprocess.run([sys.executable, "-W", "error", "-c", code], cwd=ROOT, check=True,
                          capture_output=True, text=True, env=env).stdout


def test_importing_and_making_the_app_builds_none_of_our_models(tmp_path: Path) -> None:
    _run("import backend.cli, backend.main\n"
         "from backend.main import create_app, unbuilt_models\n"
         "create_app()\n"
         "from backend.content.models import ContentItem, SchemeCreate\n"
         "from backend.core.settings import Settings\n"
         "from fastapi.openapi.models import OpenAPI\n"
         "assert not SchemeCreate.__pydantic_complete__\n"
         "assert not ContentItem.__pydantic_complete__  # a table\n"
         "assert not OpenAPI.__pydantic_complete__  # FastAPI's, made after backend's\n"
         "assert Settings.__pydantic_complete__  # create_app read the settings\n"
         "assert len(unbuilt_models()) > 150, len(unbuilt_models())\n", tmp_path)


def test_every_model_builds() -> None:
    assert len(DOMAINS) == 12  # every domain's modules are imported
    found: list[type[BaseModel]] = []
    todo = [BaseModel]
    while todo:
        for cls in todo.pop().__subclasses__():
            if cls not in found:
                found.append(cls)
                todo.append(cls)
    ours = [c for c in found if c.__module__.startswith("backend.")]
    assert len(ours) > 150
    for cls in ours:
        cls.model_rebuild(raise_errors=True, _parent_namespace_depth=0)
        assert cls.__pydantic_complete__, cls
        cls.model_json_schema()
    assert unbuilt_models() == []


def _errors_and_dump() -> tuple[list[tuple[tuple[int | str, ...], str]], str]:
    with pytest.raises(ValidationError) as raised:
        SchemeCreate.model_validate({"title": "x", "min_amount": -1, "funding_rate": 101})
    errors = sorted((tuple(e["loc"]), e["type"]) for e in raised.value.errors())
    ok = SchemeCreate.model_validate({"title": "Een regeling", "slug": "een",
                                      "min_amount": 5, "max_amount": 10})
    return errors, ok.model_dump_json()


def test_a_model_first_used_validates_as_before() -> None:
    """In a fresh process the first validation builds the model; the errors and the dump are
    those of this process, where it is built."""
    fresh = _run("import backend.cli\n"
                 "from pydantic import ValidationError\n"
                 "from backend.content.models import SchemeCreate\n"
                 "assert not SchemeCreate.__pydantic_complete__\n"
                 "try:\n"
                 "    SchemeCreate.model_validate({'title': 'x', 'min_amount': -1,\n"
                 "                                 'funding_rate': 101})\n"
                 "except ValidationError as e:\n"
                 "    print(sorted((tuple(x['loc']), x['type']) for x in e.errors()))\n"
                 "assert SchemeCreate.__pydantic_complete__\n"
                 "ok = SchemeCreate.model_validate({'title': 'Een regeling', 'slug': 'een',\n"
                 "                                  'min_amount': 5, 'max_amount': 10})\n"
                 "print(ok.model_dump_json())\n")
    SchemeCreate.model_rebuild(_parent_namespace_depth=0)
    errors, dump = _errors_and_dump()
    assert len(errors) >= 2
    assert fresh.splitlines() == [str(errors), dump]


def test_the_warm_up_builds_the_models_a_few_at_a_time() -> None:
    out = _run("import backend.cli, backend.main\n"
               "from backend.domains import DOMAINS  # every domain\n"
               "from backend.main import build_models, unbuilt_models\n"
               "n = len(unbuilt_models())\n"
               "steps = []\n"
               "build_models(lambda: steps.append(len(unbuilt_models())), per_step=25)\n"
               "assert unbuilt_models() == []\n"
               "assert steps[0] == n and len(steps) == -(-n // 25), (n, steps)\n"
               "print(len(steps))\n")
    assert int(out) > 5
    build_models()
    assert unbuilt_models() == []


class Deferred(BaseModel):  # made after backend/__init__.py: deferred
    name: str = Field(min_length=2, alias="naam")
    size: int = Field(default=1, ge=0)


class Built(BaseModel):
    model_config = ConfigDict(defer_build=False)
    name: str = Field(min_length=2, alias="naam")
    size: int = Field(default=1, ge=0)


def _answers(model: type[BaseModel]) -> list[tuple[int, object]]:
    app = FastAPI()

    def make(thing, limit=3):
        return thing

    # Types, not strings (this module's annotations are postponed): the model is local.
    make.__annotations__ = {"thing": model, "limit": Annotated[int, Query(ge=1)]}
    app.post("/things", response_model=model)(make)
    client = TestClient(app)
    return [(r.status_code, r.json()) for r in (
        client.post("/things", json={"naam": "ab", "size": 4}),
        client.post("/things", json={"naam": "a", "size": -1}),
        client.post("/things?limit=0", json={"naam": "abc"}),
        client.post("/things", json=[]),
    )] + [(0, app.openapi()["components"]["schemas"][model.__name__]["properties"])]


def test_a_fastapi_route_treats_an_unbuilt_model_as_a_built_one() -> None:
    """FastAPI's first request builds it, without a warning (FastAPI builds its type adapters
    where it silences pydantic's ``UnsupportedFieldAttributeWarning``)."""
    assert not Deferred.__pydantic_complete__ and Built.__pydantic_complete__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        deferred = _answers(Deferred)
    assert deferred == _answers(Built)
    assert deferred[0] == (200, {"naam": "ab", "size": 4})
