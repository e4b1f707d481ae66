"""Editing, deleting and quoting messages, live on both sides and on both shapes; the audit
view for admins; and the rules: one's own only, visitors for 5 minutes, notes agent-only."""

from __future__ import annotations

from datetime import timedelta

import aiohttp

from server.domain import Role, utcnow
from server.keys import auth_key, edits_key
from tests.composer.conftest import SHOP_B, login_token
from tests.support.apps import PASSWORD


async def started(agent, visitor):
    asked = await visitor.call("send_message", {"client_id": "v-1", "text": "Do you ship to Oslo?"})
    conversation_id = asked["message"]["conversation_id"]
    await agent.next("message")
    replied = await agent.call(
        "send_message",
        {"conversation_id": conversation_id, "client_id": "a-1", "text": "Yse, we do"},
    )
    await visitor.next("message")
    await agent.next("message")
    return conversation_id, asked["message"], replied["message"]


async def test_an_agent_edits_and_deletes_and_both_sides_see_it_live(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    conversation_id, _question, reply = await started(agent_a, visitor)

    edited = await agent_a.call("edit_message", {"message_id": reply["id"], "text": "Yes, we do"})
    assert edited["ok"] and edited["message"]["text"] == "Yes, we do"
    assert edited["message"]["edited_at"]
    for side in (visitor, agent_a):
        heard = await side.next("message_updated")
        assert (heard["id"], heard["text"]) == (reply["id"], "Yes, we do")

    deleted = await agent_a.call("delete_message", {"message_id": reply["id"]})
    assert deleted["ok"] and deleted["message"]["deleted_at"]
    for side in (visitor, agent_a):
        heard = await side.next("message_updated")
        assert heard["deleted_at"] and heard["text"] == "" and heard["attachments"] == []

    history = await visitor.call("history", {})
    shown = {m["id"]: m for m in history["messages"]}
    assert shown[reply["id"]]["text"] == "" and shown[reply["id"]]["deleted_at"]
    agents = await agent_a.call("history", {"conversation_id": conversation_id})
    assert next(m for m in agents["messages"] if m["id"] == reply["id"])["text"] == ""
    again = await visitor_of(tenant_a, token=visitor.session["visitor_token"])
    assert "Yes, we do" not in repr(again.session) and "Yse" not in repr(again.session)

    # The audit view (this agent owns the site) keeps every wording.
    audit = await agent_a.call("message_history", {"message_id": reply["id"]})
    assert audit["message"]["text"] == "Yes, we do" and audit["message"]["deleted_at"]
    assert [(r["action"], r["text"]) for r in audit["revisions"]] == [
        ("edit", "Yse, we do"),
        ("delete", "Yes, we do"),
    ]
    again_edit = await agent_a.call("edit_message", {"message_id": reply["id"], "text": "x"})
    assert (again_edit["ok"], again_edit["code"]) == (False, "not_found")


async def test_only_ones_own_messages(
    app, agent_a, tenant_a, tenant_b, visitor_of, socket_client, base_url
):
    visitor = await visitor_of(tenant_a)
    _conversation_id, question, reply = await started(agent_a, visitor)

    # The agent cannot change the visitor's message; the visitor cannot change the agent's.
    answer = await agent_a.call("edit_message", {"message_id": question["id"], "text": "x"})
    assert (answer["ok"], answer["code"]) == (False, "forbidden")
    answer = await visitor.call("delete_message", {"message_id": reply["id"]})
    assert (answer["ok"], answer["code"]) == (False, "forbidden")

    # A teammate (agent role) can change neither, nor read the audit view.
    teammate = await app[auth_key].create_agent("mate@shop-a.test", PASSWORD, name="Mate")
    await app[auth_key].add_to_site(teammate.id, tenant_a.site.id, Role.AGENT)
    mate = await socket_client(
        "/agent", base_url, {"token": await login_token(base_url, "mate@shop-a.test")}
    )
    await mate.next("session")
    answer = await mate.call("edit_message", {"message_id": reply["id"], "text": "mine now"})
    assert (answer["ok"], answer["code"]) == (False, "forbidden")
    answer = await mate.call("message_history", {"message_id": reply["id"]})
    assert (answer["ok"], answer["code"]) == (False, "forbidden")

    # Another site's agent: the message does not exist for them.
    agent_b = await socket_client(
        "/agent",
        base_url,
        {"token": await login_token(base_url, tenant_b.email)},
        {"Origin": SHOP_B},
    )
    await agent_b.next("session")
    for event, data in [
        ("edit_message", {"message_id": reply["id"], "text": "x"}),
        ("delete_message", {"message_id": reply["id"]}),
        ("message_history", {"message_id": reply["id"]}),
    ]:
        answer = await agent_b.call(event, data)
        assert (answer["ok"], answer["code"]) == (False, "not_found"), event
    assert await visitor.nothing("message_updated", within=0.2)


async def test_a_visitor_changes_their_own_for_five_minutes(app, agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    _conversation_id, question, reply = await started(agent_a, visitor)

    edited = await visitor.call("edit_message", {"message_id": question["id"], "text": "Bergen?"})
    assert edited["ok"] and edited["message"]["text"] == "Bergen?"
    heard = await agent_a.next("message_updated")
    assert (heard["id"], heard["text"]) == (question["id"], "Bergen?")

    edits = app[edits_key]
    later = utcnow() + timedelta(minutes=5, seconds=1)
    edits._clock = lambda: later
    answer = await visitor.call("delete_message", {"message_id": question["id"]})
    assert (answer["ok"], answer["code"]) == (False, "forbidden")
    assert "5 minutes" in answer["error"]
    # Agents have no such limit.
    assert (await agent_a.call("delete_message", {"message_id": reply["id"]}))["ok"]


async def test_a_note_edited_is_told_to_agents_only(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    conversation_id, _question, _reply = await started(agent_a, visitor)
    note = await agent_a.call(
        "send_note", {"conversation_id": conversation_id, "client_id": "n-1", "text": "vip"}
    )
    await agent_a.next("message")
    answer = await visitor.call("edit_message", {"message_id": note["message"]["id"], "text": "x"})
    assert (answer["ok"], answer["code"]) == (False, "not_found")

    edited = await agent_a.call(
        "edit_message", {"message_id": note["message"]["id"], "text": "VIP customer"}
    )
    assert edited["ok"] and edited["message"]["kind"] == "note"
    assert (await agent_a.next("message_updated"))["text"] == "VIP customer"
    assert await agent_a.call("delete_message", {"message_id": note["message"]["id"]})
    assert await visitor.nothing("message_updated", within=0.3)
    assert all("VIP" not in repr(data) for _event, data in visitor.seen)


async def test_replies_quote_a_message_and_follow_its_changes(agent_a, tenant_a, visitor_of):
    visitor = await visitor_of(tenant_a)
    conversation_id, question, reply = await started(agent_a, visitor)

    quoting = await agent_a.call(
        "send_message",
        {
            "conversation_id": conversation_id,
            "client_id": "a-2",
            "text": "To Oslo: 3 days",
            "reply_to": question["id"],
        },
    )
    assert quoting["ok"], quoting
    heard = await visitor.next("message")
    assert heard["reply_to"] == {
        "id": question["id"],
        "author": question["author"],
        "text": "Do you ship to Oslo?",
        "deleted": False,
    }
    answered = await visitor.call(
        "send_message", {"client_id": "v-2", "text": "Great", "reply_to": reply["id"]}
    )
    assert answered["message"]["reply_to"]["text"] == "Yse, we do"

    # A message the visitor sees cannot quote a note, nor another conversation's message.
    note = await agent_a.call(
        "send_note", {"conversation_id": conversation_id, "client_id": "n-1", "text": "hush"}
    )
    bad = await agent_a.call(
        "send_message",
        {
            "conversation_id": conversation_id,
            "client_id": "a-3",
            "text": "see above",
            "reply_to": note["message"]["id"],
        },
    )
    assert (bad["ok"], bad["code"]) == (False, "invalid")
    bad = await visitor.call(
        "send_message", {"client_id": "v-3", "text": "?", "reply_to": note["message"]["id"]}
    )
    assert (bad["ok"], bad["code"]) == (False, "invalid")
    # A note may quote anything.
    quoted_note = await agent_a.call(
        "send_note",
        {
            "conversation_id": conversation_id,
            "client_id": "n-2",
            "text": "about this",
            "reply_to": note["message"]["id"],
        },
    )
    assert quoted_note["message"]["reply_to"]["text"] == "hush"

    # The quote follows the quoted message: deleted, it is quoted without words.
    await visitor.call("delete_message", {"message_id": question["id"]})
    history = await visitor.call("history", {})
    shown = next(m for m in history["messages"] if m["id"] == quoting["message"]["id"])
    assert shown["reply_to"]["deleted"] is True and shown["reply_to"]["text"] == ""
    assert all("hush" not in repr(m) for m in history["messages"])


async def test_a_visitor_changes_no_one_elses(agent_a, tenant_a, tenant_b, visitor_of):
    visitor = await visitor_of(tenant_a)
    _conversation_id, question, _reply = await started(agent_a, visitor)
    other = await visitor_of(tenant_a)
    answer = await other.call("delete_message", {"message_id": question["id"]})
    assert (answer["ok"], answer["code"]) == (False, "forbidden")
    elsewhere = await visitor_of(tenant_b, origin=SHOP_B)
    answer = await elsewhere.call("edit_message", {"message_id": question["id"], "text": "x"})
    assert (answer["ok"], answer["code"]) == (False, "not_found")
    answer = await elsewhere.call("edit_message", {"message_id": "nonsense", "text": "x"})
    assert (answer["ok"], answer["code"]) == (False, "invalid")
    assert await visitor.nothing("message_updated", within=0.2)


async def test_edits_over_rest(agent_a, tenant_a, tenant_b, visitor_of, base_url):
    visitor = await visitor_of(tenant_a)
    _conversation_id, question, reply = await started(agent_a, visitor)
    token = await login_token(base_url, tenant_a.email)
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{base_url}/api/v1/messages/{reply['id']}"
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.patch(url, json={"text": "Yes!"}) as response:
            assert response.status == 200 and (await response.json())["message"]["text"] == "Yes!"
        async with http.patch(
            f"{base_url}/api/v1/messages/{question['id']}", json={"text": "x"}
        ) as r:
            assert r.status == 403
        async with http.delete(url) as response:
            assert response.status == 200
        async with http.get(url + "/revisions") as response:
            body = await response.json()
            assert [r["action"] for r in body["revisions"]] == ["edit", "delete"]
    assert (await visitor.next("message_updated"))["text"] == "Yes!"
    other = {"Authorization": f"Bearer {await login_token(base_url, tenant_b.email)}"}
    async with aiohttp.ClientSession(headers=other) as http:
        async with http.patch(
            f"{base_url}/api/v1/messages/{question['id']}", json={"text": "x"}
        ) as r:
            assert r.status == 404
        async with http.get(url + "/revisions") as response:
            assert response.status == 404
    async with aiohttp.ClientSession() as http, http.delete(url) as response:
        assert response.status == 401
