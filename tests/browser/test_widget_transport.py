"""A page view is one WebSocket; where a proxy blocks WebSockets, the widget long-polls
instead and the chat works the same."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import agent_on, new_page, reply

pytestmark = pytest.mark.browser

# What a proxy that refuses WebSockets looks like to the page: every one it opens fails
# (here it goes to a port where nothing listens).
NO_WEBSOCKETS = """
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  constructor(url, protocols) { super("ws://127.0.0.1:9/blocked", protocols); }
};
"""


def _socket_traffic(page) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"polling": [], "websocket": [], "blocked": []}
    page.on("request", lambda r: "transport=polling" in r.url and seen["polling"].append(r.url))
    page.on("websocket", lambda ws: "/socket.io/" in ws.url and seen["websocket"].append(ws.url))
    page.on("websocket", lambda ws: "/blocked" in ws.url and seen["blocked"].append(ws.url))
    return seen


async def test_a_page_view_opens_one_websocket_and_no_long_poll(stage, browser):
    visitor = await new_page(browser, viewport={"width": 1440, "height": 900})
    traffic = _socket_traffic(visitor)
    await visitor.goto(f"{stage.host_url}/")
    await visitor.get_by_role("button", name="Open chat").click()
    await expect(visitor.locator("porchlight-widget .conn")).to_be_hidden()  # connected
    assert len(traffic["websocket"]) == 1
    assert traffic["polling"] == []


async def test_where_websockets_are_blocked_the_chat_works_over_long_polling(stage, browser):
    visitor = await new_page(browser, viewport={"width": 390, "height": 844})
    await visitor.add_init_script(NO_WEBSOCKETS)
    traffic = _socket_traffic(visitor)
    await visitor.goto(f"{stage.host_url}/tents")
    await visitor.get_by_role("button", name="Open chat").click()
    composer = visitor.get_by_role("textbox", name="Message")
    await composer.fill("Does the Ridge 4 fit three?")
    await composer.press("Enter")

    agent = await agent_on(browser, stage, "Does the Ridge 4 fit three?")
    await reply(agent, "It does, snugly.")
    widget = visitor.locator("porchlight-widget")
    await expect(widget.locator(".bubble", has_text="It does, snugly.")).to_be_visible()
    assert traffic["blocked"], "the widget never tried a WebSocket"
    assert traffic["websocket"] == []
    assert traffic["polling"], "the widget never long-polled"
