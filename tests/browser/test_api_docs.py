"""The API reference page renders the served OpenAPI document on a desktop and a phone."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.async_api import Browser

from tests.browser.conftest import Stage, new_page

SHOTS = Path(os.environ.get("PORCHLIGHT_SCREENSHOTS", "/tmp/porchlight-shots"))


async def test_the_reference_lists_every_operation(browser: Browser, stage: Stage):
    for name, size in [("desktop", (1440, 900)), ("phone", (390, 844))]:
        page = await new_page(browser, viewport={"width": size[0], "height": size[1]})
        await page.goto(f"{stage.app_url}/api/docs")
        resolve = page.locator("#resolve")
        await resolve.wait_for()
        assert "/api/v1/conversations/{conversation_id}/resolve" in await resolve.inner_text()
        assert await page.locator("section.op").count() >= 14
        wide = await page.evaluate("document.documentElement.scrollWidth > innerWidth")
        assert not wide, name
        await page.screenshot(path=str(SHOTS / f"api-docs-{name}.png"))
        await page.context.close()
