"""Imports every table so that ``SQLModel.metadata`` is complete (Alembic, tests).

Add one line per domain models module.
"""

from backend.accounts import models as accounts_models
from backend.core import outbox, worker

__all__ = ["accounts_models", "outbox", "worker"]
