"""A visitor leaves while Redis is out of reach, and Redis comes back with what it held (a
restart from its snapshot): the departure the node could not write then is written once
Redis answers, so the team sees the visitor leave, though the node holding them lives on."""

from __future__ import annotations

import pytest

from tests.resilience.processes import HOST
from tests.resilience.waiting import comes_true
from tests.support.sockets import RecordingClient

pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


async def _listed(agent: RecordingClient) -> set[str] | None:
    answer = await agent.call("list_visitors", {})
    return {v["id"] for v in answer["visitors"]} if answer.get("ok") else None


async def _gone(agent: RecordingClient, visitor_id: str) -> bool:
    listed = await _listed(agent)
    return listed is not None and visitor_id not in listed


async def test_a_visitor_leaving_while_redis_is_out_of_reach_is_seen_to_leave(cluster) -> None:
    node_a, node_b = cluster.nodes
    agent = await cluster.agent(node_b)
    visitor = await RecordingClient("/visitor").connect(
        f"http://{HOST}:{node_a.port}", {"site_key": cluster.site_key}
    )
    visitor_id = (await visitor.next("session"))["visitor_id"]
    assert visitor_id in (await _listed(agent) or set())

    async with cluster.redis_away():
        await visitor.close()  # node a cannot write the departure now

    # Within the grace for a return to the site, after the node's next tries.
    assert await comes_true(lambda: _gone(agent, visitor_id), within=30)
    assert (await agent.next("visitor_left", wait=15))["visitor_id"] == visitor_id
    await agent.close()
