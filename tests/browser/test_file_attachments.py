"""A visitor attaches a PDF in the widget; the agent sees it as a file card with its name
and size, and clicking it downloads the file (sent as an attachment, never opened inline)."""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import expect

from tests.browser.conftest import new_page, sign_in

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("PORCHLIGHT_SCREENSHOTS", "/tmp/porchlight-shots"))


def _pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 120), "white").save(out, "PDF")
    return out.getvalue()


async def test_a_pdf_reaches_the_agent_as_a_file_card_and_downloads(stage, browser, tmp_path):
    await asyncio.to_thread(SHOTS.mkdir, parents=True, exist_ok=True)
    data = _pdf()
    agent = await new_page(browser, viewport={"width": 1440, "height": 900}, accept_downloads=True)
    await sign_in(agent, stage)

    visitor = await new_page(browser, viewport={"width": 390, "height": 844})
    await visitor.goto(f"{stage.host_url}/tents")
    await visitor.get_by_role("button", name="Open chat").click()
    widget = visitor.locator("porchlight-widget")
    composer = visitor.get_by_role("textbox", name="Message")
    await expect(composer).to_be_visible()
    await expect(widget.locator(".conn")).to_be_hidden()

    picker = widget.locator('input[type="file"]')
    await picker.set_input_files(
        {"name": "Booking 2026.pdf", "mimeType": "application/pdf", "buffer": data}
    )
    await expect(widget.get_by_role("button", name="Remove Booking 2026.pdf")).to_be_visible(
        timeout=15_000
    )
    await composer.fill("Here is my booking")
    await composer.press("Enter")
    mine = widget.locator(".row.me a.file")
    await expect(mine).to_contain_text("Booking 2026.pdf")
    await visitor.screenshot(path=SHOTS / "file-attachment-widget-phone.png")

    conversation = agent.locator(".conv", has_text="my booking")
    await expect(conversation).to_be_visible()
    await conversation.click()
    card = agent.locator(".chat-col .att-file")
    await expect(card).to_be_visible()
    await expect(card.locator(".att-file-name")).to_have_text("Booking 2026.pdf")
    await expect(card.locator(".att-file-size")).to_have_text("2 KB")
    await expect(agent.locator(".chat-col .att-thumb")).to_have_count(0)  # no thumbnail
    await agent.screenshot(path=SHOTS / "file-attachment-dashboard-desktop.png")

    async with agent.expect_download() as waiting:
        await card.click()
    download = await waiting.value
    assert download.suggested_filename == "Booking 2026.pdf"
    saved = tmp_path / "saved.pdf"
    await download.save_as(saved)
    assert saved.read_bytes() == data
    assert agent.url.startswith(f"{stage.app_url}/dashboard")  # the page stayed where it was

    await agent.set_viewport_size({"width": 390, "height": 844})
    await agent.screenshot(path=SHOTS / "file-attachment-dashboard-phone.png")
