"""The dashboard's socket is a WebSocket from its first request; where a proxy blocks
WebSockets, the dashboard long-polls instead and works the same."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import new_page, reply, sign_in, visitor_writes
from tests.browser.test_widget_transport import NO_WEBSOCKETS, _socket_traffic

pytestmark = pytest.mark.browser


async def _signed_in_agent(browser, stage, blocked: bool = False):
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    if blocked:
        await agent.add_init_script(NO_WEBSOCKETS)
    traffic = _socket_traffic(agent)
    await sign_in(agent, stage)
    return agent, traffic


async def test_the_dashboard_opens_one_websocket_and_no_long_poll(stage, browser):
    _, widget = await visitor_writes(browser, stage, "Is the Ridge 4 in stock?")
    agent, traffic = await _signed_in_agent(browser, stage)
    await agent.locator(".conv", has_text="Is the Ridge 4 in stock?").click()
    await reply(agent, "It is.")
    await expect(widget.locator(".bubble", has_text="It is.")).to_be_visible()
    assert len(traffic["websocket"]) == 1
    assert traffic["polling"] == []


async def test_where_websockets_are_blocked_the_dashboard_works_over_long_polling(stage, browser):
    _, widget = await visitor_writes(browser, stage, "Does the Ridge 4 fit three?")
    agent, traffic = await _signed_in_agent(browser, stage, blocked=True)
    await agent.locator(".conv", has_text="Does the Ridge 4 fit three?").click()
    await reply(agent, "It does, snugly.")
    await expect(widget.locator(".bubble", has_text="It does, snugly.")).to_be_visible()
    assert traffic["blocked"], "the dashboard never tried a WebSocket"
    assert traffic["websocket"] == []
    assert traffic["polling"], "the dashboard never long-polled"
