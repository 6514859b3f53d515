"""A readable API reference built from the OpenAPI schema, served by the app itself.

FastAPI's Swagger UI loads its assets from a CDN and starts with an inline script, both of
which the Content-Security-Policy forbids (and no CDN is reachable from many deployments);
this page lists every operation with its parameters and links to the machine-readable schema.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from backend.core.routing import LazyRoute
from backend.core.templating import render

router = APIRouter(include_in_schema=False, route_class=LazyRoute)

METHODS = ("get", "post", "put", "patch", "delete")


def _parameter(p: dict[str, Any]) -> dict[str, Any]:
    schema = p.get("schema", {})
    kind = schema.get("type") or next(
        (alt.get("type") for alt in schema.get("anyOf", []) if alt.get("type") != "null"), "")
    return {"name": p.get("name"), "in": p.get("in"), "required": p.get("required", False),
            "type": kind, "description": p.get("description", "")}


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    ops = []
    for path, item in sorted(schema.get("paths", {}).items()):
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {}).get("content", {})
            ops.append({
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary") or op.get("operationId", ""),
                "description": op.get("description", ""),
                "tag": (op.get("tags") or ["api"])[0],
                "parameters": [_parameter(p) for p in op.get("parameters", [])],
                "body": ", ".join(sorted(body)),
                "responses": sorted(op.get("responses", {})),
                "secured": bool(op.get("security")),
            })
    return ops


@router.get("/api/v1/docs", response_class=HTMLResponse, name="api_docs")
def api_docs(request: Request) -> HTMLResponse:
    schema = request.app.openapi()
    ops = _operations(schema)
    tags: dict[str, list[dict[str, Any]]] = {}
    for op in ops:
        tags.setdefault(op["tag"], []).append(op)
    return render(request, "site/api_docs.html",
                  {"info": schema.get("info", {}), "tags": tags, "count": len(ops)})
