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


async def test_a_verified_visitor_gets_a_badge_and_an_admin_can_block_from_the_chat(stage, browser):
    import hashlib
    import hmac

    owner = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(owner, stage)
    secret = await owner.evaluate(
        f"""async () => (await (await fetch(
            '/api/v1/sites/{stage.tenant.site.id}/identity-secret')).json()).secret"""
    )
    user_hash = hmac.new(secret.encode(), b"42", hashlib.sha256).hexdigest()

    visitor = await new_page(browser, viewport={"width": 1280, "height": 800})
    await visitor.goto(f"{stage.host_url}/")
    # The visitor is on the dashboard's live list before the page says who they are.
    await owner.goto(f"{stage.app_url}/dashboard#/visitors")
    await expect(owner.locator(".vt-row")).to_have_count(1)
    await visitor.evaluate(
        "h => Porchlight('identify', {user_id: '42', name: 'Ana Lima', user_hash: h})", user_hash
    )
    await expect(owner.locator(".vt-row")).to_contain_text("Ana Lima")
    await owner.goto(f"{stage.app_url}/dashboard#/inbox")
    widget = visitor.locator("porchlight-widget")
    await widget.get_by_role("button", name="Open chat").click()
    composer = widget.get_by_role("textbox", name="Message")
    await composer.fill("first question")
    await composer.press("Enter")

    conversation = owner.locator(".conv", has_text="first question")
    await conversation.click()
    header = owner.locator(".chat-head")
    await expect(header).to_contain_text("Ana Lima")
    await expect(header.locator(".pill--verified")).to_be_visible()

    owner.once("dialog", lambda dialog: dialog.accept())
    await header.get_by_role("button", name="Block").click()
    await expect(owner.locator(".toast")).to_contain_text("is blocked")

    await composer.fill("second question")
    await composer.press("Enter")
    await expect(widget.locator(".bubble", has_text="second question")).to_be_visible()
    # It was answered, and stored nowhere: the conversation still holds the first one only.
    texts = await owner.evaluate(
        f"""async () => {{
            const site = '/api/v1/sites/{stage.tenant.site.id}/conversations';
            const c = (await (await fetch(site)).json()).conversations[0];
            const m = await (await fetch('/api/v1/conversations/' + c.id + '/messages')).json();
            return m.messages.map((x) => x.text);
        }}"""
    )
    assert texts == ["first question"]
    await expect(owner.locator(".chat-col")).not_to_contain_text("second question")
