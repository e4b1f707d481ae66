"""No SSRF: webhooks reach public addresses only, checked when saved and when sent."""

from __future__ import annotations

import asyncio

import pytest

from server.domain import InvalidInput
from server.keys import events_key, sql_engine_key, webhooks_key
from server.services.events import Event
from server.storage.outbox.webhooks import DeliveryStatus
from server.storage.sql.engine import make_sessionmaker
from server.storage.sql.webhooks import WebhookRepository
from tests.support.apps import seed_tenant
from tests.webhooks.conftest import running, settled

REFUSED = [
    "http://127.0.0.1:{port}/hooks/porchlight",
    "http://localhost:{port}/hooks/porchlight",
    "http://[::1]:{port}/hooks/porchlight",
    "http://[::ffff:127.0.0.1]:{port}/hooks/porchlight",
    "http://2130706433:{port}/",  # 127.0.0.1 written as one number
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://10.1.2.3/hooks",
    "http://192.168.0.10/hooks",
    "http://100.64.0.1/hooks",  # shared address space
    "http://0.0.0.0:{port}/",
]
MALFORMED = {
    "ftp://example.com/hooks": "must start with https://",
    "javascript:alert(1)": "must start with https://",
    "https://user:pw@example.com/": "no user name or password",
    "https://example.com:99999/": "port",
    "": "Enter the URL",
}


@pytest.mark.parametrize("template", REFUSED)
async def test_private_addresses_are_refused_when_saved(node_settings, receiver, template):
    url = template.format(port=receiver.url.split(":")[2].split("/")[0])
    async with running(node_settings(webhooks_allow_private=False)) as app:
        tenant = await seed_tenant(app, "Shop", ["http://shop.test"])
        with pytest.raises(InvalidInput, match="webhooks only go to public addresses"):
            await app[webhooks_key].create(
                tenant.site.id, {"url": url, "events": ["message.created"]}
            )
        assert await app[webhooks_key].list(tenant.site.id) == []


@pytest.mark.parametrize(("url", "says"), MALFORMED.items())
async def test_malformed_urls_are_refused_with_a_reason(node_settings, url, says):
    async with running(node_settings()) as app:
        tenant = await seed_tenant(app, "Shop", ["http://shop.test"])
        with pytest.raises(InvalidInput, match=says):
            await app[webhooks_key].create(
                tenant.site.id, {"url": url, "events": ["message.created"]}
            )


async def test_a_private_address_is_refused_again_when_sending(node_settings, receiver):
    """An endpoint saved while it pointed elsewhere (or a DNS answer that changed since):
    the delivery is refused at connection time and nothing reaches the receiver."""
    async with running(node_settings(webhooks_allow_private=False)) as app:
        tenant = await seed_tenant(app, "Shop", ["http://shop.test"])
        repo = WebhookRepository(make_sessionmaker(app[sql_engine_key]))
        ids = []
        for url in (receiver.url, receiver.url.replace("127.0.0.1", "localhost")):
            endpoint = await repo.create(
                tenant.site.id,
                url=url,
                description="",
                secret="whsec_x",
                events=["message.created"],
                include_agent_only=False,
            )
            ids.append(endpoint.id)
        await app[events_key].publish(Event("message.created", tenant.site.id, {"id": "m1"}))
        await asyncio.sleep(0.5)
        logs = [(await app[webhooks_key].deliveries(tenant.site.id, i, None, 5))[0] for i in ids]

    assert receiver.received == []
    for [delivery] in logs:
        assert delivery.status is DeliveryStatus.PENDING and delivery.attempts >= 1
        assert "webhooks only go to public addresses" in delivery.error
        assert delivery.response_status is None


async def test_allowed_private_receivers_get_their_deliveries(node_settings, receiver):
    async with running(node_settings(webhooks_allow_private=True)) as app:
        tenant = await seed_tenant(app, "Shop", ["http://shop.test"])
        endpoint = await app[webhooks_key].create(
            tenant.site.id,
            {"url": receiver.url.replace("127.0.0.1", "localhost"), "events": "message.created"},
        )
        await app[events_key].publish(Event("message.created", tenant.site.id, {"id": "m1"}))
        [delivery] = await settled(app, tenant.site.id, endpoint.id)
    assert delivery.status is DeliveryStatus.DELIVERED
    assert [r.json["data"]["id"] for r in receiver.received] == ["m1"]
