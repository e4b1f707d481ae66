"""The owner's console in real Chromium: a colour changed in the console reaches a widget
already open on the customer's page without a reload; the live preview is the real widget."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import new_page, sign_in

pytestmark = pytest.mark.browser

ROSE = "rgb(225, 29, 72)"  # #e11d48


async def launcher_colour(page) -> str:
    launcher = page.locator("porchlight-widget").get_by_role("button", name="Open chat")
    await expect(launcher).to_be_visible()
    return await launcher.evaluate("el => getComputedStyle(el).backgroundColor")


async def test_a_colour_saved_in_the_console_restyles_an_open_widget(stage, browser):
    visitor = await new_page(browser, viewport={"width": 1280, "height": 800})
    reloads = []
    visitor.on("framenavigated", lambda frame: reloads.append(frame.url))
    await visitor.goto(f"{stage.host_url}/tents")
    assert await launcher_colour(visitor) == "rgb(37, 99, 235)"  # the default blue
    navigations = len(reloads)

    owner = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(owner, stage)
    await owner.goto(f"{stage.app_url}/dashboard/settings/{stage.tenant.site.id}/widget")
    preview = owner.locator("#widget-preview porchlight-widget")
    await expect(preview.locator(".head")).to_be_visible()  # the preview opens the real panel

    colour = owner.get_by_label("Colour", exact=True)
    await colour.fill("#e11d48")
    await owner.get_by_label("Launcher text").fill("Ask us")
    # The preview follows the form before anything is saved.
    await expect(preview.locator(".launcher")).to_have_css("background-color", ROSE)
    await expect(owner.locator("#save-state")).to_have_text("Unsaved changes")

    await owner.get_by_role("button", name="Save changes").click()
    await expect(owner.locator("#save-state")).to_contain_text("Saved")

    # The visitor's open widget changes without a reload.
    launcher = visitor.locator("porchlight-widget .launcher")
    await expect(launcher).to_have_css("background-color", ROSE)
    await expect(launcher).to_contain_text("Ask us")
    box = await launcher.bounding_box()
    assert box["width"] > 110  # the words sit beside the icon, in a wider button
    assert len(reloads) == navigations

    # And the setting stays: the next page load has it from the server.
    await visitor.reload()
    await expect(visitor.locator("porchlight-widget .launcher")).to_have_css(
        "background-color", ROSE
    )


async def test_the_language_and_pre_chat_questions_reach_the_widget(stage, browser):
    owner = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(owner, stage)
    await owner.goto(f"{stage.app_url}/dashboard/settings/{stage.tenant.site.id}/widget")
    await owner.get_by_label("Language").select_option("de")
    await owner.get_by_label("E-mail", exact=True).select_option("required")
    greeting = owner.get_by_label("Greeting")
    await expect(greeting).to_have_value("Hallo! Wie können wir helfen?")  # the default follows
    await owner.get_by_role("button", name="Save changes").click()
    await expect(owner.locator("#save-state")).to_contain_text("Saved")

    visitor = await new_page(browser, viewport={"width": 1280, "height": 800})
    await visitor.goto(f"{stage.host_url}/")
    widget = visitor.locator("porchlight-widget")
    await widget.get_by_role("button", name="Chat öffnen").click()
    await expect(widget).to_contain_text("Hallo! Wie können wir helfen?")
    email = widget.locator(".pre").get_by_label("E-Mail")
    await expect(email).to_be_visible()
    await expect(widget.get_by_role("textbox", name="Nachricht")).to_be_hidden()
    await email.fill("ana@example.com")
    await widget.locator(".pre").get_by_role("button", name="Chat starten").click()
    composer = widget.get_by_role("textbox", name="Nachricht")
    await expect(composer).to_be_visible()
