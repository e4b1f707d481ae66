"""Sound alerts in real Chromium: one tab of an agent plays, and a blocked autoplay asks for
a click. Plays are counted by the player itself (``window.__porchlightSounds``)."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, new_page, sign_in

pytestmark = pytest.mark.browser

LOCK = "porchlight-sound-"

# Headless Chromium lets Web Audio start without a click whatever --autoplay-policy says
# (it also reports every page as activated), so the page is given the desktop browsers'
# rule at the API: an AudioContext reports "suspended", and resume() stays pending, until
# a real click or key press has reached this document.
BLOCK_AUTOPLAY = """
(() => {
  const Real = window.AudioContext;
  let activated = false;
  const note = (ev) => { if (ev.isTrusted) activated = true; };
  addEventListener("pointerdown", note, true);
  addEventListener("keydown", note, true);
  window.AudioContext = class extends Real {
    get state() { return activated ? super.state : "suspended"; }
    resume() { return activated ? super.resume() : new Promise(() => {}); }
  };
})();
"""


@pytest.fixture
async def autoplay_browser() -> Browser:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
            headless=True,
        )
        yield browser
        await browser.close()


async def plays(page: Page) -> int:
    return await page.evaluate("window.__porchlightSounds || 0")


async def leader_elected(page: Page) -> bool:
    held = await page.evaluate("async () => (await navigator.locks.query()).held.map(l => l.name)")
    return any(name.startswith(LOCK) for name in held)


async def wait_until(condition, attempts: int = 100) -> None:
    """Poll ``condition`` (an async callable) a bounded number of times."""
    for _ in range(attempts):
        if await condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached")


async def visitor_arrives(browser: Browser, stage) -> Page:
    visitor = await new_page(browser)
    await visitor.goto(f"{stage.host_url}/tents")
    await expect(visitor.get_by_role("button", name="Open chat")).to_be_visible()
    return visitor


async def test_an_arrival_plays_exactly_one_sound_across_two_tabs(stage, autoplay_browser):
    first = await new_page(autoplay_browser, viewport={"width": 1280, "height": 800})
    await sign_in(first, stage)
    second = await first.context.new_page()  # the same agent's second tab
    await second.goto(f"{stage.app_url}/dashboard")
    for tab in (first, second):
        await expect(tab.locator(".status-btn")).to_have_text("Online")
    await wait_until(lambda: leader_elected(first))

    visitor = await visitor_arrives(autoplay_browser, stage)
    await wait_until(lambda: _total(first, second, 1))

    # The visitor leaves and comes back: a second arrival. The total goes up by exactly one
    # again, so the first arrival played once, in one tab, and not once per tab.
    await gone(visitor, first)
    await visitor_arrives(autoplay_browser, stage)
    await wait_until(lambda: _total(first, second, 2))
    counts = sorted([await plays(first), await plays(second)])
    assert counts == [0, 2]
    banners = [await tab.locator(".sound-banner").is_visible() for tab in (first, second)]
    assert banners == [False, False]


async def gone(visitor: Page, agent: Page) -> None:
    """Close the visitor's browser and wait until the dashboard has seen them leave."""
    await visitor.context.close()
    # The socket's close, the departure's grace and the dashboard's update: seconds on a
    # loaded machine, so the wait is generous (it measures no speed).
    await expect(agent.locator("#nav-online")).to_be_hidden(timeout=15_000)


async def _total(first: Page, second: Page, expected: int) -> bool:
    total = await plays(first) + await plays(second)
    assert total <= expected, f"{total} sounds for {expected} arrivals"
    return total == expected


async def test_blocked_autoplay_queues_the_alert_until_a_click_enables_sound(stage, browser):
    agent = await new_page(browser, viewport={"width": 1280, "height": 800})
    await agent.context.add_init_script(BLOCK_AUTOPLAY)
    await sign_in(agent, stage)  # the dashboard is a new document: no click has reached it
    await expect(agent.locator(".status-btn")).to_have_text("Online")

    visitor = await visitor_arrives(browser, stage)

    banner = agent.get_by_role("button", name="Click to enable sound")
    await expect(banner).to_be_visible()
    await expect(banner).to_contain_text("arrived")
    assert await plays(agent) == 0

    await banner.click()

    await expect(banner).to_be_hidden()
    await wait_until(lambda: _played(agent, 1))
    assert await leader_elected(agent)

    # From now on sounds play straight away.
    await gone(visitor, agent)
    await visitor_arrives(browser, stage)
    await wait_until(lambda: _played(agent, 2))
    await expect(banner).to_be_hidden()


async def _played(page: Page, expected: int) -> bool:
    return await plays(page) == expected
