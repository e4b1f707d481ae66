"""Sockets open at once are capped per client address and per visitor: one address cannot
hold a thousand sockets. Past a cap the widget is refused with ``rate_limited`` and a time
to retry; a closed socket frees its place; with Redis every node counts the same sockets."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from server.app import create_app
from tests.realtime.conftest import PAGE_A, SHOP_A
from tests.support.sockets import RecordingClient, refusal


@pytest.fixture
def app_settings(app_settings):
    return app_settings.with_(
        trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),),
        max_sockets_per_address=3,
        max_sockets_per_visitor=2,
    )


def _auth(tenant, token=None):
    auth = {"site_key": tenant.site.site_key, "page": PAGE_A, "device": {}}
    return auth | ({"visitor_token": token} if token else {})


def _from(address):
    return {"Origin": SHOP_A, "X-Forwarded-For": address}


async def _open(socket_client, url, tenant, address, token=None):
    client = await socket_client("/visitor", url, _auth(tenant, token), _from(address))
    client.session = await client.next("session")
    return client


async def _refused(url, tenant, address, token=None) -> dict:
    reasons = await refusal(url, "/visitor", _auth(tenant, token), _from(address))
    assert reasons and isinstance(reasons[0], dict), reasons
    return reasons[0]["data"]


async def _accepted_soon(url, tenant, address, token=None) -> RecordingClient:
    """A place frees once the server has handled the close: try for a few seconds."""
    for _ in range(50):
        client = RecordingClient("/visitor")
        try:
            await client.connect(url, _auth(tenant, token), _from(address))
            client.session = await client.next("session")
            return client
        except Exception:
            await client.close()
            await asyncio.sleep(0.1)
    raise AssertionError("the freed place was never given back")


async def test_sockets_from_one_address_are_capped(base_url, tenant_a, socket_client):
    held = [await _open(socket_client, base_url, tenant_a, "203.0.113.70") for _ in range(3)]

    refused = await _refused(base_url, tenant_a, "203.0.113.70")

    assert refused["code"] == "rate_limited" and refused["retry_after"] > 0
    await _open(socket_client, base_url, tenant_a, "198.51.100.70")  # someone else gets in
    await held[0].close()
    again = await _accepted_soon(base_url, tenant_a, "203.0.113.70")
    await again.close()


async def test_sockets_of_one_visitor_are_capped_whatever_the_address(
    base_url, tenant_a, socket_client
):
    first = await _open(socket_client, base_url, tenant_a, "203.0.113.80")
    token = first.session["visitor_token"]
    second = await _open(socket_client, base_url, tenant_a, "203.0.113.81", token)

    refused = await _refused(base_url, tenant_a, "203.0.113.82", token)

    assert refused["code"] == "rate_limited" and refused["retry_after"] > 0
    await second.close()
    again = await _accepted_soon(base_url, tenant_a, "203.0.113.82", token)
    assert again.session["visitor_id"] == first.session["visitor_id"]
    await again.close()


async def test_the_cap_counts_sockets_on_every_node(
    app_settings, aiohttp_server, base_url, tenant_a, socket_client
):
    if not app_settings.redis_url:
        pytest.skip("one node without Redis")
    other = await aiohttp_server(create_app(app_settings))
    other_url = str(other.make_url("")).rstrip("/")
    await _open(socket_client, base_url, tenant_a, "203.0.113.90")
    await _open(socket_client, base_url, tenant_a, "203.0.113.90")
    await _open(socket_client, other_url, tenant_a, "203.0.113.90")

    refused = await _refused(other_url, tenant_a, "203.0.113.90")

    assert refused["code"] == "rate_limited"
