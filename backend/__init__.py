"""Loket.

Pydantic builds a model's core schema, validator and serializer when its class is made: half
of the time it spends making Loket's ~180 model classes (0.32–0.39 → 0.14–0.18 s of CPU at
load 2.5) and FastAPI's OpenAPI models, paid by every process at its start whether or not a
request ever uses the model (issue 19 item 3; docs/benchmarks.md, h10-cold). Here, before any
of them is made, that build is deferred to the model's first use (pydantic's ``defer_build``):
fields, defaults and validators are collected as before, and the first validation,
serialization or schema builds the rest, once (pydantic takes a lock). The served app's
warm-up builds every model of ``backend`` still unbuilt after the first requests
(``backend.main``). Set as pydantic's default, not in each model's ``model_config``: FastAPI's
type adapters read a model's own ``defer_build`` and would then build outside the place where
FastAPI silences pydantic's warnings. ``tests/core/test_deferred_models.py`` builds every model
and checks that importing the app builds none.
"""

from pydantic._internal._config import config_defaults

config_defaults["defer_build"] = True
