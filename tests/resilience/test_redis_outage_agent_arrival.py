"""An agent opens the dashboard while Redis is out of reach: the connection is taken, the
desk is read from the stores and a reply reaches the visitor on the same node; once Redis
answers again the agent is written online, and widgets on the other node say so."""

from __future__ import annotations

import pytest

from tests.resilience.processes import HOST
from tests.resilience.waiting import comes_true, widget_says
from tests.support.sockets import RecordingClient

pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


async def test_an_agent_connecting_while_redis_is_out_of_reach_gets_the_desk(cluster) -> None:
    node_a, node_b = cluster.nodes
    visitor = await RecordingClient("/visitor").connect(
        f"http://{HOST}:{node_a.port}", {"site_key": cluster.site_key}
    )
    assert (await visitor.next("session"))["agents_online"] is False
    asked = await visitor.call("send_message", {"client_id": "v-1", "text": "Anyone there?"})
    assert asked["ok"], asked
    conversation_id = asked["message"]["conversation_id"]
    token = await cluster.sign_in(node_a)  # signed in earlier; the page opens now

    async with cluster.redis_away():
        agent = await cluster.agent(node_a, token)
        session = await agent.next("session")
        assert session["sites"] and "status" not in session, session  # away or not: unknown

        inbox = await agent.call("inbox", {})
        assert inbox["ok"], inbox
        assert conversation_id in {row["id"] for row in inbox["conversations"]}
        history = await agent.call("history", {"conversation_id": conversation_id})
        assert history["ok"], history
        assert "v-1" in {m["client_id"] for m in history["messages"]}

        reply = {"conversation_id": conversation_id, "client_id": "a-1", "text": "Yes, here."}
        answered = await agent.call("send_message", reply)
        assert answered["ok"], answered
        while (seen := await visitor.next("message", wait=10))["client_id"] != "a-1":
            pass  # the visitor's own message may be echoed first
        assert seen["text"] == "Yes, here."

    # Redis is back with what it held before the agent came: their presence is written now.
    site_key = cluster.site_key
    assert await comes_true(lambda: widget_says(node_b, site_key, online=True), within=30)
    assert await visitor.next("agents_online", wait=15) == {"online": True}
    await agent.close()
    await visitor.close()
