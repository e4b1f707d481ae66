"""The only agent online closes their dashboard while Redis is out of reach, and Redis comes
back with what it held (a restart from its snapshot): the departure the node could not
write then is written once Redis answers, so the site no longer shows its team online,
though the node that held the agent lives on."""

from __future__ import annotations

import pytest

from tests.resilience.processes import HOST
from tests.resilience.waiting import comes_true, widget_says
from tests.support.sockets import RecordingClient

pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


async def test_an_agent_leaving_while_redis_is_out_of_reach_is_seen_to_go(cluster) -> None:
    node_a, node_b = cluster.nodes
    agent = await cluster.agent(node_a)
    await agent.next("session")
    visitor = await RecordingClient("/visitor").connect(
        f"http://{HOST}:{node_b.port}", {"site_key": cluster.site_key}
    )
    assert (await visitor.next("session"))["agents_online"] is True
    assert await widget_says(node_b, cluster.site_key, online=True)

    async with cluster.redis_away():
        await agent.close()  # node a cannot write the departure now

    # After the node's next tries and the grace for a page change.
    site_key = cluster.site_key
    assert await comes_true(lambda: widget_says(node_b, site_key, online=False), within=30)
    assert await visitor.next("agents_online", wait=15) == {"online": False}
    await visitor.close()
