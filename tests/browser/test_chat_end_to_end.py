"""A visitor on the customer's website chats with an agent in the dashboard."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import new_page, sign_in

pytestmark = pytest.mark.browser


async def test_visitor_and_agent_chat_across_origins(stage, browser):
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, stage)

    visitor = await new_page(browser, viewport={"width": 1280, "height": 800})
    await visitor.goto(f"{stage.host_url}/tents")
    await visitor.get_by_role("button", name="Open chat").click()
    composer = visitor.get_by_role("textbox", name="Message")
    await composer.fill("Do you have <b>4-person</b> tents?")
    await composer.press("Enter")

    # The agent sees the conversation arrive live, opens it and reads the text as text.
    conversation = agent.locator(".conv", has_text="4-person")
    await expect(conversation).to_be_visible()
    await conversation.click()
    await expect(agent.locator(".chat-col")).to_contain_text("Do you have <b>4-person</b> tents?")

    reply = agent.get_by_role("textbox", name="Reply")
    await reply.fill("Yes, the Ridge 4 is in stock.")
    await reply.press("Enter")

    await expect(visitor.locator("porchlight-widget")).to_contain_text("the Ridge 4 is in stock")


async def test_history_follows_the_visitor_to_other_pages(stage, browser):
    visitor = await new_page(browser)
    await visitor.goto(f"{stage.host_url}/")
    await visitor.get_by_role("button", name="Open chat").click()
    composer = visitor.get_by_role("textbox", name="Message")
    await composer.fill("first page question")
    await composer.press("Enter")
    widget = visitor.locator("porchlight-widget")
    await expect(widget.locator(".bubble", has_text="first page question")).to_be_visible()

    await visitor.goto(f"{stage.host_url}/checkout")
    await visitor.get_by_role("button", name="Open chat").click()
    await expect(widget.locator(".bubble", has_text="first page question")).to_have_count(1)


async def test_host_page_css_cannot_reach_the_widget(stage, browser):
    visitor = await new_page(browser)
    await visitor.goto(f"{stage.host_url}/")
    await visitor.add_style_tag(
        content="* { color: red !important; font-family: serif !important; }"
    )
    launcher = visitor.get_by_role("button", name="Open chat")
    await expect(launcher).to_be_visible()
    colour = await launcher.evaluate("el => getComputedStyle(el).color")
    assert colour != "rgb(255, 0, 0)"


async def test_the_chat_header_follows_the_page_the_visitor_is_on(stage, browser):
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, stage)
    visitor = await new_page(browser)
    await visitor.goto(f"{stage.host_url}/tents")
    await visitor.get_by_role("button", name="Open chat").click()
    composer = visitor.get_by_role("textbox", name="Message")
    await composer.fill("which tent for two?")
    await composer.press("Enter")

    await agent.locator(".conv", has_text="which tent for two?").click()
    viewing = agent.locator(".chat-page")
    await expect(viewing).to_have_text("Viewing Tents for every season · Acme Outdoor")

    # Single-page navigation: the header names the new page as the visitor gets there.
    await visitor.evaluate(
        "() => { document.title = 'Ridge 4'; history.pushState({}, '', '/tents/ridge-4'); }"
    )
    await expect(viewing).to_have_text("Viewing Ridge 4")
    await expect(viewing.get_by_role("link")).to_have_attribute(
        "href", f"{stage.host_url}/tents/ridge-4"
    )
