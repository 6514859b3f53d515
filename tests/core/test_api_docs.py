"""The API reference is served by the app itself, within the Content-Security-Policy."""

from __future__ import annotations

from tests.client import LoketClient


def test_api_reference_lists_operations_without_external_assets(client: LoketClient) -> None:
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    assert "/api/v1/openapi.json" in r.text
    assert "GET /api/v1/me" in r.text  # an operation from the schema
    assert "cdn." not in r.text and "<script>" not in r.text
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["paths"]
