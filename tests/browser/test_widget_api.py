"""The page drives the widget and listens to it: Porchlight('on', …) events with their
payloads, 'off', the unread count, and hiding the launcher for a button of its own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import agent_on, new_page, reply

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("PORCHLIGHT_SCREENSHOTS")
DESKTOP = {"viewport": {"width": 1440, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

# The embed snippet's queue stub, and listeners queued before the widget loaded.
LISTEN = """
window.Porchlight = window.Porchlight || function () {
  (window.Porchlight.q = window.Porchlight.q || []).push(arguments);
};
window.heard = [];
window.onMessage = (m) => heard.push(["message", m]);
Porchlight('on', 'message', () => { throw new Error('a broken listener'); });
Porchlight('on', 'message', onMessage);
Porchlight('on', 'open', (x) => heard.push(["open", x === undefined]));
Porchlight('on', 'close', () => heard.push(["close"]));
Porchlight('on', 'unread', (count) => heard.push(["unread", count]));
"""


async def heard(page, since: int = 0) -> list:
    return (await page.evaluate("heard"))[since:]


async def test_events_fire_with_their_payloads_and_off_stops_them(stage, browser):
    visitor = await new_page(browser, **DESKTOP)
    warnings: list[str] = []
    visitor.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    await visitor.add_init_script(LISTEN)
    await visitor.goto(f"{stage.host_url}/")
    await visitor.get_by_role("button", name="Open chat").click()
    composer = visitor.get_by_role("textbox", name="Message")
    await composer.fill("Do you rent kayaks?")
    await composer.press("Enter")
    await expect(visitor.locator("porchlight-widget .row.me.pending")).to_have_count(0)
    await visitor.evaluate("Porchlight('close')")
    events = await heard(visitor)
    assert [e[0] for e in events] == ["open", "message", "close"]
    assert events[0] == ["open", True]
    mine = events[1][1]
    assert mine["text"] == "Do you rent kayaks?" and mine["author"]["kind"] == "visitor"
    assert len(mine["id"]) == 26 and mine["conversation_id"] and mine["created_at"]

    agent = await agent_on(browser, stage, "kayaks")
    await reply(agent, "Yes, by the day.")
    await expect(visitor.get_by_role("button", name="Open chat, 1 unread message")).to_be_visible()
    events = await heard(visitor, 3)
    assert [e[0] for e in events] == ["message", "unread"]
    theirs = events[0][1]
    assert theirs["text"] == "Yes, by the day." and theirs["author"]["kind"] == "agent"
    assert theirs["author"]["name"] and theirs["conversation_id"] == mine["conversation_id"]
    assert events[1] == ["unread", 1]
    assert await visitor.evaluate("Porchlight('unread')") == 1

    # Off: that listener hears no more; the others still do.
    await visitor.evaluate("Porchlight('off', 'message', onMessage)")
    await reply(agent, "From 9:00.")
    await expect(visitor.get_by_role("button", name="Open chat, 2 unread messages")).to_be_visible()
    assert await heard(visitor, 5) == [["unread", 2]]
    await visitor.evaluate("Porchlight('open')")
    await expect(composer).to_be_visible()
    assert await heard(visitor, 6) == [["open", True], ["unread", 0]]
    assert await visitor.evaluate("Porchlight('unread')") == 0

    await visitor.evaluate("Porchlight('on', 'typing', () => {})")
    assert any("unknown event" in w and "typing" in w for w in warnings)


@pytest.mark.parametrize(("name", "device"), [("desktop", DESKTOP), ("phone", PHONE)])
async def test_a_hidden_launcher_leaves_the_page_its_own_button(stage, browser, name, device):
    visitor = await new_page(browser, **device)
    await visitor.add_init_script(LISTEN + "Porchlight('hide');")
    await visitor.goto(f"{stage.host_url}/")
    await visitor.wait_for_function("window.Porchlight && window.Porchlight.loaded")
    await visitor.wait_for_load_state("networkidle")
    launcher = visitor.locator("porchlight-widget .launcher")
    await expect(launcher).to_be_attached()
    await expect(launcher).to_be_hidden()

    # The page's own button opens the chat; the panel's close button still closes it.
    await visitor.evaluate("Porchlight('open')")
    composer = visitor.get_by_role("textbox", name="Message")
    await expect(composer).to_be_visible()
    await expect(launcher).to_be_hidden()
    if SHOTS:
        await visitor.screenshot(path=str(Path(SHOTS) / f"widget-hidden-launcher-{name}.png"))
    header = visitor.locator("porchlight-widget .head")
    await header.get_by_role("button", name="Close chat").click()
    await expect(composer).to_be_hidden()
    assert [e[0] for e in await heard(visitor)] == ["open", "close"]

    await visitor.evaluate("Porchlight('show')")
    await expect(visitor.get_by_role("button", name="Open chat")).to_be_visible()
    await visitor.evaluate("Porchlight('hide')")
    await expect(launcher).to_be_hidden()
