"""The whole loop over real sockets: a visitor writes, an agent answers."""

from __future__ import annotations

from tests.support.sockets import refusal


async def test_agent_sees_visitor_arrive_with_current_page(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)

    arrival = await agent_a.next("visitor_arrival")
    assert arrival["id"] == visitor.session["visitor_id"]
    assert arrival["site_id"] == tenant_a.site.id
    assert arrival["pages"][0]["url"] == "http://shop-a.test/tents"  # the current page
    assert arrival["online"] is True


async def test_messages_flow_both_ways_with_acks(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    await agent_a.next("visitor_arrival")

    ack = await visitor.call(
        "send_message", {"client_id": "c-1", "text": "Do you ship <b>tents</b>?"}
    )
    assert ack["ok"] is True
    sent = ack["message"]
    assert sent["text"] == "Do you ship <b>tents</b>?"
    assert sent["author"]["kind"] == "visitor"

    seen_by_agent = await agent_a.next("message")
    assert seen_by_agent["id"] == sent["id"]
    conversation = await agent_a.next("conversation_updated")
    assert conversation["id"] == sent["conversation_id"]

    reply = await agent_a.call(
        "send_message",
        {"conversation_id": sent["conversation_id"], "client_id": "a-1", "text": "We do!"},
    )
    assert reply["ok"] is True
    received = await visitor.next("message")
    assert received["text"] == "We do!"
    assert received["author"]["kind"] == "agent"
    assert received["author"]["name"] == "Shop A agent"


async def test_resend_with_same_client_id_is_stored_once(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    first = await visitor.call("send_message", {"client_id": "c-dup", "text": "hello"})
    again = await visitor.call("send_message", {"client_id": "c-dup", "text": "hello"})

    assert again["ok"] is True
    assert again["message"]["id"] == first["message"]["id"]
    history = await visitor.call("history", {})
    assert [m["client_id"] for m in history["messages"]] == ["c-dup"]
    # The resend is told again (its first telling may not have reached every node), as the
    # same message: dashboards keep one copy per id.
    heard = [await agent_a.next("message"), await agent_a.next("message")]
    assert {m["id"] for m in heard} == {first["message"]["id"]}
    assert await agent_a.nothing("message")


async def test_history_survives_reconnect_with_the_visitor_token(tenant_a, visitor_of):
    first = await visitor_of(tenant_a)
    for n in range(3):
        await first.call("send_message", {"client_id": f"c-{n}", "text": f"line {n}"})
    token = first.session["visitor_token"]
    await first.close()

    again = await visitor_of(tenant_a, token=token)

    assert again.session["visitor_id"] == first.session["visitor_id"]
    assert [m["text"] for m in again.session["messages"]] == ["line 0", "line 1", "line 2"]
    assert again.session["conversation"]["id"] == again.session["messages"][0]["conversation_id"]


async def test_history_pages_backwards(tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    for n in range(7):
        await visitor.call("send_message", {"client_id": f"c-{n}", "text": f"m{n}"})

    newest = await visitor.call("history", {"limit": 4})
    older = await visitor.call("history", {"limit": 4, "before": newest["messages"][0]["id"]})

    assert [m["text"] for m in newest["messages"]] == ["m3", "m4", "m5", "m6"]
    assert newest["has_more"] is True
    assert [m["text"] for m in older["messages"]] == ["m0", "m1", "m2"]
    assert older["has_more"] is False


async def test_other_tabs_of_the_visitor_get_the_message_but_not_the_sender(tenant_a, visitor_of):
    tab1 = await visitor_of(tenant_a)
    tab2 = await visitor_of(tenant_a, token=tab1.session["visitor_token"])

    await tab1.call("send_message", {"client_id": "c-tabs", "text": "from tab one"})

    assert (await tab2.next("message"))["text"] == "from tab one"
    assert await tab1.nothing("message")


async def test_visitor_left_only_when_the_last_tab_closes(agent_a, tenant_a, visitor_of):
    tab1 = await visitor_of(tenant_a)
    await agent_a.next("visitor_arrival")
    tab2 = await visitor_of(tenant_a, token=tab1.session["visitor_token"])

    await tab1.close()
    assert await agent_a.nothing("visitor_left", within=0.6)
    await tab2.close()
    left = await agent_a.next("visitor_left")
    assert left == {"site_id": tenant_a.site.id, "visitor_id": tab1.session["visitor_id"]}
    listed = await agent_a.call("list_visitors", {})
    assert listed["visitors"] == []


async def test_read_receipts_reach_the_other_side(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    sent = (await visitor.call("send_message", {"client_id": "c-r", "text": "hi"}))["message"]

    ack = await agent_a.call(
        "mark_read", {"conversation_id": sent["conversation_id"], "up_to": sent["id"]}
    )

    assert ack == {"ok": True, "message_ids": [sent["id"]]}
    receipt = await visitor.next("read")
    assert receipt["reader"] == "agent" and receipt["message_ids"] == [sent["id"]]
    listed = await agent_a.call("list_conversations", {})
    assert listed["conversations"][0]["unread_by_agent"] == 0


async def test_opening_the_chat_tells_agents(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)

    assert (await visitor.call("join_chat", {}))["ok"] is True

    joined = await agent_a.next("user_joined")
    assert joined["visitor_id"] == visitor.session["visitor_id"]


async def test_widget_learns_when_agents_come_and_go(base_url, tenant_a, visitor_of, socket_client):
    from tests.realtime.conftest import login_token

    visitor = await visitor_of(tenant_a)
    assert visitor.session["agents_online"] is False

    agent = await socket_client(
        "/agent", base_url, {"token": await login_token(base_url, tenant_a.email)}
    )
    assert await visitor.next("agents_online") == {"online": True}
    await agent.close()
    assert await visitor.next("agents_online") == {"online": False}


async def test_agent_starts_a_conversation_with_an_online_visitor(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    started = await agent_a.call(
        "start_conversation",
        {"site_id": tenant_a.site.id, "visitor_id": visitor.session["visitor_id"]},
    )
    assert started["ok"] is True
    conversation_id = started["conversation"]["id"]
    await agent_a.call(
        "send_message", {"conversation_id": conversation_id, "client_id": "a-hi", "text": "Hi!"}
    )
    assert (await visitor.next("message"))["conversation_id"] == conversation_id


async def test_a_refused_agent_never_connects(base_url):
    reasons = await refusal(base_url, "/agent", {"token": "forged.token.value"})
    assert reasons == [{"message": "invalid token", "data": {"code": "unauthenticated"}}]
