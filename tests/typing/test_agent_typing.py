"""Agents typing: the visitor sees "Ana is typing…" (or the words, when the site allows it);
the other agents of the site see who is typing in which conversation."""

from __future__ import annotations

from tests.typing.conftest import drain


async def open_chat(agent, visitor) -> str:
    await visitor.call("send_message", {"client_id": "c-1", "text": "hello?"})
    return (await agent.next("message"))["conversation_id"]


async def test_the_visitor_sees_that_an_agent_is_typing_but_not_the_words(
    agent_a, tenant_a, visitor_of
):
    visitor = await visitor_of(tenant_a)
    conversation_id = await open_chat(agent_a, visitor)

    ack = await agent_a.call(
        "typing_preview", {"conversation_id": conversation_id, "text": "Let me check", "seq": 1}
    )

    assert ack == {"ok": True, "shown": True}
    assert await visitor.next("admin_typing_preview") == {
        "text": None,
        "agent": {"name": "Shop A agent"},
    }


async def test_a_site_may_show_the_agents_words_as_they_type(
    agent_a, tenant_a, visitor_of, site_options
):
    await site_options(tenant_a, show_agent_typing_text=True)
    visitor = await visitor_of(tenant_a)
    conversation_id = await open_chat(agent_a, visitor)

    for seq, text in enumerate(["Let", "Let me check"], start=1):
        await agent_a.call(
            "typing_preview", {"conversation_id": conversation_id, "text": text, "seq": seq}
        )

    assert (await visitor.next("admin_typing_preview"))["text"] == "Let"
    assert (await visitor.next("admin_typing_preview"))["text"] == "Let me check"


async def test_the_agents_message_clears_their_typing_for_the_visitor(
    agent_a, tenant_a, visitor_of
):
    visitor = await visitor_of(tenant_a)
    conversation_id = await open_chat(agent_a, visitor)
    await agent_a.call(
        "typing_preview", {"conversation_id": conversation_id, "text": "Yes", "seq": 1}
    )
    await visitor.next("admin_typing_preview")

    await agent_a.call(
        "send_message", {"conversation_id": conversation_id, "client_id": "a-1", "text": "Yes"}
    )

    await visitor.next("admin_typing_cleared")
    names = [name for name, _ in visitor.seen]
    assert names.index("message") < names.index("admin_typing_cleared")


async def test_stop_typing_preview_clears_it(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    conversation_id = await open_chat(agent_a, visitor)
    await agent_a.call(
        "typing_preview", {"conversation_id": conversation_id, "text": "Hm", "seq": 1}
    )
    await visitor.next("admin_typing_preview")

    await agent_a.call("stop_typing_preview", {"conversation_id": conversation_id})

    assert (await visitor.next("admin_typing_cleared"))["agent"] == {"name": "Shop A agent"}


async def test_other_agents_see_who_is_typing_where_once_per_burst(
    agent_a, tenant_a, visitor_of, second_agent
):
    ana = await second_agent("Ana")
    visitor = await visitor_of(tenant_a)
    conversation_id = await open_chat(agent_a, visitor)

    for seq in range(1, 4):
        await ana.call(
            "typing_preview", {"conversation_id": conversation_id, "text": "abc"[:seq], "seq": seq}
        )
    await ana.call("stop_typing_preview", {"conversation_id": conversation_id})

    started = await agent_a.next("agent_typing")
    stopped = await agent_a.next("agent_typing")
    assert started["conversation_id"] == conversation_id
    assert started["agent"] == {"id": ana.session["agent"]["id"], "name": "Ana"}
    assert (started["typing"], stopped["typing"]) == (True, False)
    assert await drain(agent_a, "agent_typing") == []


async def test_an_agent_cannot_type_into_another_sites_conversation(agent_a, tenant_b, visitor_of):
    from tests.realtime.conftest import SHOP_B

    visitor_b = await visitor_of(tenant_b, origin=SHOP_B, page=None)
    sent = await visitor_b.call("send_message", {"client_id": "c-b", "text": "hi"})

    ack = await agent_a.call(
        "typing_preview",
        {"conversation_id": sent["message"]["conversation_id"], "text": "x", "seq": 1},
    )

    assert ack["ok"] is False and ack["code"] == "not_found"
    assert await visitor_b.nothing("admin_typing_preview")


async def test_agent_previews_need_a_conversation_id(agent_a):
    ack = await agent_a.call("typing_preview", {"text": "x", "seq": 1})
    assert ack["ok"] is False and ack["code"] == "invalid"
