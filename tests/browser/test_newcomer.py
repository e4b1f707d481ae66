"""What a newcomer meets first, in real Chromium: the first run on an empty data directory,
the sign-up and New site forms (errors beside their fields), the phone layouts."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from playwright.async_api import expect

from server.domain import Role
from server.http.console.pages import sections_for
from tests.browser.conftest import _free_port, new_page, sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


async def _wait_for_line(stream: asyncio.StreamReader, needle: str, seen: list[str]) -> None:
    while True:
        line = (await stream.readline()).decode(errors="replace")
        if not line:
            raise AssertionError("the server stopped:\n" + "".join(seen[-40:]))
        seen.append(line)
        if needle in line:
            return


async def test_the_first_run_on_an_empty_data_directory_serves_the_sign_up(tmp_path: Path, browser):
    data_dir = tmp_path / "fresh"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORCHLIGHT_", "CLOUDINARY"))}
    env.update(
        PORCHLIGHT_DATA_DIR=str(data_dir), PORCHLIGHT_PORT=str(port), PORCHLIGHT_HOST="127.0.0.1"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "run",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    seen: list[str] = []
    try:
        await asyncio.wait_for(_wait_for_line(process.stdout, "listening on", seen), 180)
        assert f"http://127.0.0.1:{port}" in seen[-1]  # it says where it listens

        page = await new_page(browser, viewport=DESKTOP)
        blocked: list[str] = []
        page.on(
            "console",
            lambda m: "Content Security Policy" in m.text and blocked.append(m.text),
        )
        await page.goto(f"http://127.0.0.1:{port}/signup")
        await expect(page.get_by_role("heading", name="Set up Porchlight")).to_be_visible()
        assert blocked == []  # the logo (a data: image) is allowed by the page's own policy

        # Every wrong field is marked beside itself; the password typed is kept.
        await page.get_by_label("Email").fill("not an address")
        await page.get_by_label("Password").fill("a long enough password")
        await page.get_by_label("Its address").fill("acme")
        await page.get_by_role("button", name="Create account and site").click()
        for field, words in (
            ("name", "Enter your name"),
            ("email", "Enter an e-mail address"),
            ("site_name", "Enter the site's name"),
            ("allowed_origins", "“acme” is not an origin"),
        ):
            error = page.locator(f".field:has(#{field}) .field-error")
            await expect(error).to_contain_text(words)
            await expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
        await expect(page.get_by_label("Password")).to_have_value("a long enough password")
        assert "_" not in await page.locator(".login-form").inner_text()  # no internal keys

        # A scheme-less address is taken as https; the owner lands on the installation page.
        await page.get_by_label("Your name").fill("Ana Owner")
        await page.get_by_label("Email").fill("ana@acme.test")
        await page.get_by_label("Your website's name").fill("Acme")
        await page.get_by_label("Its address").fill("acme.test")
        await page.get_by_role("button", name="Create account and site").click()
        await page.wait_for_url("**/install")
        await page.goto(page.url.replace("/install", "/general"))
        await expect(page.locator("#allowed_origins")).to_have_value("https://acme.test")
    finally:
        process.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(process.communicate(), 60)
        seen.append(rest.decode(errors="replace"))
    output = "".join(seen)
    assert "Traceback" not in output and "no such table" not in output, output[-3000:]
    assert process.returncode == 0


async def test_the_new_site_card_has_room_and_a_plain_heading(stage, browser):
    for viewport, least in ((DESKTOP, 480), (PHONE, 250)):
        page = await new_page(browser, viewport=viewport)
        await sign_in(page, stage)
        await page.goto(f"{stage.app_url}/dashboard/settings/new")
        card = page.locator("form.card")
        box = await card.bounding_box()
        assert box and least <= box["width"] <= viewport["width"], box
        await expect(page.locator(".console-top h1")).to_have_text("New site")
        await expect(page.locator(".console-top")).not_to_contain_text("Settings Settings")
        # The button keeps its words on one line.
        button = page.get_by_role("button", name="Create site")
        assert (await button.bounding_box())["height"] < 48

        await page.get_by_label("Allowed origins").fill("shop.acme.test\nnot an origin")
        await button.click()
        await expect(page.locator(".field:has(#name) .field-error")).to_have_text(
            "Enter the site's name"
        )
        origins_error = page.locator(".field:has(#allowed_origins) .field-error")
        await expect(origins_error).to_contain_text("is not an origin like https://example.com")
        await expect(page.locator(".notice--error")).to_have_count(0)  # not a banner on top
        await page.context.close()


async def test_a_mistyped_colour_is_marked_and_keeps_the_preview(stage, browser):
    page = await new_page(browser, viewport=DESKTOP)
    await sign_in(page, stage)
    await page.goto(f"{stage.app_url}/dashboard/settings/{stage.tenant.site.id}/widget")
    launcher = page.locator("#widget-preview porchlight-widget .launcher")
    colour = page.get_by_label("Colour", exact=True)
    await colour.fill("#e11d48")
    await expect(launcher).to_have_css("background-color", "rgb(225, 29, 72)")
    await colour.fill("#e11d4")  # half typed: the preview keeps the last good colour
    await expect(page.locator(".field:has(#color) .field-error")).to_contain_text("#2563eb")
    await expect(launcher).to_have_css("background-color", "rgb(225, 29, 72)")
    await page.get_by_label("Team name").fill("")
    await page.get_by_role("button", name="Save changes").click()
    await expect(page.locator(".field:has(#team_name) .field-error")).to_have_text(
        "Team name can't be empty"
    )
    await expect(page.locator(".field:has(#color) .field-error")).to_be_visible()


async def _submit(page, form: str, fields: dict[str, str], button: str) -> None:
    for selector, value in fields.items():
        await page.locator(selector).fill(value)
    await page.locator(form).get_by_role("button", name=button, exact=True).click()
    await page.wait_for_load_state()


async def _marked(page, field_id: str, words: str) -> None:
    """The field's error stands beside it, in words without internal keys."""
    error = page.locator(f".field:has(#{field_id}) .field-error, #{field_id} > .field-error")
    await expect(error).to_contain_text(words)
    assert "_" not in await error.inner_text()
    await expect(page.locator(f"#{field_id}")).to_have_attribute("aria-invalid", "true")


# Each console form, its wrong values, and the field errors they bring (never a banner).
CONSOLE_FORMS = [
    (
        "team",
        "form:has(#invite-email)",
        {"#invite-email": "not an address"},
        "Create invite",
        [("invite-email", "Enter an e-mail address")],
    ),
    (
        "blocking",
        "form:has(#block-value)",
        {"#block-value": "999.1.1.1", "#block-note": "Spam"},
        "Block",
        [("block-value", "is not an IP address")],
    ),
    (
        "inbox",
        "form:has(#tag-name)",
        {"#tag-name": "!!"},
        "Add tag",
        [("tag-name", "A tag name is 1-32 letters")],
    ),
    (
        "inbox",
        "form:has(#assign-cap)",
        {"#assign-cap": "5000"},
        "Save",
        [("assign-cap", "from 0 (no limit) to 1000")],
    ),
    (
        "privacy",
        "form:has(#retention-days)",
        {"#retention-days": "soon"},
        "Save",
        [("retention-days", "whole number of days")],
    ),
    (
        "replies",
        "form:has(#new-shortcut)",
        {"#new-shortcut": "two words", "#new-text": " "},
        "Add reply",
        [("new-shortcut", "1 to 32 letters"), ("new-text", "Enter the reply")],
    ),
    (
        "webhooks",
        "form:has(#new-hook-url)",
        {"#new-hook-url": "ftp://x"},
        "Add endpoint",
        [("new-hook-url", "must start with https://")],
    ),
]


async def test_every_console_form_marks_its_own_fields(stage, browser):
    page = await new_page(browser, viewport=DESKTOP)
    await sign_in(page, stage)
    site = f"{stage.app_url}/dashboard/settings/{stage.tenant.site.id}"
    for section, form, fields, button, errors in CONSOLE_FORMS:
        await page.goto(f"{site}/{section}")
        await _submit(page, form, fields, button)
        for field_id, words in errors:
            await _marked(page, field_id, words)
        await expect(page.locator(".notice--error")).to_have_count(0)  # not a banner on top
        for selector, value in fields.items():  # what was typed is kept
            await expect(page.locator(selector)).to_have_value(value)
        await expect(page.locator(f"#{errors[0][0]}")).to_be_focused()

    # Every event unticked: said beside the list of events.
    await page.goto(f"{site}/webhooks")
    for box in await page.locator("input[name=events]").all():
        await box.uncheck()
    await _submit(
        page, "form:has(#new-hook-url)", {"#new-hook-url": "https://example.com/h"}, "Add endpoint"
    )
    await _marked(page, "new-events", "Choose at least one event")
    # A value already taken is said beside its field too.
    await page.goto(f"{site}/team")
    await _submit(
        page, "form:has(#invite-email)", {"#invite-email": stage.tenant.email}, "Create invite"
    )
    await _marked(page, "invite-email", "is already in this site's team")
    # Erasing asks first; a wrong id is marked beside the field.
    await page.goto(f"{site}/privacy")
    page.once("dialog", lambda dialog: dialog.accept())
    await _submit(page, "form:has(#erase-visitor)", {"#erase-visitor": "nobody"}, "Erase")
    await _marked(page, "erase-visitor", "Enter a visitor's id")


# The page does not scroll sideways, and nothing in it reaches past the right edge (a part
# cut off inside a scrolling pane does not widen the document, so both are checked).
NO_SIDEWAYS = """() => {
  const wide = [];
  if (document.documentElement.scrollWidth > innerWidth) wide.push("document");
  for (const el of document.querySelectorAll("main *")) {
    if (el.closest("nav, .sr-only")) continue;  // tab strips scroll on purpose
    const box = el.getBoundingClientRect();
    if (box.width && box.height && box.right > innerWidth + 1) wide.push(el.className);
  }
  return wide.slice(0, 5);
}"""


async def _fill_the_console(page, stage) -> None:
    """A row in each console table: a pending invite with a long address, a block, a tag
    (and so audit entries)."""
    site = f"{stage.app_url}/dashboard/settings/{stage.tenant.site.id}"
    await page.goto(f"{site}/team")
    await page.get_by_label("E-mail").fill("bartholomew.longname@subsidiary.example.com")
    await page.get_by_role("button", name="Create invite").click()
    await expect(page.locator(".invite-item")).to_have_count(1)
    await page.goto(f"{site}/blocking")
    await page.locator("#block-value").fill("2001:db8:85a3::8a2e:370:7334")
    await page.locator("#block-note").fill("Repeated spam with long links")
    await page.get_by_role("button", name="Block", exact=True).click()
    await expect(page.locator(".block-table tbody tr")).to_have_count(1)
    await page.goto(f"{site}/inbox")
    await page.locator("#tag-name").fill("billing-and-refunds")
    await page.get_by_role("button", name="Add tag").click()
    await expect(page.locator(".tag-chip")).to_have_count(1)


async def test_no_main_page_scrolls_sideways_on_a_phone(stage, browser):
    visitor = await new_page(browser, viewport=DESKTOP)
    await visitor.goto(f"{stage.host_url}/tents")  # a live visitor for the Visitors list
    await expect(visitor.get_by_role("button", name="Open chat")).to_be_visible()

    page = await new_page(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    await sign_in(page, stage)
    await _fill_the_console(page, stage)
    site = stage.tenant.site.id
    console = [f"/dashboard/settings/{site}/{section}" for section in sections_for(Role.OWNER)]
    for path in (
        "/dashboard#/inbox",
        "/dashboard#/visitors",
        "/dashboard#/analytics",
        "/dashboard#/reports",
        "/dashboard#/contacts",
        "/dashboard#/search",
        *console,
        "/dashboard/settings/new",
    ):
        await page.goto(f"{stage.app_url}{path}")
        await page.wait_for_load_state("networkidle")
        if path == "/dashboard#/analytics":
            await expect(page.locator(".vx-table").first).to_be_visible()
        if path == "/dashboard#/visitors":
            await expect(page.locator(".vt-item").first).to_be_visible()
            name = page.locator(".vt-name").first
            assert await name.evaluate("el => el.scrollWidth <= el.clientWidth")  # not cut
        assert await page.evaluate(NO_SIDEWAYS) == [], path
    # The agent's whole name in the rail, at the desktop width.
    desk = await new_page(browser, viewport=DESKTOP)
    await sign_in(desk, stage)
    me = desk.locator(".me-name")
    await expect(me).to_have_text(f"{stage.tenant.site.name} agent")
    assert await me.evaluate("el => el.scrollWidth <= el.clientWidth")


async def test_the_dashboard_follows_a_dark_system_and_its_switch(stage, browser):
    page = await new_page(browser, viewport=DESKTOP, color_scheme="dark")
    await sign_in(page, stage)
    background = "() => getComputedStyle(document.body).backgroundColor"
    assert await page.evaluate(background) == "rgb(17, 18, 23)"
    switch = page.locator("#theme-switch")
    await switch.click()  # system → light
    assert await page.evaluate(background) == "rgb(246, 246, 248)"
    await page.reload()  # remembered by this browser
    assert await page.evaluate(background) == "rgb(246, 246, 248)"
    await switch.click()  # light → dark
    assert await page.evaluate(background) == "rgb(17, 18, 23)"


async def test_a_link_to_an_unknown_conversation_offers_no_composer(stage, browser):
    page = await new_page(browser, viewport=DESKTOP)
    await sign_in(page, stage)
    await page.goto(f"{stage.app_url}/dashboard#/inbox/01ZZZZZZZZZZZZZZZZZZZZZZZZ")
    await expect(page.get_by_text("This conversation isn\u2019t available")).to_be_visible()
    await expect(page.locator(".chat .composer")).to_be_hidden()
    await expect(page.get_by_role("button", name="Back to the inbox")).to_be_visible()


# WCAG contrast of an element's text against the first opaque background behind it
# (through the widget's shadow root too).
CONTRAST = """(el) => {
  const parse = (s) => {
    const n = s.match(/[\\d.]+/g).map(Number);
    return s.startsWith("color(") ? [n[0] * 255, n[1] * 255, n[2] * 255, n[3] ?? 1] : n;
  };
  const lum = (c) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  let node = el, back = [255, 255, 255];
  while (node && node.nodeType === 1) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c.length < 4 || c[3] > 0) { back = c; break; }
    node = node.parentElement || node.getRootNode().host;
  }
  const [hi, lo] = [lum(parse(getComputedStyle(el).color)), lum(back)].sort((a, b) => b - a);
  return (hi + 0.05) / (lo + 0.05);
}"""


async def test_small_print_reads_at_aa_contrast_in_both_themes(stage, browser):
    visitor = await new_page(browser, viewport=DESKTOP)
    await visitor.goto(f"{stage.host_url}/tents")
    await visitor.get_by_role("button", name="Open chat").click()
    notice = visitor.locator("porchlight-widget .notice")
    await expect(notice).to_have_text("Agents can see what you type before you send it.")
    assert await notice.evaluate(CONTRAST) >= 4.5

    agents = {}
    for scheme in ("light", "dark"):
        page = agents[scheme] = await new_page(browser, viewport=DESKTOP, color_scheme=scheme)
        await sign_in(page, stage)
        await page.goto(f"{stage.app_url}/dashboard#/visitors")
        start = page.locator(".vt-start").first
        await expect(start).to_have_text("Start chat")
        assert await start.evaluate(CONTRAST) >= 4.5, scheme  # reads as an action

    composer = visitor.get_by_role("textbox", name="Message")
    await composer.fill("Hello")
    await composer.press("Enter")
    for scheme, page in agents.items():
        await page.goto(f"{stage.app_url}/dashboard#/inbox")
        await page.locator(".conv", has_text="Hello").click()
        hint = page.locator(".composer-hint")
        await expect(hint).to_contain_text("to send")
        assert await hint.evaluate(CONTRAST) >= 4.5, scheme
