"""Blocking a visitor, an IP address or range, or a country: blocked visitors get the away
state (their messages go nowhere) or no widget at all, as the owner chose; unblocking
lets them back."""

from __future__ import annotations

import ipaddress

import pytest

from server.app import create_app
from tests.console.conftest import PAGE_A, SHOP_A
from tests.support.fixtures import app_settings as both_shapes
from tests.support.sockets import refusal

app_settings = both_shapes


@pytest.fixture
async def app(app_settings):
    """Behind a trusted proxy, so tests can come from any address."""
    return create_app(app_settings.with_(trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),)))


def hello(team, token=None):
    auth = {"site_key": team.site.site_key, "page": PAGE_A, "device": {}}
    if token:
        auth["visitor_token"] = token
    return auth


async def visitor(socket_client, base_url, team, ip="198.51.100.20", token=None):
    headers = {"Origin": SHOP_A} | ({"X-Forwarded-For": ip} if ip else {})
    client = await socket_client("/visitor", base_url, hello(team, token), headers)
    client.session = await client.next("session")
    return client


async def block(api, team, kind, value, token=None):
    status, body = await api.request(
        "POST",
        f"/api/v1/sites/{team.site.id}/blocks",
        token or team.admin.token,
        {"kind": kind, "value": value},
    )
    assert status == 200, body
    return body["block"]


async def set_response(api, team, response):
    status, _ = await api.request(
        "PATCH", f"/api/v1/sites/{team.site.id}", team.admin.token, {"blocked_response": response}
    )
    assert status == 200


async def test_a_blocked_visitor_sees_the_team_away_and_reaches_no_one(
    team, api, socket_client, base_url
):
    agent = await socket_client("/agent", base_url, {"token": team.agent.token})
    await agent.next("session")
    spammer = await visitor(socket_client, base_url, team)
    assert spammer.session["blocked"] is False and spammer.session["agents_online"] is True
    await spammer.call("send_message", {"client_id": "c-1", "text": "first"})
    assert (await agent.next("message"))["text"] == "first"

    made = await block(api, team, "visitor", spammer.session["visitor_id"])
    answer = await spammer.call("send_message", {"client_id": "c-2", "text": "buy now"})
    assert answer["ok"] is True  # answered like any message…
    assert await agent.nothing("message")  # …and delivered to no one
    conversation = await agent.call("list_conversations", {})
    history = await agent.call(
        "history", {"conversation_id": conversation["conversations"][0]["id"]}
    )
    assert [m["text"] for m in history["messages"]] == ["first"]

    back = await visitor(socket_client, base_url, team, token=spammer.session["visitor_token"])
    assert back.session["blocked"] is True and back.session["agents_online"] is False

    status, listing = await api.request(
        "GET", f"/api/v1/sites/{team.site.id}/blocks", team.admin.token
    )
    assert [b["id"] for b in listing["blocks"]] == [made["id"]]
    status, _ = await api.request(
        "DELETE", f"/api/v1/sites/{team.site.id}/blocks/{made['id']}", team.admin.token
    )
    assert status == 200
    sent = await back.call("send_message", {"client_id": "c-3", "text": "sorry"})
    assert sent["ok"] is True
    assert (await agent.next("message"))["text"] == "sorry"


@pytest.mark.parametrize(
    ("kind", "value", "refused_ip", "welcome_ip"),
    [
        ("ip", "203.0.113.9", "203.0.113.9", "203.0.113.10"),
        ("ip", "203.0.113.0/24", "203.0.113.77", "198.51.100.1"),
        ("ip", "2001:db8::/32", "2001:db8::5", "2001:db9::5"),
    ],
)
async def test_hidden_means_no_widget_for_a_blocked_address(
    team, api, socket_client, base_url, kind, value, refused_ip, welcome_ip
):
    await set_response(api, team, "hidden")
    await block(api, team, kind, value)
    reasons = await refusal(
        base_url, "/visitor", hello(team), {"Origin": SHOP_A, "X-Forwarded-For": refused_ip}
    )
    assert reasons == [{"message": "chat is not available", "data": {"code": "forbidden"}}]
    welcome = await visitor(socket_client, base_url, team, ip=welcome_ip)
    assert welcome.session["blocked"] is False


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("planet", "Mars", "Choose what to block"),
        ("ip", "999.1.1.1", "not an IP address"),
        ("ip", "10.0.0.0/4", "covers too much"),
        ("country", "Germany", "two-letter code"),
        ("visitor", "not-a-visitor-id", "visitor id"),
        ("ip", "", "Say what to block"),
    ],
)
async def test_bad_blocks_are_refused_with_a_reason(team, api, kind, value, message):
    status, body = await api.request(
        "POST",
        f"/api/v1/sites/{team.site.id}/blocks",
        team.admin.token,
        {"kind": kind, "value": value},
    )
    assert status == 400 and message in body["error"]


async def test_the_same_block_twice_is_a_conflict(team, api):
    await block(api, team, "ip", "192.0.2.1")
    status, body = await api.request(
        "POST",
        f"/api/v1/sites/{team.site.id}/blocks",
        team.admin.token,
        {"kind": "ip", "value": "192.0.2.1/32"},
    )
    assert status == 409 and body["code"] == "conflict"
