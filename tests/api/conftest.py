"""A site with an API key, a visitor's widget in a conversation, and a small HTTP helper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from server.keys import console_key
from tests.support.apps import Tenant, seed_tenant

SHOP = "http://shop.test"


@dataclass
class Desk:
    tenant: Tenant
    key: str
    base_url: str

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        sent = {"Authorization": f"Bearer {key or self.key}", **(headers or {})}
        async with (
            aiohttp.ClientSession() as http,
            http.request(method, self.base_url + path, json=body, headers=sent) as response,
        ):
            return response.status, await response.json(), dict(response.headers)


@pytest.fixture
async def desk(app, base_url) -> Desk:
    tenant = await seed_tenant(app, "Acme", [SHOP])
    _, key = await app[console_key].api_keys.generate(tenant.site.id, "primary")
    return Desk(tenant, key, base_url)


@pytest.fixture
def widget(base_url, socket_client):
    """Factory: a visitor's connected widget that has written ``text``; its conversation id
    is ``client.conversation_id``."""

    async def connect(desk: Desk, text: str = "is the tent waterproof?"):
        auth = {"site_key": desk.tenant.site.site_key, "page": {"url": f"{SHOP}/tents"}}
        client = await socket_client("/visitor", base_url, auth, {"Origin": SHOP})
        await client.next("session")
        sent = await client.call("send_message", {"client_id": "v-1", "text": text})
        assert sent["ok"], sent
        client.conversation_id = sent["message"]["conversation_id"]
        return client

    return connect
