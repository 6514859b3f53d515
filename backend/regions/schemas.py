"""What regions offers other domains besides its service functions: the region kinds.

Desk coverage (routing) uses the same words; other domains import them from here, never from
``backend.regions.models``.
"""

from __future__ import annotations

# Region kinds, from most to least specific.
MUNICIPALITY = "municipality"
LABOUR_MARKET_REGION = "labour_market_region"
COROP = "corop"
PROVINCE = "province"
NATIONAL = "national"
REGION_KINDS = (MUNICIPALITY, LABOUR_MARKET_REGION, COROP, PROVINCE, NATIONAL)
