"""Floods from one address or one visitor are refused with a time to retry (a flood while
others chat: test_flood_and_others.py). Addresses are told apart the way a
deployment behind a proxy does: X-Forwarded-For from a trusted peer."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest
import socketio

from server.rate_limit_rules import RateLimitRules
from tests.realtime.conftest import PAGE_A, SHOP_A
from tests.support.sockets import WAIT


@pytest.fixture
def app_settings(app_settings):
    return app_settings.with_(
        trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),),
        rate_limits=RateLimitRules(
            connect_address="12/minute",
            new_visitor_address="6/minute",
            new_conversation_address="3/minute",
            identify_visitor="3/minute",
            page_view_visitor="5/minute",
        ),
    )


@pytest.fixture
def visitor_from(base_url, socket_client):
    """Factory: a widget connected from ``address``."""

    async def connect(tenant, address, token=None):
        auth = {"site_key": tenant.site.site_key, "page": PAGE_A, "device": {}}
        if token:
            auth["visitor_token"] = token
        headers = {"Origin": SHOP_A, "X-Forwarded-For": address}
        client = await socket_client("/visitor", base_url, auth, headers)
        client.session = await client.next("session")
        return client

    return connect


async def connect_outcome(base_url, tenant, address, token=None) -> dict | None:
    """None when accepted (and closed again), else the refusal's data."""
    client = socketio.AsyncClient(reconnection=False)
    refusal: list[object] = []
    client.on("connect_error", refusal.append, namespace="/visitor")
    auth = {"site_key": tenant.site.site_key, "page": PAGE_A}
    if token:
        auth["visitor_token"] = token
    try:
        await client.connect(
            base_url,
            namespaces=["/visitor"],
            auth=auth,
            headers={"Origin": SHOP_A, "X-Forwarded-For": address},
            transports=["websocket"],
            wait_timeout=WAIT,
        )
    except socketio.exceptions.ConnectionError:
        if not refusal or not isinstance(refusal[0], dict):
            return {"code": "connection error", "refusal": refusal}
        return {"message": refusal[0].get("message"), **(refusal[0].get("data") or {})}
    finally:
        await client.disconnect()
    return None


async def test_a_refused_message_is_accepted_after_the_named_wait(app, tenant_a, visitor_from):
    visitor = await visitor_from(tenant_a, "203.0.113.10")
    for n in range(10):
        assert (await visitor.call("send_message", {"client_id": f"m-{n}", "text": "x"}))["ok"]
    refused = await visitor.call("send_message", {"client_id": "m-late", "text": "late"})
    assert refused["code"] == "rate_limited"

    await asyncio.sleep(refused["retry_after"] + 0.1)

    again = await visitor.call("send_message", {"client_id": "m-late", "text": "late"})
    assert again["ok"] is True


async def test_connections_from_one_address_are_limited(base_url, tenant_a, visitor_from):
    first = await visitor_from(tenant_a, "203.0.113.20")
    token = first.session["visitor_token"]
    outcomes = [await connect_outcome(base_url, tenant_a, "203.0.113.20", token) for _ in range(15)]

    refusals = [o for o in outcomes if o is not None]
    assert outcomes.count(None) == 11  # 12 a minute, the first included
    assert all(r["code"] == "rate_limited" and r["retry_after"] > 0 for r in refusals)
    assert await connect_outcome(base_url, tenant_a, "198.51.100.20") is None


async def test_connections_per_visitor_token_are_limited_across_addresses(
    app, base_url, tenant_a, visitor_from
):
    first = await visitor_from(tenant_a, "203.0.113.30")
    token = first.session["visitor_token"]
    outcomes = [
        await connect_outcome(base_url, tenant_a, f"192.0.2.{n}", token) for n in range(1, 33)
    ]
    assert outcomes.count(None) == 30  # connect_visitor: 30 a minute (the first had no token)
    assert {o["code"] for o in outcomes if o} == {"rate_limited"}


async def test_new_visitors_from_one_address_are_limited(base_url, tenant_a, visitor_from):
    outcomes = [await connect_outcome(base_url, tenant_a, "203.0.113.40") for _ in range(9)]

    assert outcomes.count(None) == 6
    assert {o["code"] for o in outcomes if o} == {"rate_limited"}
    # Someone already known (a token) is not new: they still get in from that address.
    known = await visitor_from(tenant_a, "198.51.100.40")
    assert (
        await connect_outcome(base_url, tenant_a, "203.0.113.40", known.session["visitor_token"])
        is None
    )


async def test_new_conversations_from_one_address_are_limited(tenant_a, visitor_from):
    visitors = [await visitor_from(tenant_a, "203.0.113.50") for _ in range(5)]

    acks = [await v.call("send_message", {"client_id": "c-1", "text": "help"}) for v in visitors]

    assert [a["ok"] for a in acks] == [True, True, True, False, False]
    assert {a["code"] for a in acks[3:]} == {"rate_limited"}
    # A visitor whose conversation is open keeps talking in it.
    more = await visitors[0].call("send_message", {"client_id": "c-2", "text": "still here"})
    assert more["ok"] is True


async def test_identify_and_page_views_are_limited_per_visitor(tenant_a, visitor_from):
    visitor = await visitor_from(tenant_a, "203.0.113.60")
    identify = [await visitor.call("identify", {"name": f"Ana {n}"}) for n in range(5)]
    views = [
        await visitor.call("page_view", {"url": f"{SHOP_A}/p/{n}", "title": "P"}) for n in range(7)
    ]

    assert [a["ok"] for a in identify] == [True] * 3 + [False] * 2
    assert [a["ok"] for a in views] == [True] * 5 + [False] * 2
    assert {a["code"] for a in identify[3:] + views[5:]} == {"rate_limited"}
