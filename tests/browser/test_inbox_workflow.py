"""The support workflow in real Chromium: resolve and reopen seen live by the visitor's
widget, and an assignment seen live by a second agent's dashboard."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from playwright.async_api import expect

from server.domain import Role
from server.keys import auth_key, console_key, message_store_key
from server.services.console.service import Actor
from tests.browser.conftest import new_page, sign_in, visitor_writes
from tests.inbox.test_missed import wrote_minutes_ago
from tests.support.apps import PASSWORD

pytestmark = pytest.mark.browser

# Set PORCHLIGHT_SCREENSHOTS=<dir> to keep what the tests looked at.
SHOTS = os.environ.get("PORCHLIGHT_SCREENSHOTS")


async def shot(page, name: str) -> None:
    if SHOTS:  # Playwright creates the directory
        await page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


async def test_resolve_and_reopen_are_seen_live_in_the_widget(stage, browser):
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, stage)
    visitor, widget = await visitor_writes(browser, stage, "The zip on my tent broke")

    await agent.locator(".conv", has_text="zip on my tent").click()
    resolve = agent.get_by_role("button", name="Resolve", exact=True)
    await expect(resolve).to_be_visible()
    # No address given: there is nobody to send a transcript to, so it is not offered.
    await expect(agent.get_by_role("button", name="Send transcript")).to_be_hidden()
    await resolve.click()

    await expect(widget.locator(".note", has_text="resolved the conversation")).to_be_visible()
    await expect(widget.get_by_text("This conversation has been resolved.")).to_be_visible()
    await expect(widget.get_by_role("button", name="Start a new conversation")).to_be_visible()
    await expect(agent.locator(".status-pill")).to_have_text("Resolved")
    await shot(visitor, "widget-resolved-390")

    # Alt+E reopens from the keyboard; the widget's offer goes away.
    await agent.locator(".chat-scroll").click()
    await agent.keyboard.press("Alt+KeyE")
    await expect(agent.locator(".status-pill")).to_have_text("Open")
    await expect(widget.locator(".note", has_text="reopened the conversation")).to_be_visible()
    await expect(widget.get_by_text("This conversation has been resolved.")).to_be_hidden()

    # Resolved again, the visitor starts afresh: the old thread leaves the widget.
    await agent.get_by_role("button", name="Resolve", exact=True).click()
    await widget.get_by_role("button", name="Start a new conversation").click()
    await expect(widget.locator(".bubble", has_text="zip on my tent")).to_have_count(0)
    composer = visitor.get_by_role("textbox", name="Message")
    await composer.fill("Another question: do you ship to Norway?")
    await composer.press("Enter")
    await agent.get_by_role("tab", name="All open").click()
    await expect(agent.locator(".conv", has_text="ship to Norway")).to_be_visible()
    await agent.get_by_role("tab", name="Resolved").click()
    await expect(agent.locator(".conv", has_text="resolved the conversation")).to_be_visible()


async def test_an_assignment_reaches_a_second_agents_dashboard_live(stage, browser):
    app = stage.app
    email = f"{uuid.uuid4().hex[:8]}@acme.test"
    sam = await app[auth_key].create_agent(email, PASSWORD, name="Sam Rivera")
    await app[auth_key].add_to_site(sam.id, stage.tenant.site.id, Role.AGENT)

    dana = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(dana, stage)
    sams = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(sams, stage, email)
    await sams.get_by_role("tab", name="Mine").click()

    await visitor_writes(browser, stage, "Can I return a used stove?")
    await dana.locator(".conv", has_text="used stove").click()
    await dana.get_by_label("Assignee").select_option(label="Sam Rivera")

    # Sam's Mine view fills in without a reload, with the count beside it.
    await expect(sams.locator(".conv", has_text="used stove")).to_be_visible()
    await expect(sams.locator(".inbox-view[data-view=mine] .inbox-view-count")).to_have_text("1")
    await expect(
        dana.locator(".conv", has_text="used stove").locator(".conv-assignee")
    ).to_have_text("Sam Rivera")
    await shot(sams, "inbox-views-1440")


async def test_the_inbox_views_fit_a_desktop_and_a_phone(stage, browser):
    app = stage.app
    owner = await app[auth_key].authenticate(
        await app[auth_key].login(stage.tenant.email, PASSWORD)
    )
    console = app[console_key].console
    # Without a fingerprint, each fresh browser below is a visitor of its own.
    await console.run(
        "update_widget", Actor(owner), stage.tenant.site.id, {"fingerprint_requires_consent": True}
    )
    for name, color in [("billing", "#dc2626"), ("bug", "#7c3aed"), ("vip", "#16a34a")]:
        await console.run(
            "add_tag", Actor(owner), stage.tenant.site.id, {"name": name, "color": color}
        )

    questions = [
        "Was I charged twice for the Ridge 4?",
        "The stove valve leaks after one use",
        "Do you ship to Norway?",
    ]
    for text in questions:
        visitor, _widget = await visitor_writes(browser, stage, text)
        await visitor.context.close()
    # The Norway question has waited ten minutes already: past the site's 5, missed.
    store = app[message_store_key]
    [norway] = [
        c
        for c in await store.list_conversations([stage.tenant.site.id])
        if "Norway" in (c.preview or "")
    ]
    await wrote_minutes_ago(app, norway.id, stage.tenant.site.id, 10, "Norway, still there?")

    dana = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(dana, stage)
    await dana.get_by_role("tab", name="All open").click()
    charged = dana.locator(".conv", has_text="charged twice")
    await charged.click()
    await dana.get_by_label("Add a tag").select_option("billing")
    await expect(charged.locator(".tag-chip")).to_have_text("billing")
    await dana.get_by_label("Add a tag").select_option("vip")
    await dana.get_by_label("Assignee").select_option(label="Me (Acme Outdoor agent)")
    await expect(charged.locator(".conv-assignee")).to_have_text("You")
    valve = dana.locator(".conv", has_text="valve leaks")
    await valve.click()
    await dana.get_by_label("Add a tag").select_option("bug")
    await dana.get_by_label("Sort conversations").select_option("waiting")

    # Oldest unanswered first, and every view's tab is on screen with its count.
    await expect(dana.locator(".conv").first).to_contain_text("Norway")  # ten minutes
    await expect(dana.locator(".conv").nth(1)).to_contain_text("charged twice")
    for view in ("mine", "unassigned", "open", "missed", "snoozed", "resolved"):
        tab = dana.locator(f".inbox-view[data-view={view}]")
        await expect(tab).to_be_in_viewport()
    await expect(dana.locator(".inbox-view[data-view=open] .inbox-view-count")).to_have_text("3")
    await expect(dana.locator(".inbox-view[data-view=mine] .inbox-view-count")).to_have_text("1")
    await expect(dana.locator(".inbox-view[data-view=missed] .inbox-view-count")).to_have_text("1")
    await expect(
        dana.locator(".conv", has_text="Norway").locator(".conv-waiting.is-missed")
    ).to_contain_text("Missed · waiting 10 min")
    await shot(dana, "inbox-views")

    # The choice survives a reload.
    await dana.reload()
    await expect(dana.get_by_label("Sort conversations")).to_have_value("waiting")
    await expect(dana.locator(".inbox-view[data-view=open]")).to_have_attribute(
        "aria-selected", "true"
    )

    phone = await new_page(browser, viewport={"width": 390, "height": 844})
    await sign_in(phone, stage)
    await expect(phone.locator(".conv", has_text="valve leaks")).to_be_visible()
    await shot(phone, "inbox-views-390")
    await phone.locator(".conv", has_text="valve leaks").click()
    await expect(phone.get_by_role("button", name="Resolve", exact=True)).to_be_in_viewport()
    # The chat's tools are one row on a phone; tags and snooze wait behind "More actions".
    tools = await phone.locator(".chat-tools-row").bounding_box()
    resolve = await phone.get_by_role("button", name="Resolve", exact=True).bounding_box()
    assert tools["height"] < 2 * resolve["height"], tools
    await expect(phone.get_by_label("Snooze")).to_be_hidden()
    await phone.get_by_role("button", name="More actions").click()
    await expect(phone.get_by_label("Snooze")).to_be_in_viewport()
    await expect(phone.locator(".chat-more-items .tag-chip", has_text="bug")).to_be_visible()
    await phone.keyboard.press("Escape")
    await expect(phone.get_by_label("Snooze")).to_be_hidden()
    await shot(phone, "chat-tools-390")


async def test_the_missed_count_ticks_when_a_conversation_waits_past_the_missed_time(
    stage, browser
):
    visitor, _widget = await visitor_writes(browser, stage, "Is the Ridge 4 waterproof?")
    await visitor.context.close()
    [conversation] = await stage.app[message_store_key].list_conversations([stage.tenant.site.id])
    # Twenty seconds short of the site's five minutes: nothing is said on the socket when
    # they pass, the dashboard has to notice by itself.
    await wrote_minutes_ago(stage.app, conversation.id, stage.tenant.site.id, 5 - 20 / 60, "Hi?")

    dana = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(dana, stage)
    missed = dana.locator(".inbox-view[data-view=missed] .inbox-view-count")
    waiting = dana.locator(".conv", has_text="Ridge 4").locator(".conv-waiting")
    await expect(missed).to_have_text("0")
    await expect(waiting).not_to_have_class(re.compile("is-missed"))
    await dana.evaluate("window.notReloaded = true")

    await expect(missed).to_have_text("1", timeout=40_000)
    await expect(waiting).to_have_class(re.compile("is-missed"))
    await expect(waiting).to_contain_text("Missed · waiting 5 min")
    assert await dana.evaluate("window.notReloaded === true")


async def test_a_tag_renamed_in_settings_changes_on_an_open_dashboard(stage, browser):
    app = stage.app
    owner = Actor(
        await app[auth_key].authenticate(await app[auth_key].login(stage.tenant.email, PASSWORD))
    )
    console, site_id = app[console_key].console, stage.tenant.site.id
    bug = (await console.run("add_tag", owner, site_id, {"name": "bug", "color": "#7c3aed"}))["tag"]
    dana = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(dana, stage)
    await visitor_writes(browser, stage, "The stove valve leaks after one use")
    stove = dana.locator(".conv", has_text="stove valve")
    await stove.click()
    await dana.get_by_label("Add a tag").select_option("bug")
    await expect(stove.locator(".tag-chip")).to_have_text("bug")

    # Another tab of the owner's renames it and adds one; Dana's page is not reloaded.
    await console.run("rename_tag", owner, site_id, {"tag_id": bug["id"], "name": "defect"})
    await console.run("add_tag", owner, site_id, {"name": "refund", "color": "#dc2626"})
    await expect(stove.locator(".tag-chip")).to_have_text("defect")
    offered = dana.get_by_label("Add a tag").locator("option")
    await expect(offered.filter(has_text="refund")).to_have_count(1)
    await expect(offered.filter(has_text="bug")).to_have_count(0)
