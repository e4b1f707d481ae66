"""The Visitors view in real Chromium: live rows, location, journey, filters, profile."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from ipaddress import ip_network

import pytest
from playwright.async_api import expect

from server.keys import message_store_key
from tests.browser.conftest import Stage, new_page, sign_in
from tests.geo.conftest import BERLIN_IPV6, LONDON_IP, city_db  # noqa: F401
from tests.support.sockets import RecordingClient

pytestmark = pytest.mark.browser


@pytest.fixture
async def geo_stage(stage_with, embedded_settings, city_db) -> Stage:  # noqa: F811
    return await stage_with(
        embedded_settings.with_(geoip_db=city_db, trusted_proxies=(ip_network("127.0.0.1/32"),))
    )


@pytest.fixture
async def remote_visitor(geo_stage):
    """Factory: a widget connection from `address` (through the trusted local proxy)."""
    made: list[RecordingClient] = []

    async def connect(address: str, path: str, title: str, token: str | None = None):
        client = RecordingClient("/visitor")
        made.append(client)
        auth = {
            "site_key": geo_stage.tenant.site.site_key,
            "page": {"url": f"{geo_stage.host_url}{path}", "title": title, "referrer": ""},
            "device": {"user_agent": "Mozilla/5.0 (Windows NT 10.0) Firefox/133.0"},
        }
        if token:
            auth["visitor_token"] = token
        headers = {"Origin": geo_stage.host_url, "X-Forwarded-For": address}
        await client.connect(geo_stage.app_url, auth, headers)
        client.session = await client.next("session")
        return client

    yield connect
    for client in made:
        await client.close()


async def test_the_visitor_list_follows_a_visitor_live(geo_stage, browser):
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, geo_stage)
    await agent.goto(f"{geo_stage.app_url}/dashboard#/visitors")
    rows = agent.locator(".vt-item:not(.is-leaving)")
    await expect(agent.get_by_text("No one is on your site right now")).to_be_visible()

    visitor = await new_page(browser)
    await visitor.goto(f"{geo_stage.host_url}/tents")

    await expect(rows).to_have_count(1)
    row = rows.first
    await expect(row.locator(".vt-page-title")).to_have_text(
        "Tents for every season · Acme Outdoor"
    )
    await expect(row.locator(".vt-city")).to_have_text("Private network")
    await expect(row.locator(".vx-signal--bot")).to_have_text("Automated")  # Playwright's browser
    await expect(row.locator(".vt-source-label")).to_have_text("Direct")

    # Single-page navigation: the current page changes in place; the last one is a crumb.
    await visitor.evaluate(
        "() => { document.title = 'Ridge 4'; history.pushState({}, '', '/tents/ridge-4'); }"
    )
    await expect(row.locator(".vt-page-title")).to_have_text("Ridge 4")
    await expect(row.locator(".vx-crumb")).to_have_count(2)
    await expect(row.locator(".vx-crumb").first).to_contain_text(
        "/tents/ridge-4"
    )  # newest first in the DOM
    await expect(row.locator(".vx-crumb.is-current")).to_have_count(1)
    await expect(rows).to_have_count(1)

    await visitor.close()
    await expect(rows).to_have_count(0)


async def test_filters_narrow_the_list_and_the_profile_tells_the_whole_story(
    geo_stage, browser, remote_visitor
):
    london = await remote_visitor(LONDON_IP, "/checkout", "Checkout")
    await london.call("send_message", {"client_id": "c-1", "text": "Is delivery free?"})
    await remote_visitor(BERLIN_IPV6, "/tents", "Tents")
    returning = await remote_visitor(BERLIN_IPV6, "/", "Home")
    token = returning.session["visitor_token"]
    await returning.close()

    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, geo_stage)
    await agent.goto(f"{geo_stage.app_url}/dashboard#/visitors")
    rows = agent.locator(".vt-item:not([hidden]):not(.is-leaving)")
    await expect(rows).to_have_count(2)
    # A visitor comes back in a later visit while the agent watches: a new row, returning.
    await remote_visitor(BERLIN_IPV6, "/stoves", "Stoves", token=token)
    await expect(rows).to_have_count(3)

    await agent.get_by_label("Country").select_option("GB")
    await expect(rows).to_have_count(1)
    await expect(rows.first.locator(".vt-city")).to_have_text("London")
    await expect(rows.first).to_contain_text("In chat")
    await agent.get_by_label("Country").select_option("")
    await expect(rows).to_have_count(3)

    await agent.get_by_role("button", name="Chatting", exact=True).click()
    await expect(rows).to_have_count(1)
    await agent.get_by_role("button", name="Chatting", exact=True).click()
    await agent.get_by_label("Filter by page").fill("tents")
    await expect(rows).to_have_count(1)
    await expect(rows.first.locator(".vt-page-title")).to_have_text("Tents")
    await agent.get_by_label("Filter by page").fill("")
    await expect(rows).to_have_count(3)

    # The London visitor's profile: where, the journey, the conversation.
    await agent.locator(".vt-row", has_text="London").click()
    panel = agent.get_by_role("dialog")
    await expect(panel).to_contain_text("London, England, United Kingdom")
    await expect(panel).to_contain_text("51.51° N, 0.09° W")
    await expect(panel.locator(".vx-journey-page")).to_have_count(1)
    await expect(panel.locator(".vx-conv")).to_contain_text("Is delivery free?")
    await expect(panel.locator(".vx-map-pin")).to_have_count(1)
    await agent.keyboard.press("Escape")
    await expect(panel).to_be_hidden()


async def test_returning_visitors_can_be_listed_alone(geo_stage, browser, remote_visitor):
    first = await remote_visitor(LONDON_IP, "/", "Home")
    token = first.session["visitor_token"]
    await first.close()
    store = geo_stage.app[message_store_key]
    site_id, visitor_id = geo_stage.tenant.site.id, first.session["visitor_id"]
    for _ in range(100):  # the server handles the disconnect after the close
        if (await store.recent_page_views(site_id, visitor_id))[0].left_at:
            break
        await asyncio.sleep(0.05)
    stored = await store.get_visitor(site_id, visitor_id)
    stored.last_seen -= timedelta(hours=2)  # the first visit was a while ago
    await store.save_visitor(stored)

    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, geo_stage)
    await agent.goto(f"{geo_stage.app_url}/dashboard#/visitors")
    await remote_visitor(BERLIN_IPV6, "/tents", "Tents")
    await remote_visitor(LONDON_IP, "/stoves", "Stoves", token=token)  # back for a second visit
    rows = agent.locator(".vt-item:not([hidden]):not(.is-leaving)")
    await expect(rows).to_have_count(2)

    await agent.get_by_role("button", name="Returning", exact=True).click()

    await expect(rows).to_have_count(1)
    await expect(rows.first.locator(".pill--returning")).to_be_visible()
    await expect(rows.first).to_contain_text("2nd visit")
    await agent.get_by_label("Sort visitors").select_option("visits")
    await agent.get_by_role("button", name="Returning", exact=True).click()
    await expect(rows.first.locator(".vt-city")).to_have_text("London")  # most visits first
    await expect(rows).to_have_count(2)


async def test_the_journeys_page_ranks_pages(geo_stage, browser, remote_visitor):
    ana = await remote_visitor(LONDON_IP, "/?utm_source=news", "Home")
    await ana.call("page_view", {"url": f"{geo_stage.host_url}/tents", "title": "Tents"})
    await ana.call("page_view", {"url": f"{geo_stage.host_url}/checkout", "title": "Checkout"})
    ben = await remote_visitor(BERLIN_IPV6, "/tents", "Tents")
    await ben.close()

    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, geo_stage)
    await agent.goto(f"{geo_stage.app_url}/dashboard#/analytics")

    await expect(agent.get_by_role("heading", name="Journeys")).to_be_visible()
    cards = agent.locator(".vx-card")
    await expect(cards.filter(has_text="Page views")).to_contain_text("4")
    await expect(cards.filter(has_text="Visitors")).to_contain_text("2")
    top = agent.locator(".vx-table-wrap", has_text="Top pages").locator("tbody tr")
    await expect(top.first).to_contain_text("/tents")
    await expect(top.first).to_contain_text("2")
    entries = agent.locator(".vx-table-wrap", has_text="Entry pages").locator("tbody tr")
    await expect(entries).to_have_count(2)  # "/" (tracking parameters dropped) and "/tents"
    await expect(entries.filter(has_text="utm_source")).to_have_count(0)
    await expect(agent).to_have_title("Journeys · Porchlight")
