"""The regions domain's page fragment: municipality suggestions for a datalist (HTMX); and the
full datalist that forms render without JavaScript (``municipality_datalist``)."""

from __future__ import annotations

import operator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from backend.core import i18n
from backend.core.db import SessionDep
from backend.core.memo import Memos
from backend.core.routing import LazyRoute
from backend.core.templating import env, render
from backend.regions import service
from backend.regions.index import MunicipalityHit

router = APIRouter(route_class=LazyRoute)

def _same(a: tuple[MunicipalityHit, ...], b: tuple[MunicipalityHit, ...]) -> bool:
    # ~700 hits on every form with the datalist: compared in C (``map``), not a generator
    return len(a) == len(b) and all(map(operator.is_, a, b))


# language -> its <option>s, kept per list of hits (compared by identity: ``core.memo``).
_datalists: Memos[str, tuple[MunicipalityHit, ...], Markup] = Memos(_same)


def municipality_datalist(options: list[MunicipalityHit]) -> Markup:
    """The ``<option>`` s of a municipality ``<datalist>``: the value is the current name; a
    former name shows which municipality it is part of now.

    ``service.all_options`` gives the same hits while the region index is current, so the
    ~500 options (three quarters of the scheme finder's rendering time when made by the
    template) are made once per list of hits (a copy of it too) and language."""
    lang = i18n.get_language()

    def build() -> Markup:
        now = Markup(i18n.translations(lang).gettext("%(old)s (now %(new)s)"))  # noqa: S704
        parts = []
        for h in options:
            name = h.municipality.name
            label = (Markup(' label="%s"') % (now % {"old": h.matched, "new": name})
                     if h.matched != name else "")
            parts.append(Markup('<option value="%s"%s></option>') % (name, label))
        return Markup("").join(parts)

    return _datalists.get(lang, tuple(options), build)


env.globals["municipality_datalist"] = municipality_datalist


@router.get("/gemeenten/opties", response_class=HTMLResponse, include_in_schema=False,
            name="municipality_options")
def municipality_options(request: Request, session: SessionDep,
                         q: Annotated[str, Query(max_length=100)] = "") -> HTMLResponse:
    """``<option>`` elements for a ``<datalist>``: HTMX swaps them in while someone types.
    ``hx-get`` sends the field under its own name, so any single parameter is the query."""
    query = q or next(iter(request.query_params.values()), "")[:100]
    index = service.region_index(session)
    hits = index.search(query, limit=12) if query.strip() else []
    return render(request, "regions/options.html", {"hits": hits})
