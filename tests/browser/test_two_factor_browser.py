"""Two-factor sign-in in Chromium: set it up from the page, then sign in with the code."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pyotp
import pytest

from tests.browser.conftest import new_page, sign_in
from tests.support.apps import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("PORCHLIGHT_SCREENSHOTS", "/tmp/porchlight-shots"))


async def test_set_up_and_sign_in_with_a_code(stage, browser):
    await asyncio.to_thread(SHOTS.mkdir, parents=True, exist_ok=True)
    page = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(page, stage)

    await page.goto(f"{stage.app_url}/dashboard/two-factor")
    secret = await page.input_value("#secret")
    assert (await page.input_value("#otpauth")).startswith("otpauth://totp/")
    assert await page.locator("#qr-code svg").is_visible()  # drawn inline, beside the key
    await page.screenshot(path=SHOTS / "two-factor-setup-desktop.png")
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path=SHOTS / "two-factor-setup-phone.png", full_page=True)
    # Each code works once: set up with the previous step's (still accepted), sign in with now's.
    await page.fill("#code", pyotp.TOTP(secret).at(time.time() - 30))
    await page.get_by_role("button", name="Turn on").click()
    codes = await page.text_content("#recovery-codes")
    assert codes and len(codes.split()) == 10
    await page.screenshot(path=SHOTS / "two-factor-codes-phone.png", full_page=True)

    fresh = await new_page(browser, viewport={"width": 1440, "height": 900})
    await fresh.goto(f"{stage.app_url}/dashboard/login")
    await fresh.fill("#email", stage.tenant.email)
    await fresh.fill("#password", PASSWORD)
    await fresh.get_by_role("button", name="Sign in").click()
    await fresh.wait_for_selector("#code")
    await fresh.screenshot(path=SHOTS / "two-factor-sign-in-desktop.png")
    await fresh.fill("#code", pyotp.TOTP(secret).now())
    await fresh.get_by_role("button", name="Verify").click()
    await fresh.wait_for_url(f"{stage.app_url}/dashboard")
