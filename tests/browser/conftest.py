"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright, against real servers.

The app runs on one origin; a stand-in customer website runs on another and embeds the
widget with the one script tag, exactly as a website owner would.
"""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Browser, Locator, Page, async_playwright, expect

from server.app import create_app
from server.http.pages.demo import build_demo_host
from server.settings import Settings
from tests.support.apps import PASSWORD, Tenant, seed_tenant

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
    app: web.Application | None = None  # at hand to seed data or add a teammate


@pytest.fixture
def stage_with(aiohttp_server, embedded_settings) -> Callable[..., Awaitable[Stage]]:
    """Factory: the app (on ``settings``, the test defaults if none) and a customer's site
    embedding its widget, with the site's owner seeded."""

    async def build(settings: Settings | None = None) -> Stage:
        app = create_app(settings or embedded_settings)
        server = await aiohttp_server(app)
        app_url = str(server.make_url("")).rstrip("/")
        host_port = _free_port()
        host_url = f"http://127.0.0.1:{host_port}"
        tenant = await seed_tenant(app, "Acme Outdoor", [host_url])
        await aiohttp_server(build_demo_host(app_url, tenant.site.site_key), port=host_port)
        return Stage(app_url=app_url, host_url=host_url, tenant=tenant, app=app)

    return build


@pytest.fixture
async def stage(stage_with) -> Stage:
    return await stage_with()


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


async def open_chat(page: Page, stage: Stage, launcher: str = "Open chat") -> Locator:
    """The customer's page with the chat panel open and connected: the widget's host."""
    await page.goto(f"{stage.host_url}/")
    await page.get_by_role("button", name=launcher).click()
    widget = page.locator("porchlight-widget")
    await expect(widget.locator(".conn")).to_be_hidden()
    return widget


def script_in_svg(directory: Path) -> Path:
    """An SVG image with a script inside: a file the widget must refuse."""
    svg = directory / "logo.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    return svg


async def agent_on(browser: Browser, stage: Stage, has_text: str) -> Page:
    """A signed-in agent on the desktop with the conversation holding ``has_text`` open."""
    agent = await new_page(browser, viewport={"width": 1440, "height": 900})
    await sign_in(agent, stage)
    await agent.locator(".conv", has_text=has_text).click()
    return agent


async def reply(agent: Page, text: str) -> None:
    box = agent.get_by_role("textbox", name="Reply")
    await box.fill(text)
    await box.press("Enter")


async def sign_in(page: Page, stage: Stage, email: str | None = None) -> None:
    """Through the dashboard's login form, as the site's owner unless ``email`` is given."""
    await page.goto(f"{stage.app_url}/dashboard/login")
    await page.fill("#email", email or stage.tenant.email)
    await page.fill("#password", PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{stage.app_url}/dashboard")


async def visitor_writes(
    browser: Browser, stage: Stage, text: str, viewport: dict | None = None
) -> tuple[Page, Locator]:
    """A fresh visitor (a phone unless ``viewport``) opens the chat on the customer's tents
    page and sends ``text``; their page and widget, the message stored."""
    visitor = await new_page(browser, viewport=viewport or {"width": 390, "height": 844})
    await visitor.goto(f"{stage.host_url}/tents")
    await visitor.get_by_role("button", name="Open chat").click()
    composer = visitor.get_by_role("textbox", name="Message")
    await composer.fill(text)
    await composer.press("Enter")
    widget = visitor.locator("porchlight-widget")
    await expect(widget.locator(".bubble", has_text=text)).to_be_visible()
    # Shown at once, stored once acknowledged: a test may close this page next.
    await expect(widget.locator(".row.me.pending")).to_have_count(0)
    return visitor, widget
