"""Resolve, reopen, snooze: both sides see it live, and a visitor's message brings it back."""

from __future__ import annotations

from datetime import timedelta

from server.domain import utcnow
from server.keys import conversations_key


async def start_chat(visitor, text: str = "my tent leaks") -> dict:
    sent = await visitor.call("send_message", {"client_id": "c-1", "text": text})
    assert sent["ok"], sent
    return sent["message"]


async def test_resolve_is_a_system_line_both_sides_see_and_the_visitor_reopens_it(
    tenant_a, agent_of, visitor_of
) -> None:
    agent = await agent_of(tenant_a.email)
    visitor = await visitor_of(tenant_a)
    first = await start_chat(visitor)
    conversation_id = first["conversation_id"]

    resolved = await agent.call("resolve", {"conversation_id": conversation_id})

    assert resolved["ok"] and resolved["conversation"]["status"] == "resolved"
    assert resolved["conversation"]["resolved_at"]
    line = await visitor.next("message")
    assert line["kind"] == "event"
    assert line["text"] == "Shop A agent resolved the conversation"
    status = await visitor.next("conversation_status")
    assert status == {
        "conversation_id": conversation_id,
        "status": "resolved",
        "actor": {"kind": "agent", "name": "Shop A agent"},
    }
    event = await agent.next("conversation_event")
    assert event["name"] == "conversation.resolved"

    again = await visitor.call("send_message", {"client_id": "c-2", "text": "still leaks"})

    assert again["message"]["conversation_id"] == conversation_id
    reopened = await agent.next("conversation_event")
    assert reopened["name"] == "conversation.reopened"
    assert reopened["actor"]["kind"] == "visitor"
    assert reopened["conversation"]["status"] == "open"


async def test_after_start_a_new_conversation_the_visitor_writes_in_a_fresh_one(
    tenant_a, agent_of, visitor_of
) -> None:
    agent = await agent_of(tenant_a.email)
    visitor = await visitor_of(tenant_a)
    first = await start_chat(visitor)
    await agent.call("resolve", {"conversation_id": first["conversation_id"]})

    fresh = await visitor.call(
        "send_message", {"client_id": "c-9", "text": "new question", "new_conversation": True}
    )

    assert fresh["ok"] and fresh["message"]["conversation_id"] != first["conversation_id"]
    history = await visitor.call("history", {})
    assert [m["text"] for m in history["messages"]] == ["new question"]


async def test_a_reload_after_resolve_shows_the_resolved_conversation(
    tenant_a, agent_of, visitor_of
) -> None:
    agent = await agent_of(tenant_a.email)
    visitor = await visitor_of(tenant_a)
    first = await start_chat(visitor)
    await agent.call("resolve", {"conversation_id": first["conversation_id"]})

    again = await visitor_of(tenant_a, token=visitor.session["visitor_token"])

    assert again.session["conversation"]["status"] == "resolved"
    assert [m["kind"] for m in again.session["messages"]] == ["message", "event"]


async def test_agent_reopens_and_the_visitor_sees_it(tenant_a, agent_of, visitor_of) -> None:
    agent = await agent_of(tenant_a.email)
    visitor = await visitor_of(tenant_a)
    first = await start_chat(visitor)
    await agent.call("resolve", {"conversation_id": first["conversation_id"]})
    await visitor.next("conversation_status")

    reopened = await agent.call("reopen", {"conversation_id": first["conversation_id"]})

    assert reopened["conversation"]["status"] == "open"
    assert (await visitor.next("conversation_status"))["status"] == "open"
    texts = [m["text"] for m in (await visitor.call("history", {}))["messages"]]
    assert texts[-1] == "Shop A agent reopened the conversation"


async def test_snooze_is_for_agents_only_and_wakes_when_due(
    app, tenant_a, agent_of, visitor_of
) -> None:
    agent = await agent_of(tenant_a.email)
    visitor = await visitor_of(tenant_a)
    first = await start_chat(visitor)
    until = (utcnow() + timedelta(hours=2)).isoformat().replace("+00:00", "Z")

    snoozed = await agent.call(
        "snooze", {"conversation_id": first["conversation_id"], "until": until}
    )

    assert snoozed["conversation"]["status"] == "snoozed"
    assert snoozed["conversation"]["snoozed_until"]
    assert await visitor.nothing("conversation_status")
    counts = (await agent.call("inbox_counts", {}))["counts"]
    assert counts["snoozed"] == 1 and counts["open"] == 0

    woke = await app[conversations_key].wake_due(utcnow() + timedelta(hours=3))

    assert woke == 1
    event = await agent.next("conversation_event")
    while event["name"] != "conversation.reopened":
        event = await agent.next("conversation_event")
    assert event["conversation"]["status"] == "open"
    assert await app[conversations_key].wake_due(utcnow() + timedelta(hours=3)) == 0


async def test_a_visitor_message_wakes_a_conversation_snoozed_until_they_write(
    tenant_a, agent_of, visitor_of
) -> None:
    agent = await agent_of(tenant_a.email)
    visitor = await visitor_of(tenant_a)
    first = await start_chat(visitor)
    await agent.call("snooze", {"conversation_id": first["conversation_id"]})

    await visitor.call("send_message", {"client_id": "c-3", "text": "hello again"})

    counts = (await agent.call("inbox_counts", {}))["counts"]
    assert counts["open"] == 1 and counts["snoozed"] == 0


async def test_bad_payloads_get_clear_invalid_errors(tenant_a, agent_of, visitor_of) -> None:
    agent = await agent_of(tenant_a.email)
    visitor = await visitor_of(tenant_a)
    first = await start_chat(visitor)
    conversation_id = first["conversation_id"]

    cases = [
        ("resolve", {}, "conversation_id must be a message id"),
        ("resolve", "nope", "payload must be an object"),
        ("snooze", {"conversation_id": conversation_id, "until": "tomorrow"}, "until must be"),
        (
            "snooze",
            {"conversation_id": conversation_id, "until": "2020-01-01T00:00:00Z"},
            "until must be in the future",
        ),
        ("assign", {"conversation_id": conversation_id}, "assignee_id is required"),
        ("assign", {"conversation_id": conversation_id, "assignee_id": "me"}, "positive whole"),
        ("tag", {"conversation_id": conversation_id}, "name a tag"),
        ("tag", {"conversation_id": conversation_id, "add": ["<b>"]}, "a tag name is"),
        ("inbox", {"view": "everything"}, "view must be one of"),
        ("inbox", {"sort": "random"}, 'sort must be "activity" or "waiting"'),
    ]
    for event, payload, says in cases:
        answer = await agent.call(event, payload)
        assert answer["ok"] is False and answer["code"] == "invalid", (event, answer)
        assert says in answer["error"], (event, answer)
