"""A node killed outright (kill -9) leaves no one online behind it: its presence entries
expire with its heartbeat."""

from __future__ import annotations

import asyncio
import time

import pytest

from server.storage.redis_presence import HEARTBEAT_SECONDS, NODE_TTL_SECONDS
from tests.resilience.processes import HOST
from tests.support.sockets import RecordingClient

pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


async def _online_ids(agent: RecordingClient) -> set[str]:
    listed = await agent.call("list_visitors", {})
    return {v["id"] for v in listed["visitors"]}


async def test_visitors_of_a_killed_node_leave_the_online_list_within_the_ttl(cluster) -> None:
    node_a, node_b = cluster.nodes
    agent = await cluster.agent(node_b)
    visitor = await RecordingClient("/visitor").connect(
        f"http://{HOST}:{node_a.port}", {"site_key": cluster.site_key}
    )
    visitor_id = (await visitor.next("session"))["visitor_id"]
    assert visitor_id in await _online_ids(agent)

    node_a.kill()
    killed = time.monotonic()
    while visitor_id in await _online_ids(agent):
        assert time.monotonic() - killed < NODE_TTL_SECONDS + 5, "still online"
        await asyncio.sleep(0.5)
    gone_after = time.monotonic() - killed
    # Agents are told too, when a live node sweeps the dead one's entries.
    left = await agent.next("visitor_left", wait=HEARTBEAT_SECONDS + 5)
    assert left["visitor_id"] == visitor_id
    print(f"gone from the list {gone_after:.1f}s after the kill")
    await agent.close()
