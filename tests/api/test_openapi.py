"""The OpenAPI document is generated from the models that validate requests, and served
with a reference page that needs nothing from another origin."""

from __future__ import annotations

import re

import pytest

from server.http.api import models as api_models

pytestmark = pytest.mark.parametrize("app_settings", ["embedded"], indirect=True)


@pytest.fixture
async def client(aiohttp_client, app):
    return await aiohttp_client(app)


async def test_the_document_describes_the_api_with_the_validating_models(client):
    response = await client.get("/api/openapi.json")
    assert response.status == 200
    document = await response.json()
    assert document["openapi"] == "3.1.0"
    paths = document["paths"]
    for path, method in [
        ("/api/v1/inbox", "get"),
        ("/api/v1/sites/{site_id}/conversations", "get"),
        ("/api/v1/conversations/{conversation_id}/messages", "get"),
        ("/api/v1/conversations/{conversation_id}/resolve", "post"),
        ("/api/v1/conversations/{conversation_id}/assign", "post"),
        ("/api/v1/contacts", "get"),
        ("/api/v1/sites/{site_id}/visitors/{visitor_id}", "get"),
        ("/api/v1/reports", "get"),
        ("/api/v1/reports/{figure}", "get"),
    ]:
        assert method in paths[path], (path, method)
    schemas = document["components"]["schemas"]
    expected = api_models.AssignBody.model_json_schema()
    assert schemas["AssignBody"]["properties"] == expected["properties"]
    assign = paths["/api/v1/conversations/{conversation_id}/assign"]["post"]
    assert assign["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AssignBody"
    }
    assert any(p["name"] == "Idempotency-Key" for p in assign["parameters"])
    figure = paths["/api/v1/reports/{figure}"]["get"]
    assert "text/csv" in figure["responses"]["200"]["content"]
    assert "summary" in figure["parameters"][0]["schema"]["enum"]
    error = schemas["ErrorReply"]
    assert {"ok", "error", "code"} <= set(error["required"])


async def test_a_request_is_refused_as_the_document_says(client):
    response = await client.get("/api/v1/inbox?view=everything&limit=500")
    assert response.status in (400, 401)
    body = await response.json()
    assert body["ok"] is False and body["code"]


async def test_the_reference_page_is_served_from_this_server_only(client):
    response = await client.get("/api/docs")
    assert response.status == 200
    html = await response.text()
    assert "/static/api-docs.js" in html
    for asset in ("/static/api-docs.js", "/static/api-docs.css"):
        text = await (await client.get(asset)).text()
        assert not re.search(r"https?://", text), asset
    assert not re.search(r"(src|href)=\"https?://", html)


async def test_every_json_route_is_in_the_document(client):
    """Every route under /api/v1 is documented (and so validated by its models); what is
    outside is the short list docs/api.md gives with its reasons."""
    document = await (await client.get("/api/openapi.json")).json()
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    routed = set()
    for route in client.app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if route.method in ("HEAD", "OPTIONS") or not path.startswith("/api/"):
            continue
        routed.add((route.method, path))
    outside = routed - documented
    assert outside == {
        ("GET", "/api/widget/config"),
        ("POST", "/api/uploads"),
        ("POST", "/api/visitor/beacon"),
        ("GET", "/api/openapi.json"),
        ("GET", "/api/docs"),
    }
    assert len(documented) >= 77
