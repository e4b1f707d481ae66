"""Message status sent → delivered → read, both ways, over real sockets."""

from __future__ import annotations

from tests.realtime.conftest import SHOP_B


async def test_a_visitor_message_is_delivered_then_read_by_the_agents(
    agent_a, tenant_a, visitor_of
):
    visitor = await visitor_of(tenant_a)
    sent = (await visitor.call("send_message", {"client_id": "c-1", "text": "hi"}))["message"]
    assert sent["status"] == "sent"
    conversation_id = sent["conversation_id"]
    await agent_a.next("message")

    ack = await agent_a.call("delivered", {"conversation_id": conversation_id, "up_to": sent["id"]})

    assert ack == {"ok": True, "message_ids": [sent["id"]]}
    receipt = await visitor.next("delivered")
    assert receipt == {
        "conversation_id": conversation_id,
        "reader": "agent",
        "up_to": sent["id"],
        "message_ids": [sent["id"]],
    }
    assert (await agent_a.next("delivered"))["reader"] == "agent"  # every agent tab hears it

    await agent_a.call("mark_read", {"conversation_id": conversation_id, "up_to": sent["id"]})
    assert (await visitor.next("read"))["message_ids"] == [sent["id"]]
    history = await visitor.call("history", {})
    assert [m["status"] for m in history["messages"]] == ["read"]


async def test_an_agent_reply_is_delivered_then_read_by_the_visitor(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    first = await visitor.call("send_message", {"client_id": "c-1", "text": "hi"})
    conversation_id = first["message"]["conversation_id"]
    reply = await agent_a.call(
        "send_message", {"conversation_id": conversation_id, "client_id": "a-1", "text": "hello"}
    )
    reply_id = reply["message"]["id"]
    await visitor.next("message")

    ack = await visitor.call("delivered", {"up_to": reply_id})

    assert ack == {"ok": True, "message_ids": [reply_id]}
    receipt = await agent_a.next("delivered")
    assert (receipt["reader"], receipt["message_ids"]) == ("visitor", [reply_id])
    history = await agent_a.call("history", {"conversation_id": conversation_id})
    statuses = {m["id"]: m["status"] for m in history["messages"]}
    assert statuses[reply_id] == "delivered"
    assert statuses[first["message"]["id"]] == "sent"  # the visitor's own message is untouched

    await visitor.call("mark_read", {"up_to": reply_id})
    assert (await agent_a.next("read"))["message_ids"] == [reply_id]


async def test_a_second_delivered_changes_nothing_and_tells_nobody(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    sent = (await visitor.call("send_message", {"client_id": "c-1", "text": "hi"}))["message"]
    payload = {"conversation_id": sent["conversation_id"], "up_to": sent["id"]}
    await agent_a.call("delivered", payload)
    await visitor.next("delivered")

    again = await agent_a.call("delivered", payload)

    assert again == {"ok": True, "message_ids": []}
    assert await visitor.nothing("delivered")


async def test_delivered_never_turns_a_read_message_back(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    sent = (await visitor.call("send_message", {"client_id": "c-1", "text": "hi"}))["message"]
    payload = {"conversation_id": sent["conversation_id"], "up_to": sent["id"]}
    await agent_a.call("mark_read", payload)

    late = await agent_a.call("delivered", payload)

    assert late["message_ids"] == []
    history = await visitor.call("history", {})
    assert history["messages"][0]["status"] == "read"


async def test_a_visitor_without_a_conversation_has_nothing_to_deliver(tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    ack = await visitor.call("delivered", {"up_to": "01J0000000000000000000000A"})
    assert ack == {"ok": True, "message_ids": []}


async def test_receipts_refuse_bad_ids_and_other_sites(agent_a, tenant_a, tenant_b, visitor_of):
    visitor = await visitor_of(tenant_a)
    assert (await visitor.call("delivered", {"up_to": "nope"}))["code"] == "invalid"
    assert (await visitor.call("delivered", {}))["code"] == "invalid"
    assert (await agent_a.call("delivered", {"up_to": "01J0000000000000000000000A"}))[
        "code"
    ] == "invalid"

    visitor_b = await visitor_of(tenant_b, origin=SHOP_B, page=None)
    sent = (await visitor_b.call("send_message", {"client_id": "c-b", "text": "hi"}))["message"]
    ack = await agent_a.call(
        "delivered", {"conversation_id": sent["conversation_id"], "up_to": sent["id"]}
    )
    assert ack["code"] == "not_found"
    assert await visitor_b.nothing("delivered")
