"""Agents see where a visitor is; X-Forwarded-For counts only from a trusted proxy."""

from __future__ import annotations

import pytest

from tests.geo.conftest import BERLIN_IPV6, LONDON_IP
from tests.realtime.conftest import PAGE_A, SHOP_A


async def connect_from(base_url, socket_client, tenant, forwarded_for: str | None):
    headers = {"Origin": SHOP_A}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    auth = {"site_key": tenant.site.site_key, "page": PAGE_A}
    client = await socket_client("/visitor", base_url, auth, headers)
    client.session = await client.next("session")
    return client


async def test_a_visitor_behind_a_trusted_proxy_is_located_by_forwarded_for(
    base_url, socket_client, tenant_a, agent_a
):
    await connect_from(base_url, socket_client, tenant_a, f"{LONDON_IP}, 127.0.0.1")

    arrival = await agent_a.next("visitor_arrival")

    assert arrival["geo"]["city"] == "London"
    assert arrival["geo"]["flag"] == "🇬🇧"
    assert arrival["geo"]["time_zone"] == "Europe/London"
    listed = (await agent_a.call("list_visitors", {}))["visitors"]
    assert [v["geo"]["country_code"] for v in listed] == ["GB"]


async def test_ipv6_clients_are_located_too(base_url, socket_client, tenant_a, agent_a):
    await connect_from(base_url, socket_client, tenant_a, BERLIN_IPV6)

    assert (await agent_a.next("visitor_arrival"))["geo"]["city"] == "Berlin"


@pytest.mark.trusted_proxies("10.0.0.0/8")
async def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    base_url, socket_client, tenant_a, agent_a
):
    await connect_from(base_url, socket_client, tenant_a, LONDON_IP)

    geo = (await agent_a.next("visitor_arrival"))["geo"]

    # The peer (127.0.0.1) is what counts: the configured location of private addresses.
    assert geo["private"] is True
    assert (geo["country_code"], geo["city"]) == ("NL", "Office")


async def test_an_address_missing_from_the_database_is_unknown(
    base_url, socket_client, tenant_a, agent_a
):
    visitor = await connect_from(base_url, socket_client, tenant_a, "8.8.4.4")

    assert (await agent_a.next("visitor_arrival"))["geo"] == {"unknown": True}
    assert visitor.sio.connected


async def test_a_forged_forwarded_for_is_not_an_error(base_url, socket_client, tenant_a, agent_a):
    visitor = await connect_from(base_url, socket_client, tenant_a, "<script>, not-an-ip")

    geo = (await agent_a.next("visitor_arrival"))["geo"]

    assert geo["private"] is True  # the header is ignored; the peer is used
    assert visitor.sio.connected
