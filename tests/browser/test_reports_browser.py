"""The Reports page in real Chromium: its charts draw, the heat map has every hour of the
week, each chart has its table, and a chart's CSV download says what the API says."""

from __future__ import annotations

import csv
import io
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import expect

from server.app import create_app
from server.domain import Conversation, PageView, Visitor
from server.keys import console_key, message_store_key
from server.storage.reports.base import Writer
from tests.browser.conftest import Stage, new_page, sign_in
from tests.browser.test_inbox_workflow import visitor_writes
from tests.support.apps import seed_tenant

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("PORCHLIGHT_SCREENSHOTS")
HOUR = 3_600_000
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def seed_week(app, site_id: int, agent_id: int) -> None:
    """Six days of conversations, busier in the afternoon, some answered late or never."""
    store = app[message_store_key]
    now = int(time.time() * 1000)
    for n in range(60):
        created = now - (n * 2 + 1) * HOUR - (n % 5) * 600_000
        cid = f"c{n:03d}"
        await store.report_conversation(site_id, cid, created, assignee_id=None, resolved_ms=None)
        score = (0.6, 0.0, -0.5)[n % 3]
        await store.report_message(site_id, cid, created, created, Writer.VISITOR, sentiment=score)
        if n % 4:
            reply = created + (n % 7 + 1) * 60_000
            await store.report_message(
                site_id, cid, created, reply, Writer.AGENT, agent_id=agent_id
            )
            await store.report_conversation(
                site_id, cid, created, assignee_id=agent_id, resolved_ms=reply + HOUR
            )
        if n % 3 == 0:
            comment = "Quick and kind" if n % 2 else ""
            await store.rate_conversation(site_id, cid, 5 - n % 4, comment, created + 2 * HOUR)


PLACES = [
    ("DE", "Germany", 52.5, 13.4),
    ("US", "United States", 40.7, -74.0),
    ("BR", "Brazil", -23.5, -46.6),
    ("JP", "Japan", 35.7, 139.7),
]
UAS = ["Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0", "Mozilla/5.0 (iPhone) Mobile/15E148"]


async def seed_visits(app, site_id: int) -> None:
    """Forty visits from four countries; every third one chats, some reach /checkout/done."""
    store = app[message_store_key]
    now = datetime.now(UTC)
    for n in range(40):
        code, country, lat, lon = PLACES[n % 4 if n % 5 else 0]
        vid = f"v{n:03d}"
        await store.save_visitor(
            Visitor(
                id=vid,
                site_id=site_id,
                first_seen=now,
                last_seen=now,
                geo={"country_code": code, "country": country, "lat": lat, "lon": lon},
                device={"user_agent": UAS[n % 2]},
            )
        )
        source = ["?utm_source=news&utm_campaign=winter", "", "?utm_source=ads"][n % 3]
        for path in (f"/{source}", "/tents", "/checkout/done" if n % 4 == 0 else "/about"):
            await store.add_page_view(
                PageView(
                    id=store.new_id(),
                    site_id=site_id,
                    visitor_id=vid,
                    session_id=f"s{n}",
                    url=f"https://shop.test{path}",
                    referrer="https://www.search.test/" if n % 2 else "",
                )
            )
        if n % 3 == 0:
            cid = store.new_id()
            await store.create_conversation(
                Conversation(id=cid, site_id=site_id, visitor_id=vid, activity_id=cid)
            )


async def test_the_reports_page_draws_its_charts_and_a_csv_matches_the_api(
    aiohttp_server, embedded_settings, browser
) -> None:
    app = create_app(embedded_settings)
    server = await aiohttp_server(app)
    stage = Stage(str(server.make_url("")).rstrip("/"), "", None)  # type: ignore[arg-type]
    stage.tenant = await seed_tenant(app, "Acme Outdoor", ["http://shop.test"])
    await seed_week(app, stage.tenant.site.id, stage.tenant.agent.id)
    await seed_visits(app, stage.tenant.site.id)

    page = await new_page(browser, viewport={"width": 1440, "height": 900}, timezone_id="UTC")
    await sign_in(page, stage)
    await page.goto(f"{stage.app_url}/dashboard#/reports")
    await page.wait_for_selector(".rp-chart canvas")
    # over time, times, ratings, mood, visits
    assert await page.locator(".rp-chart canvas").count() == 5
    # new conversations and visitors online, every hour of the week each
    assert await page.locator(".rp-heat-svg rect").count() == 2 * 7 * 24
    online = page.locator('[data-figure="visitors_online"] .rp-heat-svg')
    assert "visitors online" in (await online.get_attribute("aria-label") or "")
    cells = await online.locator("rect").evaluate_all(
        "rects => rects.map(r => Number(r.dataset.count))"
    )
    assert sum(cells) == 40  # each visit's three pages came within the same hour
    assert await page.locator(".rp-section table").count() == 14  # every chart has its table
    assert await page.locator(".rp-map .rp-map-dot").count() == 4  # one per country
    await page.fill("input[name=goal_path]", "/checkout/done")
    await page.get_by_role("button", name="Save").click()
    goal = page.locator('[data-figure="goal"] .vx-card').first
    await goal.wait_for()
    # 14 visits chatted (n % 3 == 0); 4 of them reached /checkout/done (n % 12 == 0)
    assert "(4 of 14)" in await goal.inner_text()
    conversations = await page.locator(".vx-card").first.inner_text()
    assert "60" in conversations
    # The agent's ratings as visitors gave them: n % 12 of 3, 6 and 9 are bad, okay, good.
    rating = page.locator('[data-figure="team"] .rp-stack')
    assert await rating.get_attribute("aria-label") == "33 % good (5 good, 5 okay, 5 bad)"
    label = await page.locator(".rp-chart").first.get_attribute("aria-label")
    assert label and "New: 60 in all" in label
    if SHOTS:
        await page.screenshot(path=str(Path(SHOTS) / "reports-desktop.png"))
        for part in (
            "response_times",
            "busiest_hours",
            "team",
            "satisfaction",
            "sentiment",
            "visits",
            "countries",
            "sources",
            "goal",
        ):
            await page.locator(f'section[data-figure="{part}"]').scroll_into_view_if_needed()
            await page.screenshot(path=str(Path(SHOTS) / f"reports-desktop-{part}.png"))

    for figure in ("conversations", "response_times", "team", "visitors_online", "sources"):
        link = page.locator(f'a.rp-csv[data-figure="{figure}"]')
        href = await link.get_attribute("href")
        assert href and href.endswith("format=csv")
        download = await page.request.get(f"{stage.app_url}{href}")
        assert download.ok
        assert "attachment" in download.headers["content-disposition"]
        answer = await page.request.get(f"{stage.app_url}{href.replace('&format=csv', '')}")
        api = await answer.json()
        table = list(csv.reader(io.StringIO(await download.text())))
        assert table[0] == api["columns"]
        assert table[1:] == [["" if v is None else str(v) for v in row] for row in api["rows"]]
        if figure == "conversations":
            assert sum(int(row[1]) for row in table[1:]) == 60

    # The site gets business hours: the switch shows, and times then count while open only.
    hours = {"enabled": True, "time_zone": "UTC", "week": {d: [["09:00", "17:00"]] for d in DAYS}}
    await app[console_key].console.hours.save(stage.tenant.site.id, hours)
    await page.reload()
    switch = page.get_by_role("button", name="Business hours only")
    await switch.click()
    await expect(switch).to_have_attribute("aria-pressed", "true")
    times = page.locator('section[data-figure="response_times"] h2')
    await expect(times).to_have_text("First response and resolution time (business hours only)")
    href = await page.locator('a.rp-csv[data-figure="response_times"]').get_attribute("href")
    assert href and "business_hours=true" in href
    download = await page.request.get(f"{stage.app_url}{href}")
    answer = await page.request.get(f"{stage.app_url}{href.replace('&format=csv', '')}")
    assert "business hours only" in (await answer.json())["title"]
    table = list(csv.reader(io.StringIO(await download.text())))
    assert table[1:] == [
        ["" if v is None else str(v) for v in row] for row in (await answer.json())["rows"]
    ]
    if SHOTS:
        await page.screenshot(path=str(Path(SHOTS) / "reports-desktop-business-hours.png"))

    phone = await new_page(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True, timezone_id="UTC"
    )
    await sign_in(phone, stage)
    await phone.goto(f"{stage.app_url}/dashboard#/reports")
    await phone.wait_for_selector(".rp-chart canvas")
    overflow = await phone.evaluate(
        "() => { const b = document.querySelector('.rp-body'); "
        "return b.scrollWidth - b.clientWidth; }"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than a phone"
    if SHOTS:
        await phone.screenshot(path=str(Path(SHOTS) / "reports-phone.png"))
        for part in ("conversations", "busiest_hours", "visitors_online", "countries", "team"):
            await phone.locator(f'section[data-figure="{part}"]').scroll_into_view_if_needed()
            await phone.screenshot(path=str(Path(SHOTS) / f"reports-phone-{part}.png"))


async def test_the_inbox_shows_the_mood_of_each_conversation(stage, browser) -> None:
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, stage)
    visitor, _ = await visitor_writes(browser, stage, "This is awful, nothing works and I am angry")
    row = agent.locator(".conv", has_text="nothing works")
    await expect(row.locator(".conv-mood")).to_have_text("Negative")  # VADER: -0.743

    composer = visitor.get_by_role("textbox", name="Message")
    await composer.fill("Wonderful, thank you, you are great!")  # +0.891: the mean is +0.074
    await composer.press("Enter")
    row = agent.locator(".conv", has_text="Wonderful")
    await expect(row.locator(".conv-mood")).to_have_text("Positive")
    if SHOTS:
        await agent.screenshot(path=str(Path(SHOTS) / "inbox-mood.png"))
