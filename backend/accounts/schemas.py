"""What accounts offers other domains besides its service and query functions: role names."""

from __future__ import annotations

# Global roles. Desk and group roles live with their memberships (routing, community).
ADMIN, EDITOR = "admin", "editor"
# Reads aggregates only (/inzicht): never a person, a firm or a question text. A grant may be
# limited to one province (``UserRole.scope``, a CBS province code such as "PV23").
ANALYST = "analist"
GLOBAL_ROLES = (ADMIN, EDITOR, ANALYST)
