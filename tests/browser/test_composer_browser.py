"""The agent's reply box in Chromium: "/" inserts a saved reply with its placeholders
filled, suggestions answer the visitor's question, and a private note never reaches the
visitor's widget."""

from __future__ import annotations

import os
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Stage, new_page, sign_in
from tests.support.apps import PASSWORD

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("PORCHLIGHT_SCREENSHOTS")  # a folder: save screenshots there
SECRET = "Card declined twice: check for fraud before any refund"


async def shot(page: Page, name: str) -> None:
    if SHOTS:
        await page.screenshot(path=str(Path(SHOTS) / name))


async def add_replies(stage: Stage) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{stage.app_url}/api/v1/auth/login",
            json={"email": stage.tenant.email, "password": PASSWORD},
        ) as response:
            token = (await response.json())["token"]
        replies = [
            (
                "refund",
                "Refund policy",
                "Hi {{visitor.name}}, you can return your tent within 30 days for a full refund."
                " — {{agent.first_name}}",
            ),
            (
                "shipping",
                "Shipping times",
                "We ship within 2 working days; parcels to Europe take 3 to 5 days.",
            ),
            ("hours", "Opening hours", "Our team is here from 9:00 to 17:00, Monday to Friday."),
            ("warranty", "Tent warranty", "Every tent has a 5-year warranty on poles and seams."),
        ]
        for shortcut, title, text in replies:
            body = {"shortcut": shortcut, "title": title, "text": text, "scope": "shared"}
            async with http.post(
                f"{stage.app_url}/api/v1/sites/{stage.tenant.site.id}/replies",
                json=body,
                headers={"Authorization": f"Bearer {token}"},
            ) as response:
                assert response.status == 200, await response.text()


async def visitor_asks(browser, stage: Stage, text: str, name: str | None = None) -> Page:
    visitor = await new_page(browser, viewport={"width": 1280, "height": 800})
    await visitor.goto(f"{stage.host_url}/tents")
    if name:
        await visitor.evaluate(f"window.Porchlight('identify', {{name: {name!r}}})")
    await visitor.get_by_role("button", name="Open chat").click()
    box = visitor.get_by_role("textbox", name="Message")
    await box.fill(text)
    await box.press("Enter")
    return visitor


async def open_conversation(agent: Page, text: str) -> None:
    conversation = agent.locator(".conv", has_text=text)
    await expect(conversation).to_be_visible()
    await conversation.click()
    await expect(agent.locator(".chat-col")).to_contain_text(text)


async def test_slash_inserts_a_saved_reply_with_its_placeholder_filled(stage, browser):
    await add_replies(stage)
    visitor = await visitor_asks(browser, stage, "Can I send my tent back?", name="Ana Lima")
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, stage)
    await open_conversation(agent, "Can I send my tent back?")

    reply = agent.get_by_role("textbox", name="Reply")
    await reply.press_sequentially("/ref")
    picker = agent.locator(".picker")
    await expect(picker).to_be_visible()
    await expect(picker.locator(".picker-item")).to_have_count(1)
    await expect(picker.locator(".picker-item.is-active")).to_contain_text("/refund")
    await shot(agent, "saved-replies.png")
    await reply.press("Enter")
    await expect(picker).to_be_hidden()
    agent_first = stage.tenant.agent.name.split()[0]
    filled = (
        f"Hi Ana Lima, you can return your tent within 30 days for a full refund. — {agent_first}"
    )
    await expect(reply).to_have_value(filled)

    # Words filter too, and arrows choose; Tab inserts.
    await reply.fill("")
    await reply.press_sequentially("/europe")
    await expect(picker.locator(".picker-item")).to_have_count(1)
    await reply.press("Tab")
    await expect(reply).to_have_value(
        "We ship within 2 working days; parcels to Europe take 3 to 5 days."
    )
    await reply.fill("")
    await reply.press_sequentially("/")
    await expect(picker.locator(".picker-item")).to_have_count(4)
    await reply.press("ArrowDown")
    await reply.press("ArrowDown")
    await expect(picker.locator(".picker-item.is-active")).to_contain_text("/shipping")
    await reply.press("Escape")
    await expect(picker).to_be_hidden()

    await reply.fill("")
    await reply.press_sequentially("/refund")
    await reply.press("Tab")
    await reply.press("Enter")
    widget = visitor.locator("porchlight-widget")
    await expect(widget).to_contain_text("Hi Ana Lima, you can return your tent within 30 days")


async def test_suggestions_answer_the_open_question(stage, browser):
    await add_replies(stage)
    await visitor_asks(browser, stage, "How long does shipping to Europe take?")
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, stage)
    await open_conversation(agent, "shipping to Europe")

    chips = agent.locator(".suggest-chip")
    await expect(chips.first).to_contain_text("Shipping times")
    await shot(agent, "suggested-replies.png")
    await chips.first.click()
    reply = agent.get_by_role("textbox", name="Reply")
    await expect(reply).to_have_value(
        "We ship within 2 working days; parcels to Europe take 3 to 5 days."
    )
    await reply.press("Enter")
    await expect(agent.locator(".suggest")).to_be_hidden()


async def test_a_note_never_reaches_the_widget(stage, browser):
    visitor = await visitor_asks(browser, stage, "Is my order on its way?")
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, stage)
    await open_conversation(agent, "Is my order on its way?")
    frames: list[str] = []
    visitor.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))

    reply = agent.get_by_role("textbox", name="Reply")
    await reply.press("Alt+n")
    note_box = agent.get_by_role("textbox", name="Private note")
    await expect(note_box).to_be_visible()
    await expect(agent.locator(".composer")).to_have_class("composer is-note")
    await note_box.fill(SECRET)
    await note_box.press("Enter")
    note = agent.locator(".msg--note", has_text=SECRET)
    await expect(note).to_be_visible()
    await expect(note).to_contain_text("Note")
    await shot(agent, "composer-notes.png")

    # Back to replies with the tab; the reply reaches the widget, the note never does.
    await agent.get_by_role("tab", name="Reply").click()
    await reply.fill("It left our warehouse this morning.")
    await reply.press("Enter")
    widget = visitor.locator("porchlight-widget")
    await expect(widget).to_contain_text("It left our warehouse this morning.")
    await expect(widget).not_to_contain_text(SECRET)
    await visitor.reload()
    await visitor.get_by_role("button", name="Open chat").click()
    await expect(widget).to_contain_text("It left our warehouse this morning.")
    await expect(widget).not_to_contain_text(SECRET)
    assert not any("fraud" in frame for frame in frames)
    assert "fraud" not in await visitor.content()


async def test_edits_deletions_and_quotes_show_on_both_sides(stage, browser):
    visitor = await visitor_asks(browser, stage, "Do you sell tent pegs?")
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, stage)
    await open_conversation(agent, "Do you sell tent pegs?")
    widget = visitor.locator("porchlight-widget")

    # The agent quotes the visitor's question in a reply.
    question = agent.locator(".msg--visitor", has_text="tent pegs")
    await question.hover()
    await question.locator('[data-action="reply"]').click()
    reply = agent.get_by_role("textbox", name="Reply")
    await reply.fill("Yse, in packs of 10")
    await reply.press("Enter")
    await expect(widget.locator(".quote")).to_contain_text("Do you sell tent pegs?")
    await expect(widget).to_contain_text("Yse, in packs of 10")

    # The agent fixes a typo: both sides show the new words, marked edited.
    mine = agent.locator(".msg--agent", has_text="Yse, in packs")
    await mine.hover()
    await mine.locator('[data-action="edit"]').click()
    await expect(reply).to_have_value("Yse, in packs of 10")
    await reply.fill("Yes, in packs of 10")
    await reply.press("Enter")
    await expect(widget).to_contain_text("Yes, in packs of 10")
    await expect(widget).not_to_contain_text("Yse")
    await expect(widget.locator(".meta", has_text="edited")).to_have_count(1)
    await expect(agent.locator(".msg-edited")).to_have_count(1)

    # The visitor quotes the answer and then deletes their own message.
    answer = widget.locator(".row.them", has_text="packs of 10")
    await answer.hover()
    await answer.locator('[data-a="reply"]').click()
    box = visitor.get_by_role("textbox", name="Message")
    await box.fill("Great, 3 packs please")
    await box.press("Enter")
    quoted = agent.locator(".msg--visitor", has_text="3 packs")
    await expect(quoted.locator(".quote")).to_contain_text("Yes, in packs of 10")
    await shot(agent, "replies-and-edits.png")
    mine_in_widget = widget.locator(".row.me", has_text="3 packs please")
    await mine_in_widget.hover()
    visitor.once("dialog", lambda dialog: dialog.accept())
    await mine_in_widget.locator('[data-a="delete"]').click()
    await expect(agent.locator(".msg--visitor .bubble--deleted")).to_have_count(1)
    await expect(agent.locator(".chat-col")).not_to_contain_text("3 packs please")

    # The owner's audit view still has the words.
    deleted = agent.locator(".msg--visitor", has=agent.locator(".bubble--deleted"))
    await deleted.hover()
    await deleted.locator('[data-action="history"]').click()
    await expect(agent.locator(".history-dialog")).to_contain_text("Great, 3 packs please")
