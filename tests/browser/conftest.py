"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright, against real servers.

The app runs on one origin; a stand-in customer website runs on another and embeds the
widget with the one script tag, exactly as a website owner would.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import pytest
from playwright.async_api import Browser, Page, async_playwright

from server.app import create_app
from server.http.demo import build_demo_host
from tests.support.apps import Tenant, seed_tenant

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Stage:
    app_url: str
    host_url: str
    tenant: Tenant


@pytest.fixture
async def stage(aiohttp_server, embedded_settings) -> Stage:
    app = create_app(embedded_settings)
    server = await aiohttp_server(app)
    app_url = str(server.make_url("")).rstrip("/")
    host_port = _free_port()
    host_url = f"http://127.0.0.1:{host_port}"
    tenant = await seed_tenant(app, "Acme Outdoor", [host_url])
    await aiohttp_server(build_demo_host(app_url, tenant.site.site_key), port=host_port)
    return Stage(app_url=app_url, host_url=host_url, tenant=tenant)


@pytest.fixture
async def browser() -> Browser:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        await browser.close()


async def new_page(browser: Browser, **context_options) -> Page:
    context = await browser.new_context(**context_options)
    page = await context.new_page()
    page.set_default_timeout(10_000)
    return page


async def sign_in(page: Page, stage: Stage) -> None:
    from tests.support.apps import PASSWORD

    await page.goto(f"{stage.app_url}/dashboard/login")
    await page.fill("#email", stage.tenant.email)
    await page.fill("#password", PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{stage.app_url}/dashboard")
