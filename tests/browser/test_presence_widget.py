"""The widget while nobody is online: the offline message and an e-mail field; and back to
"online" the moment an agent is."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import new_page, sign_in

pytestmark = pytest.mark.browser


async def test_nobody_online_asks_for_an_e_mail_and_an_agent_coming_online_hides_it(stage, browser):
    visitor = await new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    await visitor.goto(f"{stage.host_url}/")
    await visitor.get_by_role("button", name="Open chat").click()
    widget = visitor.locator("porchlight-widget")
    await expect(widget).to_contain_text("We're away right now")
    email = visitor.get_by_role("textbox", name="Your e-mail")
    await expect(email).to_be_visible()

    await email.fill("ana@example.com")
    await visitor.get_by_role("button", name="Leave address").click()

    await expect(widget).to_contain_text("Thanks! The team can now write to you at ana@example.com")
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, stage)
    await expect(widget).to_contain_text("Online now")
    await expect(visitor.get_by_role("button", name="Leave address")).to_be_hidden()
    await agent.get_by_role("link", name="Visitors").click()
    await expect(agent.locator(".vt-row", has_text="ana@example.com")).to_be_visible()

    await agent.get_by_role("button", name="Your status: Online. Change it").click()
    await expect(widget).to_contain_text("Away right now")
    await expect(widget).to_contain_text("Thanks! The team can now write to you at ana@example.com")
