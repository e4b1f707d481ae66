"""Private notes never reach a visitor: not live, not in history, not in the `session`
payload at connect, not in receipts, not in the conversation preview or unread count the
widget sees. Every path, on both shapes (SQLite in-process, MongoDB + Redis)."""

from __future__ import annotations

import aiohttp

from tests.composer.conftest import SHOP_A, SHOP_B, login_token

SECRET = "card declined twice - likely fraud, do not refund"


async def chat_with_a_note(agent, visitor):
    """The visitor asks, an agent replies, then a teammate-facing note is added."""
    asked = await visitor.call("send_message", {"client_id": "v-1", "text": "Where is my order?"})
    conversation_id = asked["message"]["conversation_id"]
    await agent.next("message")  # the visitor's message
    replied = await agent.call(
        "send_message",
        {"conversation_id": conversation_id, "client_id": "a-1", "text": "Checking now"},
    )
    assert replied["ok"]
    assert (await visitor.next("message"))["id"] == replied["message"]["id"]
    await agent.next("message")  # the reply's echo to agents
    noted = await agent.call(
        "send_note", {"conversation_id": conversation_id, "client_id": "n-1", "text": SECRET}
    )
    assert noted["ok"], noted
    assert noted["message"]["kind"] == "note"
    return conversation_id, replied["message"], noted["message"]


def no_secret(payload) -> bool:
    return SECRET not in repr(payload)


async def test_a_note_reaches_agents_and_never_the_visitor(
    agent_a, tenant_a, visitor_of, socket_client, base_url
):
    teammate = await socket_client(
        "/agent", base_url, {"token": await login_token(base_url, tenant_a.email)}
    )
    await teammate.next("session")
    visitor = await visitor_of(tenant_a)
    second_tab = await visitor_of(tenant_a, token=visitor.session["visitor_token"])
    conversation_id, _reply, note = await chat_with_a_note(agent_a, visitor)

    heard = await agent_a.next("message")
    assert heard["id"] == note["id"] and heard["kind"] == "note" and heard["text"] == SECRET
    while (seen := await teammate.next("message"))["id"] != note["id"]:
        pass
    assert seen["author"]["name"] == tenant_a.agent.name

    # A live reply after the note still arrives: the visitor's tabs are listening.
    after = await agent_a.call(
        "send_message",
        {"conversation_id": conversation_id, "client_id": "a-2", "text": "Found it"},
    )
    assert (await visitor.next("message"))["id"] == after["message"]["id"]
    assert await visitor.nothing("message", within=0.3)
    for tab in (visitor, second_tab):
        assert all(no_secret(data) for _event, data in tab.seen), tab.seen

    # Agents read it back in the conversation's history.
    history = await agent_a.call("history", {"conversation_id": conversation_id})
    assert [m["kind"] for m in history["messages"]] == ["message", "message", "note", "message"]


async def test_history_session_preview_and_unread_leave_notes_out(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    conversation_id, reply, _note = await chat_with_a_note(agent_a, visitor)

    history = await visitor.call("history", {})
    assert history["ok"]
    assert [m["id"] for m in history["messages"]][-1] == reply["id"]
    assert no_secret(history)
    page = await visitor.call("history", {"limit": 1})
    assert [m["id"] for m in page["messages"]] == [reply["id"]]

    # A new tab: the session payload's messages and conversation.
    again = await visitor_of(tenant_a, token=visitor.session["visitor_token"])
    session = again.session
    assert no_secret(session)
    assert [m["id"] for m in session["messages"]][-1] == reply["id"]
    conversation = session["conversation"]
    assert conversation["id"] == conversation_id
    assert conversation["preview"] == "Checking now"
    assert conversation["activity_id"] == reply["id"]
    assert conversation["unread_by_visitor"] == 1  # the reply, not the note


async def test_receipts_name_no_note(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    _conversation_id, reply, note = await chat_with_a_note(agent_a, visitor)

    delivered = await visitor.call("delivered", {"up_to": note["id"]})
    assert delivered["message_ids"] == [reply["id"]]
    read = await visitor.call("mark_read", {"up_to": note["id"]})
    assert read["message_ids"] == [reply["id"]]
    receipt = await agent_a.next("read")
    assert receipt["message_ids"] == [reply["id"]]
    # (``up_to`` is echoed back as the visitor sent it; no receipt lists the note.)
    receipts = [data for event, data in visitor.seen if event in ("read", "delivered")]
    assert receipts and all(note["id"] not in data["message_ids"] for data in receipts)


async def test_notes_over_rest_and_refusals(agent_a, tenant_a, tenant_b, visitor_of, base_url):
    visitor = await visitor_of(tenant_a)
    asked = await visitor.call("send_message", {"client_id": "v-1", "text": "hello"})
    conversation_id = asked["message"]["conversation_id"]
    url = f"{base_url}/api/v1/conversations/{conversation_id}/notes"
    token_a = await login_token(base_url, tenant_a.email)
    token_b = await login_token(base_url, tenant_b.email)

    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bearer {token_a}"}
        body = {"client_id": "rest-1", "text": SECRET}
        async with http.post(url, json=body, headers=headers) as response:
            answer = await response.json()
            assert response.status == 200 and answer["message"]["kind"] == "note"
        async with http.post(url, json=body, headers={"Authorization": f"Bearer {token_b}"}) as r:
            assert r.status == 404
        async with http.post(url, json=body, headers={"Origin": SHOP_A}) as response:
            assert response.status == 401
        bad = {"client_id": "rest-2", "text": "see photo", "attachments": [{"ref": "x" * 40}]}
        async with http.post(url, json=bad, headers=headers) as response:
            assert response.status == 400

    answer = await agent_a.call(
        "send_note", {"conversation_id": conversation_id, "client_id": "n-2", "text": " "}
    )
    assert (answer["ok"], answer["code"]) == (False, "invalid")
    assert await visitor.nothing("message", within=0.3)
    assert all(no_secret(data) for _event, data in visitor.seen)


async def test_another_sites_agent_cannot_add_or_see_notes(
    agent_a, tenant_a, tenant_b, visitor_of, socket_client, base_url
):
    agent_b = await socket_client(
        "/agent",
        base_url,
        {"token": await login_token(base_url, tenant_b.email)},
        {"Origin": SHOP_B},
    )
    await agent_b.next("session")
    visitor = await visitor_of(tenant_a)
    conversation_id, _reply, _note = await chat_with_a_note(agent_a, visitor)

    answer = await agent_b.call(
        "send_note", {"conversation_id": conversation_id, "client_id": "x-1", "text": "hi"}
    )
    assert (answer["ok"], answer["code"]) == (False, "not_found")
    history = await agent_b.call("history", {"conversation_id": conversation_id})
    assert history["code"] == "not_found"
    assert all(no_secret(data) for _event, data in agent_b.seen)
