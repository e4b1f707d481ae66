"""MongoDB goes away and comes back: every event is answered (retryably) within the
widget's ack timeout, connections are refused with a reason, and the node recovers by
itself."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import aiohttp
import pytest
import socketio

from tests.resilience.processes import HOST
from tests.support.sockets import RecordingClient

WIDGET_ACK_TIMEOUT = 10.0  # widget/src/connection.js

pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


async def _healthy(url: str) -> bool:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/readyz") as response:
        return response.status == 200


async def test_mongo_outage_is_answered_retryably_and_recovers_without_restart(cluster) -> None:
    node = cluster.nodes[0]
    url = f"http://{HOST}:{node.port}"
    visitor = await RecordingClient("/visitor").connect(url, {"site_key": cluster.site_key})
    assert (await visitor.call("send_message", {"client_id": "c-1", "text": "one"}))["ok"]
    try:
        cluster.mongo.stop()

        started = time.monotonic()
        ack = await visitor.call(
            "send_message", {"client_id": "c-2", "text": "two"}, wait=WIDGET_ACK_TIMEOUT + 5
        )
        answered_in = time.monotonic() - started
        assert not ack["ok"] and ack["code"] == "unavailable", ack
        assert ack["retry_after"] > 0
        assert answered_in < WIDGET_ACK_TIMEOUT, answered_in

        refused = socketio.AsyncClient(reconnection=False)
        reasons: list[dict] = []
        refused.on("connect_error", reasons.append, namespace="/visitor")
        started = time.monotonic()
        with pytest.raises(socketio.exceptions.ConnectionError):
            await refused.connect(
                url,
                namespaces=["/visitor"],
                auth={"site_key": cluster.site_key},
                transports=["websocket"],
                wait_timeout=WIDGET_ACK_TIMEOUT + 5,
            )
        await refused.disconnect()
        assert time.monotonic() - started < WIDGET_ACK_TIMEOUT
        assert reasons and reasons[0]["data"]["code"] == "unavailable", reasons
        assert not await _healthy(url)
    finally:
        cluster.mongo.start()

    # The widget's outbox sends it again after retry_after; the same node takes it.
    deadline = time.monotonic() + 30
    while True:
        again = await visitor.call("send_message", {"client_id": "c-2", "text": "two"}, wait=15)
        if again["ok"]:
            break
        assert again["code"] == "unavailable", again
        assert time.monotonic() < deadline, "the node did not recover"
        await asyncio.sleep(again["retry_after"])
    assert await _healthy(url)
    stored = Counter(doc["client_id"] for doc in cluster.stored_messages())
    assert stored == {"c-1": 1, "c-2": 1}
    await visitor.close()
