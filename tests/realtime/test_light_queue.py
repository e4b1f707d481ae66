"""The per-socket packet queue keeps asyncio.Queue's behaviour for what Engine.IO uses."""

from __future__ import annotations

import asyncio

import pytest

from server.realtime.light_queue import LightQueue


async def test_packets_come_out_in_order_and_a_waiting_get_is_woken():
    queue = LightQueue()
    waiting = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait("a")
    await queue.put("b")

    assert await asyncio.wait_for(waiting, 5) == "a"
    assert queue.qsize() == 1 and not queue.empty()
    assert queue.get_nowait() == "b"
    assert queue.empty()
    with pytest.raises(asyncio.QueueEmpty):
        queue.get_nowait()


async def test_join_waits_until_every_packet_is_done():
    queue = LightQueue()
    queue.put_nowait("a")
    queue.put_nowait("b")
    joined = asyncio.ensure_future(queue.join())
    queue.get_nowait()
    queue.task_done()
    await asyncio.sleep(0.01)
    assert not joined.done()

    queue.get_nowait()
    queue.task_done()
    await asyncio.wait_for(joined, 5)
    with pytest.raises(ValueError):
        queue.task_done()


async def test_a_get_that_times_out_as_a_packet_arrives_leaves_it_for_the_next():
    queue = LightQueue()
    first = asyncio.ensure_future(queue.get())
    second = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait("a")  # wakes the first getter...
    first.cancel()  # ...which is cancelled before it runs

    assert await asyncio.wait_for(second, 5) == "a"
