"""Waiting for what a cluster shows to change."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


async def comes_true(check: Callable[[], Awaitable[bool]], within: float) -> bool:
    """Whether ``check`` answers True within ``within`` seconds, asked twice a second."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.5)
    return False
