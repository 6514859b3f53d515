"""Every domain of the app, in the order the app includes their routers (first match wins for
overlapping paths, and catch-all paths come last) and runs their seed loaders (taxonomy and
content before desks, regions before desks). Which domain may import which is a different
order, the layers kept by import-linter (``pyproject.toml``, ``docs/architecture.md``).

The app and the worker loop over this one list: ``backend.main`` includes each domain's
routers and runs its set-up, ``backend.seeding`` runs its seed loader. A new domain adds
one ``domain.py`` with ``DOMAIN = Domain(...)`` (``backend.core.domain``) and one line here.
"""

from __future__ import annotations

from backend.accounts.domain import DOMAIN as ACCOUNTS
from backend.cases.domain import DOMAIN as CASES
from backend.community.domain import DOMAIN as COMMUNITY
from backend.content.domain import DOMAIN as CONTENT
from backend.core.domain import Domain
from backend.insight.domain import DOMAIN as INSIGHT
from backend.ops.domain import DOMAIN as OPS
from backend.privacy.domain import DOMAIN as PRIVACY
from backend.regions.domain import DOMAIN as REGIONS
from backend.routing.domain import DOMAIN as ROUTING
from backend.scan.domain import DOMAIN as SCAN
from backend.schemes.domain import DOMAIN as SCHEMES
from backend.site.domain import DOMAIN as SITE

DOMAINS: tuple[Domain, ...] = (OPS, ACCOUNTS, CONTENT, REGIONS, ROUTING, CASES, SCAN, COMMUNITY,
                               SCHEMES, INSIGHT, PRIVACY, SITE)
