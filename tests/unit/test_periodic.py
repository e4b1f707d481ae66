"""Background jobs stop at shutdown even when their work swallows the cancellation."""

from __future__ import annotations

import asyncio
import time

from server.periodic import every


async def test_a_job_whose_driver_turns_cancellation_into_an_error_still_stops():
    calls = 0

    async def work() -> None:
        nonlocal calls
        calls += 1
        try:
            await asyncio.sleep(0.2)
        except asyncio.CancelledError:
            raise RuntimeError("connection closed") from None  # what some drivers do

    async with every(0.01, work, name="test job"):
        await asyncio.sleep(0.1)
        started = time.monotonic()
    stopped_after = time.monotonic() - started
    calls_at_stop = calls
    await asyncio.sleep(0.3)

    assert calls_at_stop >= 1
    assert stopped_after < 1.0
    assert calls == calls_at_stop  # nothing runs after shutdown


async def test_a_failing_job_is_tried_again():
    outcomes: list[str] = []

    async def work() -> None:
        outcomes.append("ran")
        raise ValueError("the database is away")

    async with every(0.02, work, name="test job"):
        await asyncio.sleep(0.15)
    assert len(outcomes) >= 3
