"""Blocking a country: the visitor's location comes from GeoIP (private and loopback
addresses are placed where PORCHLIGHT_GEOIP_PRIVATE_LOCATION says, Germany here)."""

from __future__ import annotations

import pytest

from server.app import create_app
from tests.console.conftest import SHOP_A
from tests.console.test_blocking import block, hello, set_response, visitor
from tests.support.sockets import refusal


@pytest.fixture
async def app(app_settings):
    return create_app(
        app_settings.with_(geoip_private_location={"country_code": "DE", "country": "Germany"})
    )


async def test_a_country_block_uses_the_visitors_location(team, api, socket_client, base_url):
    await set_response(api, team, "hidden")
    await block(api, team, "country", "de")  # loopback and private addresses are in DE here
    reasons = await refusal(base_url, "/visitor", hello(team), {"Origin": SHOP_A})
    assert reasons[0]["data"]["code"] == "forbidden"
    # A visitor already chatting when the block arrives is refused on the next message.
    _, listing = await api.request("GET", f"/api/v1/sites/{team.site.id}/blocks", team.admin.token)
    first = listing["blocks"][0]["id"]
    await api.request("DELETE", f"/api/v1/sites/{team.site.id}/blocks/{first}", team.admin.token)
    chatting = await visitor(socket_client, base_url, team, ip=None)
    await block(api, team, "country", "DE")
    answer = await chatting.call("send_message", {"client_id": "c-1", "text": "hi"})
    assert answer["ok"] is False and answer["code"] == "forbidden"
