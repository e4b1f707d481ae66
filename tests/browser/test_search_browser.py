"""Search, contacts and the visitor sidebar in real Chromium, on data of visitors who left
long ago (nobody is online)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Browser, expect

from server.app import create_app
from server.domain import (
    Author,
    AuthorKind,
    Conversation,
    Message,
    MessageKind,
    PageView,
    Visitor,
)
from server.keys import auth_key, console_key, message_store_key
from server.services.console.service import Actor
from tests.browser.conftest import Stage, new_page, sign_in
from tests.support.apps import PASSWORD, seed_tenant

LONG_AGO = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


@dataclass
class Seeded:
    stage: Stage
    visitor: Visitor
    conversation: Conversation
    older: Conversation


async def chat(store, site_id: int, visitor: Visitor, texts: list[str], start: datetime):
    conversation = await store.create_conversation(
        Conversation(id=store.new_id(), site_id=site_id, visitor_id=visitor.id, created_at=start)
    )
    for n, text in enumerate(texts):
        message_id = store.new_id()
        kind = AuthorKind.VISITOR if n % 2 == 0 else AuthorKind.AGENT
        await store.append_message(
            Message(
                id=message_id,
                conversation_id=conversation.id,
                site_id=site_id,
                author=Author(kind, visitor.id if n % 2 == 0 else "1", visitor.display_name),
                text=text,
                client_id=message_id,
                created_at=start + timedelta(minutes=n),
            )
        )
    return conversation


@pytest.fixture
async def seeded(aiohttp_server, embedded_settings) -> Seeded:
    app = create_app(embedded_settings)
    server = await aiohttp_server(app)
    tenant = await seed_tenant(app, "Acme Outdoor", ["http://shop.test"])
    store = app[message_store_key]
    site = tenant.site.id
    visitor = Visitor(
        id=store.new_id(),
        site_id=site,
        first_seen=LONG_AGO,
        last_seen=LONG_AGO + timedelta(hours=2),
        visits=3,
        session_id="visit-3",
        geo={"country": "PT", "city": "Porto", "time_zone": "Europe/Lisbon"},
        device={"browser": "Firefox", "os": "Linux", "type": "desktop"},
        identity={"name": "Inês Duarte", "email": "ines@porto.example"},
    )
    await store.save_visitor(visitor)
    for n, url in enumerate(
        ["https://shop.test/", "https://shop.test/tents", "https://shop.test/help"]
    ):
        await store.add_page_view(
            PageView(
                id=store.new_id(),
                site_id=site,
                visitor_id=visitor.id,
                session_id="visit-3",
                url=url,
                title=["Home", "Tents", "Help"][n],
                entered_at=LONG_AGO + timedelta(minutes=n),
                seconds=30.0,
            )
        )
    older = await chat(store, site, visitor, ["Do you ship tents to Porto?", "We do!"], LONG_AGO)
    conversation = await chat(
        store,
        site,
        visitor,
        [
            "Hello, my <b>parcel</b> never arrived",
            "Sorry to hear that! Let me check the courier.",
            "Thanks, order A-1042",
        ],
        LONG_AGO + timedelta(hours=1),
    )
    note_id = store.new_id()
    await store.append_message(
        Message(
            id=note_id,
            conversation_id=conversation.id,
            site_id=site,
            author=Author(AuthorKind.AGENT, "1", "Dana"),
            text="Prefers a call back in the morning",
            client_id=note_id,
            kind=MessageKind.NOTE,
        )
    )
    ctx = await app[auth_key].authenticate(
        await app[auth_key].login(tenant.email, PASSWORD, ip="127.0.0.1")
    )
    await app[console_key].console.run(
        "add_tag", Actor(ctx), site, {"name": "late parcel", "color": "#dc2626"}
    )
    await store.tag_conversation(site, conversation.id, add=["late parcel"])
    stage = Stage(app_url=str(server.make_url("")).rstrip("/"), host_url="", tenant=tenant)
    return Seeded(stage, visitor, conversation, older)


async def test_search_finds_a_message_and_opens_its_conversation(browser: Browser, seeded):
    page = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(page, seeded.stage)
    await page.click("[data-nav=search]")
    await page.fill(".search-input", "PARCEL")

    hit = page.locator(".search-hit").first
    await expect(hit.locator("mark.hit")).to_have_text("parcel")
    # The message's own markup is text, never HTML.
    await expect(hit.locator(".search-hit-snippet")).to_contain_text("<b>")
    await expect(page.locator(".search-hit b")).to_have_count(0)
    await hit.click()

    await page.wait_for_url(f"**#/search/{seeded.conversation.id}")
    await expect(page.locator(".chat-scroll")).to_contain_text("Let me check the courier.")
    sidebar = page.locator("#side-col")
    await expect(sidebar).to_be_visible()
    await expect(sidebar).to_contain_text("Inês Duarte")
    await expect(sidebar).to_contain_text("Porto")
    await expect(sidebar.locator(".side-conv")).to_contain_text("We do!")  # past conversation
    await expect(sidebar.locator(".vx-note")).to_contain_text("call back in the morning")

    await expect(sidebar.locator(".side-tag")).to_have_text("late parcel")

    # A tag named in full finds the conversations that carry it.
    await page.fill(".search-input", "late parcel")
    await expect(page.locator(".search-tagged")).to_contain_text("Inês Duarte")

    # People: a name finds the contact too.
    await page.fill(".search-input", "ines")
    await expect(page.locator(".search-person")).to_contain_text("ines@porto.example")


async def test_a_contacts_profile_opens_for_an_offline_visitor(browser: Browser, seeded):
    page = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(page, seeded.stage)
    await page.click("[data-nav=contacts]")

    row = page.locator(f'.contacts-row[data-visitor="{seeded.visitor.id}"]')
    await expect(row).to_contain_text("Inês Duarte")
    await expect(row).to_contain_text("ines@porto.example")
    await expect(row.locator(".contacts-num").last).to_have_text("2")
    await row.click()

    panel = page.locator(".vx-panel")
    await expect(panel).to_be_visible()
    await expect(panel).to_contain_text("Last seen")
    await expect(panel).to_contain_text("Thanks, order A-1042")
    await expect(panel).to_contain_text("Tents")
    await expect(panel.locator(".vx-note")).to_contain_text("Prefers a call back in the morning")

    await page.fill(".view--contacts .search-input", "nobody-by-that-name")
    await expect(page.locator(".view--contacts")).to_contain_text("No one matches")


async def test_the_sidebar_stays_collapsed_and_is_a_sheet_on_a_phone(browser: Browser, seeded):
    page = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(page, seeded.stage)
    await page.goto(f"{seeded.stage.app_url}/dashboard#/inbox/{seeded.conversation.id}")
    sidebar = page.locator("#side-col")
    await expect(sidebar).to_contain_text("Inês Duarte")

    await page.click(".side-toggle")
    await expect(sidebar).to_be_hidden()
    await page.reload()
    await expect(page.locator(".chat-scroll")).to_contain_text("courier")
    await expect(sidebar).to_be_hidden()
    await page.click(".side-toggle")
    await expect(sidebar).to_be_visible()

    phone = await new_page(browser, viewport={"width": 390, "height": 844})
    await sign_in(phone, seeded.stage)
    await phone.goto(f"{seeded.stage.app_url}/dashboard#/inbox/{seeded.conversation.id}")
    await expect(phone.locator(".chat-scroll")).to_contain_text("courier")
    await expect(phone.locator("#side-col")).to_be_hidden()
    chat_width = await phone.locator(".chat-col").evaluate("el => el.getBoundingClientRect().width")
    await phone.click(".side-toggle")
    sheet = phone.locator("#side-col")
    await expect(sheet).to_contain_text("Inês Duarte")
    box = await sheet.bounding_box()
    assert box is not None and box["width"] == 390 and box["y"] > 100
    after = await phone.locator(".chat-col").evaluate("el => el.getBoundingClientRect().width")
    assert after == chat_width  # the sheet lies over the chat; it does not squeeze it
