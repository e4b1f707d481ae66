"""The widget honours a refusal's time to retry: a message over the visitor's limit is
sent again once the named wait has passed, not sooner (refusals counted on the wire)."""

from __future__ import annotations

import asyncio
import time

import pytest
from playwright.async_api import expect

from server.keys import message_store_key
from server.rate_limit_rules import RateLimitRules
from tests.browser.conftest import new_page

pytestmark = pytest.mark.browser

WINDOW = 8  # seconds: a widget that ignored it would retry at its own 2 s, then 4 s more


async def test_a_rate_limited_message_is_sent_again_after_the_named_wait(
    stage_with, embedded_settings, browser
):
    stage = await stage_with(
        embedded_settings.with_(rate_limits=RateLimitRules(message_visitor=f"2/{WINDOW} seconds"))
    )
    visitor = await new_page(browser, viewport={"width": 390, "height": 844})
    refusals: list[str] = []

    def count(frame: str | bytes) -> None:
        if isinstance(frame, str) and "rate_limited" in frame:
            refusals.append(frame)

    visitor.on("websocket", lambda ws: ws.on("framereceived", count))
    await visitor.goto(f"{stage.host_url}/tents")
    await visitor.get_by_role("button", name="Open chat").click()
    composer = visitor.get_by_role("textbox", name="Message")
    for text in ("first", "second", "third"):
        await composer.fill(text)
        await composer.press("Enter")
    widget = visitor.locator("porchlight-widget")
    await expect(widget.locator(".bubble", has_text="third")).to_be_visible()

    store = stage.app[message_store_key]
    site_id = stage.tenant.site.id
    deadline = time.monotonic() + 3 * WINDOW
    stored: list[str] = []
    while time.monotonic() < deadline:
        conversations = await store.list_conversations([site_id])
        if conversations:
            messages = await store.list_messages(site_id, conversations[0].id)
            stored = [m.text for m in messages]
            if len(stored) == 3:
                break
        await asyncio.sleep(0.5)

    assert stored == ["first", "second", "third"]
    assert len(refusals) == 1, refusals  # refused once, then sent after the wait it named
