"""Concurrent askers of one key share one load; the next ask after it loads again."""

from __future__ import annotations

import asyncio

import pytest

from server.services.single_flight import SingleFlight


async def test_callers_waiting_together_share_one_load_and_later_ones_load_again() -> None:
    flight: SingleFlight[int] = SingleFlight()
    loads = 0
    release = asyncio.Event()

    async def load() -> int:
        nonlocal loads
        loads += 1
        await release.wait()
        return loads

    waiting = [asyncio.create_task(flight.run("site:1", load)) for _ in range(50)]
    other = asyncio.create_task(flight.run("site:2", load))
    await asyncio.sleep(0)
    release.set()
    assert set(await asyncio.gather(*waiting)) == {1}
    assert await other == 2
    assert await flight.run("site:1", load) == 3


async def test_a_caller_that_gives_up_does_not_cancel_the_load_for_the_others() -> None:
    flight: SingleFlight[str] = SingleFlight()
    release = asyncio.Event()

    async def load() -> str:
        await release.wait()
        return "site"

    leaving = asyncio.create_task(flight.run(1, load))
    staying = asyncio.create_task(flight.run(1, load))
    await asyncio.sleep(0)
    leaving.cancel()
    release.set()
    assert await staying == "site"


async def test_every_waiter_hears_the_error() -> None:
    flight: SingleFlight[str] = SingleFlight()

    async def load() -> str:
        await asyncio.sleep(0)
        raise LookupError("no such site")

    results = await asyncio.gather(*(flight.run(1, load) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, LookupError) for r in results)
    with pytest.raises(LookupError):
        await flight.run(1, load)
