"""Redis goes away and comes back (empty, as after a crash): acks tell the truth, new
connections are refused at once with a reason, agents on the other node still get every
message (the one stored during the outage when Redis returns, and again on its resend),
and presence is rebuilt."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest
import socketio

from tests.resilience.processes import HOST
from tests.support.sockets import RecordingClient

pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


async def _visitor(url: str, site_key: str) -> RecordingClient:
    return await RecordingClient("/visitor").connect(url, {"site_key": site_key})


async def _messages_heard(agent: RecordingClient, within: float) -> set[str]:
    heard: set[str] = set()
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            message = await agent.next("message", wait=max(0.1, deadline - time.monotonic()))
        except TimeoutError:
            break
        heard.add(message["client_id"])
    return heard


async def _online(agent: RecordingClient, visitor_id: str, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        listed = await agent.call("list_visitors", {})
        if listed.get("ok") and visitor_id in {v["id"] for v in listed["visitors"]}:
            return True
        await asyncio.sleep(0.5)
    return False


async def test_redis_outage_acks_truthfully_refuses_fast_and_recovers(cluster) -> None:
    node_a, node_b = cluster.nodes
    url_a = f"http://{HOST}:{node_a.port}"
    agent = await cluster.agent(node_b)
    visitor = await _visitor(url_a, cluster.site_key)
    session = await visitor.next("session")
    first = await visitor.call("send_message", {"client_id": "c-before", "text": "before"})
    assert first["ok"]
    assert "c-before" in await _messages_heard(agent, within=5)
    try:
        cluster.redis.stop()

        # A message while Redis is down: stored and acked "sent", or refused as retryable.
        started = time.monotonic()
        during = await visitor.call("send_message", {"client_id": "c-during", "text": "down"})
        answered_in = time.monotonic() - started
        # The message store is up: the message is stored and the ack says so, though the
        # other node cannot be told yet (this node holds the broadcast in memory).
        assert during["ok"], during
        assert "c-during" in {doc["client_id"] for doc in cluster.stored_messages()}
        assert answered_in < 5, answered_in

        # A new widget is refused at once, with a reason it can act on.
        refused = socketio.AsyncClient(reconnection=False)
        reasons: list[object] = []
        refused.on("connect_error", reasons.append, namespace="/visitor")
        started = time.monotonic()
        with pytest.raises(socketio.exceptions.ConnectionError):
            await refused.connect(
                url_a,
                namespaces=["/visitor"],
                auth={"site_key": cluster.site_key},
                transports=["websocket"],
                wait_timeout=10,
            )
        refused_in = time.monotonic() - started
        await refused.disconnect()
        assert refused_in < 4, refused_in
        assert reasons and isinstance(reasons[0], dict), reasons
        assert reasons[0]["data"]["code"] == "unavailable", reasons
        assert reasons[0]["data"]["retry_after"] > 0, reasons
    finally:
        cluster.redis.start()

    # Stored during the outage: the agent on the other node hears it once Redis is back,
    # with no resend, and a resend of it (the widget's outbox when its ack was lost) is
    # told again.
    assert "c-during" in await _messages_heard(agent, within=15)
    again = await visitor.call("send_message", {"client_id": "c-during", "text": "down"})
    assert again["ok"], again
    assert "c-during" in await _messages_heard(agent, within=10)
    after = await visitor.call("send_message", {"client_id": "c-after", "text": "after"})
    assert after["ok"]
    assert "c-after" in await _messages_heard(agent, within=10)
    # Nothing lost, nothing stored twice (the resend was the same message).
    stored = Counter(doc["client_id"] for doc in cluster.stored_messages())
    assert stored == {"c-before": 1, "c-during": 1, "c-after": 1}, stored
    # The restarted Redis lost presence; the nodes put back who is connected to them.
    assert await _online(agent, session["visitor_id"], within=15)
    await visitor.close()
    await agent.close()
