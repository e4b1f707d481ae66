"""A private note written in the dashboard never leaves for an endpoint that did not ask for
agent-only events, and its edit neither; the reply beside it does."""

from __future__ import annotations

import asyncio

from tests.realtime.conftest import agent_a  # noqa: F401  (a fixture)
from tests.webhooks.conftest import add_endpoint

SECRET = "card declined twice, check before refunding"


async def test_a_note_and_its_edit_reach_no_endpoint_that_did_not_ask(
    app,
    server,
    receiver,
    tenant_a,
    visitor_of,
    agent_a,  # noqa: F811  (the fixture)
):
    await add_endpoint(app, tenant_a.site.id, receiver.url)
    visitor = await visitor_of(tenant_a)
    asked = await visitor.call("send_message", {"client_id": "v-1", "text": "refund?"})
    conversation_id = asked["message"]["conversation_id"]
    note = await agent_a.call(
        "send_note", {"conversation_id": conversation_id, "client_id": "n-1", "text": SECRET}
    )
    assert note["ok"]
    edited = await agent_a.call(
        "edit_message", {"message_id": note["message"]["id"], "text": SECRET + "!"}
    )
    assert edited["ok"]
    reply = await agent_a.call(
        "send_message",
        {"conversation_id": conversation_id, "client_id": "a-1", "text": "Looking into it"},
    )
    assert reply["ok"]

    await receiver.wait_for(
        lambda got: any(
            r.json["data"].get("message", {}).get("id") == reply["message"]["id"] for r in got
        )
    )
    await asyncio.sleep(0.3)  # room for a delivery that should not come
    assert all(SECRET not in r.body.decode() for r in receiver.received)
    assert all(not r.json["agent_only"] for r in receiver.received)
