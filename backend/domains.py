"""Every domain of the app, in layer order (a domain may use the ones before it, never the
ones after it; ``privacy`` and ``site`` reach across all of them by design).

The app and the worker loop over this one list: ``backend.main`` includes each domain's
routers and runs its set-up, ``backend.seeding`` runs its seed loader (so the order is also
the seed order: taxonomy and content before desks, regions before desks). A new domain adds
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
