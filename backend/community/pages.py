"""Page helpers the community's HTML route modules share (a route module imports no other
route module): the group space."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from backend.community import feed, service
from backend.community.deps import MemberAccess
from backend.core.db import SessionDep
from backend.core.i18n import gettext_ as _
from backend.core.templating import render


def render_space(request: Request, session: SessionDep, access: MemberAccess, *,
                 errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                 status_code: int = 200) -> HTMLResponse:
    group = access.group
    context: dict[str, Any] = {
        "access": access, "group": group, "members": service.members(session, group),
        "requests": service.pending_requests(session, group) if access.is_coordinator else [],
        "ok": request.query_params.get("ok"), "posts": feed.list_posts(session, access),
        "errors": {k: _(v) for k, v in (errors or {}).items()}, "values": values or {},
    }
    return render(request, "community/space.html", context, status_code=status_code)
