"""Typing previews in real Chromium: what the visitor types in the widget appears as ghost
text in the agent's open conversation, masked, and gives way to the message once sent."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import new_page, sign_in

pytestmark = pytest.mark.browser


async def test_ghost_text_follows_the_visitors_typing_and_clears_when_sent(stage, browser):
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, stage)
    visitor = await new_page(browser, viewport={"width": 1280, "height": 800})
    await visitor.goto(f"{stage.host_url}/tents")
    await visitor.get_by_role("button", name="Open chat").click()
    widget = visitor.locator("porchlight-widget")
    await expect(widget).to_contain_text("Agents can see what you type before you send it.")
    composer = visitor.get_by_role("textbox", name="Message")
    await composer.fill("Hi there")
    await composer.press("Enter")
    await agent.locator(".conv", has_text="Hi there").click()
    ghost = agent.locator(".ghost")

    await composer.press_sequentially("Hello", delay=40)
    await expect(ghost).to_be_visible()
    await expect(ghost.locator(".ghost-text")).to_have_text("Hello")
    await expect(ghost).to_contain_text("is typing")

    await composer.press_sequentially(" World, card 4242 4242 4242 4242", delay=25)
    await expect(ghost.locator(".ghost-text")).to_have_text("Hello World, card •••• •••• •••• ••••")
    row = agent.locator(".conv", has_text="Hi there")
    await expect(row.locator(".typing-line")).to_contain_text("Hello World")

    await composer.press("Enter")

    sent = agent.locator(".msg--visitor .bubble", has_text="Hello World, card 4242")
    await expect(sent).to_be_visible()  # the message itself is stored exactly as typed
    await expect(ghost).to_be_hidden()
    await expect(row.locator(".typing-line")).to_be_hidden()


async def test_the_visitor_sees_the_agent_typing(stage, browser):
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, stage)
    visitor = await new_page(browser)
    await visitor.goto(f"{stage.host_url}/")
    await visitor.get_by_role("button", name="Open chat").click()
    composer = visitor.get_by_role("textbox", name="Message")
    await composer.fill("Anyone there?")
    await composer.press("Enter")
    await agent.locator(".conv", has_text="Anyone there?").click()

    await agent.get_by_role("textbox", name="Reply").press_sequentially("Yes, I am", delay=30)

    header = visitor.locator("porchlight-widget .head")
    await expect(header).to_contain_text("is typing…")

    await agent.get_by_role("textbox", name="Reply").press("Enter")
    await expect(visitor.locator("porchlight-widget .bubble", has_text="Yes, I am")).to_be_visible()
    await expect(header).not_to_contain_text("is typing", use_inner_text=True)
    await expect(header).to_contain_text("Online now", use_inner_text=True)
    # The visitor's message was delivered to and read by the agent: two coloured ticks.
    await expect(visitor.locator("porchlight-widget .row.me .tick.read")).to_have_count(1)
