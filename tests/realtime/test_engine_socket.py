"""The leaner Engine.IO sockets: the widget's way of connecting (long-polling, then the
upgrade to WebSocket), pings from one timer, and which sockets compress."""

from __future__ import annotations

import asyncio

import aiohttp
import socketio

from server.realtime.engine_socket import PingLine
from tests.realtime.conftest import PAGE_A, SHOP_A
from tests.support.sockets import WAIT


async def test_a_widget_connecting_as_browsers_do_upgrades_chats_and_leaves(
    base_url, tenant_a, agent_a
):
    visitor = socketio.AsyncClient(reconnection=False)
    greeted: asyncio.Queue = asyncio.Queue()
    visitor.on("session", greeted.put, namespace="/visitor")
    auth = {"site_key": tenant_a.site.site_key, "page": PAGE_A, "device": {"language": "en"}}
    await visitor.connect(
        f"{base_url}?site_key={tenant_a.site.site_key}",
        namespaces=["/visitor"],
        auth=auth,
        headers={"Origin": SHOP_A},
        transports=["polling", "websocket"],
        wait_timeout=WAIT,
    )
    try:
        session = await asyncio.wait_for(greeted.get(), WAIT)
        await agent_a.next("visitor_arrival")
        for _ in range(100):
            if visitor.transport() == "websocket":
                break
            await asyncio.sleep(0.05)
        assert visitor.transport() == "websocket"

        ack = await visitor.call(
            "send_message", {"client_id": "c-up", "text": "hello"}, namespace="/visitor"
        )
        assert ack["ok"] is True
        seen = await agent_a.next("message")
        assert seen["text"] == "hello" and seen["client_id"] == "c-up"
    finally:
        await visitor.disconnect()
    left = await agent_a.next("visitor_left")
    assert left["visitor_id"] == session["visitor_id"]


async def _opened(base_url: str, query: str, headers: dict[str, str]) -> int:
    """Opens a WebSocket offering permessage-deflate; the window bits the server took."""
    url = base_url.replace("http://", "ws://") + f"/socket.io/?EIO=4&transport=websocket{query}"
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(url, headers=headers, compress=15) as ws,
    ):
        opening = await ws.receive_str(timeout=WAIT)
        assert opening.startswith("0{")
        return ws.compress


async def test_the_widget_socket_declines_compression_the_dashboard_keeps_it(base_url, tenant_a):
    widget = await _opened(base_url, f"&site_key={tenant_a.site.site_key}", {"Origin": SHOP_A})
    dashboard = await _opened(base_url, "", {})

    assert widget == 0
    assert dashboard == 15


class _Socket:
    def __init__(self, name: str, pinged: asyncio.Queue[tuple[str, float]]) -> None:
        self.name, self.pinged = name, pinged

    def ping(self) -> None:
        self.pinged.put_nowait((self.name, asyncio.get_running_loop().time()))


async def test_every_socket_is_pinged_an_interval_after_it_was_added_in_order():
    loop = asyncio.get_running_loop()
    pinged: asyncio.Queue[tuple[str, float]] = asyncio.Queue()
    line = PingLine(interval=0.2)
    added = {"a": loop.time()}
    line.add(_Socket("a", pinged))
    await asyncio.sleep(0.05)
    added["b"] = loop.time()
    line.add(_Socket("b", pinged))
    first = [await asyncio.wait_for(pinged.get(), WAIT) for _ in range(2)]
    added["again"] = loop.time()
    line.add(_Socket("again", pinged))  # "a" answered: its next ping an interval later
    last = await asyncio.wait_for(pinged.get(), WAIT)
    line.stop()

    assert [name for name, _ in [*first, last]] == ["a", "b", "again"]
    for name, at in [*first, last]:
        assert at - added[name] >= 0.2 - 0.01  # never early (a timer may fire a tick early)
