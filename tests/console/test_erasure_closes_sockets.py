"""Erasing a visitor closes their open widgets at once, on every node: an erased visitor's
tab cannot keep chatting under the old identity."""

from __future__ import annotations

import asyncio

from server.app import create_app
from tests.console.conftest import SHOP_A
from tests.support.fixtures import app_settings as both_shapes
from tests.support.sockets import RecordingClient

app_settings = both_shapes  # with Redis, the second tab is on another node


async def _closed(client: RecordingClient, within: float = 5.0) -> bool:
    for _ in range(int(within / 0.05)):
        if not client.sio.connected:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_erasing_a_visitor_closes_their_tabs_on_every_node(
    app_settings, aiohttp_server, team, api, base_url
):
    other_url = base_url
    if app_settings.redis_url:
        other = await aiohttp_server(create_app(app_settings))
        other_url = str(other.make_url("")).rstrip("/")
    first = await RecordingClient("/visitor").connect(
        base_url, {"site_key": team.site.site_key}, {"Origin": SHOP_A}
    )
    session = await first.next("session")
    second = await RecordingClient("/visitor").connect(
        other_url,
        {"site_key": team.site.site_key, "visitor_token": session["visitor_token"]},
        {"Origin": SHOP_A},
    )
    assert (await second.next("session"))["visitor_id"] == session["visitor_id"]
    bystander = await RecordingClient("/visitor").connect(
        other_url, {"site_key": team.site.site_key}, {"Origin": SHOP_A}
    )
    await bystander.next("session")
    try:
        path = f"/api/v1/sites/{team.site.id}/visitors/{session['visitor_id']}"
        status, body = await api.request("DELETE", path, team.admin.token)
        assert status == 200, body

        assert await _closed(first) and await _closed(second)
        assert bystander.sio.connected
        ack = await bystander.call("send_message", {"client_id": "b-1", "text": "still here"})
        assert ack["ok"], ack
    finally:
        for client in (first, second, bystander):
            await client.close()
