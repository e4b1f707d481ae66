"""After the server's link to its other nodes was cut (Redis down), it tells its clients to
catch up (``resync``): the dashboard reads the inbox and the open conversation again and
the widget its newest messages, so what was stored meanwhile but never broadcast shows."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from server.domain import Author, AuthorKind, Message
from server.keys import message_store_key, sio_key
from tests.browser.conftest import agent_on, visitor_writes

pytestmark = pytest.mark.browser


async def test_the_dashboard_and_the_widget_show_what_was_stored_unheard(stage, browser):
    _visitor, widget = await visitor_writes(browser, stage, "Is the Ridge 4 waterproof?")
    agent = await agent_on(browser, stage, "Ridge 4")
    store = stage.app[message_store_key]
    site_id = stage.tenant.site.id
    conversation = (await store.list_conversations([site_id]))[0]
    team = stage.tenant.agent
    # Stored on another node, whose broadcast never arrived.
    for author, text in (
        (Author(AuthorKind.VISITOR, conversation.visitor_id, "Visitor"), "And the Ridge 2?"),
        (Author(AuthorKind.AGENT, str(team.id), team.name), "Both are, to 3000 mm."),
    ):
        await store.append_message(
            Message(store.new_id(), conversation.id, site_id, author, text, f"c-{store.new_id()}")
        )
    await expect(agent.locator(".chat-col")).not_to_contain_text("And the Ridge 2?")

    for namespace in ("/agent", "/visitor"):
        await stage.app[sio_key].emit("resync", {}, namespace=namespace)

    await expect(agent.locator(".chat-col")).to_contain_text("And the Ridge 2?")
    await expect(agent.locator(".chat-col")).to_contain_text("Both are, to 3000 mm.")
    # Widgets spread their catching up over 5 s (a node's every widget asks at once else).
    await expect(widget.locator(".bubble", has_text="Both are, to 3000 mm.")).to_be_visible(
        timeout=15_000
    )
