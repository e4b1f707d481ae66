"""An agent of one site sees and touches nothing of another, whatever ids it guesses."""

from __future__ import annotations

from tests.realtime.conftest import SHOP_B


async def test_agent_of_site_a_sees_nothing_of_site_b(agent_a, tenant_a, tenant_b, visitor_of):
    b_visitor = await visitor_of(tenant_b, origin=SHOP_B, page=None)
    sent = await b_visitor.call("send_message", {"client_id": "c-b", "text": "secret of B"})
    b_conversation = sent["message"]["conversation_id"]

    assert await agent_a.nothing("visitor_arrival")
    assert await agent_a.nothing("message")
    assert (await agent_a.call("list_visitors", {}))["visitors"] == []
    assert (await agent_a.call("list_conversations", {}))["conversations"] == []

    history = await agent_a.call("history", {"conversation_id": b_conversation})
    assert history["ok"] is False and history["code"] == "not_found"

    reply = await agent_a.call(
        "send_message", {"conversation_id": b_conversation, "client_id": "x", "text": "hi"}
    )
    assert reply["code"] == "not_found"
    assert await b_visitor.nothing("message")

    read = await agent_a.call(
        "mark_read", {"conversation_id": b_conversation, "up_to": sent["message"]["id"]}
    )
    assert read["code"] == "not_found"

    start = await agent_a.call(
        "start_conversation",
        {"site_id": tenant_b.site.id, "visitor_id": b_visitor.session["visitor_id"]},
    )
    assert start["code"] == "forbidden"
    listing = await agent_a.call("list_visitors", {"site_id": tenant_b.site.id})
    assert listing["code"] == "forbidden"


async def test_a_visitor_token_of_one_site_is_a_stranger_on_another(tenant_a, tenant_b, visitor_of):
    a_visitor = await visitor_of(tenant_a)
    await a_visitor.call("send_message", {"client_id": "c-a", "text": "mine"})

    on_b = await visitor_of(tenant_b, origin=SHOP_B, token=a_visitor.session["visitor_token"])

    assert on_b.session["visitor_id"] != a_visitor.session["visitor_id"]
    assert on_b.session["messages"] == []
