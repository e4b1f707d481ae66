"""Fixtures for the upload suite: a site, a connected visitor, an agent, and a poster."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from tests.realtime.conftest import PAGE_A, SHOP_A, login_token
from tests.support.apps import seed_tenant


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: Any

    @property
    def code(self) -> str | None:
        return self.body.get("code")

    @property
    def attachment(self) -> dict[str, Any]:
        return self.body["attachment"]


async def post_file(
    base_url: str,
    data: bytes,
    *,
    token: str | None = None,
    origin: str | None = SHOP_A,
    filename: str = "photo.jpg",
    content_type: str = "image/jpeg",
    query: str = "",
    cookies: dict[str, str] | None = None,
    field: str = "file",
) -> Answer:
    form = aiohttp.FormData()
    form.add_field(field, io.BytesIO(data), filename=filename, content_type=content_type)
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if origin:
        headers["Origin"] = origin
    async with (
        aiohttp.ClientSession(cookies=cookies) as http,
        http.post(f"{base_url}/api/uploads{query}", data=form, headers=headers) as response,
    ):
        return Answer(response.status, await response.json(), response.headers)


async def fetch(base_url: str, url: str) -> tuple[int, bytes, Any]:
    target = url if url.startswith("http") else base_url + url
    async with aiohttp.ClientSession() as http, http.get(target) as response:
        return response.status, await response.read(), response.headers


@pytest.fixture
async def tenant(app, server):
    return await seed_tenant(app, "Shop A", [SHOP_A])


@pytest.fixture
async def visitor(base_url, tenant, socket_client):
    """A widget of the site, connected; ``visitor.token`` uploads on its behalf."""
    auth = {"site_key": tenant.site.site_key, "page": PAGE_A, "device": {"language": "en"}}
    client = await socket_client("/visitor", base_url, auth, {"Origin": SHOP_A})
    client.session = await client.next("session")
    client.token = client.session["visitor_token"]
    return client


@pytest.fixture
async def agent_token(base_url, tenant) -> str:
    return await login_token(base_url, tenant.email)


@pytest.fixture
def upload(base_url, visitor):
    """``await upload(data, **options)``: a visitor upload from the site's page."""

    async def send(data: bytes, **options: Any) -> Answer:
        options.setdefault("token", visitor.token)
        return await post_file(base_url, data, **options)

    return send
