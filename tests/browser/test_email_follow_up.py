"""Real Chromium, a real SMTP server: a visitor leaves their address in the away form and
goes; the team's reply arrives by e-mail, and its link reopens the chat with the history
in another browser."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from server.keys import message_store_key, visitors_key
from tests.browser.conftest import Stage, agent_on, new_page, visitor_writes
from tests.realtime.conftest import login_token
from tests.support.smtp import SmtpInbox, smtp_inbox

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("PORCHLIGHT_SCREENSHOTS")


@pytest.fixture
def smtp() -> Iterator[SmtpInbox]:
    with smtp_inbox() as inbox:
        yield inbox


@pytest.fixture
async def mailing(stage_with, embedded_settings, smtp) -> Stage:
    return await stage_with(
        embedded_settings.with_(
            smtp_url=smtp.url,
            mail_from="Acme Outdoor <help@acme.test>",
            mail_batch_seconds=1.0,
            mail_poll_seconds=0.05,
        )
    )


async def shot(page, name: str) -> None:
    if SHOTS:
        await page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


async def test_the_away_form_leads_to_an_email_whose_link_reopens_the_chat(
    mailing, browser, smtp, socket_client
) -> None:
    stage, app = mailing, mailing.app
    ana, widget = await visitor_writes(
        browser, stage, "Do you have the Ridge 4 in green?", {"width": 1440, "height": 900}
    )
    await ana.get_by_role("textbox", name="Your e-mail").first.fill("ana@example.com")
    await ana.get_by_role("button", name="Leave address").click()
    await expect(widget.get_by_text("We'll e-mail our reply to ana@example.com")).to_be_visible()
    await shot(ana, "away-form-thanks")
    await ana.context.close()  # Ana leaves the site

    store = app[message_store_key]
    [conversation] = await store.list_conversations([stage.tenant.site.id])
    for _ in range(200):
        if not await app[visitors_key].is_online(stage.tenant.site.id, conversation.visitor_id):
            break
        await asyncio.sleep(0.05)
    agent = await socket_client(
        "/agent", stage.app_url, {"token": await login_token(stage.app_url, stage.tenant.email)}
    )
    await agent.next("session")
    sent = await agent.call(
        "send_message",
        {"conversation_id": conversation.id, "client_id": "a-1", "text": "Yes! Green is back."},
    )
    assert sent["ok"], sent

    # She left an address, so the dashboard offers to send her the transcript.
    dana = await agent_on(browser, stage, "Green is back")
    transcript = dana.get_by_role("button", name="Send transcript")
    await expect(transcript).to_be_visible()
    await expect(transcript).to_have_attribute("title", re.compile("to ana@example.com$"))

    for _ in range(300):
        if smtp.to("ana@example.com"):
            break
        await asyncio.sleep(0.05)
    [mail] = smtp.to("ana@example.com")
    assert "Yes! Green is back." in mail.body("plain")
    link = re.search(r"(http\S*porchlight_chat=\S+)", mail.body("plain"))
    assert link and link.group(1).startswith(f"{stage.host_url}/tents?porchlight_chat=")

    # Another browser (her phone), nothing stored: the link opens the chat with history.
    phone = await new_page(browser, viewport={"width": 390, "height": 844})
    await phone.goto(link.group(1))
    widget = phone.locator("porchlight-widget")
    await expect(widget.locator(".bubble", has_text="Ridge 4 in green")).to_be_visible()
    await expect(widget.locator(".bubble", has_text="Green is back")).to_be_visible()
    assert "porchlight_chat" not in phone.url  # taken out of the address bar
    await shot(phone, "email-link-reopens-chat")

    # Asking for the transcript from the widget: a second e-mail, the whole conversation.
    await phone.get_by_role("button", name="E-mail me this conversation").click()
    await phone.get_by_role("textbox", name="Your e-mail").last.fill("ana@example.com")
    await phone.get_by_role("button", name="Send", exact=True).click()
    await expect(widget.get_by_text("Sent to ana@example.com.")).to_be_visible()
    await shot(phone, "transcript-sent")
    for _ in range(200):
        if len(smtp.to("ana@example.com")) == 2:
            break
        await asyncio.sleep(0.05)
    transcript = smtp.to("ana@example.com")[1]
    assert transcript.subject == "Your conversation with Acme Outdoor"
    assert "Ridge 4 in green" in transcript.body("plain")
