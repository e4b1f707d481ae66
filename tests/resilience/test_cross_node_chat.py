"""The production shape in miniature: two `porchlight run` processes sharing PostgreSQL,
Redis and a Mongo wire server; a visitor on one node and an agent on the other talk."""

from __future__ import annotations

import pytest

from tests.resilience.processes import HOST
from tests.support.sockets import RecordingClient

pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


async def test_a_visitor_and_an_agent_on_different_nodes_chat(cluster) -> None:
    node_a, node_b = cluster.nodes
    agent = await cluster.agent(node_b)
    visitor = await RecordingClient("/visitor").connect(
        f"http://{HOST}:{node_a.port}", {"site_key": cluster.site_key}
    )
    try:
        await visitor.next("session")
        ack = await visitor.call("send_message", {"client_id": "v-1", "text": "Is it in stock?"})
        assert ack["ok"], ack
        heard = await agent.next("message", wait=10)
        assert (heard["client_id"], heard["text"]) == ("v-1", "Is it in stock?")

        reply = {"conversation_id": heard["conversation_id"], "client_id": "a-1", "text": "Yes!"}
        answered = await agent.call("send_message", reply)
        assert answered["ok"], answered
        while True:  # the visitor's own message may be echoed first
            seen = await visitor.next("message", wait=10)
            if seen["client_id"] == "a-1":
                break
        assert seen["text"] == "Yes!"
        assert {d["client_id"] for d in cluster.stored_messages()} >= {"v-1", "a-1"}
    finally:
        await visitor.close()
        await agent.close()
