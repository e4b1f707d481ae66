"""The widget loads in two parts: the launcher and the connection on every page, the chat
panel only when the visitor opens it or a message arrives."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import new_page, sign_in

pytestmark = pytest.mark.browser


def _chunk_requests(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: "/widget-chat.js" in r.url and seen.append(r.url))
    return seen


async def test_the_chat_panel_loads_on_the_first_open_only(stage, browser):
    visitor = await new_page(browser, viewport={"width": 1440, "height": 900})
    chunks = _chunk_requests(visitor)
    await visitor.goto(f"{stage.host_url}/")
    launcher = visitor.get_by_role("button", name="Open chat")
    await expect(launcher).to_be_visible()
    # Connected (the team's presence arrived over the socket) and still no chat panel code.
    await visitor.wait_for_load_state("networkidle")
    assert chunks == []
    assert await visitor.locator("porchlight-widget .panel").count() == 0

    await launcher.click()
    await expect(visitor.get_by_role("textbox", name="Message")).to_be_visible()
    assert len(chunks) == 1 and "/widget-chat.js?v=" in chunks[0]

    await visitor.get_by_role("button", name="Close chat").first.click()
    await visitor.get_by_role("button", name="Open chat").click()
    await expect(visitor.get_by_role("textbox", name="Message")).to_be_focused()
    assert len(chunks) == 1


async def test_an_agent_message_loads_the_chat_and_counts_as_unread(stage, browser):
    visitor = await new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    await visitor.goto(f"{stage.host_url}/")
    await visitor.get_by_role("button", name="Open chat").click()
    composer = visitor.get_by_role("textbox", name="Message")
    await composer.fill("Is the Ridge 4 waterproof?")
    await composer.press("Enter")
    widget = visitor.locator("porchlight-widget")
    await expect(widget.locator(".row.me .bubble")).to_have_text("Is the Ridge 4 waterproof?")
    # Stored by the server (nothing left in the outbox, which would load the chat at once).
    await expect(widget.locator(".row.me.pending")).to_have_count(0)

    # A new page: the visitor has a conversation, but no panel code loads until needed.
    chunks = _chunk_requests(visitor)
    await visitor.goto(f"{stage.host_url}/tents")
    await expect(visitor.get_by_role("button", name="Open chat")).to_be_visible()
    await visitor.wait_for_load_state("networkidle")
    assert chunks == []

    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, stage)
    await agent.locator(".conv", has_text="waterproof").click()
    reply = agent.get_by_role("textbox", name="Reply")
    await reply.fill("Yes, to 3000 mm.")
    await reply.press("Enter")

    await expect(visitor.get_by_role("button", name="Open chat, 1 unread message")).to_be_visible()
    assert len(chunks) == 1
    await expect(widget.locator(".badge")).to_have_text("1")
    await visitor.get_by_role("button", name="Open chat, 1 unread message").click()
    await expect(widget.locator(".row.them .bubble", has_text="Yes, to 3000 mm.")).to_be_visible()
