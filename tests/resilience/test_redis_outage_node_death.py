"""A node dies while Redis is down, holding in memory the broadcast of a message it stored:
once Redis is back, the other node tells its own clients to catch up (``resync``), and they
read the message from the store. Nothing acknowledged is lost, or stored twice."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.resilience.processes import HOST
from tests.support.sockets import RecordingClient

pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


async def test_a_node_dying_during_a_redis_outage_loses_no_message_to_the_others(
    cluster,
) -> None:
    node_a, node_b = cluster.nodes
    agent = await cluster.agent(node_b)
    tab_a = await RecordingClient("/visitor").connect(
        f"http://{HOST}:{node_a.port}", {"site_key": cluster.site_key}
    )
    session = await tab_a.next("session")
    # The same visitor in a second tab, on the node that stays.
    tab_b = await RecordingClient("/visitor").connect(
        f"http://{HOST}:{node_b.port}",
        {"site_key": cluster.site_key, "visitor_token": session["visitor_token"]},
    )
    await tab_b.next("session")
    first = await tab_a.call("send_message", {"client_id": "c-before", "text": "before"})
    assert first["ok"], first
    assert (await agent.next("message"))["client_id"] == "c-before"
    assert (await tab_b.next("message"))["client_id"] == "c-before"
    conversation_id = first["message"]["conversation_id"]

    cluster.redis.stop()
    try:
        during = await tab_a.call("send_message", {"client_id": "c-during", "text": "down"})
        assert during["ok"], during  # stored; its broadcast is held in node a's memory
        node_a.kill()
    finally:
        cluster.redis.start()

    # Node b was cut from the others too: subscribed again, it tells its clients to catch up.
    await agent.next("resync", wait=20)
    await tab_b.next("resync", wait=20)
    history = await agent.call("history", {"conversation_id": conversation_id})
    assert history.get("messages") is not None, history
    assert [m["client_id"] for m in history["messages"]] == ["c-before", "c-during"]
    seen_by_tab = await tab_b.call("history", {})
    assert [m["client_id"] for m in seen_by_tab["messages"]] == ["c-before", "c-during"]
    assert Counter(doc["client_id"] for doc in cluster.stored_messages()) == {
        "c-before": 1,
        "c-during": 1,
    }
    for client in (agent, tab_a, tab_b):
        await client.close()
