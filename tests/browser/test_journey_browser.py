"""The widget in real Chromium: single-page-app journeys, visible time, the last page on
close, fingerprint recognition after storage is cleared, and consent."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass
from datetime import datetime

import aiohttp
import pytest
import sqlalchemy as sa
from aiohttp import web
from playwright.async_api import Page

from server.keys import sql_engine_key
from tests.browser.conftest import new_page
from tests.support.apps import PASSWORD, Tenant

pytestmark = pytest.mark.browser


@dataclass
class IntelStage:
    app: web.Application
    app_url: str
    host_url: str
    tenant: Tenant
    token: str = ""

    async def profile(self, visitor_id: str) -> dict:
        async with (
            aiohttp.ClientSession() as http,
            http.get(
                f"{self.app_url}/api/v1/sites/{self.tenant.site.id}/visitors/{visitor_id}",
                headers={"Authorization": f"Bearer {self.token}"},
            ) as response,
        ):
            assert response.status == 200, await response.text()
            return await response.json()

    async def pages(self, visitor_id: str) -> list[dict]:
        """Every page view of the visitor, oldest first."""
        visits = (await self.profile(visitor_id))["visits"]
        return [p for visit in reversed(visits) for p in visit["pages"]]

    async def wait_for(self, visitor_id: str, check, what: str) -> list[dict]:
        for _ in range(100):
            pages = await self.pages(visitor_id)
            if check(pages):
                return pages
            await asyncio.sleep(0.1)
        raise AssertionError(f"never saw {what}: {json.dumps(pages, indent=1)}")


@pytest.fixture
async def intel(stage) -> IntelStage:
    app_url, tenant = stage.app_url, stage.tenant
    stage = IntelStage(stage.app, app_url, stage.host_url, tenant)
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{app_url}/api/v1/auth/login", json={"email": tenant.email, "password": PASSWORD}
        ) as response,
    ):
        stage.token = (await response.json())["token"]
    return stage


async def visitor_id(page: Page, stage: IntelStage) -> str:
    """The visitor id inside the widget's stored token, once the widget has connected."""
    key = f"porchlight:{stage.tenant.site.site_key}:token"
    handle = await page.wait_for_function(f"localStorage.getItem({json.dumps(key)})")
    token = json.loads(await handle.json_value())
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


HIDE = """() => {
  Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
  Object.defineProperty(document, 'hidden', {value: true, configurable: true});
  document.dispatchEvent(new Event('visibilitychange'));
}"""
SHOW = """() => {
  Object.defineProperty(document, 'visibilityState', {value: 'visible', configurable: true});
  Object.defineProperty(document, 'hidden', {value: false, configurable: true});
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def url_path(page_view: dict) -> str:
    return page_view["url"].split("/", 3)[3]


def open_for(page_view: dict) -> float:
    """Seconds between entering and leaving the page, by the server's clock."""
    entered = datetime.fromisoformat(page_view["entered_at"].replace("Z", "+00:00"))
    left = datetime.fromisoformat(page_view["left_at"].replace("Z", "+00:00"))
    return (left - entered).total_seconds()


async def test_single_page_app_navigation_is_a_journey(intel, browser):
    page = await new_page(browser)
    await page.goto(f"{intel.host_url}/")
    vid = await visitor_id(page, intel)

    await page.evaluate("() => { document.title = 'One'; history.pushState({}, '', '/app/one'); }")
    await intel.wait_for(vid, lambda p: len(p) == 2, "the pushState page view")
    # A redirect right after a navigation is one page view, with the final URL and title.
    await page.evaluate(
        """() => {
          history.pushState({}, '', '/app/two');
          document.title = 'Two';
          history.replaceState({}, '', '/app/two?tab=details');
        }"""
    )
    await intel.wait_for(vid, lambda p: len(p) == 3, "the replaceState page view")
    await page.evaluate("() => { location.hash = '#/reviews'; }")
    await intel.wait_for(vid, lambda p: len(p) == 4, "the hashchange page view")
    await page.evaluate("() => history.replaceState(history.state, '', location.href)")  # same URL
    await page.go_back()  # popstate back to /app/two?tab=details
    pages = await intel.wait_for(vid, lambda p: len(p) == 5, "the popstate page view")

    assert [url_path(p) for p in pages] == [
        "",
        "app/one",
        "app/two?tab=details",
        "app/two?tab=details#/reviews",
        "app/two?tab=details",
    ]
    assert [p["title"] for p in pages[1:3]] == ["One", "Two"]
    assert pages[1]["referrer"] == f"{intel.host_url}/"  # the app page it came from
    assert all(p["seconds"] is not None for p in pages[:4])  # each measured as it was left


async def test_time_in_a_hidden_tab_does_not_count(intel, browser):
    page = await new_page(browser)
    await page.goto(f"{intel.host_url}/")
    vid = await visitor_id(page, intel)

    # Enter /app/hidden and hide the tab in the same moment: no visible time at all.
    await page.evaluate(f"() => {{ history.pushState({{}}, '', '/app/hidden'); ({HIDE})(); }}")
    await intel.wait_for(vid, lambda p: len(p) == 2, "the hidden page's view")
    await asyncio.sleep(1.2)  # the tab stays hidden for a while
    await page.evaluate(f"() => {{ ({SHOW})(); history.pushState({{}}, '', '/app/next'); }}")
    pages = await intel.wait_for(
        vid, lambda p: len(p) == 3 and p[1]["left_at"], "the hidden page's time"
    )

    hidden = pages[1]
    assert url_path(hidden) == "app/hidden"
    assert hidden["seconds"] == 0.0
    assert open_for(hidden) >= 1.0  # it was open all that time, just not visible


async def test_the_last_page_keeps_its_visible_time_when_the_tab_closes(intel, browser):
    page = await new_page(browser)
    await page.goto(f"{intel.host_url}/tents")
    vid = await visitor_id(page, intel)
    await intel.wait_for(vid, lambda p: len(p) == 1, "the first page view")

    await page.evaluate(HIDE)  # switched to another tab...
    await asyncio.sleep(1.2)
    await page.close(run_before_unload=True)  # ...and closed this one

    pages = await intel.wait_for(
        vid, lambda p: p[-1]["left_at"] and p[-1]["seconds"] is not None, "the closed page"
    )
    last = pages[-1]
    assert url_path(last) == "tents"
    # The widget's measure (visible time only), not the wall-clock time the page was open.
    assert last["seconds"] < open_for(last) - 0.8


async def test_a_visitor_who_clears_storage_is_recognised_and_flagged_automated(intel, browser):
    page = await new_page(browser)
    await page.goto(f"{intel.host_url}/")
    first = await visitor_id(page, intel)
    await page.evaluate("() => localStorage.clear()")
    await page.close()

    again = await new_page(browser)  # a fresh context: no storage at all
    await again.goto(f"{intel.host_url}/checkout")
    second = await visitor_id(again, intel)

    assert second == first
    profile = await intel.profile(first)
    visitor = profile["visitor"]
    assert (visitor["visits"], visitor["returning"]) == (2, True)
    assert len(profile["visits"]) == 2
    # Playwright drives this browser: navigator.webdriver is true.
    assert "navigator.webdriver is set" in visitor["flags"]["automated"]["reasons"]
    assert visitor["device"]["cores"] >= 1 and visitor["device"]["languages"]


async def set_consent_required(stage: IntelStage) -> None:
    async with stage.app[sql_engine_key].begin() as conn:
        await conn.execute(
            sa.text("UPDATE sites SET widget_settings = :w WHERE id = :id"),
            {"w": json.dumps({"fingerprint_requires_consent": True}), "id": stage.tenant.site.id},
        )


async def test_with_consent_required_only_a_yes_sends_the_fingerprint(intel, browser):
    await set_consent_required(intel)

    before_consent = []
    for _ in range(2):
        page = await new_page(browser)
        await page.goto(f"{intel.host_url}/")
        before_consent.append(await visitor_id(page, intel))
        await page.close()
    assert before_consent[0] != before_consent[1]  # nothing to recognise them by

    # Page one: the visitor accepts the cookie banner, which calls Porchlight('consent', true).
    page = await new_page(browser)
    await page.goto(f"{intel.host_url}/")
    first = await visitor_id(page, intel)
    await page.evaluate("() => Porchlight('consent', true)")
    for _ in range(100):  # until the server has the fingerprint's device facts
        if "cores" in (await intel.profile(first))["visitor"]["device"]:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the consent never reached the server")
    await page.close()

    # Storage cleared; the banner remembers the yes and says so before the widget loads.
    again = await new_page(browser)
    await again.add_init_script(
        "window.Porchlight = function () { (Porchlight.q = Porchlight.q || []).push(arguments) };"
        "Porchlight('consent', true);"
    )
    await again.goto(f"{intel.host_url}/tents")
    assert await visitor_id(again, intel) == first
