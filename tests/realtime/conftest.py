from __future__ import annotations

import aiohttp
import pytest

from tests.support.apps import PASSWORD, seed_tenant

SHOP_A = "http://shop-a.test"
SHOP_B = "http://shop-b.test"
PAGE_A = {"url": "http://shop-a.test/tents", "title": "Tents", "referrer": ""}


async def login_token(base_url: str, email: str) -> str:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{base_url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        ) as response,
    ):
        assert response.status == 200, await response.text()
        return (await response.json())["token"]


@pytest.fixture
async def tenant_a(app, server):
    return await seed_tenant(app, "Shop A", [SHOP_A])


@pytest.fixture
async def tenant_b(app, server):
    return await seed_tenant(app, "Shop B", [SHOP_B])


@pytest.fixture
async def agent_a(base_url, tenant_a, socket_client):
    client = await socket_client(
        "/agent", base_url, {"token": await login_token(base_url, tenant_a.email)}
    )
    await client.next("session")
    return client


@pytest.fixture
def visitor_of(base_url, socket_client):
    """Factory: a connected widget of a site, its `session` payload already read."""

    async def connect(tenant, origin=SHOP_A, token=None, page=PAGE_A, resume=None):
        auth = {"site_key": tenant.site.site_key, "page": page, "device": {"language": "en"}}
        if token:
            auth["visitor_token"] = token
        if resume:  # a chat link's token, from an e-mail
            auth["resume_token"] = resume
        client = await socket_client("/visitor", base_url, auth, {"Origin": origin})
        client.session = await client.next("session")
        return client

    return connect
