"""A visitor rates a resolved conversation in the widget; the agent's dashboard shows it
live, with the comment."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import new_page, sign_in
from tests.browser.test_inbox_workflow import shot, visitor_writes

pytestmark = pytest.mark.browser


async def test_a_rating_after_resolve_appears_in_the_dashboard(stage, browser):
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, stage)
    visitor, widget = await visitor_writes(browser, stage, "My stove will not light")

    await agent.locator(".conv", has_text="stove will not light").click()
    await agent.get_by_role("button", name="Resolve", exact=True).click()

    await expect(widget.get_by_text("How was this conversation?")).to_be_visible()
    await widget.get_by_role("button", name="Okay").click()
    await widget.get_by_role("textbox", name="Add a comment (optional)").fill(
        "Fixed, but it took a while"
    )
    await shot(visitor, "widget-rating-390")
    await widget.get_by_role("button", name="Send rating").click()
    await expect(widget.get_by_text("Thanks for your rating!")).to_be_visible()
    await expect(widget.get_by_role("button", name="Okay")).to_be_hidden()

    rated = agent.locator(".chat-head .pill--rating")
    await expect(rated).to_have_text("Rated okay")
    await expect(agent.locator(".chat-rating-comment")).to_have_text(
        "Their comment: \u201cFixed, but it took a while\u201d"
    )
    await shot(agent, "dashboard-rating-1440")

    # A reload of the page remembers the rating: no second question.
    await visitor.reload()
    await visitor.get_by_role("button", name="Open chat").click()
    await expect(widget.get_by_text("Thanks for your rating!")).to_be_visible()
    await expect(widget.get_by_text("How was this conversation?")).to_be_hidden()
    # And the dashboard shows it on a fresh load too.
    await agent.reload()
    await expect(agent.locator(".chat-head .pill--rating")).to_have_text("Rated okay")
