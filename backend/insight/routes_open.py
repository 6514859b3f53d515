"""/open-data: public, no login. JSON and CSV of each dataset and the DCAT catalogue."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select

from backend.core.db import SessionDep, utcnow
from backend.core.routing import LazyRoute
from backend.core.settings import get_settings
from backend.core.templating import render
from backend.insight import opendata
from backend.insight.csvexport import to_csv
from backend.insight.models import InsightSnapshot

router = APIRouter(include_in_schema=False, route_class=LazyRoute)
PUBLIC = {"Cache-Control": "public, max-age=3600",
          "Link": f'<{opendata.LICENSE_URL}>; rel="license"'}


def _base(request: Request) -> str:
    return get_settings().base_url


def _modified(session: SessionDep) -> str:
    last = session.exec(select(InsightSnapshot.computed_at).order_by(
        col(InsightSnapshot.computed_at).desc()).limit(1)).first()
    return (last or utcnow()).date().isoformat()


@router.get("/open-data", response_class=HTMLResponse, name="open_data")
def open_data_page(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "insight/open_data.html", {
        "datasets": opendata.DATASETS, "license_url": opendata.LICENSE_URL,
        "license_name": opendata.LICENSE_NAME, "k": opendata.service.K})


def _json(dataset: str) -> object:
    def get(request: Request, session: SessionDep) -> Response:
        body = opendata.envelope(dataset, opendata.data_of(dataset, session, _base(request)),
                                 _base(request))
        return Response(json.dumps(body, ensure_ascii=False, indent=1),
                        media_type="application/json", headers=PUBLIC)
    get.__name__ = f"open_data_{dataset}_json"
    return get


def _csv(dataset: str) -> object:
    def get(request: Request, session: SessionDep) -> Response:
        text = to_csv(opendata.rows_of(dataset, session, _base(request)))
        return Response(text, media_type="text/csv; charset=utf-8", headers={
            **PUBLIC, "Content-Disposition": f'attachment; filename="{dataset}.csv"'})
    get.__name__ = f"open_data_{dataset}_csv"
    return get


@router.get("/open-data/catalogus.jsonld", name="open_data_catalogue")
def catalogue(request: Request, session: SessionDep) -> Response:
    body = opendata.catalogue(_base(request), _modified(session))
    return Response(json.dumps(body, ensure_ascii=False, indent=1),
                    media_type="application/ld+json", headers=PUBLIC)


for _name in opendata.DATASETS:
    router.add_api_route(f"/open-data/{_name}.json", _json(_name), methods=["GET"])  # type: ignore[arg-type]
    router.add_api_route(f"/open-data/{_name}.csv", _csv(_name), methods=["GET"])  # type: ignore[arg-type]
