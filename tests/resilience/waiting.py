"""Waiting for what a cluster shows to change."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import aiohttp

from tests.resilience.processes import HOST, Node


async def comes_true(check: Callable[[], Awaitable[bool]], within: float) -> bool:
    """Whether ``check`` answers True within ``within`` seconds, asked twice a second."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.5)
    return False


async def widget_says(node: Node, site_key: str, *, online: bool) -> bool:
    """Whether the widget's configuration on ``node`` says the team is ``online``."""
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(
                f"http://{HOST}:{node.port}/api/widget/config", params={"site_key": site_key}
            ) as response,
        ):
            return response.ok and (await response.json())["agents_online"] is online
    except aiohttp.ClientError:
        return False
