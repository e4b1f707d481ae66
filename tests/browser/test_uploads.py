"""A visitor drops a photo on the widget; the agent sees it in the dashboard and opens it."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import new_page, open_chat, script_in_svg, sign_in

pytestmark = pytest.mark.browser

# A noisy 800x600 PNG drawn in the page (about 1.9 MB, so its upload takes a while),
# dropped on the chat panel the way a browser delivers a file dragged from the desktop.
DROP_A_PHOTO = """
async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 800;
  canvas.height = 600;
  const context = canvas.getContext("2d");
  const pixels = context.createImageData(800, 600);
  for (let i = 0; i < pixels.data.length; i++) {
    pixels.data[i] = i % 4 === 3 ? 255 : Math.random() * 256;
  }
  context.putImageData(pixels, 0, 0);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  const file = new File([blob], "campsite.png", { type: "image/png" });
  const panel = document.querySelector("porchlight-widget").shadowRoot.querySelector(".panel");
  const drag = (type) => {
    const data = new DataTransfer();
    data.items.add(file);
    const event = new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true });
    panel.dispatchEvent(event);
  };
  drag("dragenter");
  drag("dragover");
  drag("drop");
  return blob.size;
}
"""

PROGRESS_SEEN = """
() => {
  const bar = document.querySelector("porchlight-widget").shadowRoot.querySelector(".bar");
  const value = bar ? Number(bar.getAttribute("aria-valuenow")) : 0;
  return value > 0 && value < 100;
}
"""


async def test_a_dropped_photo_uploads_with_progress_and_reaches_the_agent(stage, browser):
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, stage)

    visitor = await new_page(browser, viewport={"width": 1280, "height": 800})
    await visitor.goto(f"{stage.host_url}/tents")
    await visitor.get_by_role("button", name="Open chat").click()
    widget = visitor.locator("porchlight-widget")
    composer = visitor.get_by_role("textbox", name="Message")
    await expect(composer).to_be_visible()
    await expect(widget.locator(".conn")).to_be_hidden()  # the session (and its token) is here

    # A slow uplink, so the progress bar has something to show.
    network = await visitor.context.new_cdp_session(visitor)
    await network.send("Network.enable")
    await network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 400_000},
    )
    size = await visitor.evaluate(DROP_A_PHOTO)
    assert size > 1_000_000

    preview = widget.locator(".tray .ti")
    await expect(preview).to_have_count(1)
    await expect(preview.get_by_role("img", name="campsite.png")).to_be_visible()
    await expect(widget.get_by_role("button", name="Send message")).to_be_disabled()
    await visitor.wait_for_function(PROGRESS_SEEN)  # a real upload progress event arrived
    await network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    await expect(widget.get_by_role("progressbar")).to_have_count(0, timeout=30_000)
    await expect(widget.get_by_role("button", name="Remove campsite.png")).to_be_visible()

    await composer.fill("Is this pitch free next weekend?")
    await composer.press("Enter")
    await expect(preview).to_have_count(0)
    sent = widget.locator(".row.me a.att img")
    await expect(sent).to_be_visible()
    await expect(sent).to_have_attribute("alt", "Image from you")

    # The agent sees the conversation arrive with the image, as a thumbnail.
    conversation = agent.locator(".conv", has_text="pitch free")
    await expect(conversation).to_be_visible()
    await conversation.click()
    thumb = agent.locator(".chat-col .att-thumb")
    await expect(thumb.locator("img")).to_be_visible()
    # Shown at once, decoded once its bytes arrive: a broken image never gets a width.
    loaded = "img => img.complete && img.naturalWidth > 0"
    await agent.wait_for_function(loaded, arg=await thumb.locator("img").element_handle())

    # It opens full size in a dialog; Escape closes it and focus returns to the thumbnail.
    await thumb.click()
    dialog = agent.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    full = dialog.locator("img")
    await expect(full).to_have_attribute("alt", "Image from " + await _visitor_name(agent))
    assert await full.evaluate("img => img.decode().then(() => img.naturalWidth)") == 800
    await expect(dialog).to_contain_text("800 \u00d7 600")  # the caption: size and bytes
    await agent.keyboard.press("Escape")
    await expect(dialog).to_have_count(0)
    assert await thumb.evaluate("el => el === document.activeElement")


async def test_a_refused_file_says_why_in_the_widget(stage, browser, tmp_path):
    widget = await open_chat(await new_page(browser), stage)
    await widget.locator("input[type=file]").set_input_files(str(script_in_svg(tmp_path)))

    alert = widget.get_by_role("alert")
    await expect(alert).to_contain_text("logo.svg: SVG images are not accepted")
    await expect(widget.get_by_role("button", name="Send message")).to_be_disabled()
    await widget.get_by_role("button", name="Remove logo.svg").click()
    await expect(alert).to_have_count(0)


async def _visitor_name(agent) -> str:
    return (await agent.locator(".chat-name").text_content()).strip()


async def test_a_cancelled_upload_leaves_nothing_behind(stage, browser, embedded_settings):
    visitor = await new_page(browser)
    await visitor.goto(f"{stage.host_url}/")
    await visitor.get_by_role("button", name="Open chat").click()
    widget = visitor.locator("porchlight-widget")
    await expect(widget.locator(".conn")).to_be_hidden()
    network = await visitor.context.new_cdp_session(visitor)
    await network.send("Network.enable")
    await network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 100_000},
    )

    await visitor.evaluate(DROP_A_PHOTO)
    await visitor.wait_for_function(PROGRESS_SEEN)
    await widget.get_by_role("button", name="Cancel upload campsite.png").click()

    await expect(widget.locator(".tray")).to_be_hidden()
    await expect(widget.get_by_role("button", name="Attach a file")).to_be_focused()
    await expect(widget.get_by_role("button", name="Send message")).to_be_disabled()
    uploads = embedded_settings.uploads_dir
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))
