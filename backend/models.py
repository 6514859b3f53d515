"""Imports every table so that ``SQLModel.metadata`` is complete (Alembic, tests).

Add one line per domain models module.
"""

from backend.accounts import models as accounts_models
from backend.cases import models as cases_models
from backend.cases import models_human as cases_models_human
from backend.community import models as community_models
from backend.content import models as content_models
from backend.core import outbox, pagecache, ratelimit, worker
from backend.insight import models as insight_models
from backend.regions import models as regions_models
from backend.routing import models as routing_models
from backend.scan import models as scan_models
from backend.schemes import models as schemes_models

__all__ = ["accounts_models", "cases_models", "cases_models_human", "community_models",
           "content_models", "insight_models", "outbox", "pagecache", "ratelimit",
           "regions_models", "routing_models", "scan_models", "schemes_models", "worker"]
